"""Network throughput: synsoc's event-driven engine vs Brian2 vs a networkx loop.

One model, side by side in one run (issue 7): N neurons, K = 10 random out-synapses,
dt = 0.1 ms, leak tau = 20 ms, threshold 1, reset 0, refractory 1 ms (input during
refractoriness discarded, Brian2's ``unless refractory`` + ``int(not_refractory_post)``),
delay 1 ms, Poisson drive 5 Hz per neuron with weight 1.1, w = 0.25, 1 s of biological
time, N = 10^4 and 10^5. Every simulator gets the same graph and the same pre-drawn
drive events (a SpikeGeneratorGroup in Brian2), so spike counts are comparable.

Brian2 does not import with this project's numpy, so it runs in its own virtual
environment ``./.bench-venv`` (created with ``pip install brian2 "numpy<2" cython`` on
first use) in a subprocess, in its two fastest modes: cython runtime (compiled code
cached) and C++ standalone (the binary's own timer of the run). Compile times are
excluded from every wall time and reported apart (``compile_s``): Brian2's code
generation and compilation, synsoc's numba first call (compile or on-disk cache load).
synsoc's wall time is the whole ``simulate`` call, setup included. Each wall time is the
best of ``--repeats`` runs (the machine is shared). Also: avalanches per wall second
under slow drive at sigma = 1 (N = 10^5).

Ratios are against baselines measured in this same process run. The last stdout line is
one JSON object with ``speedup_vs_brian2`` (vs Brian2's fastest mode at the largest N).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import networkx as nx
import numpy as np

from network import (
    DriveSpec,
    Dynamics,
    NetworkConfig,
    Synapses,
    build_graph,
    poisson_drive_events,
    simulate,
)

ROOT = Path(__file__).resolve().parents[1]
BENCH_VENV = ROOT / ".bench-venv"
K, DT_MS, TAU_MS, W, DRIVE_HZ, DRIVE_W, DELAY_STEPS, REF_STEPS = (
    10,
    0.1,
    20.0,
    0.25,
    5.0,
    1.1,
    10,
    10,
)

BRIAN2_MODEL = r"""
import json, resource, sys, tempfile, time
import numpy as np
from brian2 import (NeuronGroup, Synapses, SpikeGeneratorGroup, SpikeMonitor, Network,
                    defaultclock, device, ms, prefs, set_device)
data = np.load(sys.argv[1])
mode, repeats = sys.argv[2], int(sys.argv[3])
n, duration_ms = int(data["n"]), float(data["duration_ms"])
build_dir = tempfile.mkdtemp()
if mode == "cpp_standalone":
    set_device("cpp_standalone", directory=build_dir, build_on_run=False)
else:
    prefs.codegen.target = "cython"
defaultclock.dt = 0.1 * ms
G = NeuronGroup(n, "dv/dt = -v / (20*ms) : 1 (unless refractory)", threshold="v >= 1",
                reset="v = 0", refractory=1 * ms, method="exact")
S = Synapses(G, G, on_pre="v_post += 0.25 * int(not_refractory_post)", delay=1 * ms)
S.connect(i=data["src"], j=data["dst"])
inp = SpikeGeneratorGroup(n, data["drive_neurons"], data["drive_steps"] * 0.1 * ms)
D = Synapses(inp, G, on_pre="v_post += 1.1 * int(not_refractory_post)")
D.connect(j="i")
mon = SpikeMonitor(G, record=False)
net = Network(G, S, inp, D, mon)
runs = []
if mode == "cpp_standalone":
    net.run(duration_ms * ms)
    start = time.perf_counter()
    device.build(directory=build_dir, compile=True, run=True)
    compile_s = time.perf_counter() - start  # code generation, compilation and first run
    runs.append(float(device._last_run_time))  # the binary's own timer of the run
    for _ in range(repeats - 1):
        device.run(directory=build_dir)
        runs.append(float(device._last_run_time))
    spikes = int(mon.num_spikes)
else:
    net.store("init")
    start = time.perf_counter()
    net.run(0.2 * ms)  # compiles (or loads cached) code objects
    compile_s = time.perf_counter() - start
    for _ in range(repeats):
        net.restore("init")
        start = time.perf_counter()
        net.run(duration_ms * ms)
        runs.append(time.perf_counter() - start)
    spikes = int(mon.num_spikes)  # restore() also resets the monitor: the last run
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"mode": mode, "wall_s": min(runs), "runs_s": runs, "compile_s": compile_s,
                  "spikes": spikes, "peak_rss_mb": peak}))
