"""Synaptic-cleft molecular dynamics in OpenMM.

Public API (import from the package, not from its modules)::

    from synapse_md import MDConfig, build_cleft, run_build, run_production

- configuration: :class:`MDConfig` (``MDConfig.from_section(section)``) and its parts
  :class:`GeometryConfig`, :class:`MoleculeConfig`, :class:`ExplicitConfig`;
- the system: :func:`build_cleft` -> :class:`CleftSystem`;
- platform and integration: :func:`select_platform` -> :class:`PlatformChoice`,
  :func:`make_integrator`, :func:`make_context`, :func:`replica_seeds`,
  :class:`SimulationBlowUp`;
- production: :func:`run_replica` -> :class:`ReplicaResult`, the reporters
  (:class:`XTCReporter`, :class:`StateCSVReporter`, :class:`CheckpointReporter`) and
  :data:`STATE_COLUMNS`;
- file-level jobs (the Snakemake rules and ``synsoc md``): :func:`run_build`,
  :func:`run_equilibrate`, :func:`run_production`.

Importing the package loads only OpenMM; the builder (PeptideBuilder, Biopython) and
the writers (mdtraj) load on first use of a name that needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from synapse_md.config import ExplicitConfig, GeometryConfig, MDConfig, MoleculeConfig
from synapse_md.platforms import PlatformChoice, select_platform
from synapse_md.simulation import (
    SimulationBlowUp,
    make_context,
    make_integrator,
    replica_seeds,
)

if TYPE_CHECKING:
    from synapse_md.builder import CleftSystem, build_cleft
    from synapse_md.jobs import run_build, run_equilibrate, run_production
    from synapse_md.production import ReplicaResult, run_replica
    from synapse_md.reporters import (
        STATE_COLUMNS,
        CheckpointReporter,
        StateCSVReporter,
        XTCReporter,
    )

__all__ = [
    "MDConfig",
    "GeometryConfig",
    "MoleculeConfig",
    "ExplicitConfig",
    "CleftSystem",
    "build_cleft",
    "PlatformChoice",
    "select_platform",
    "make_integrator",
    "make_context",
    "replica_seeds",
    "SimulationBlowUp",
    "ReplicaResult",
    "run_replica",
    "STATE_COLUMNS",
    "XTCReporter",
    "StateCSVReporter",
    "CheckpointReporter",
    "run_build",
    "run_equilibrate",
    "run_production",
]

_LAZY = {
    "CleftSystem": "synapse_md.builder",
    "build_cleft": "synapse_md.builder",
    "run_build": "synapse_md.jobs",
    "run_equilibrate": "synapse_md.jobs",
    "run_production": "synapse_md.jobs",
    "ReplicaResult": "synapse_md.production",
    "run_replica": "synapse_md.production",
    "STATE_COLUMNS": "synapse_md.reporters",
    "XTCReporter": "synapse_md.reporters",
    "StateCSVReporter": "synapse_md.reporters",
    "CheckpointReporter": "synapse_md.reporters",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'synapse_md' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
