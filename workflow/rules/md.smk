# Rules of the md stage.
