"""MD throughput: the project's replica runner vs a bare ``integrator.step`` loop.

Both run the same built, equilibrated default system on the same platform, alternated
in one process (``--rounds`` times each; the best round of each is compared); the
runner pays for frames, state rows, chunked XTC writing, checkpoints and the final
assembly. Prints ns/day of both and
their ratio (goal >= 0.95); the last stdout line is one JSON object.

    python bench/md_throughput.py [--config config/config.yaml] [--ps 10] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import tempfile
import time
from pathlib import Path

import openmm
import openmm.app as app

from analysis.configuration import load_config
from synapse_md.config import md_config_from_mapping
from synapse_md.platforms import select_platform
from synapse_md.production import run_replica
from synapse_md.simulation import make_context, make_integrator
from synapse_md.stages import build_stage, equilibrate_stage


def bare_ns_per_day(system, state, md, platform, steps: int) -> float:
    """ns/day of a bare integrator.step loop from the equilibrated state."""
    integrator = make_integrator(md, seed=1)
    context = make_context(system, integrator, platform)
    context.setState(state)
    integrator.step(10)  # warm-up (kernel compilation on GPUs)
    start = time.perf_counter()
    integrator.step(steps)
    context.getState(getEnergy=True)  # wait for asynchronous platforms
    elapsed = time.perf_counter() - start
    return steps * md.timestep_ps * 1e-3 * 86400 / elapsed


def runner_ns_per_day(system, topology, state, md, platform, workdir: Path) -> float:
    """ns/day of run_replica (wall time of its production loop and outputs)."""
    result = run_replica(system, topology, state, md, 0, workdir, platform)
    return result.ns_per_day


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="config/config.yaml")
    parser.add_argument("--ps", type=float, default=10.0, help="simulated ps per measurement")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--platform", default=None, help="override md.platform")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    config = load_config(args.config)
    config["md"]["production_ps"] = args.ps
    config["md"]["equilibration_ps"] = 1.0
    if args.platform:
        config["md"]["platform"] = args.platform
    md = md_config_from_mapping(config["md"])
    platform = select_platform(md.platform, md.precision, args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        system_dir = Path(tmp) / "system"
        build_stage(config, system_dir, args.threads)
        state = equilibrate_stage(config, system_dir, args.threads)
        system = openmm.XmlSerializer.deserialize((system_dir / "system.xml").read_text())
        topology = app.PDBFile(str(system_dir / "topology.pdb")).topology
        steps = md.production_frames * md.steps_per_frame
        bare, runner = [], []
        for index in range(args.rounds):
            bare.append(bare_ns_per_day(system, state, md, platform, steps))
            runner.append(
                runner_ns_per_day(system, topology, state, md, platform, Path(tmp) / f"r{index}")
            )
            print(
                f"round {index}: runner {runner[-1]:8.1f} ns/day   bare {bare[-1]:8.1f} ns/day"
                f"   ratio {runner[-1] / bare[-1]:.3f}"
            )
    # Best of the rounds (timeit's rule: the fastest run is the least disturbed by
    # other processes) and, as a cross-check, the median of the paired round ratios.
    ns_per_day, bare_ns = max(runner), max(bare)
    paired = statistics.median(r / b for r, b in zip(runner, bare, strict=True))
    print(
        f"best: runner {ns_per_day:.1f} ns/day, bare {bare_ns:.1f} ns/day, "
        f"ratio {ns_per_day / bare_ns:.3f}; median paired ratio {paired:.3f} "
        f"({platform.name}, {platform.device}, {system.getNumParticles()} atoms, {md.solvent})"
    )
    print(
        json.dumps(
            {
                "bench": "md_throughput",
                "ns_per_day": round(ns_per_day, 2),
                "bare_ns_per_day": round(bare_ns, 2),
                "ratio": round(ns_per_day / bare_ns, 4),
                "median_paired_ratio": round(paired, 4),
                "platform": platform.name,
                "device": platform.device,
                "n_atoms": system.getNumParticles(),
                "solvent": md.solvent,
                "simulated_ps": args.ps,
                "rounds": args.rounds,
            }
        )
    )


if __name__ == "__main__":
    main()
