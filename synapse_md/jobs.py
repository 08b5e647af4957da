"""The three MD stages as file-to-file functions (called by the rules and the CLI).

``run_build``       -> R/md/system/{topology.pdb, system.xml, build.json}
``run_equilibrate`` -> R/md/replica_{k}/equilibrated.xml (the replica's own transmitter
                       placement, minimization and restrained equilibration)
``run_production``  -> R/md/replica_{k}/{trajectory.xtc, topology.pdb, state.csv,
                          final_state.xml, checkpoint.chk, replica.json}

Each takes the configuration (``{"md": section, ...}``; missing ``md`` keys take the
schema defaults) and the folder(s) it reads and writes, which
:class:`synsoc.layout.ResultLayout` names (``md_system``, ``md_replica``).
"""

from __future__ import annotations

import io
import json
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
from synapse_md.forces import TRANSMITTER_K, set_restraint_anchors
from synapse_md.platforms import select_platform
from synapse_md.production import ReplicaResult, run_replica
from synapse_md.simulation import (
    BLOWUP_CAUSES,
    SimulationBlowUp,
    check_finite,
    make_context,
    make_integrator,
    replica_start_seeds,
    stage_seed,
)
from synapse_md.start import min_heavy_distance_nm, replica_start
from synsoc.config import validate_section
from synsoc.io import write_json, write_text
from synsoc.provenance import config_hash, provenance

__all__ = ["run_build", "run_equilibrate", "run_production", "md_config_hash", "BINDING_ATOMS"]

logger = logging.getLogger(__name__)

# Suggested contact atoms (glutamate carboxylate O; the side-chain N that donate to it:
# Arg NE, NH1, NH2, Lys NZ, Gln NE2, Asn ND2); written to build.json for the kinetics stage.
BINDING_ATOMS = {
    "transmitter": ["OE1", "OE2"],
    "receptor": ["NE", "NH1", "NH2", "NZ", "NE2", "ND2"],
}


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


def _minimize(context: openmm.Context, md: MDConfig, where: str) -> openmm.State:
    """Minimize (``md.minimize_max_iterations``); the checked state (positions, energy)."""
    before = context.getState(getEnergy=True).getPotentialEnergy()
    openmm.LocalEnergyMinimizer.minimize(context, 10.0, md.minimize_max_iterations)
    state = context.getState(getPositions=True, getEnergy=True)
    after = state.getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole)
    check_finite(state.getPositions(asNumpy=True).value_in_unit(unit.nanometer), after, where, 0)
    logger.info(
        "%s: minimized %.1f -> %.1f kJ/mol",
        where,
        before.value_in_unit(unit.kilojoule_per_mole),
        after,
    )
    return state


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
    state = _minimize(context, md, "build")
    positions = state.getPositions(asNumpy=True).value_in_unit(unit.nanometer)
    after = state.getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole)

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


def _load_system(system_dir: Path) -> tuple[openmm.System, app.PDBFile, dict]:
    system = openmm.XmlSerializer.deserialize((system_dir / "system.xml").read_text())
    pdb = app.PDBFile(str(system_dir / "topology.pdb"))
    if system.getNumParticles() != pdb.topology.getNumAtoms():
        raise ValueError(f"{system_dir}: system.xml and topology.pdb disagree on atom count")
    build = json.loads((system_dir / "build.json").read_text())
    return system, pdb, build


def _release_distance_nm(state: openmm.State, topology: app.Topology, build: dict) -> float:
    """Smallest transmitter-receptor heavy-atom distance of ``state`` (nm)."""
    return min_heavy_distance_nm(
        state.getPositions(asNumpy=True).value_in_unit(unit.nanometer),
        topology,
        [t["atom_indices"] for t in build["transmitters"]],
        [r["atom_indices"] for r in build["receptors"]],
    )


