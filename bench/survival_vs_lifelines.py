"""Benchmark: censored survival fits, synsoc vs ``lifelines``, same data, one process.

The families both libraries fit by censored maximum likelihood: exponential, Weibull and
lognormal (lifelines' ``ExponentialFitter``, ``WeibullFitter``, ``LogNormalFitter``;
synsoc's ``analysis.kinetics.survival.fit_family``). Data: ``n`` waiting times drawn
from each family (exponential scale 10; Weibull shape 0.7, scale 10; lognormal
sigma 1.2, median 10; time unit arbitrary), right-censored by independent exponential
censoring times of mean 30 and by the end of the run at t = 60 (30-40 % censored). For
every (family, n) the two fits run alternately ``--repeats`` times on the same arrays;
the script prints the parameters, the log-likelihoods, their relative differences and the
median wall times, then one JSON line.

Parameter maps (lifelines -> scipy / synsoc): exponential ``lambda_`` = scale;
Weibull ``lambda_`` = scale, ``rho_`` = shape c; lognormal ``exp(mu_)`` = scale,
``sigma_`` = s.

lifelines goes into ``./.bench-lifelines`` on first use (``pip install --target``),
appended to ``sys.path`` after the project's environment, so both run in this process
on the same numpy and scipy and the package never depends on it.

Run: ``python bench/survival_vs_lifelines.py [--sizes 1000 10000 100000 1000000]
[--repeats 5]``
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
LIFELINES_DIR = ROOT / ".bench-lifelines"
FAMILIES = {
    # synsoc family -> (scipy distribution, lifelines fitter, true synsoc parameters)
    "expon": (stats.expon(scale=10.0), "ExponentialFitter", {"scale": 10.0}),
    "weibull_min": (
        stats.weibull_min(0.7, scale=10.0),
        "WeibullFitter",
        {"c": 0.7, "scale": 10.0},
    ),
    "lognorm": (stats.lognorm(1.2, scale=10.0), "LogNormalFitter", {"s": 1.2, "scale": 10.0}),
}
END_OF_RUN = 60.0
CENSORING_MEAN = 30.0


def import_lifelines():
    """The ``lifelines`` module, installed into ./.bench-lifelines on first use."""
    if not (LIFELINES_DIR / "lifelines").is_dir():
        logging.info("installing lifelines into %s (first use)", LIFELINES_DIR)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "-q",
                "--target",
                str(LIFELINES_DIR),
                "lifelines",
            ],
            check=True,
        )
    sys.path.append(str(LIFELINES_DIR))  # after the project's numpy, scipy, pandas
    import lifelines

    return lifelines


def censored_sample(family: str, n: int, rng: np.random.Generator):
    """(durations, observed) of ``n`` right-censored draws of ``family``."""
    dist = FAMILIES[family][0]
    event = dist.rvs(size=n, random_state=rng)
    censor = np.minimum(rng.exponential(CENSORING_MEAN, n), END_OF_RUN)
    return np.minimum(event, censor), event <= censor


def lifelines_params(family: str, fitter) -> dict[str, float]:
    """lifelines' estimates in synsoc's (scipy's) parameters."""
    if family == "expon":
        return {"scale": float(fitter.lambda_)}
    if family == "weibull_min":
        return {"c": float(fitter.rho_), "scale": float(fitter.lambda_)}
    return {"s": float(fitter.sigma_), "scale": float(np.exp(fitter.mu_))}


def compare(family: str, n: int, repeats: int, lifelines, rng) -> dict:
    """Fit one data set with both libraries, alternating, and compare."""
    from analysis.kinetics.censored import CensoredSample
    from analysis.kinetics.survival import fit_family

    durations, observed = censored_sample(family, n, rng)
    sample = CensoredSample(durations, ~observed)
    fitter_class = getattr(lifelines, FAMILIES[family][1])
    ours_s, theirs_s = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        ours = fit_family(family, sample)
        ours_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = fitter_class().fit(durations, event_observed=observed)
        theirs_s.append(time.perf_counter() - start)
    their_params = lifelines_params(family, theirs)
    rel = {
        key: abs(ours.params[key] - their_params[key]) / abs(their_params[key])
        for key in their_params
    }
    loglik_diff = ours.loglik - float(theirs.log_likelihood_)
    return {
        "family": family,
        "n": n,
        "censored_fraction": float(1.0 - observed.mean()),
        "true": FAMILIES[family][2],
        "synsoc": ours.params,
        "lifelines": their_params,
        "max_rel_param_diff": max(rel.values()),
        "loglik_synsoc_minus_lifelines": loglik_diff,
        "synsoc_s": float(np.median(ours_s)),
        "lifelines_s": float(np.median(theirs_s)),
        "synsoc_s_range": [min(ours_s), max(ours_s)],
        "lifelines_s_range": [min(theirs_s), max(theirs_s)],
        "speedup": float(np.median(theirs_s) / np.median(ours_s)),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    lifelines = import_lifelines()
    rng = np.random.default_rng(args.seed)
    rows = []
    header = (
        f"{'family':<12}{'n':>9}{'cens':>6}{'max rel Δparam':>16}{'ΔlnL':>11}"
        f"{'synsoc s':>10}{'lifelines s':>13}{'ratio':>8}"
    )
    print(header)
    for n in args.sizes:
        for family in FAMILIES:
            row = compare(family, n, args.repeats, lifelines, rng)
            rows.append(row)
            print(
                f"{family:<12}{n:>9}{row['censored_fraction']:>6.2f}"
                f"{row['max_rel_param_diff']:>16.2e}{row['loglik_synsoc_minus_lifelines']:>11.2e}"
                f"{row['synsoc_s']:>10.4f}{row['lifelines_s']:>13.4f}{row['speedup']:>8.1f}",
                flush=True,
            )
    summary = {
        "bench": "survival_vs_lifelines",
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "lifelines": lifelines.__version__,
        "repeats": args.repeats,
        "max_rel_param_diff": max(r["max_rel_param_diff"] for r in rows),
        "speedup_at_1e5": {r["family"]: r["speedup"] for r in rows if r["n"] == 100_000},
        "rows": rows,
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
