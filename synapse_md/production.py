"""Restartable production run of one release replica: the resume loop.

The trajectory is written in chunks of ``checkpoint_frames`` frames under
``replica_dir/work/`` by the reporters of :mod:`synapse_md.reporters`: each chunk's
XTC and state rows are written atomically **before** the checkpoint that follows
them, so after a kill at any moment the checkpoint's step count says exactly which
chunks are valid; later chunks are deleted and recomputed on resume. When every chunk
exists the final files are assembled (trajectory.xtc, state.csv, topology.pdb,
final_state.xml, checkpoint.chk) and ``replica.json`` is written last: its presence
marks a complete replica.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openmm
import openmm.app as app
import openmm.unit as unit

from synapse_md.config import MDConfig
from synapse_md.forces import RELEASED_PARAMETERS
from synapse_md.platforms import PlatformChoice
from synapse_md.reporters import (
    STATE_COLUMNS,
    CheckpointReporter,
    Frame,
    StateCSVReporter,
    XTCReporter,
    chunk_path,
    join_state_csv,
    read_xtc_chunks,
    write_topology_pdb,
    write_xtc,
)
from synapse_md.simulation import (
    BLOWUP_CAUSES,
    SimulationBlowUp,
    degrees_of_freedom,
    make_context,
    make_integrator,
    replica_seeds,
)
from synsoc.io import write_json

__all__ = ["ReplicaResult", "RunStopped", "run_replica", "STATE_COLUMNS"]

logger = logging.getLogger(__name__)


class RunStopped(RuntimeError):
    """A replica stopped at a checkpoint on request (its workflow has ended)."""


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


def _chunk_frame_ranges(config: MDConfig) -> list[tuple[int, int]]:
    """Frame ranges [first, last] of each chunk; chunk 0 is the t = 0 frame."""
    ranges = [(0, 0)]
    first = 1
    while first <= config.production_frames:
        last = min(first + config.checkpoint_frames - 1, config.production_frames)
        ranges.append((first, last))
        first = last + 1
    return ranges


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


def _resume_step(
    context, checkpoint: CheckpointReporter, work: Path, meta: dict, where: str
) -> int | None:
    """Load the work checkpoint if it belongs to this run; return its step or None."""
    meta_path = work / "meta.json"
    if not checkpoint.path.exists() or not meta_path.exists():
        return None
    if json.loads(meta_path.read_text()) != meta:
        logger.warning(
            "%s: work directory from another configuration or start state; starting over", where
        )
        return None
    return checkpoint.restore(context, where)


def _assemble(work, replica_dir, n_chunks, config, topology, periodic) -> int:
    """Join the chunks into trajectory.xtc, state.csv and topology.pdb; return the frames."""
    xyz, times, steps, boxes = read_xtc_chunks(
        [chunk_path(work, index, ".xtc") for index in range(n_chunks)], periodic=periodic
    )
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
    write_xtc(
        replica_dir / "trajectory.xtc",
        xyz,
        times,
        steps.astype(np.int32),
        boxes,
    )
    join_state_csv(
        [chunk_path(work, index, ".csv") for index in range(n_chunks)],
        replica_dir / "state.csv",
    )
    write_topology_pdb(replica_dir / "topology.pdb", topology, xyz[0])
    return len(xyz)


def run_replica(
    system: openmm.System,
    topology: app.Topology,
    equilibrated_state: openmm.State,
    config: MDConfig,
    replica: int,
    replica_dir: str | Path,
    *,
    platform: PlatformChoice,
    extra_json: dict | None = None,
    keep_running: Callable[[], bool] | None = None,
) -> ReplicaResult:
    """Run (or resume) production replica ``replica`` and write its outputs.

    Parameters
    ----------
    system : openmm.System
        The built cleft system (transmitter restraint parameter is set to 0 here).
    topology : openmm.app.Topology
    equilibrated_state : openmm.State
        The replica's state after its restrained equilibration (positions, velocities,
        parameters); a work checkpoint made from another start state is not resumed.
    config : MDConfig
    replica : int
        Replica index in ``[0, config.replicas)``; selects the seeds.
    replica_dir : path-like
        ``R/md/replica_{replica}``.
    platform : PlatformChoice
    extra_json : dict, optional
        Merged into ``replica.json`` (the provenance block).
    keep_running : callable, optional
        Asked after each checkpoint; when it returns False the run stops there (e.g.
        ``synsoc.joblog.workflow_watch()``: the Snakemake process that started the job
        was killed), so an orphaned job does not go on writing a replica that a
        restarted workflow writes too. The next run resumes from that checkpoint.

    Returns
    -------
    ReplicaResult

    Raises
    ------
    SimulationBlowUp
        Non-finite state; no final output is written.
    RunStopped
        ``keep_running`` returned False; the work folder holds a valid checkpoint.
    """
    if system.getNumParticles() != topology.getNumAtoms():
        raise ValueError("system and topology have different atom counts")
    replica_dir = Path(replica_dir)
    work = replica_dir / "work"
    where = f"replica {replica}"
    velocity_seed, integrator_seed = replica_seeds(config.seed, config.replicas, replica)
    # The start state is part of the run's identity: a checkpoint made from another
    # equilibrated state (the replica's equilibration was rerun) is not resumed.
    start_hash = hashlib.sha256(
        openmm.XmlSerializer.serialize(equilibrated_state).encode()
    ).hexdigest()
    meta = {
        "replica": replica,
        "start_state_sha256": start_hash,
        "velocity_seed": velocity_seed,
        "integrator_seed": integrator_seed,
        "config": repr(config),
        "platform": platform.name,
    }
    integrator = make_integrator(config, integrator_seed)
    context = make_context(system, integrator, platform)
    periodic = system.usesPeriodicBoundaryConditions()
    trajectory = XTCReporter(periodic)
    table = StateCSVReporter(degrees_of_freedom(system))
    checkpoint = CheckpointReporter(work / "checkpoint.chk")
    ranges = _chunk_frame_ranges(config)
    spf = config.steps_per_frame
    total_steps = config.production_frames * spf

    def write_chunk(index: int) -> None:
        # Order matters: the chunk's files first, then the checkpoint that vouches for them.
        trajectory.write(chunk_path(work, index, ".xtc"))
        table.write(chunk_path(work, index, ".csv"))
        checkpoint.report(context)

    resumed = _resume_step(context, checkpoint, work, meta, where)
    if resumed is None:
        _start_fresh(context, equilibrated_state, config, velocity_seed, work, meta)
        state = context.getState(getPositions=True, getEnergy=True)
        frame = Frame.from_state(state, time_ps=0.0, step=0, speed_ns_per_day=0.0, where=where)
        trajectory.report(frame)
        table.report(frame)
        write_chunk(0)
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
        chunk_wall = time.perf_counter()
        for frame_index in range(first, last + 1):
            try:
                integrator.step(spf)
            except openmm.OpenMMException as err:
                raise SimulationBlowUp(
                    f"{where}: OpenMM failed near step {context.getStepCount()} ({err}); "
                    f"{BLOWUP_CAUSES}"
                ) from err
            step = frame_index * spf
            elapsed = time.perf_counter() - chunk_wall
            speed = (frame_index - first + 1) * spf * config.timestep_ps * 1e-3 * 86400 / elapsed
            state = context.getState(getPositions=True, getEnergy=True)
            frame = Frame.from_state(
                state,
                time_ps=frame_index * config.frame_interval_ps,
                step=step,
                speed_ns_per_day=speed,
                where=where,
            )
            trajectory.report(frame)
            table.report(frame)
        write_chunk(index)
        if keep_running is not None and not keep_running():
            raise RunStopped(
                f"{where}: stopped at step {step} after its checkpoint (the workflow that "
                "started this job has ended); a rerun resumes from here"
            )
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
    checkpoint.finish(context, replica_dir / "final_state.xml", replica_dir / "checkpoint.chk")
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
