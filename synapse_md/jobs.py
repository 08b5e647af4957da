"""The three MD stages as file-to-file functions (called by the rules and the CLI).

``run_build``       -> R/md/system/{topology.pdb, system.xml, build.json}
``run_equilibrate`` -> R/md/system/equilibrated.xml
``run_production``  -> R/md/replica_{k}/{trajectory.xtc, topology.pdb, state.csv,
                          final_state.xml, checkpoint.chk, replica.json}

Each takes the configuration (``{"md": section, ...}``; missing ``md`` keys take the
schema defaults) and the folder(s) it reads and writes, which
:class:`synsoc.layout.ResultLayout` names (``md_system``, ``md_replica``).
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import openmm
import openmm.app as app
import openmm.unit as unit

from synapse_md.builder import build_cleft
from synapse_md.config import MDConfig
from synapse_md.platforms import select_platform
from synapse_md.production import ReplicaResult, run_replica
from synapse_md.simulation import (
    BLOWUP_CAUSES,
    SimulationBlowUp,
    check_finite,
    make_context,
    make_integrator,
    stage_seed,
)
from synsoc.config import validate_section
from synsoc.io import write_json, write_text
from synsoc.provenance import config_hash, provenance

__all__ = ["run_build", "run_equilibrate", "run_production", "md_config_hash", "BINDING_ATOMS"]

logger = logging.getLogger(__name__)

# Suggested contact atoms for the default pair (glutamate carboxylate O, arginine
# guanidinium N); written to build.json for the kinetics stage.
BINDING_ATOMS = {"transmitter": ["OE1", "OE2"], "receptor": ["NE", "NH1", "NH2"]}


def _md(config: Mapping[str, Any]) -> tuple[dict[str, Any], MDConfig]:
    """The ``md`` section with schema defaults filled in (for provenance) and its MDConfig."""
    if "md" not in config:
        raise ValueError("config must be the validated synsoc configuration (no 'md' key)")
    section = validate_section("md", dict(config["md"]))
    return section, MDConfig.from_section(section)


def md_config_hash(config: Mapping[str, Any]) -> str:
    """The ``config_hash`` the MD jobs record in build.json and replica.json.

    Parameters
    ----------
    config : Mapping
        synsoc configuration with an ``md`` section (``load_config``).

    Returns
    -------
    str
        SHA-256 of ``{"md": section}`` with schema defaults filled in, the value under
        ``provenance.config_hash`` of the outputs this configuration produces.
    """
    section, _ = _md(config)
    return config_hash({"md": section})


def _platform(md: MDConfig, threads: int | None):
    return select_platform(md.platform, precision=md.precision, threads=threads)


def run_build(
    config: Mapping[str, Any], system_dir: str | Path, *, threads: int | None = None
) -> dict:
    """Build and minimize the cleft system; write topology.pdb, system.xml, build.json.

    Parameters
    ----------
    config : Mapping
        synsoc configuration with an ``md`` section (``load_config``).
    system_dir : path-like
        ``R/md/system``.
    threads : int, optional
        CPU-platform threads.

    Returns
    -------
    dict
        The build.json record.
    """
    section, md = _md(config)
    system_dir = Path(system_dir)
    cleft = build_cleft(md)
    platform = _platform(md, threads)
    integrator = make_integrator(md, stage_seed(md.seed, 1))
    context = make_context(cleft.system, integrator, platform)
    context.setPositions(cleft.positions_nm * unit.nanometer)
    if cleft.box_nm is not None:
        context.setPeriodicBoxVectors(*np.diag(cleft.box_nm) * unit.nanometer)
    before = context.getState(getEnergy=True).getPotentialEnergy()
    openmm.LocalEnergyMinimizer.minimize(context, 10.0, md.minimize_max_iterations)
    state = context.getState(getPositions=True, getEnergy=True)
    positions = state.getPositions(asNumpy=True).value_in_unit(unit.nanometer)
    after = state.getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole)
    check_finite(positions, after, "build (minimization)", 0)
    logger.info(
        "minimized: %.1f -> %.1f kJ/mol", before.value_in_unit(unit.kilojoule_per_mole), after
    )

    buffer = io.StringIO()
    app.PDBFile.writeFile(cleft.topology, positions * unit.nanometer, buffer, keepIds=True)
    write_text(system_dir / "topology.pdb", buffer.getvalue())
    write_text(system_dir / "system.xml", openmm.XmlSerializer.serialize(cleft.system))
    n_t = len(cleft.transmitters)
    n_r = len(cleft.receptors)
    geometry = md.geometry
    record = {
        "solvent": md.solvent,
        "n_atoms": cleft.system.getNumParticles(),
        "transmitters": [
            {"index": i, "atom_indices": list(a), "residue_name": cleft.transmitter_residue}
            for i, a in enumerate(cleft.transmitters)
        ],
        "receptors": [
            {"index": i, "atom_indices": list(a), "residue_name": cleft.receptor_residue}
            for i, a in enumerate(cleft.receptors)
        ],
        "transmitter_selection": f"chainid 0 to {n_t - 1}",
        "receptor_selection": f"chainid {n_t} to {n_t + n_r - 1}",
        "binding_atom_names": BINDING_ATOMS,
        "box_nm": None if cleft.box_nm is None else [float(v) for v in cleft.box_nm],
        "origin_nm": [float(v) for v in cleft.origin_nm],
        "cleft_height_nm": geometry.cleft_height_nm,
        "lateral_nm": geometry.lateral_nm,
        "release_z_nm": [geometry.release_z_min_nm, geometry.release_z_max_nm],
        "receptor_z_nm": geometry.receptor_z_nm,
        "temperature_K": md.temperature_K,
        "friction_per_ps": md.friction_per_ps,
        "transmitter_mass_amu": cleft.transmitter_mass_amu,
        "minimized_energy_kj_per_mol": after,
        "platform": platform.name,
        "provenance": provenance({"md": section}),
    }
    write_json(system_dir / "build.json", record)
    return record


def _load_system(system_dir: Path) -> tuple[openmm.System, app.PDBFile]:
    system = openmm.XmlSerializer.deserialize((system_dir / "system.xml").read_text())
    pdb = app.PDBFile(str(system_dir / "topology.pdb"))
    if system.getNumParticles() != pdb.topology.getNumAtoms():
        raise ValueError(f"{system_dir}: system.xml and topology.pdb disagree on atom count")
    return system, pdb


def run_equilibrate(
    config: Mapping[str, Any], system_dir: str | Path, *, threads: int | None = None
) -> openmm.State:
    """Restrained equilibration (transmitters and receptors held); write equilibrated.xml.

    Parameters
    ----------
    config : Mapping
        synsoc configuration with an ``md`` section (``load_config``).
    system_dir : path-like
        ``R/md/system``, holding the outputs of :func:`run_build`.
    threads : int, optional
        CPU-platform threads.

    Returns
    -------
    openmm.State
        Positions, velocities and parameters after ``md.equilibration_ps``.
    """
    _, md = _md(config)
    system_dir = Path(system_dir)
    system, pdb = _load_system(system_dir)
    platform = _platform(md, threads)
    seed = stage_seed(md.seed, 1)
    integrator = make_integrator(md, seed)
    context = make_context(system, integrator, platform)
    context.setPositions(pdb.positions)
    if pdb.topology.getPeriodicBoxVectors() is not None:
        context.setPeriodicBoxVectors(*pdb.topology.getPeriodicBoxVectors())
    context.setVelocitiesToTemperature(md.temperature_K * unit.kelvin, seed)
    start = time.perf_counter()
    try:
        integrator.step(md.equilibration_steps)
    except openmm.OpenMMException as err:
        raise SimulationBlowUp(
            f"equilibration: OpenMM failed near step {context.getStepCount()} ({err}); "
            f"{BLOWUP_CAUSES}"
        ) from err
    state = context.getState(
        getPositions=True, getVelocities=True, getEnergy=True, getParameters=True
    )
    check_finite(
        state.getPositions(asNumpy=True).value_in_unit(unit.nanometer),
        state.getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole),
        "equilibration",
        md.equilibration_steps,
    )
    elapsed = time.perf_counter() - start
    logger.info("equilibrated %.1f ps in %.1f s", md.equilibration_ps, elapsed)
    write_text(system_dir / "equilibrated.xml", openmm.XmlSerializer.serialize(state))
    return state


def run_production(
    config: Mapping[str, Any],
    system_dir: str | Path,
    replica_dir: str | Path,
    replica: int,
    *,
    threads: int | None = None,
    keep_running: Callable[[], bool] | None = None,
) -> ReplicaResult:
    """Run or resume release replica ``replica`` from the equilibrated state.

    Parameters
    ----------
    config : Mapping
        synsoc configuration with an ``md`` section (``load_config``).
    system_dir : path-like
        ``R/md/system``, holding the outputs of :func:`run_equilibrate`.
    replica_dir : path-like
        ``R/md/replica_{replica}``.
    replica : int
        Replica index in ``[0, md.replicas)``.
    threads : int, optional
        CPU-platform threads.
    keep_running : callable, optional
        Asked after each checkpoint; False stops the run there
        (:class:`~synapse_md.production.RunStopped`). The workflow passes
        ``synsoc.joblog.workflow_watch()``.

    Returns
    -------
    ReplicaResult
    """
    section, md = _md(config)
    system_dir = Path(system_dir)
    system, pdb = _load_system(system_dir)
    state = openmm.XmlSerializer.deserialize((system_dir / "equilibrated.xml").read_text())
    platform = _platform(md, threads)
    return run_replica(
        system,
        pdb.topology,
        state,
        md,
        replica,
        replica_dir,
        platform=platform,
        extra_json={"provenance": provenance({"md": section})},
        keep_running=keep_running,
    )
