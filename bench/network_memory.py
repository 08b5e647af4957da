"""Network memory: peak RSS that does not grow with run time; synsoc vs Brian2 (issue 15, item 4).

    python bench/network_memory.py

The model of ``bench/network_throughput.py`` (integrate model, K = 10 random
out-synapses, dt = 0.1 ms, tau = 20 ms, w = 0.25, delay 1 ms, refractory 1 ms, Poisson
drive 5 Hz x 1.1). Every measurement runs in a fresh subprocess and reads its own peak
resident set size (``getrusage(RUSAGE_SELF).ru_maxrss``), so peaks never mix:

(a) scale: N = 2.5 x 10^5, 5 x 10^5 and 10^6 neurons (2.5 x 10^6 - 10^7 synapses), 10 s
    biological time, spikes streamed to disk (``simulate(spike_dir=...)``), the Poisson
    drive drawn chunk by chunk inside ``simulate``; graph and synapses built in the same
    process (their peak counts). A least-squares line RSS = a + b x synapses gives the
    bytes per synapse b beyond the fixed cost a. Also: N = 10^5 for 10 s and 100 s,
    streamed and in memory (does the peak grow with run time?), and N = 10^6 in memory.
(b) N = 10^5, 1 s, the same graph and pre-drawn drive events for everyone (the npz of
    network_throughput's inputs): peak RSS of synsoc (in memory and streamed), of
    Brian2's cython runtime (its Python process) and of Brian2's C++ standalone binary
    (run by a small wrapper that reads ``RUSAGE_CHILDREN``; the Python process that
    generated and compiled it is reported apart).
(c) speed on (b)'s inputs: 5 alternating repeats of synsoc in memory, synsoc streamed
    and Brian2's C++ standalone binary, each repeat the best of 3 runs as in
    network_throughput.py (Brian2: the binary's own timer of the run; Brian2's cython
    mode, slower, is timed once, best of 3). synsoc's wall time is the whole
    ``simulate`` call after a 1 ms call that loads the numba cache; its first full run
    in a fresh process (first touch of its arrays) is reported apart as ``_cold``.
    Speed-up = Brian2's fastest mode / synsoc, per repeat pair, as min / median / max.

Brian2 runs in ``./.bench-venv`` (created on first use, see network_throughput.py). The
last stdout line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from network_throughput import (  # noqa: E402  (bench/ is not a package)
    BRIAN2_MODEL,
    DELAY_STEPS,
    DRIVE_HZ,
    DRIVE_W,
    DT_MS,
    REF_STEPS,
    TAU_MS,
    W,
    ensure_bench_venv,
    model_inputs,
    run_brian2,
)

from network import DriveSpec, Dynamics, Graph, NetworkConfig, Synapses, build_graph, simulate

K = 10
BEST_OF = 3  # runs per repeat of (c), as network_throughput.py's best of 3
BRIAN2_BUILD = BRIAN2_MODEL.replace("build_dir = tempfile.mkdtemp()", "build_dir = sys.argv[4]")
assert BRIAN2_BUILD != BRIAN2_MODEL, "network_throughput.BRIAN2_MODEL changed its build_dir line"

RUN_BINARY = """
import json, resource, subprocess, sys
code = subprocess.run(sys.argv[2:], cwd=sys.argv[1], stdout=subprocess.DEVNULL).returncode
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"returncode": code, "peak_rss_mb": peak}))
"""


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def model(graph: Graph) -> tuple[Synapses, Dynamics, DriveSpec]:
    """Synapses, dynamics and drive of the benchmark model on a graph."""
    m = graph.n_edges
    syn = Synapses(graph, np.full(m, DELAY_STEPS, np.int32), np.ones(m), np.full(m, W), DT_MS)
    dyn = Dynamics(model="integrate", leak_tau_ms=TAU_MS, refractory_ms=REF_STEPS * DT_MS)
    return syn, dyn, DriveSpec("poisson", rate_hz=DRIVE_HZ, weight=DRIVE_W)


def child_scale(n: int, duration_ms: float, spike_dir: str | None) -> dict:
    """(a): build the graph and synapses, simulate with the drive drawn in ``simulate``."""
    import_mb = peak_rss_mb()
    start = time.perf_counter()
    cfg = NetworkConfig.from_section(
        {"graph": {"model": "regular", "n_neurons": n, "mean_degree": K}}
    )
    graph = build_graph(cfg.graph, rng=np.random.default_rng(n))
    syn, dyn, drive = model(graph)
    setup_s = time.perf_counter() - start
    setup_mb = peak_rss_mb()
    simulate(syn, dyn, drive, 1.0, rng=1)  # numba cache load, outside the wall time
    start = time.perf_counter()
    record = simulate(syn, dyn, drive, duration_ms, rng=0, spike_dir=spike_dir)
    wall = time.perf_counter() - start
    return {
        "n_neurons": n,
        "n_synapses": graph.n_edges,
        "duration_ms": duration_ms,
        "streamed": spike_dir is not None,
        "spikes": int(record.step.size),
        "setup_s": setup_s,
        "wall_s": wall,
        "rss_import_mb": import_mb,
        "rss_setup_mb": setup_mb,
        "peak_rss_mb": peak_rss_mb(),
    }


def child_inputs(path: str, spike_dir: str | None, warm: int) -> dict:
    """(b), (c): the shared graph and drive events of ``path``; wall of ``simulate``, of a
    first run in this process (cold: first touch of its arrays) and the best of ``warm``
    further runs."""
    with np.load(path) as data:
        n = int(data["n"])
        graph = Graph(indptr=data["indptr"], indices=data["dst"], n_neurons=n)
        drive = (data["drive_steps"], data["drive_neurons"])
        duration_ms = float(data["duration_ms"])
    syn, dyn, spec = model(graph)
    simulate(syn, dyn, spec, 1.0, rng=0, drive_events=(drive[0][:10], drive[1][:10]))
    walls = []
    for _ in range(1 + warm):
        start = time.perf_counter()
        record = simulate(
            syn, dyn, spec, duration_ms, rng=0, drive_events=drive, spike_dir=spike_dir
        )
        walls.append(time.perf_counter() - start)
        spikes = int(record.step.size)
        del record
    return {
        "wall_cold_s": walls[0],
        "wall_s": min(walls[1:]),
        "spikes": spikes,
        "peak_rss_mb": peak_rss_mb(),
    }


def run_child(*args: str) -> dict:
    """One measurement in a fresh Python process (its last stdout line, JSON)."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"child {args} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def scale_run(n: int, duration_ms: float, streamed: bool, tmp: Path) -> dict:
    spike_dir = tmp / f"spikes-{n}"
    args = ["scale", str(n), str(duration_ms)] + ([str(spike_dir)] if streamed else [])
    try:
        return run_child(*args)
    finally:
        shutil.rmtree(spike_dir, ignore_errors=True)


