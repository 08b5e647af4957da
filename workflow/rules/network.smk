# Rules of the network stage.
