"""Restartable production run of one release replica.

The trajectory is written in chunks of ``checkpoint_frames`` frames under
``replica_dir/work/``: each chunk's XTC and state rows are written atomically
**before** the checkpoint that follows them, so after a kill at any moment the
checkpoint's step count says exactly which chunks are valid; later chunks are
deleted and recomputed on resume. When every chunk exists the final files are
assembled (trajectory.xtc, state.csv, topology.pdb, final_state.xml,
checkpoint.chk) and ``replica.json`` is written last: its presence marks a
complete replica.
"""

from __future__ import annotations

import io
import json
import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import mdtraj
import numpy as np
import openmm
import openmm.app as app
import openmm.unit as unit

from synapse_md.config import MDConfig
from synapse_md.forces import RELEASED_PARAMETERS
from synapse_md.platforms import PlatformChoice
from synapse_md.simulation import (
    BLOWUP_CAUSES,
    SimulationBlowUp,
    check_finite,
    degrees_of_freedom,
    make_context,
    make_integrator,
    replica_seeds,
    temperature_K,
)
from synsoc.io import atomic_path, write_json, write_text

__all__ = ["ReplicaResult", "run_replica", "STATE_COLUMNS"]

logger = logging.getLogger(__name__)

STATE_COLUMNS = (
    "time_ps",
    "step",
    "potential_energy_kj_per_mol",
    "kinetic_energy_kj_per_mol",
    "temperature_K",
    "speed_ns_per_day",
)


@dataclass(frozen=True)
class ReplicaResult:
    """Summary of a finished replica (also written to ``replica.json``)."""

    replica: int
    velocity_seed: int
    integrator_seed: int
    frames: int
    simulated_ps: float
    ns_per_day: float
    platform: str
    device: str
    resumed_from_step: int


def _chunk_path(work: Path, index: int, suffix: str) -> Path:
    return work / f"chunk_{index:05d}{suffix}"


def _chunk_frame_ranges(config: MDConfig) -> list[tuple[int, int]]:
    """Frame ranges [first, last] of each chunk; chunk 0 is the t = 0 frame."""
    ranges = [(0, 0)]
    first = 1
    while first <= config.production_frames:
        last = min(first + config.checkpoint_frames - 1, config.production_frames)
        ranges.append((first, last))
        first = last + 1
    return ranges


def _csv(rows: list[dict[str, float]]) -> str:
    """State rows as CSV text with a header line."""
    lines = [",".join(STATE_COLUMNS)]
    lines += [
        ",".join(repr(float(row[c])) if c != "step" else str(int(row[c])) for c in STATE_COLUMNS)
        for row in rows
    ]
    return "\n".join(lines) + "\n"


class _ChunkWriter:
    """Collects frames of one chunk and writes them atomically."""

    def __init__(self, dof: int, periodic: bool) -> None:
        self.dof = dof
        self.periodic = periodic
        self.xyz: list[np.ndarray] = []
        self.box: list[np.ndarray] = []
        self.rows: list[dict[str, float]] = []

    def add(self, state: openmm.State, time_ps: float, step: int, speed: float, where: str):
        positions = state.getPositions(asNumpy=True).value_in_unit(unit.nanometer)
        potential = state.getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole)
        kinetic = state.getKineticEnergy().value_in_unit(unit.kilojoule_per_mole)
        # The sum is finite only if both are: NaN velocities show up in the kinetic energy.
        check_finite(positions, potential + kinetic, where, step)
        self.xyz.append(np.asarray(positions, dtype=np.float32))
        vectors = state.getPeriodicBoxVectors(asNumpy=True).value_in_unit(unit.nanometer)
        self.box.append(np.asarray(vectors, dtype=np.float32))
        self.rows.append(
            {
                "time_ps": time_ps,
                "step": step,
                "potential_energy_kj_per_mol": potential,
                "kinetic_energy_kj_per_mol": kinetic,
                "temperature_K": temperature_K(kinetic, self.dof),
                "speed_ns_per_day": speed,
            }
        )

    def write(self, work: Path, index: int) -> None:
        times = np.array([row["time_ps"] for row in self.rows], dtype=np.float32)
        with atomic_path(_chunk_path(work, index, ".xtc")) as tmp:
            with mdtraj.formats.XTCTrajectoryFile(str(tmp), "w") as handle:
                handle.write(
                    np.stack(self.xyz),
                    time=times,
                    step=np.array([row["step"] for row in self.rows], dtype=np.int32),
                    box=np.stack(self.box) if self.periodic else None,
                )
        write_text(_chunk_path(work, index, ".csv"), _csv(self.rows))


