"""The whole Clauset-Shalizi-Newman procedure at scale, and its p-value's calibration.

1. **Scale**: x_min search plus an ``--reps``-replicate goodness-of-fit bootstrap on
   ``--n`` discrete avalanche sizes (goal: 10^6 sizes, 1000 replicates, <= 60 s on 2
   cores), for a pure power law (alpha 1.5 from x_min 1, the heaviest tail: most distinct
   values) and one above x_min 5 with a 10 % uniform body below it.
2. **Peer**: ``powerlaw`` has no bootstrap p-value; a user would refit every synthetic
   set with ``powerlaw.Fit``. One synthetic set of ``--peer-n`` sizes is refit by both,
   alternated ``--peer-repeats`` times (``powerlaw`` in a child process capped at
   ``--cap-s``), and the time of the 1000 refits is projected from it.
3. **Calibration**: on true power laws the p-value is uniform on [0, 1] (the
   analytic expectation); over ``--seeds`` data sets of ``--cal-n`` sizes the p-values
   are compared with the uniform distribution (KS test, P(p <= 0.1)); a discretised
   lognormal control shows the power of the test at that size.

Run: ``python bench/powerlaw_gof_scale.py [--n 1000000] [--reps 1000] [--seeds 100]``.
Last stdout line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

import numpy as np
from powerlaw_fit import _time_powerlaw  # bench/powerlaw_fit.py, next to this script
from scipy import stats

from analysis.criticality import (
    bootstrap_gof,
    fit_power_law,
    fit_power_law_counts,
    sample_discrete_power_law,
    synthetic_counts,
)


def _pure(n: int, rng: np.random.Generator) -> np.ndarray:
    """Discrete power law, alpha 1.5, x_min 1."""
    return sample_discrete_power_law(1.5, 1, n, rng=rng)


def _with_body(n: int, rng: np.random.Generator) -> np.ndarray:
    """Discrete power law, alpha 2.0 above x_min 5, with 10 % uniform on 1..4 below."""
    body = rng.integers(1, 5, n // 10)
    return np.concatenate([body, sample_discrete_power_law(2.0, 5, n - body.size, rng=rng)])


def _lognormal(n: int, rng: np.random.Generator) -> np.ndarray:
    """Discretised lognormal control (median 3, sigma 1.5), not a power law."""
    return np.ceil(rng.lognormal(np.log(3.0), 1.5, n)).astype(np.int64)


CASES = {"alpha 1.5, x_min 1": _pure, "alpha 2, x_min 5, 10 % body": _with_body}


def _timed(function):
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def scale(n: int, reps: int, seed: int) -> list[dict]:
    """Fit + bootstrap of each case: times, p, fit."""
    rows = []
    for name, draw in CASES.items():
        data = draw(n, np.random.default_rng(seed))
        fit, fit_wall, fit_cpu = _timed(lambda d=data: fit_power_law(d))
        gof, gof_wall, gof_cpu = _timed(
            lambda d=data, f=fit: bootstrap_gof(d, f, n_bootstrap=reps, rng=seed + 1)
        )
        rows.append(
            {
                "case": name,
                "n": n,
                "reps": reps,
                "alpha": round(fit.alpha, 5),
                "xmin": fit.xmin,
                "n_candidates": fit.n_candidates,
                "p_value": gof.p_value,
                "fit_s": round(fit_wall, 3),
                "gof_s": round(gof_wall, 2),
                "total_s": round(fit_wall + gof_wall, 2),
                "total_cpu_s": round(fit_cpu + gof_cpu, 2),
            }
        )
        print(
            f"{name:28s} n={n:.0e} reps={reps}: alpha {fit.alpha:.4f} x_min {fit.xmin:g} "
            f"({fit.n_candidates} candidates), p = {gof.p_value:.3f}; fit {fit_wall:.2f} s "
            f"+ bootstrap {gof_wall:.1f} s = {fit_wall + gof_wall:.1f} s wall "
            f"({fit_cpu + gof_cpu:.1f} s CPU)"
        )
    return rows


def peer(n: int, repeats: int, cap_s: float, seed: int) -> dict:
    """One synthetic set refit by powerlaw.Fit and by synsoc, alternated."""
    data = _pure(n, np.random.default_rng(seed))
    fit = fit_power_law(data)
    values, counts = np.unique(data, return_counts=True)
    synthetic = synthetic_counts(values, counts, fit, rng=seed + 1)
    samples = np.repeat(*synthetic)
    ours, theirs = [], []
    for _ in range(repeats):
        refit, wall, _cpu = _timed(lambda: fit_power_law_counts(*synthetic))
        ours.append(wall)
        theirs.append(_time_powerlaw(samples, cap_s))  # bench/powerlaw_fit.py's capped child
    their_s = [t["seconds"] for t in theirs]
    capped = any(t["capped"] for t in theirs)
    ratio = min(their_s) / min(ours)
    last = theirs[-1]
    theirs_fit = (
        "capped: a lower bound" if capped else f"alpha {last['alpha']:.5f}, x_min {last['xmin']:g}"
    )
    print(
        f"refit of one synthetic set of {n:.0e}: synsoc {min(ours) * 1e3:.1f} ms "
        f"(alpha {refit.alpha:.5f}, x_min {refit.xmin:g}), powerlaw.Fit {min(their_s):.2f} s "
        f"({theirs_fit}); ratio {ratio:.0f}x; 1000 refits: synsoc {1000 * min(ours):.0f} s, "
        f"powerlaw {1000 * min(their_s) / 3600:.1f} h"
    )
    return {
        "n": n,
        "synsoc_refit_s": [round(t, 4) for t in ours],
        "powerlaw_fit_s": [round(t, 2) for t in their_s],
        "powerlaw_capped": capped,
        "ratio": round(ratio, 1),
        "powerlaw_1000_refits_h": round(1000 * min(their_s) / 3600, 2),
    }


def calibration(seeds: int, n: int, reps: int) -> list[dict]:
    """p-values over seeds: uniform on power laws; small on the lognormal control."""
    rows = []
    for name, draw in {**CASES, "lognormal control": _lognormal}.items():
        start = time.perf_counter()
        p = np.empty(seeds)
        for seed in range(seeds):
            data = draw(n, np.random.default_rng(10_000 + seed))
            fit = fit_power_law(data)
            p[seed] = bootstrap_gof(data, fit, n_bootstrap=reps, rng=20_000 + seed).p_value
        ks = stats.kstest(p, "uniform")
        rows.append(
            {
                "case": name,
                "seeds": seeds,
                "n": n,
                "reps": reps,
                "mean_p": round(float(p.mean()), 3),
                "fraction_p_le_0.1": round(float(np.mean(p <= 0.1)), 3),
                "ks_uniform_statistic": round(float(ks.statistic), 3),
                "ks_uniform_p": round(float(ks.pvalue), 3),
                "seconds": round(time.perf_counter() - start, 1),
            }
        )
        print(
            f"{name:28s} {seeds} seeds of {n:.0e}, {reps} reps: mean p {p.mean():.3f} "
            f"(uniform: 0.5), P(p <= 0.1) = {np.mean(p <= 0.1):.3f} (uniform: 0.1), "
            f"KS vs uniform D = {ks.statistic:.3f} (p = {ks.pvalue:.3f}); "
            f"{time.perf_counter() - start:.0f} s"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="sizes at scale")
    parser.add_argument("--reps", type=int, default=1000, help="bootstrap replicates at scale")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--peer-n", type=int, default=100_000)
    parser.add_argument("--peer-repeats", type=int, default=3)
    parser.add_argument("--cap-s", type=float, default=120.0)
    parser.add_argument("--seeds", type=int, default=100, help="calibration sets (0: skip)")
    parser.add_argument("--cal-n", type=int, default=10_000)
    parser.add_argument("--cal-reps", type=int, default=200)
    args = parser.parse_args()
    fit_power_law(_pure(1000, np.random.default_rng(0)))  # compile (or load) the kernels
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    result = {
        "bench": "powerlaw_gof_scale",
        "scale": scale(args.n, args.reps, args.seed),
        "peer": peer(args.peer_n, args.peer_repeats, args.cap_s, args.seed),
        "calibration": calibration(args.seeds, args.cal_n, args.cal_reps) if args.seeds else [],
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