def run_equilibrate(
    config: Mapping[str, Any],
    system_dir: str | Path,
    replica_dir: str | Path,
    replica: int,
    *,
    threads: int | None = None,
) -> openmm.State:
    """Start replica ``replica``: place its transmitters, minimize, equilibrate restrained.

    The transmitters get new seeded positions and orientations in the release zone
    (:func:`synapse_md.start.replica_start`; in explicit solvent the overlapping water
    and ions are moved into the vacated sites), the anchors of the transmitter
    restraints follow them, and the system is minimized (``md.minimize_max_iterations``)
    and run for ``md.equilibration_ps`` with transmitters and receptors restrained.
    Seeds: :func:`synapse_md.simulation.replica_start_seeds`.

    Parameters
    ----------
    config : Mapping
        synsoc configuration with an ``md`` section (``load_config``).
    system_dir : path-like
        ``R/md/system``, holding the outputs of :func:`run_build`.
    replica_dir : path-like
        ``R/md/replica_{replica}``; receives ``equilibrated.xml``.
    replica : int
        Replica index in ``[0, md.replicas)``.
    threads : int, optional
        CPU-platform threads.

    Returns
    -------
    openmm.State
        Positions, velocities and parameters after ``md.equilibration_ps``.
    """
    _, md = _md(config)
    system_dir, replica_dir = Path(system_dir), Path(replica_dir)
    where = f"replica {replica} (equilibration)"
    placement_seed, equilibration_seed = replica_start_seeds(md.seed, md.replicas, replica)
    system, pdb, build = _load_system(system_dir)
    start = replica_start(
        pdb.getPositions(asNumpy=True).value_in_unit(unit.nanometer),
        pdb.topology,
        build,
        md,
        placement_seed=placement_seed,
    )
    set_restraint_anchors(system, TRANSMITTER_K, start.positions_nm)
    platform = _platform(md, threads)
    integrator = make_integrator(md, equilibration_seed)
    context = make_context(system, integrator, platform)
    if pdb.topology.getPeriodicBoxVectors() is not None:
        context.setPeriodicBoxVectors(*pdb.topology.getPeriodicBoxVectors())
    context.setPositions(start.positions_nm * unit.nanometer)
    _minimize(context, md, where)
    context.setVelocitiesToTemperature(md.temperature_K * unit.kelvin, equilibration_seed)
    start_wall = time.perf_counter()
    try:
        integrator.step(md.equilibration_steps)
    except openmm.OpenMMException as err:
        raise SimulationBlowUp(
            f"{where}: OpenMM failed near step {context.getStepCount()} ({err}); {BLOWUP_CAUSES}"
        ) from err
    state = context.getState(
        getPositions=True, getVelocities=True, getEnergy=True, getParameters=True
    )
    check_finite(
        state.getPositions(asNumpy=True).value_in_unit(unit.nanometer),
        state.getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole),
        where,
        md.equilibration_steps,
    )
    distance = _release_distance_nm(state, pdb.topology, build)
    logger.info(
        "%s: placement seed %d, %d solvent molecules moved, equilibrated %.1f ps in %.1f s; "
        "smallest transmitter-receptor heavy-atom distance at release %.3f nm",
        where,
        placement_seed,
        start.moved_solvent_molecules,
        md.equilibration_ps,
        time.perf_counter() - start_wall,
        distance,
    )
    if distance < md.geometry.release_clearance_nm:
        logger.warning(
            "%s: a transmitter heavy atom is %.3f nm from a receptor heavy atom at release, "
            "closer than geometry.release_clearance_nm = %.2f nm (restrained fluctuation)",
            where,
            distance,
            md.geometry.release_clearance_nm,
        )
    write_text(replica_dir / "equilibrated.xml", openmm.XmlSerializer.serialize(state))
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
    """Run or resume release replica ``replica`` from its equilibrated state.

    ``replica.json`` records, besides the production seeds, the replica's
    ``placement_seed`` and ``equilibration_seed`` and
    ``min_transmitter_receptor_heavy_distance_nm``, the smallest transmitter-receptor
    heavy-atom distance at release (t = 0).

    Parameters
    ----------
    config : Mapping
        synsoc configuration with an ``md`` section (``load_config``).
    system_dir : path-like
        ``R/md/system``, holding the outputs of :func:`run_build`.
    replica_dir : path-like
        ``R/md/replica_{replica}``, holding ``equilibrated.xml`` of :func:`run_equilibrate`.
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
    system_dir, replica_dir = Path(system_dir), Path(replica_dir)
    system, pdb, build = _load_system(system_dir)
    state = openmm.XmlSerializer.deserialize((replica_dir / "equilibrated.xml").read_text())
    placement_seed, equilibration_seed = replica_start_seeds(md.seed, md.replicas, replica)
    distance = _release_distance_nm(state, pdb.topology, build)
    logger.info(
        "replica %d: placement seed %d; smallest transmitter-receptor heavy-atom distance at "
        "release %.3f nm",
        replica,
        placement_seed,
        distance,
    )
    platform = _platform(md, threads)
    return run_replica(
        system,
        pdb.topology,
        state,
        md,
        replica,
        replica_dir,
        platform=platform,
        extra_json={
            "placement_seed": placement_seed,
            "equilibration_seed": equilibration_seed,
            "min_transmitter_receptor_heavy_distance_nm": distance,
            "provenance": provenance({"md": section}),
        },
        keep_running=keep_running,
    )