def _save_checkpoint(context: openmm.Context, path: Path) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(context.createCheckpoint())


def _start_fresh(context, equilibrated_state, config, velocity_seed, work, meta) -> None:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    write_json(work / "meta.json", meta)
    context.setState(equilibrated_state)
    for parameter in RELEASED_PARAMETERS:  # release: transmitters free from t = 0
        context.setParameter(parameter, 0.0)
    context.setTime(0.0)
    context.setStepCount(0)
    context.setVelocitiesToTemperature(config.temperature_K * unit.kelvin, velocity_seed)


def _resume_step(context, work: Path, meta: dict, where: str) -> int | None:
    """Load the work checkpoint if it belongs to this run; return its step or None."""
    checkpoint = work / "checkpoint.chk"
    meta_path = work / "meta.json"
    if not checkpoint.exists() or not meta_path.exists():
        return None
    if json.loads(meta_path.read_text()) != meta:
        logger.warning("%s: work directory from another configuration; starting over", where)
        return None
    try:
        context.loadCheckpoint(checkpoint.read_bytes())
    except openmm.OpenMMException as err:
        logger.warning("%s: checkpoint unreadable here (%s); starting over", where, err)
        return None
    return int(context.getStepCount())


def _assemble(work, replica_dir, n_chunks, config, topology, periodic) -> int:
    xyz, times, steps, boxes, tables = [], [], [], [], []
    for index in range(n_chunks):
        with mdtraj.formats.XTCTrajectoryFile(str(_chunk_path(work, index, ".xtc"))) as handle:
            chunk_xyz, chunk_time, chunk_step, chunk_box = handle.read()
        xyz.append(chunk_xyz)
        times.append(chunk_time)
        steps.append(chunk_step)
        boxes.append(chunk_box)
        tables.append(_chunk_path(work, index, ".csv").read_text().splitlines()[1:])
    xyz = np.concatenate(xyz)
    times = np.concatenate(times)
    steps = np.concatenate(steps).astype(np.int64)
    expected = config.production_frames + 1
    frame_index = np.arange(expected)
    # Steps are exact integers; XTC times are float32, so compare them to the expected
    # times with a tolerance that grows with t (float32 spacing at 1e5 ps is ~0.008 ps).
    if (
        len(xyz) != expected
        or not np.array_equal(steps, frame_index * config.steps_per_frame)
        or not np.allclose(times, frame_index * config.frame_interval_ps, rtol=1e-6, atol=1e-3)
    ):
        raise RuntimeError(
            f"{work}: assembled trajectory has {len(xyz)} frames (expected {expected}) or "
            "steps/times that are not 0, 1, 2, ... frames apart: the work directory is "
            "corrupt; delete it and rerun"
        )
    with atomic_path(replica_dir / "trajectory.xtc") as tmp:
        with mdtraj.formats.XTCTrajectoryFile(str(tmp), "w") as handle:
            handle.write(
                xyz,
                time=times,
                step=steps.astype(np.int32),
                box=np.concatenate(boxes) if periodic else None,
            )
    header = ",".join(STATE_COLUMNS)
    write_text(
        replica_dir / "state.csv", "\n".join([header, *(r for t in tables for r in t)]) + "\n"
    )
    buffer = io.StringIO()
    app.PDBFile.writeFile(topology, xyz[0].astype(float) * unit.nanometer, buffer)
    write_text(replica_dir / "topology.pdb", buffer.getvalue())
    return len(xyz)


