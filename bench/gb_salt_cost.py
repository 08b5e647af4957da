"""Cost of salt screening in implicit solvent: native OBC2 vs OBC2 + kappa vs GBn2 + kappa.

The three implicit solvent modes of the MD stage on the same built default cleft (same
seed, so the same atoms and start positions), on the same platform: ``implicit`` (native
``GBSAOBCForce``, no salt), ``obc2`` (``implicit/obc2.xml`` CustomGBForce with the Debye
kappa of ``--salt-molar``) and ``gbn2`` (``implicit/gbn2.xml`` with the same kappa). Each
mode is minimized once, then the modes are timed in alternation (``--rounds`` rounds of
``--ps`` each, Langevin dynamics at the configured friction and time step); the best
round of each mode is compared. Prints ns/day and ms per step of each mode and the
ratios to native OBC2; the last stdout line is one JSON object.

    python bench/gb_salt_cost.py [--config config/config.yaml] [--ps 2] [--rounds 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import time

import openmm
import openmm.unit as unit

from synapse_md import MDConfig, build_cleft, make_context, make_integrator, select_platform
from synapse_md.builder import debye_kappa_per_nm
from synsoc.config import load_config

MODES = ("implicit", "obc2", "gbn2")


def _timed(function) -> tuple[float, float]:
    """Wall and process-CPU seconds of ``function()``."""
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return time.perf_counter() - wall, time.process_time() - cpu


def _prepared(md: MDConfig, platform) -> tuple[openmm.Context, openmm.Integrator, int]:
    """Minimized context of the cleft of ``md``; (context, integrator, atom count)."""
    cleft = build_cleft(md)
    integrator = make_integrator(md, seed=1)
    context = make_context(cleft.system, integrator, platform)
    context.setPositions(cleft.positions_nm * unit.nanometer)
    openmm.LocalEnergyMinimizer.minimize(context, 10.0, md.minimize_max_iterations)
    context.setVelocitiesToTemperature(md.temperature_K * unit.kelvin, 1)
    return context, integrator, cleft.system.getNumParticles()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="config/config.yaml")
    parser.add_argument("--ps", type=float, default=2.0, help="simulated ps per round and mode")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--salt-molar", type=float, default=0.15, help="obc2 / gbn2 salt")
    parser.add_argument("--platform", default="CPU", help="OpenMM platform (default CPU)")
    parser.add_argument("--threads", type=int, default=1, help="CPU threads (default 1)")
    parser.add_argument(
        "--clock", choices=("cpu", "wall"), default=None, help="default: cpu on CPU, wall on GPU"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    base = MDConfig.from_section(load_config(args.config)["md"])
    platform = select_platform(args.platform, precision=base.precision, threads=args.threads)
    configs = {
        mode: dataclasses.replace(
            base, solvent=mode, salt_molar=0.0 if mode == "implicit" else args.salt_molar
        )
        for mode in MODES
    }
    prepared = {mode: _prepared(md, platform) for mode, md in configs.items()}
    steps = max(1, round(args.ps / base.timestep_ps))
    clock = args.clock or ("cpu" if platform.name in ("CPU", "Reference") else "wall")
    column = 1 if clock == "cpu" else 0
    times: dict[str, list[tuple[float, float]]] = {mode: [] for mode in MODES}

    def run(mode: str) -> None:
        context, integrator, _ = prepared[mode]
        integrator.step(steps)
        context.getState(getEnergy=True)  # wait for asynchronous platforms

    for index in range(args.rounds):
        for mode in MODES:
            times[mode].append(_timed(lambda m=mode: run(m)))
        print(
            f"round {index}: "
            + " | ".join(
                f"{m} {times[m][-1][0]:.2f} s wall {times[m][-1][1]:.2f} s cpu" for m in MODES
            )
        )
    # Best of the rounds (timeit's rule); on CPU the process CPU time is the primary clock.
    best = {mode: min(t[column] for t in times[mode]) for mode in MODES}
    ns = steps * base.timestep_ps * 1e-3
    ns_per_day = {mode: ns * 86400 / best[mode] for mode in MODES}
    ms_per_step = {mode: 1e3 * best[mode] / steps for mode in MODES}
    ratio = {mode: ns_per_day[mode] / ns_per_day["implicit"] for mode in MODES}
    kappa = debye_kappa_per_nm(args.salt_molar, base.temperature_K)
    n_atoms = prepared["implicit"][2]
    for mode in MODES:
        print(
            f"{mode:9s} {ns_per_day[mode]:8.1f} ns/day  {ms_per_step[mode]:6.2f} ms/step  "
            f"x{ratio[mode]:.3f} of native OBC2"
        )
    print(
        f"best ({clock} clock), {platform.name} ({platform.device}), {n_atoms} atoms, "
        f"salt {args.salt_molar} M (kappa {kappa:.3f}/nm), {steps} steps of "
        f"{base.timestep_fs} fs per round"
    )
    print(
        json.dumps(
            {
                "bench": "gb_salt_cost",
                "ns_per_day": {m: round(v, 2) for m, v in ns_per_day.items()},
                "ms_per_step": {m: round(v, 3) for m, v in ms_per_step.items()},
                "ratio_to_native_obc2": {m: round(v, 4) for m, v in ratio.items()},
                "clock": clock,
                "platform": platform.name,
                "device": platform.device,
                "n_atoms": n_atoms,
                "salt_molar": args.salt_molar,
                "kappa_per_nm": round(kappa, 4),
                "simulated_ps": round(ns * 1e3, 6),
                "rounds": args.rounds,
            }
        )
    )


if __name__ == "__main__":
    main()
