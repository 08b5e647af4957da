"""Spike records streamed to disk (simulate(spike_dir=...)): bitwise the in-memory record,
complete files, no partial destination after a crash, memory that does not hold the record."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import textwrap
import tracemalloc

import numpy as np
import pytest

import network.spike_files as spike_files
from network.engine import DriveSpec, Dynamics, simulate
from network.graph import _from_edges
from network.spike_files import SPIKE_ARRAYS, SpikeArrays, SpikeFiles, load_spike_files
from network.synapses import Synapses


def network(n=300, k=8, seed=0, p=None, delays=(1, 6)) -> Synapses:
    rng = np.random.default_rng(seed)
    src = np.repeat(np.arange(n), k)
    graph = _from_edges(src, rng.integers(0, n, size=src.size), n)
    m = graph.n_edges
    return Synapses(
        graph,
        rng.integers(*delays, size=m).astype(np.int32),
        np.full(m, 1.0 / k if p is None else p),
        rng.uniform(0.5, 1.5, size=m),
        0.1,
    )


CASES = {
    # Poisson drive, warm-up (parents -2 across the restart), many chunks, drive-off test
    "poisson_warmup": (
        dict(p=1.05 / 8),
        Dynamics(refractory_ms=0.1),
        DriveSpec("poisson", rate_hz=20.0, weight=0.5),
        dict(warmup_ms=37.3, chunk_steps=333, drive_off_ms=20.0),
    ),
    # integrate model, drawn Poisson drive, row mode (one delay per neuron)
    "integrate_poisson": (
        dict(p=1.0, delays=(10, 11)),
        Dynamics(model="integrate", refractory_ms=1.0),
        DriveSpec("poisson", rate_hz=40.0, weight=0.6),
        dict(chunk_steps=250, drive_off_ms=5.0),
    ),
    # depressing synapses stopped by max_spikes after the warm-up
    "depressing_truncated": (
        dict(p=0.3),
        Dynamics(depression_use=0.2, depression_tau_ms=50.0),
        DriveSpec("slow", slow_interval_ms=1.0),
        dict(warmup_ms=20.0, chunk_steps=400, max_spikes=4000),
    ),
    # max_spikes inside the warm-up: the record is the warm-up
    "truncated_in_warmup": (
        dict(p=0.3),
        Dynamics(),
        DriveSpec("slow", slow_interval_ms=0.5),
        dict(warmup_ms=100.0, chunk_steps=300, max_spikes=500),
    ),
}


def assert_same_record(a, b) -> None:
    for f in dataclasses.fields(a):
        if f.name in ("wall_s", "spike_dir"):
            continue
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and np.array_equal(x, y), f.name
        else:
            assert x == y, f.name


@pytest.mark.parametrize("case", sorted(CASES))
def test_streamed_record_is_bitwise_the_in_memory_record(tmp_path, monkeypatch, case):
    monkeypatch.setattr(spike_files, "_BLOCK", 97)  # in memory: many small blocks
    graph_kw, dyn, drive, run_kw = CASES[case]
    syn = network(**graph_kw)
    memory = simulate(syn, dyn, drive, 150.0, rng=11, **run_kw)
    streamed = simulate(syn, dyn, drive, 150.0, rng=11, spike_dir=tmp_path / "spikes", **run_kw)
    assert memory.step.size > 100, "the case must produce spikes"
    assert memory.spike_dir is None and streamed.spike_dir == tmp_path / "spikes"
    assert isinstance(streamed.step, np.memmap) and not streamed.step.flags.writeable
    assert_same_record(memory, streamed)
    if case == "poisson_warmup":
        assert (memory.parent == -2).any() and memory.n_spikes_after_drive > 0


def test_files_are_complete_npy_and_replace_an_old_directory(tmp_path):
    syn = network(p=1.05 / 8)
    dyn, drive = Dynamics(refractory_ms=0.1), DriveSpec("slow", slow_interval_ms=2.0)
    out = tmp_path / "run" / "spikes"
    simulate(syn, dyn, drive, 300.0, rng=3, spike_dir=out)  # an older run, replaced
    record = simulate(syn, dyn, drive, 100.0, rng=4, spike_dir=out, chunk_steps=77)
    assert sorted(os.listdir(out.parent)) == ["spikes"]  # no partial directory left
    for name, dtype in SPIKE_ARRAYS.items():
        array = np.load(out / f"{name}.npy")  # plain numpy reads the files
        assert array.dtype == dtype
        assert np.array_equal(array, getattr(record, name)), name
    assert record.kick_step.size > 10


def test_a_failing_writer_leaves_no_destination(tmp_path):
    with pytest.raises(RuntimeError), SpikeFiles(tmp_path / "spikes") as files:
        files.append(step=np.arange(10), neuron=np.arange(10), parent=np.full(10, -1))
        raise RuntimeError("the run failed")
    assert os.listdir(tmp_path) == []
    with pytest.raises(FileNotFoundError, match="step.npy"):
        load_spike_files(tmp_path / "spikes")


def test_a_killed_writer_leaves_the_old_record_and_no_half_written_one(tmp_path):
    out = tmp_path / "spikes"
    with SpikeFiles(out) as files:
        files.append(step=np.arange(5), neuron=np.arange(5), parent=np.arange(5) - 1)
        files.finish()
    script = textwrap.dedent(
        f"""
        import os
        import numpy as np
        from network.spike_files import SpikeFiles
        files = SpikeFiles({str(out)!r})
        files.append(step=np.arange(1000), neuron=np.arange(1000), parent=np.arange(1000))
        os._exit(9)  # killed before finish: no cleanup runs
        """
    )
    assert subprocess.run([sys.executable, "-c", script]).returncode == 9
    old = load_spike_files(out)
    assert np.array_equal(old["step"], np.arange(5)) and old["kick_step"].size == 0
    partial = [p for p in os.listdir(tmp_path) if p != "spikes"]
    assert len(partial) == 1 and partial[0].startswith(".spikes.part-")


def test_in_memory_blocks_hold_chunks_across_block_edges(monkeypatch):
    monkeypatch.setattr(spike_files, "_BLOCK", 8)
    rng = np.random.default_rng(0)
    chunks = [rng.integers(-2, 10**6, size=k) for k in (0, 3, 8, 13, 1, 40, 5)]
    arrays = SpikeArrays()
    for chunk in chunks:
        arrays.append(step=chunk, parent=chunk[::-1])
    arrays.append(neuron=np.arange(5))
    out = arrays.finish()
    assert np.array_equal(out["step"], np.concatenate(chunks))
    assert np.array_equal(out["parent"], np.concatenate([c[::-1] for c in chunks]))
    assert out["neuron"].tolist() == list(range(5)) and out["neuron"].dtype == np.int32
    assert out["kick_step"].size == 0 and out["kick_step"].dtype == np.int64


def test_restart_drops_the_warm_up(tmp_path):
    with SpikeFiles(tmp_path / "s") as files:
        files.append(step=np.arange(7), kick_step=np.arange(3))
        files.restart()
        files.append(step=np.array([4, 5]))
        arrays = files.finish()
    assert arrays["step"].tolist() == [4, 5] and arrays["kick_step"].size == 0


def test_streamed_run_never_holds_the_record(tmp_path):
    """Python-heap peak (tracemalloc sees numpy's buffers, not file pages) of a run whose
    record is 8x the per-call output buffers: streamed stays near the buffers, the
    in-memory run holds the record (twice, while concatenating)."""
    syn = network(n=500, p=1.0, delays=(10, 11))
    dyn = Dynamics(model="integrate", refractory_ms=1.0)
    drive = DriveSpec("poisson", rate_hz=200.0, weight=1.1)
    simulate(syn, dyn, drive, 1.0, rng=1)  # compile outside the measurement

    def peak(**kw):
        tracemalloc.start()
        # short chunks: the Poisson drive drawn per chunk stays small too
        record = simulate(syn, dyn, drive, 3000.0, rng=1, chunk_steps=2000, **kw)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top, record

    in_memory, record = peak()
    record_bytes = sum(getattr(record, name).nbytes for name in SPIKE_ARRAYS)
    buffers = (1 << 16) * 20  # out_step, out_neuron, out_parent (8 + 4 + 8 bytes)
    assert record_bytes > 8 * buffers
    streamed, on_disk = peak(spike_dir=tmp_path / "spikes")
    assert in_memory > record_bytes
    assert streamed < 3 * buffers < record_bytes / 2, (streamed, record_bytes)
    assert np.array_equal(on_disk.parent, record.parent)