def run_replica(
    system: openmm.System,
    topology: app.Topology,
    equilibrated_state: openmm.State,
    config: MDConfig,
    replica: int,
    replica_dir: str | Path,
    platform: PlatformChoice,
    extra_json: dict | None = None,
) -> ReplicaResult:
    """Run (or resume) production replica ``replica`` and write its outputs.

    Parameters
    ----------
    system : openmm.System
        The built cleft system (transmitter restraint parameter is set to 0 here).
    topology : openmm.app.Topology
    equilibrated_state : openmm.State
        State after restrained equilibration (positions, velocities, parameters).
    config : MDConfig
    replica : int
        Replica index in ``[0, config.replicas)``; selects the seeds.
    replica_dir : path-like
        ``R/md/replica_{replica}``.
    platform : PlatformChoice
    extra_json : dict, optional
        Merged into ``replica.json`` (the provenance block).

    Returns
    -------
    ReplicaResult

    Raises
    ------
    SimulationBlowUp
        Non-finite state; no final output is written.
    """
    if system.getNumParticles() != topology.getNumAtoms():
        raise ValueError("system and topology have different atom counts")
    replica_dir = Path(replica_dir)
    work = replica_dir / "work"
    where = f"replica {replica}"
    velocity_seed, integrator_seed = replica_seeds(config.seed, config.replicas, replica)
    meta = {
        "replica": replica,
        "velocity_seed": velocity_seed,
        "integrator_seed": integrator_seed,
        "config": repr(config),
        "platform": platform.name,
    }
    integrator = make_integrator(config, integrator_seed)
    context = make_context(system, integrator, platform)
    periodic = system.usesPeriodicBoundaryConditions()
    dof = degrees_of_freedom(system)
    ranges = _chunk_frame_ranges(config)
    spf = config.steps_per_frame
    total_steps = config.production_frames * spf

    resumed = _resume_step(context, work, meta, where)
    if resumed is None:
        _start_fresh(context, equilibrated_state, config, velocity_seed, work, meta)
        writer = _ChunkWriter(dof, periodic)
        state = context.getState(getPositions=True, getEnergy=True)
        writer.add(state, 0.0, 0, 0.0, where)
        writer.write(work, 0)
        _save_checkpoint(context, work / "checkpoint.chk")
        step = 0
    else:
        step = resumed
        logger.info("%s: resuming from checkpoint at step %d", where, step)
    frames_done = step // spf
    boundaries = [last for _, last in ranges]
    if step % spf or frames_done not in boundaries:
        raise RuntimeError(
            f"{where}: checkpoint step {step} is not a chunk boundary of this configuration; "
            f"delete {work} and rerun"
        )
    chunks_done = boundaries.index(frames_done) + 1
    for stale in work.glob("chunk_*"):
        if int(stale.stem.split("_")[1]) >= chunks_done:
            stale.unlink()

    start_wall = time.perf_counter()
    start_step = step
    for index in range(chunks_done, len(ranges)):
        first, last = ranges[index]
        writer = _ChunkWriter(dof, periodic)
        chunk_wall = time.perf_counter()
        for frame in range(first, last + 1):
            try:
                integrator.step(spf)
            except openmm.OpenMMException as err:
                raise SimulationBlowUp(
                    f"{where}: OpenMM failed near step {context.getStepCount()} ({err}); "
                    f"{BLOWUP_CAUSES}"
                ) from err
            step = frame * spf
            elapsed = time.perf_counter() - chunk_wall
            speed = (frame - first + 1) * spf * config.timestep_ps * 1e-3 * 86400 / elapsed
            state = context.getState(getPositions=True, getEnergy=True)
            writer.add(state, frame * config.frame_interval_ps, step, speed, where)
        writer.write(work, index)
        _save_checkpoint(context, work / "checkpoint.chk")
        rate = (
            (step - start_step)
            * config.timestep_ps
            * 1e-3
            * 86400
            / (time.perf_counter() - start_wall)
        )
        eta = (total_steps - step) * config.timestep_ps * 1e-3 * 86400 / rate
        logger.info(
            "%s: step %d/%d (%.1f/%.1f ps), %.1f ns/day, ETA %.0f s",
            where,
            step,
            total_steps,
            step * config.timestep_ps,
            config.production_ps,
            rate,
            eta,
        )

    frames = _assemble(work, replica_dir, len(ranges), config, topology, periodic)
    final = context.getState(
        getPositions=True, getVelocities=True, getParameters=True, enforcePeriodicBox=False
    )
    write_text(replica_dir / "final_state.xml", openmm.XmlSerializer.serialize(final))
    with atomic_path(replica_dir / "checkpoint.chk") as tmp:
        shutil.copyfile(work / "checkpoint.chk", tmp)
    wall = time.perf_counter() - start_wall
    simulated_ns = (step - start_step) * config.timestep_ps * 1e-3
    ns_per_day = simulated_ns * 86400 / wall if wall > 0 and simulated_ns > 0 else 0.0
    result = ReplicaResult(
        replica=replica,
        velocity_seed=velocity_seed,
        integrator_seed=integrator_seed,
        frames=frames,
        simulated_ps=config.production_ps,
        ns_per_day=ns_per_day,
        platform=platform.name,
        device=platform.device,
        resumed_from_step=0 if resumed is None else resumed,
    )
    record = {
        **result.__dict__,
        "frame_interval_ps": config.frame_interval_ps,
        "timestep_fs": config.timestep_fs,
        "friction_per_ps": config.friction_per_ps,
        "temperature_K": config.temperature_K,
        **(extra_json or {}),
    }
    write_json(replica_dir / "replica.json", record)
    shutil.rmtree(work, ignore_errors=True)
    logger.info("%s: done, %d frames, %.1f ns/day", where, frames, ns_per_day)
    return result