def build_brian2_standalone(python: Path, data: Path, build_dir: Path) -> dict:
    """Generate, compile and run once Brian2's C++ standalone project (Python process)."""
    script = build_dir.parent / "brian2_build.py"
    script.write_text(BRIAN2_BUILD)
    out = subprocess.run(
        [str(python), str(script), str(data), "cpp_standalone", "1", str(build_dir)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"brian2 standalone build failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_brian2_binary(build_dir: Path, runs: int) -> dict:
    """The compiled binary, ``runs`` times: the best of its own run times, its peak RSS."""
    results = build_dir / "results"
    command = [sys.executable, "-c", RUN_BINARY, str(build_dir), "./main"]
    walls, peaks = [], []
    for _ in range(runs):
        out = subprocess.run(
            [*command, "--results_dir", f"{results}/"], capture_output=True, text=True, check=True
        )
        row = json.loads(out.stdout.strip().splitlines()[-1])
        if row["returncode"] != 0:
            raise RuntimeError(f"brian2 binary failed in {build_dir}")
        walls.append(float((results / "last_run_info.txt").read_text().split()[0]))
        peaks.append(row["peak_rss_mb"])
    return {"wall_s": min(walls), "peak_rss_mb": max(peaks)}


def spread(values: list[float]) -> dict:
    """min, median, max."""
    return {"min": min(values), "median": float(np.median(values)), "max": max(values)}


def fmt(s: dict, digits: int = 3) -> str:
    return f"{s['min']:.{digits}g} / {s['median']:.{digits}g} / {s['max']:.{digits}g}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[250_000, 500_000, 1_000_000])
    parser.add_argument("--duration-ms", type=float, default=10_000.0)
    parser.add_argument("--repeats", type=int, default=5, help="alternating speed repeats")
    parser.add_argument(
        "--parts",
        nargs="+",
        choices=["scale", "growth", "n100k"],
        default=["scale", "growth", "n100k"],
        help="(a) scale fit, run-time growth, (b) + (c) at N = 10^5",
    )
    args = parser.parse_args()
    python = ensure_bench_venv()
    tmp = Path(tempfile.mkdtemp(prefix="synsoc-memory-"))
    load_start = os.getloadavg()
    summary = {"bench": "network_memory"}
    try:
        if "scale" in args.parts:
            summary.update(measure_scale(args, tmp))
        if "growth" in args.parts:
            summary.update(measure_growth(args, tmp))
        if "n100k" in args.parts:
            summary.update(measure_n100k(args, python, tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    # the machine is shared: its load (1, 5, 15 min averages) says how idle it was
    summary["loadavg_start"], summary["loadavg_end"] = load_start, os.getloadavg()
    print(f"load average at start {load_start}, at end {summary['loadavg_end']}")
    print(json.dumps(summary))


def measure_scale(args, tmp: Path) -> dict:
    """(a) streamed runs at ``args.sizes``; the fit RSS = a + b synapses."""
    print(f"(a) streamed spikes, {args.duration_ms / 1000:g} s biological time: peak RSS")
    print(
        f"{'N':>9} {'synapses':>10} {'spikes':>10} {'setup_s':>8} {'wall_s':>8} "
        f"{'RSS setup MB':>12} {'peak RSS MB':>11}"
    )
    scale = []
    for n in args.sizes:
        row = scale_run(n, args.duration_ms, True, tmp)
        scale.append(row)
        print(
            f"{n:>9} {row['n_synapses']:>10} {row['spikes']:>10} {row['setup_s']:>8.2f} "
            f"{row['wall_s']:>8.2f} {row['rss_setup_mb']:>12.0f} {row['peak_rss_mb']:>11.0f}"
        )
    synapses = np.array([r["n_synapses"] for r in scale], float)
    peaks = np.array([r["peak_rss_mb"] for r in scale]) * 2**20
    b, a = np.polyfit(synapses, peaks, 1)
    print(
        f"fit: peak RSS = {a / 2**20:.0f} MB + {b:.1f} bytes x synapses "
        f"(Python + numpy + numba after import: {scale[0]['rss_import_mb']:.0f} MB)"
    )
    return {
        "scale": scale,
        "fit_fixed_mb": a / 2**20,
        "fit_bytes_per_synapse": b,
        "largest": {
            k: scale[-1][k]
            for k in ("n_neurons", "n_synapses", "spikes", "wall_s", "setup_s", "peak_rss_mb")
        },
    }


def measure_growth(args, tmp: Path) -> dict:
    """N = 10^5 for the duration and 10x, the largest N: streamed and in memory."""
    print("\npeak RSS vs run time and record mode")
    growth = []
    cases = [(100_000, args.duration_ms), (100_000, 10 * args.duration_ms)]
    for n, duration in [*cases, (max(args.sizes), args.duration_ms)]:
        for streamed in (True, False):
            row = scale_run(n, duration, streamed, tmp)
            growth.append(row)
            print(
                f"N = {n:>8}, {duration / 1000:>5g} s, "
                f"{'streamed' if streamed else 'in memory':<9}: "
                f"{row['spikes']:>10} spikes, wall {row['wall_s']:6.2f} s, "
                f"peak RSS {row['peak_rss_mb']:6.0f} MB"
            )
    return {"growth": growth}


def measure_n100k(args, python: Path, tmp: Path) -> dict:
    """(b) and (c) on shared inputs at N = 10^5."""
    n = 100_000
    graph, drive = model_inputs(n, 1000.0, seed=n)
    data = tmp / "model.npz"
    np.savez(
        data,
        n=n,
        duration_ms=1000.0,
        src=graph.sources(),
        dst=graph.indices,
        indptr=graph.indptr,
        drive_steps=drive[0],
        drive_neurons=drive[1],
    )
    build_dir = tmp / "brian2_standalone"
    build = build_brian2_standalone(python, data, build_dir)
    cython = run_brian2(python, graph, drive, 1000.0, "cython", BEST_OF)
    runs = {"synsoc": [], "synsoc_streamed": [], "brian2_cpp_standalone": []}
    for _ in range(args.repeats):
        runs["synsoc"].append(run_child("inputs", str(data), str(BEST_OF)))
        spike_dir = str(tmp / "spikes-in")
        runs["synsoc_streamed"].append(run_child("inputs", str(data), str(BEST_OF), spike_dir))
        shutil.rmtree(spike_dir, ignore_errors=True)
        runs["brian2_cpp_standalone"].append(run_brian2_binary(build_dir, BEST_OF))
    wall = {k: spread([r["wall_s"] for r in v]) for k, v in runs.items()}
    for k in ("synsoc", "synsoc_streamed"):
        wall[f"{k}_cold"] = spread([r["wall_cold_s"] for r in runs[k]])
    rss = {k: spread([r["peak_rss_mb"] for r in v]) for k, v in runs.items()}
    wall["brian2_cython"] = spread(cython["runs_s"])
    rss["brian2_cython"] = spread([cython["peak_rss_mb"]])
    rss["brian2_standalone_python_driver"] = spread([build["peak_rss_mb"]])
    fastest = min(("brian2_cpp_standalone", "brian2_cython"), key=lambda k: wall[k]["median"])
    brian_walls = (
        [r["wall_s"] for r in runs["brian2_cpp_standalone"]]
        if fastest == "brian2_cpp_standalone"
        else cython["runs_s"]
    )
    speedup = {
        f"{k}{suffix}": spread(
            [b / s[f"wall{suffix}_s"] for b, s in zip(brian_walls, runs[k], strict=False)]
        )
        for k in ("synsoc", "synsoc_streamed")
        for suffix in ("", "_cold")
    }
    print(
        f"\n(b, c) N = {n}, {graph.n_edges} synapses, 1 s, shared inputs; "
        f"{args.repeats} alternating repeats, min / median / max"
    )
    print(f"{'':<34} {'wall_s':>24} {'peak RSS MB':>22} {'spikes':>9}")
    spikes = {
        "synsoc": runs["synsoc"][0]["spikes"],
        "synsoc_streamed": runs["synsoc_streamed"][0]["spikes"],
        "brian2_cpp_standalone": build["spikes"],
        "brian2_cython": cython["spikes"],
        "brian2_standalone_python_driver": build["spikes"],
    }
    for k in ["synsoc", "synsoc_cold", "synsoc_streamed", "synsoc_streamed_cold", *list(rss)[2:]]:
        w = fmt(wall[k]) if k in wall else "(generates, compiles)"
        base = k.removesuffix("_cold")
        print(f"{k:<34} {w:>24} {fmt(rss[base], 4):>22} {spikes[base]:>9}")
    for k, s in speedup.items():
        print(f"speed-up of {k} vs Brian2's fastest mode ({fastest}): {fmt(s)}")
    return {
        "n100k_wall_s": wall,
        "n100k_peak_rss_mb": rss,
        "n100k_spikes": spikes,
        "brian2_compile_s": {"cpp_standalone": build["compile_s"], "cython": cython["compile_s"]},
        "brian2_fastest_mode": fastest,
        "speedup_vs_brian2": speedup,
    }


def child_main(argv: list[str]) -> None:
    kind, rest = argv[0], argv[1:]
    if kind == "scale":
        row = child_scale(int(rest[0]), float(rest[1]), rest[2] if len(rest) > 2 else None)
    else:
        row = child_inputs(rest[0], rest[2] if len(rest) > 2 else None, int(rest[1]))
    print(json.dumps(row))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child_main(sys.argv[2:])
    else:
        main()