"""


def ensure_bench_venv() -> Path:
    """Python of ./.bench-venv with Brian2 installed (created on first use)."""
    python = BENCH_VENV / "bin" / "python"
    if not python.exists():
        logging.info("creating %s with brian2 (first use)", BENCH_VENV)
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
    probe = subprocess.run([str(python), "-c", "import brian2"], capture_output=True)
    if probe.returncode != 0:
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "-q",
                "brian2",
                "numpy<2",
                "cython",
                "setuptools",
            ],
            check=True,
        )
    return python


def model_inputs(n: int, duration_ms: float, seed: int):
    """Graph (K random out-synapses) and deduplicated pre-drawn Poisson drive events."""
    cfg = NetworkConfig.from_section(
        {"graph": {"model": "regular", "n_neurons": n, "mean_degree": K}}
    )
    graph = build_graph(cfg.graph, rng=np.random.default_rng(seed))
    n_steps = int(round(duration_ms / DT_MS))
    steps, neurons = poisson_drive_events(
        n, DRIVE_HZ, DT_MS, 0, n_steps, rng=np.random.default_rng(seed + 1)
    )
    key = np.unique(steps * n + neurons)  # a SpikeGeneratorGroup allows one event per step
    return graph, (key // n, (key % n).astype(np.int32))


def run_synsoc(graph, drive, duration_ms: float, repeats: int) -> dict:
    """Best wall time of ``simulate`` (setup included) and the numba first-call time.

    The first call (a 1 ms run) compiles the kernel, or loads it from numba's on-disk
    cache, and is reported apart as ``compile_s``, as Brian2's compile times are.
    """
    m = graph.n_edges
    syn = Synapses(graph, np.full(m, DELAY_STEPS, np.int32), np.ones(m), np.full(m, W), DT_MS)
    dyn = Dynamics(model="integrate", leak_tau_ms=TAU_MS, refractory_ms=REF_STEPS * DT_MS)
    spec = DriveSpec("poisson", rate_hz=DRIVE_HZ, weight=DRIVE_W)
    start = time.perf_counter()
    simulate(syn, dyn, spec, 1.0, rng=0, drive_events=(drive[0][:10], drive[1][:10]))
    compile_s = time.perf_counter() - start
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        record = simulate(syn, dyn, spec, duration_ms, rng=0, drive_events=drive)
        runs.append(time.perf_counter() - start)
    return {
        "wall_s": min(runs),
        "runs_s": runs,
        "compile_s": compile_s,
        "spikes": int(record.step.size),
    }


def run_networkx_loop(graph, drive, duration_ms: float):
    """A straightforward clock-driven loop over a networkx DiGraph (the naive baseline)."""
    g = nx.DiGraph()
    g.add_nodes_from(range(graph.n_neurons))
    g.add_edges_from(zip(graph.sources().tolist(), graph.indices.tolist(), strict=True))
    n_steps = int(round(duration_ms / DT_MS))
    decay = np.exp(-DT_MS / TAU_MS)
    v = np.zeros(graph.n_neurons)
    ref_until = np.zeros(graph.n_neurons, dtype=np.int64)
    queue = defaultdict(list)
    for step, neuron in zip(drive[0].tolist(), drive[1].tolist(), strict=True):
        queue[step].append((neuron, DRIVE_W))
    spikes = 0
    start = time.perf_counter()
    for t in range(n_steps):
        v[ref_until <= t - 1] *= decay
        for j, w in queue.pop(t, ()):
            if t >= ref_until[j]:
                v[j] += w
        fired = np.flatnonzero(v >= 1.0)
        v[fired] = 0.0
        ref_until[fired] = t + REF_STEPS
        spikes += fired.size
        for i in fired.tolist():
            for j in g.successors(i):
                queue[t + DELAY_STEPS].append((j, W))
    return time.perf_counter() - start, spikes


def run_brian2(python: Path, graph, drive, duration_ms: float, mode: str, repeats: int) -> dict:
    """One Brian2 mode in the bench venv (subprocess): best of ``repeats`` runs."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "model.npz"
        np.savez(
            data,
            n=graph.n_neurons,
            duration_ms=duration_ms,
            src=graph.sources(),
            dst=graph.indices,
            drive_steps=drive[0],
            drive_neurons=drive[1],
        )
        script = Path(tmp) / "brian2_model.py"
        script.write_text(BRIAN2_MODEL)
        out = subprocess.run(
            [str(python), str(script), str(data), mode, str(repeats)],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
    if out.returncode != 0:
        raise RuntimeError(f"brian2 {mode} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def slow_drive_avalanches(n: int, duration_ms: float) -> tuple[float, int]:
    """Avalanches per wall second: critical branching (p = 1/K), slow drive, N = n."""
    cfg = NetworkConfig.from_section({"graph": {"n_neurons": n, "mean_degree": K}})
    graph = build_graph(cfg.graph, rng=np.random.default_rng(5))
    m = graph.n_edges
    k_out = np.repeat(np.maximum(graph.out_degree, 1), graph.out_degree)
    syn = Synapses(graph, np.ones(m, np.int32), 1.0 / k_out, np.ones(m), DT_MS)
    start = time.perf_counter()
    drive = DriveSpec("slow", slow_interval_ms=0.0)
    record = simulate(syn, Dynamics(refractory_ms=DT_MS), drive, duration_ms, rng=3)
    wall = time.perf_counter() - start
    return wall, record.n_drive_spikes  # one kick = one avalanche


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--duration-ms", type=float, default=1000.0)
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs")
    parser.add_argument("--no-brian2", action="store_true", help="skip Brian2 (no venv)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    python = None if args.no_brian2 else ensure_bench_venv()
    results = {}
    print(
        f"{'N':>8} {'simulator':<22} {'wall_s':>8} {'compile_s':>9} {'spikes':>9} "
        f"{'tx/s':>10} {'ratio':>8}"
    )
    for n in args.sizes:
        graph, drive = model_inputs(n, args.duration_ms, seed=n)
        rows = {}
        rows["synsoc"] = run_synsoc(graph, drive, args.duration_ms, args.repeats)
        if n <= 10_000:
            runs = [run_networkx_loop(graph, drive, args.duration_ms) for _ in range(args.repeats)]
            wall, spikes = min(runs)
            rows["networkx_loop"] = {"wall_s": wall, "compile_s": 0.0, "spikes": spikes}
        if python is not None:
            for mode in ("cython", "cpp_standalone"):
                rows[f"brian2_{mode}"] = run_brian2(
                    python, graph, drive, args.duration_ms, mode, args.repeats
                )
        ours = rows["synsoc"]["wall_s"]
        for name, row in rows.items():
            row["transmissions_per_s"] = row["spikes"] * K / row["wall_s"]
            row["time_ratio_vs_synsoc"] = row["wall_s"] / ours
            print(
                f"{n:>8} {name:<22} {row['wall_s']:>8.3f} {row['compile_s']:>9.3f} "
                f"{row['spikes']:>9d} "
                f"{row['transmissions_per_s']:>10.3g} {row['time_ratio_vs_synsoc']:>7.1f}x"
            )
        results[n] = rows
    n_big = max(args.sizes)
    big = results[n_big]
    brian = {k: v for k, v in big.items() if k.startswith("brian2")}
    fastest = min(brian, key=lambda k: brian[k]["wall_s"]) if brian else None
    aval_wall, n_aval = slow_drive_avalanches(n_big, 10_000.0)
    print(
        f"slow drive, sigma = 1, N = {n_big}: {n_aval} avalanches in {aval_wall:.2f} s "
        f"({n_aval / aval_wall:.3g} avalanches/s)"
    )
    summary = {
        "bench": "network_throughput",
        "duration_ms": args.duration_ms,
        "sizes": args.sizes,
        "wall_s": {str(n): {k: v["wall_s"] for k, v in r.items()} for n, r in results.items()},
        "compile_s": {
            str(n): {k: v["compile_s"] for k, v in r.items()} for n, r in results.items()
        },
        "spikes": {str(n): {k: v["spikes"] for k, v in r.items()} for n, r in results.items()},
        "synsoc_s_per_bio_s": big["synsoc"]["wall_s"] / (args.duration_ms / 1000.0),
        "brian2_fastest_mode": fastest,
        "speedup_vs_brian2": brian[fastest]["wall_s"] / big["synsoc"]["wall_s"]
        if fastest
        else None,
        "spike_count_rel_diff_vs_brian2": (
            big["synsoc"]["spikes"] / brian[fastest]["spikes"] - 1 if fastest else None
        ),
        "peak_rss_mb_synsoc_process": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "peak_rss_mb_brian2": {k: v.get("peak_rss_mb") for k, v in brian.items()},
        "avalanches_per_wall_s": n_aval / aval_wall,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
