"""Reporters: chunked XTC and CSV writing joins to the frames reported, checkpoints."""

from __future__ import annotations

import logging

import numpy as np
import openmm
import pandas as pd

from synapse_md import STATE_COLUMNS, CheckpointReporter, StateCSVReporter, XTCReporter
from synapse_md.reporters import Frame, chunk_path, join_state_csv, read_xtc_chunks


def _frames(n: int, n_atoms: int = 4) -> list[Frame]:
    rng = np.random.default_rng(0)
    box = np.diag([3.0, 3.0, 2.5])
    return [
        Frame(
            time_ps=0.2 * i,
            step=50 * i,
            positions_nm=rng.uniform(0, 2, (n_atoms, 3)),
            box_nm=box,
            potential_kj_per_mol=-100.0 - i,
            kinetic_kj_per_mol=10.0 + i,
            speed_ns_per_day=0.0 if i == 0 else 12.5,
        )
        for i in range(n)
    ]


def test_xtc_chunks_join_to_the_reported_frames(tmp_path):
    frames = _frames(5)
    reporter = XTCReporter(periodic=True)
    for index, chunk in enumerate([frames[:1], frames[1:3], frames[3:]]):
        for frame in chunk:
            reporter.report(frame)
        reporter.write(chunk_path(tmp_path, index, ".xtc"))
    paths = [chunk_path(tmp_path, index, ".xtc") for index in range(3)]
    xyz, times, steps, boxes = read_xtc_chunks(paths, periodic=True)
    np.testing.assert_allclose(xyz, [f.positions_nm for f in frames], atol=1e-3)  # XTC precision
    np.testing.assert_allclose(times, [f.time_ps for f in frames], atol=1e-6)
    np.testing.assert_array_equal(steps, [f.step for f in frames])
    np.testing.assert_allclose(boxes, [f.box_nm for f in frames], atol=1e-6)
    assert read_xtc_chunks(paths, periodic=False)[3] is None


def test_state_csv_chunks_join_with_one_header(tmp_path):
    frames = _frames(4)
    reporter = StateCSVReporter(dof=9)
    for index, chunk in enumerate([frames[:1], frames[1:]]):
        for frame in chunk:
            reporter.report(frame)
        reporter.write(chunk_path(tmp_path, index, ".csv"))
    out = tmp_path / "state.csv"
    join_state_csv([chunk_path(tmp_path, index, ".csv") for index in range(2)], out)
    lines = out.read_text().splitlines()
    assert lines[0] == ",".join(STATE_COLUMNS) and len(lines) == 5
    assert lines[2].split(",")[1] == "50"  # steps are integers
    table = pd.read_csv(out)
    np.testing.assert_array_equal(table["kinetic_energy_kj_per_mol"], [10.0, 11.0, 12.0, 13.0])


def test_checkpoint_restore_absent_or_unreadable_is_none(tmp_path, caplog):
    system = openmm.System()
    system.addParticle(1.0)
    integrator = openmm.VerletIntegrator(0.001)
    context = openmm.Context(system, integrator, openmm.Platform.getPlatformByName("Reference"))
    context.setPositions([openmm.Vec3(0, 0, 0)])
    checkpoint = CheckpointReporter(tmp_path / "checkpoint.chk")
    assert checkpoint.restore(context, "replica 0") is None
    integrator.step(3)
    checkpoint.report(context)
    integrator.step(2)
    assert checkpoint.restore(context, "replica 0") == 3
    checkpoint.path.write_bytes(b"not a checkpoint")
    with caplog.at_level(logging.WARNING, logger="synapse_md.reporters"):
        assert checkpoint.restore(context, "replica 0") is None
    assert "replica 0: checkpoint unreadable" in caplog.text
