# Rules of the criticality stage.
