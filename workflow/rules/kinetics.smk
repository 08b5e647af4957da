# Rules of the kinetics stage.
