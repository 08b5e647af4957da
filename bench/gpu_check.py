"""GPU check of the synsoc MD (issue 4): installation, CUDA vs CPU, runner overhead, sharing.

1. ``python -m openmm.testInstallation`` (platforms listed, forces agree);
2. default implicit and explicit-solvent cleft systems: relative RMS force difference
   of the GPU platform (mixed precision) against CPU, and ns/day of each platform;
3. the project's replica runner vs a bare ``integrator.step`` loop on the GPU (ratio),
   at the demo's frame interval and at ``config/large.yaml``'s;
4. 1, 4, 8 concurrent replica processes on one GPU: aggregate ns/day.

Writes ONE JSON summary to ``$OUT/gpu_check.json`` (``$OUT`` defaults to ``.``) and
prints it as the last line. Uses only the package code (``synapse_md``, ``analysis``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform as pyplatform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import openmm
import openmm.unit as unit

from synapse_md import (
    MDConfig,
    build_cleft,
    make_context,
    make_integrator,
    run_replica,
    select_platform,
)
from synapse_md.forces import RELEASED_PARAMETERS
from synsoc.io import write_json


def _config(solvent: str, production_ps: float = 4.0, frame_interval_ps: float = 0.4) -> MDConfig:
    return MDConfig.from_section(
        {
            "solvent": solvent,
            "production_ps": production_ps,
            "frame_interval_ps": frame_interval_ps,
            "checkpoint_frames": 25,
        }
    )


def _prepared(md: MDConfig, platform) -> tuple[object, openmm.State]:
    """Built, minimized, thermalized (released) system and its state on ``platform``."""
    cleft = build_cleft(md)
    integrator = make_integrator(md, seed=1)
    context = make_context(cleft.system, integrator, platform)
    context.setPositions(cleft.positions_nm * unit.nanometer)
    if cleft.box_nm is not None:
        context.setPeriodicBoxVectors(*np.diag(cleft.box_nm) * unit.nanometer)
    openmm.LocalEnergyMinimizer.minimize(context, 10.0, 500)
    context.setVelocitiesToTemperature(md.temperature_K * unit.kelvin, 2)
    integrator.step(100)
    for parameter in RELEASED_PARAMETERS:
        context.setParameter(parameter, 0.0)
    state = context.getState(
        getPositions=True, getVelocities=True, getParameters=True, enforcePeriodicBox=False
    )
    return cleft, state


def _forces(system, state, platform) -> np.ndarray:
    context = make_context(system, openmm.VerletIntegrator(0.001), platform)
    context.setState(state)
    return (
        context.getState(getForces=True)
        .getForces(asNumpy=True)
        .value_in_unit(unit.kilojoule_per_mole / unit.nanometer)
    )


def _ns_per_day(system, state, md, platform, seconds: float) -> float:
    integrator = make_integrator(md, seed=3)
    context = make_context(system, integrator, platform)
    context.setState(state)
    integrator.step(20)
    context.getState(getEnergy=True)
    steps, start = 0, time.perf_counter()
    block = 50
    while time.perf_counter() - start < seconds:
        integrator.step(block)
        steps += block
        context.getState(getEnergy=True)
        block = min(block * 2, 5000)
    elapsed = time.perf_counter() - start
    return steps * md.timestep_ps * 1e-3 * 86400 / elapsed


def check_installation() -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "openmm.testInstallation"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    text = proc.stdout + proc.stderr
    return {
        "returncode": proc.returncode,
        "platforms": [
            openmm.Platform.getPlatform(i).getName()
            for i in range(openmm.Platform.getNumPlatforms())
        ],
        "cuda_listed": "CUDA" in text,
        "output_tail": text[-1500:],
    }


def compare_platforms(solvent: str, gpu, cpu, seconds: float) -> dict:
    md = _config(solvent)
    cleft, state = _prepared(md, gpu)
    f_gpu = _forces(cleft.system, state, gpu)
    f_cpu = _forces(cleft.system, state, cpu)
    relative_rms = float(np.sqrt(np.mean((f_gpu - f_cpu) ** 2) / np.mean(f_cpu**2)))
    return {
        "solvent": solvent,
        "n_atoms": cleft.system.getNumParticles(),
        "force_relative_rms": relative_rms,
        "force_agreement_ok": relative_rms < 1e-4,
        "platform": gpu.name,
        "platform_ns_per_day": _ns_per_day(cleft.system, state, md, gpu, seconds),
        "cpu_ns_per_day": _ns_per_day(cleft.system, state, md, cpu, seconds),
    }


def runner_vs_bare(gpu, production_ps: float, rounds: int, frame_interval_ps: float) -> dict:
    md = _config("implicit", production_ps, frame_interval_ps)
    cleft, state = _prepared(md, gpu)
    bare, runner = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for index in range(rounds):
            steps = md.production_frames * md.steps_per_frame
            integrator = make_integrator(md, seed=5)
            context = make_context(cleft.system, integrator, gpu)
            context.setState(state)
            integrator.step(20)
            context.getState(getEnergy=True)
            start = time.perf_counter()
            integrator.step(steps)
            context.getState(getEnergy=True)
            bare.append(steps * md.timestep_ps * 1e-3 * 86400 / (time.perf_counter() - start))
            result = run_replica(
                cleft.system, cleft.topology, state, md, 0, Path(tmp) / f"r{index}", platform=gpu
            )
            runner.append(result.ns_per_day)
    ns, bare_ns = float(np.median(runner)), float(np.median(bare))
    return {
        "ns_per_day": ns,
        "bare_ns_per_day": bare_ns,
        "ratio": ns / bare_ns,
        "rounds": rounds,
        "production_ps": production_ps,
        "frame_interval_ps": frame_interval_ps,
    }


def worker(args) -> None:
    """One concurrent replica: prepare, signal ready, wait for go, step for N seconds."""
    choice = select_platform(args.platform, precision=args.precision, threads=args.threads)
    md = _config("implicit")
    cleft, state = _prepared(md, choice)
    integrator = make_integrator(md, seed=11 + args.worker_index)
    context = make_context(cleft.system, integrator, choice)
    context.setState(state)
    integrator.step(20)
    context.getState(getEnergy=True)
    sync = Path(args.sync_dir)
    (sync / f"ready_{args.worker_index}").touch()
    while not (sync / "go").exists():
        time.sleep(0.01)
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < args.seconds:
        integrator.step(200)
        steps += 200
    context.getState(getEnergy=True)
    elapsed = time.perf_counter() - start
    print(json.dumps({"ns_per_day": steps * md.timestep_ps * 1e-3 * 86400 / elapsed}))


def concurrent(counts: list[int], args) -> list[dict]:
    results = []
    for count in counts:
        with tempfile.TemporaryDirectory() as sync:
            command = [
                sys.executable,
                __file__,
                "--worker",
                "--sync-dir",
                sync,
                "--seconds",
                str(args.concurrent_seconds),
                "--platform",
                args.platform,
                "--precision",
                args.precision,
            ]
            if args.threads:
                command += ["--threads", str(args.threads)]
            procs = [
                subprocess.Popen(
                    command + ["--worker-index", str(i)], stdout=subprocess.PIPE, text=True
                )
                for i in range(count)
            ]
            deadline = time.monotonic() + 300
            while len(list(Path(sync).glob("ready_*"))) < count:
                if any(p.poll() not in (None, 0) for p in procs) or time.monotonic() > deadline:
                    for p in procs:
                        p.kill()
                    raise RuntimeError(f"concurrent workers ({count}) failed to start")
                time.sleep(0.05)
            (Path(sync) / "go").touch()
            rates = [
                json.loads(p.communicate(timeout=300)[0].strip().splitlines()[-1])["ns_per_day"]
                for p in procs
            ]
        results.append(
            {
                "replicas": count,
                "aggregate_ns_per_day": float(sum(rates)),
                "per_replica_ns_per_day": [float(r) for r in rates],
            }
        )
        print(f"{count} concurrent replicas: aggregate {sum(rates):.1f} ns/day", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--platform", default="auto", help="auto, CUDA, OpenCL or CPU")
    parser.add_argument("--precision", default="mixed")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads")
    parser.add_argument("--quick", action="store_true", help="short durations (CPU try-out)")
    parser.add_argument("--seconds", type=float, default=8.0, help="per ns/day measurement")
    parser.add_argument("--runner-ps", type=float, default=40.0)
    parser.add_argument(
        "--runner-frame-ps",
        default="0.4,2.0",
        help="frame intervals (ps) of the runner-vs-bare comparison: demo, large.yaml",
    )
    parser.add_argument(
        "--parts",
        default="install,systems,runner,concurrent",
        help="comma-separated subset of the checks to run",
    )
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--concurrent", default="1,4,8")
    parser.add_argument("--concurrent-seconds", type=float, default=20.0)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--worker-index", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--sync-dir", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    if args.quick:
        args.seconds, args.runner_ps, args.rounds = 1.0, 4.0, 1
        args.concurrent, args.concurrent_seconds = "1,2", 2.0
    started = time.perf_counter()
    gpu = select_platform(args.platform, precision=args.precision, threads=args.threads)
    cpu = select_platform("CPU", threads=os.cpu_count())
    print(f"platform {gpu.name}: {gpu.device}", flush=True)
    summary = {
        "bench": "gpu_check",
        "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "openmm_version": openmm.__version__,
        "python": pyplatform.python_version(),
        "platform": gpu.name,
        "device": gpu.device,
        "precision": args.precision if gpu.name in ("CUDA", "OpenCL") else None,
        "cpu_threads": os.cpu_count(),
        "quick": args.quick,
    }
    parts = set(args.parts.split(","))
    unknown = parts - {"install", "systems", "runner", "concurrent"}
    if unknown:
        parser.error(f"--parts: unknown check(s) {sorted(unknown)}")
    if "install" in parts:
        summary["test_installation"] = check_installation()
    if "systems" in parts:
        summary["systems"] = [
            compare_platforms(s, gpu, cpu, args.seconds) for s in ("implicit", "explicit")
        ]
        for entry in summary["systems"]:
            print(json.dumps(entry), flush=True)
    if "runner" in parts:
        summary["runner_vs_bare"] = [
            runner_vs_bare(gpu, args.runner_ps, args.rounds, float(frame_ps))
            for frame_ps in args.runner_frame_ps.split(",")
        ]
        for entry in summary["runner_vs_bare"]:
            print(json.dumps(entry), flush=True)
    if "concurrent" in parts:
        summary["concurrent"] = concurrent([int(c) for c in args.concurrent.split(",")], args)
        best = max(summary["concurrent"], key=lambda r: r["aggregate_ns_per_day"])
        summary["recommended_md_jobs_per_gpu"] = best["replicas"]
    summary["wall_s"] = time.perf_counter() - started
    write_json(Path(os.environ.get("OUT", ".")) / "gpu_check.json", summary)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
