"""synsoc core: what every stage shares, importing none of them.

- :mod:`synsoc.config`: configuration loading and validation against the schemas in
  ``synsoc/schemas`` (package data), defaults filled in from the schemas only;
- :mod:`synsoc.errors`: :class:`~synsoc.errors.InputError` and its subclasses;
- :mod:`synsoc.io`: atomic writers;
- :mod:`synsoc.provenance`: configuration hash and package versions;
- :mod:`synsoc.layout`: result paths, regimes, reference models, table columns;
- :mod:`synsoc.validation`: boundary checks shared by the stages;
- :mod:`synsoc.joblog`: the logging prologue of the Snakemake job scripts;
- :mod:`synsoc.cli`: the ``synsoc`` console script, dispatching to each stage's ``cli``.

The stage packages (``synapse_md``, ``analysis.kinetics``, ``network``,
``analysis.criticality``, ``analysis.report``) import this core and never each other;
they meet through files whose paths come from :mod:`synsoc.layout`.
"""

from importlib import metadata

try:
    __version__ = metadata.version("synsoc")
except metadata.PackageNotFoundError:  # a source tree on sys.path, not installed
    __version__ = "0+unknown"
