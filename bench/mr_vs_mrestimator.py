"""Multistep-regression branching ratio: synsoc vs ``mrestimator`` on the same series.

The series are driven branching processes ``A_{t+1} ~ Poisson(m A_t + h)`` with
stationary activity 1000 (the model of ``mrestimator.simulate_branching``), subsampled
binomially (each event seen with probability ``--sampling``). ``mrestimator`` 0.2
(Wilting & Priesemann's toolbox) goes into ``./.bench-mrestimator`` on first use
(``pip install --target``, no dependencies: it runs on the project's numpy, scipy and
numba) and is appended to ``sys.path`` after the project's packages.

Both fit ``r_k = b m^k`` for k = 1..k_max, k_max = 5 autocorrelation times (at least
10). ``mrestimator``: ``coefficients(method="ts")`` + ``fit(fitfunc=f_exponential)``, no
confidence interval (its bootstrap resamples trials, and these are single recordings).
synsoc: ``branching_ratio`` with its 95 % block-bootstrap interval (``--n-bootstrap``
replicates), and m alone (``lag_regression_slopes`` + ``fit_exponential_decay``), the
like-for-like comparison. They alternate ``--repeats`` times per series after a warm-up
call (numba compilation is excluded); the fastest of each is compared. Then the coverage of
synsoc's 95 % interval: the fraction of ``--coverage-seeds`` series of
``--coverage-bins`` bins whose interval holds the true m (goal >= 0.9).

Run: ``python bench/mr_vs_mrestimator.py [--bins 1e5 1e6 1e7] [--repeats 3]``.
Last stdout line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numba
import numpy as np

from analysis.criticality import branching_ratio, lag_regression_slopes
from analysis.criticality.branching import fit_exponential_decay

ROOT = Path(__file__).resolve().parents[1]
MRESTIMATOR_DIR = ROOT / ".bench-mrestimator"


def import_mrestimator():
    """The ``mrestimator`` module, installed into ./.bench-mrestimator on first use."""
    if not (MRESTIMATOR_DIR / "mrestimator").is_dir():
        logging.info("installing mrestimator into %s (first use)", MRESTIMATOR_DIR)
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "--no-deps"]
            + ["--target", str(MRESTIMATOR_DIR), "mrestimator==0.2.0"],
            check=True,
        )
    sys.path.append(str(MRESTIMATOR_DIR))  # after the project's numpy, scipy, numba
    import mrestimator

    logging.getLogger("mrestimator").setLevel(logging.ERROR)
    return mrestimator


@numba.njit(cache=True)
def _branching(m, mean_activity, n_bins, sampling, rng):
    drive = mean_activity * (1.0 - m)
    activity = mean_activity
    for _ in range(int(20 / (1.0 - m)) + 100):  # reach the stationary state
        activity = rng.poisson(m * activity + drive)
    out = np.empty(n_bins)
    for t in range(n_bins):
        activity = rng.poisson(m * activity + drive)
        out[t] = rng.binomial(activity, sampling)
    return out


def subsampled_branching(m: float, n_bins: int, sampling: float, seed: int) -> np.ndarray:
    """Observed events per bin of a driven branching process (stationary activity 1000)."""
    return _branching(m, 1000.0, n_bins, sampling, np.random.default_rng(seed))


def k_max_for(m: float) -> int:
    """Five autocorrelation times -1/ln m (bins), at least 10."""
    return max(10, int(5 * -1.0 / np.log(m)))


def compare(mre, m: float, sampling: float, n_bins: int, repeats: int, n_bootstrap: int):
    """Both estimators on one series, alternated; returns the result row."""
    activity = subsampled_branching(m, n_bins, sampling, seed=1)
    k_max = k_max_for(m)

    def theirs():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rk = mre.coefficients(activity, steps=(1, k_max), method="ts", desc="bench")
            return mre.fit(rk, fitfunc=mre.f_exponential).mre

    def ours():
        return branching_ratio(activity, k_max=k_max, n_bootstrap=n_bootstrap, rng=1)

    def ours_point():
        return fit_exponential_decay(lag_regression_slopes(activity, k_max=k_max))[1]

    their_m, our = theirs(), ours()  # warm-up: numba compilation / cache load
    ours_point()
    their_s, our_s, point_s = [], [], []
    for _ in range(repeats):
        for function, times in ((theirs, their_s), (ours, our_s), (ours_point, point_s)):
            start = time.perf_counter()
            function()
            times.append(time.perf_counter() - start)
    row = {
        "m": m,
        "sampling": sampling,
        "bins": n_bins,
        "k_max": k_max,
        "mrestimator_m": round(float(their_m), 6),
        "synsoc_m": round(our.mr, 6),
        "synsoc_ci95": [round(v, 6) for v in our.mr_ci95],
        "abs_difference": float(abs(our.mr - their_m)),
        "mrestimator_s": [round(t, 4) for t in their_s],
        "synsoc_s": [round(t, 4) for t in our_s],
        "synsoc_point_s": [round(t, 4) for t in point_s],
        "ratio": round(min(their_s) / min(our_s), 2),
        "ratio_point": round(min(their_s) / min(point_s), 2),
    }
    print(
        f"m={m:<6} {100 * sampling:>3.0f} % {n_bins:8.0e} bins k_max {k_max:5d}: "
        f"mrestimator {their_m:.5f} ({min(their_s):7.3f} s), synsoc {our.mr:.5f} "
        f"[{our.mr_ci95[0]:.4f}, {our.mr_ci95[1]:.4f}] ({min(our_s):7.3f} s, "
        f"{n_bootstrap} bootstrap fits incl.: {row['ratio']:.1f}x; m alone "
        f"{min(point_s):.3f} s: {row['ratio_point']:.1f}x); |diff| {row['abs_difference']:.1e}",
        flush=True,
    )
    return row


def coverage(m: float, sampling: float, n_bins: int, seeds: int, n_bootstrap: int) -> dict:
    """Fraction of seeds whose 95 % interval covers the true m."""
    k_max = k_max_for(m)
    estimates, covered, half_widths = [], [], []
    for seed in range(seeds):
        activity = subsampled_branching(m, n_bins, sampling, seed=1000 + seed)
        result = branching_ratio(activity, k_max=k_max, n_bootstrap=n_bootstrap, rng=seed)
        estimates.append(result.mr)
        covered.append(result.mr_ci95[0] <= m <= result.mr_ci95[1])
        half_widths.append((result.mr_ci95[1] - result.mr_ci95[0]) / 2)
    row = {
        "m": m,
        "sampling": sampling,
        "bins": n_bins,
        "seeds": seeds,
        "coverage": float(np.mean(covered)),
        "bias": float(np.mean(estimates) - m),
        "sd": float(np.std(estimates, ddof=1)),
        "mean_half_width_over_1.96_sd": float(
            np.mean(half_widths) / (1.96 * np.std(estimates, ddof=1))
        ),
    }
    print(
        f"coverage m={m:<6} {100 * sampling:>3.0f} % {n_bins:8.0e} bins: "
        f"{row['coverage']:.2f} of {seeds} seeds (bias {row['bias']:+.1e}, SD {row['sd']:.1e}, "
        f"half-width / 1.96 SD {row['mean_half_width_over_1.96_sd']:.2f})",
        flush=True,
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--m", type=float, nargs="+", default=[0.9, 0.99, 0.999])
    parser.add_argument("--sampling", type=float, nargs="+", default=[0.01, 0.1])
    parser.add_argument("--bins", type=float, nargs="+", default=[1e5, 1e6, 1e7])
    parser.add_argument(
        "--max-lag-bins",
        type=float,
        default=1e10,
        help="skip series with bins * k_max above this (mrestimator's cost per series)",
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--coverage-seeds", type=int, default=50)
    parser.add_argument("--coverage-bins", type=float, default=1e6)
    parser.add_argument("--n-bootstrap", type=int, default=200)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    mre = import_mrestimator()
    rows = []
    for n_bins in (int(b) for b in args.bins):
        for m in args.m:
            if n_bins * k_max_for(m) > args.max_lag_bins:
                print(f"m={m} at {n_bins:.0e} bins skipped (k_max {k_max_for(m)})")
                continue
            for sampling in args.sampling:
                rows.append(compare(mre, m, sampling, n_bins, args.repeats, args.n_bootstrap))
    covered = [
        coverage(m, sampling, int(args.coverage_bins), args.coverage_seeds, args.n_bootstrap)
        for m in args.m
        for sampling in args.sampling
    ]
    print(
        json.dumps(
            {
                "bench": "mr_vs_mrestimator",
                "mrestimator": mre.__version__,
                "max_abs_difference": max(r["abs_difference"] for r in rows),
                "min_ratio": min(r["ratio"] for r in rows),
                "min_ratio_point": min(r["ratio_point"] for r in rows),
                "min_coverage": min(r["coverage"] for r in covered),
                "rows": rows,
                "coverage": covered,
            }
        )
    )


if __name__ == "__main__":
    main()
