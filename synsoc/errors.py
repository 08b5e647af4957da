"""The errors synsoc raises for bad input: one base class, one subclass per kind of input.

Every message names the file, key or argument and the offending value. The ``synsoc``
command line turns any :class:`InputError` into a one-line message and exit status 2;
Snakemake rules let it propagate, so the job log holds the same message.
"""

from __future__ import annotations

__all__ = ["InputError", "ConfigError", "KineticsError", "GraphFileError"]


class InputError(ValueError):
    """Input a user supplied (file, configuration value, argument) is invalid."""


class ConfigError(InputError):
    """A configuration file or value is invalid; the message names file and key."""


class KineticsError(InputError):
    """A kinetics file (events table, ``kinetics.json``) lacks a key or holds a bad value."""


class GraphFileError(InputError):
    """A graph file cannot be read or does not describe a usable network."""
