"""Synaptic-cleft molecular dynamics in OpenMM.

Public API (import from the package, not from its modules)::

    from synapse_md import MDConfig, build_cleft, run_build, run_production

- configuration: :class:`MDConfig` (``MDConfig.from_section(section)``) and its parts
  :class:`GeometryConfig`, :class:`MoleculeConfig`, :class:`ExplicitConfig`;
- the system: :func:`build_cleft` -> :class:`CleftSystem`, :func:`place_transmitters`
  (the release-zone placement of the build and of every replica),
  :func:`implicit_solvent_system`;
- each replica's start: :func:`replica_start` -> :class:`ReplicaStart` (new transmitter
  placement, solvent moved out of the way);
- platform and integration: :func:`select_platform` -> :class:`PlatformChoice`,
  :func:`make_integrator`, :func:`make_context`, :func:`replica_seeds`,
  :func:`replica_start_seeds`, :class:`SimulationBlowUp`;
- production: :func:`run_replica` -> :class:`ReplicaResult` (:class:`RunStopped`), the reporters
  (:class:`XTCReporter`, :class:`StateCSVReporter`, :class:`CheckpointReporter`) and
  :data:`STATE_COLUMNS`;
- file-level jobs (the Snakemake rules and ``synsoc md``): :func:`run_build`,
  :func:`run_equilibrate`, :func:`run_production`.
"""

from __future__ import annotations

from synapse_md.builder import (
    CleftSystem,
    build_cleft,
    implicit_solvent_system,
    place_transmitters,
)
from synapse_md.config import ExplicitConfig, GeometryConfig, MDConfig, MoleculeConfig
from synapse_md.jobs import run_build, run_equilibrate, run_production
from synapse_md.platforms import PlatformChoice, select_platform
from synapse_md.production import ReplicaResult, RunStopped, run_replica
from synapse_md.reporters import (
    STATE_COLUMNS,
    CheckpointReporter,
    StateCSVReporter,
    XTCReporter,
)
from synapse_md.simulation import (
    SimulationBlowUp,
    make_context,
    make_integrator,
    replica_seeds,
    replica_start_seeds,
)
from synapse_md.start import ReplicaStart, replica_start

__all__ = [
    "MDConfig",
    "GeometryConfig",
    "MoleculeConfig",
    "ExplicitConfig",
    "CleftSystem",
    "build_cleft",
    "place_transmitters",
    "implicit_solvent_system",
    "ReplicaStart",
    "replica_start",
    "PlatformChoice",
    "select_platform",
    "make_integrator",
    "make_context",
    "replica_seeds",
    "replica_start_seeds",
    "SimulationBlowUp",
    "ReplicaResult",
    "RunStopped",
    "run_replica",
    "STATE_COLUMNS",
    "XTCReporter",
    "StateCSVReporter",
    "CheckpointReporter",
    "run_build",
    "run_equilibrate",
    "run_production",
]
