"""Benchmark: synsoc's discrete power-law fit with x_min search vs ``powerlaw.Fit``.

Same samples (discrete power law, alpha = 1.5, x_min = 1) of 10^4 and 10^5 values;
``powerlaw.Fit(data, discrete=True)`` runs in a child process capped at ``--cap-s``
seconds (a capped run reports a lower bound on its time and on the speedup). Then the
whole per-run analysis (exponents with bootstrap CIs, goodness of fit, LLR tests, shape
collapse) on 10^6 critical Galton-Watson avalanches. Last stdout line: one JSON object.

Run: ``.venv/bin/python bench/powerlaw_fit.py [--cap-s 120] [--skip-e2e]``
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import time
import warnings

import numpy as np

from analysis.criticality import (
    CriticalityConfig,
    analyse_avalanches,
    fit_power_law,
    galton_watson_avalanches,
    sample_discrete_power_law,
)


def _powerlaw_child(data, queue):
    import powerlaw

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        fit = powerlaw.Fit(data, discrete=True, verbose=False)
        queue.put((time.perf_counter() - start, float(fit.xmin), float(fit.alpha)))


def _time_powerlaw(data, cap_s):
    queue = mp.get_context("fork").Queue()
    child = mp.get_context("fork").Process(target=_powerlaw_child, args=(data, queue))
    start = time.perf_counter()
    child.start()
    child.join(cap_s)
    if child.is_alive():
        child.terminate()
        child.join()
        return {"seconds": time.perf_counter() - start, "capped": True}
    seconds, xmin, alpha = queue.get()
    return {"seconds": seconds, "capped": False, "xmin": xmin, "alpha": alpha}


def _time_ours(data, repeats=3):
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        fit = fit_power_law(data, min_tail=2)
        best = min(best, time.perf_counter() - start)
    return best, fit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cap-s", type=float, default=120.0, help="powerlaw time cap (s)")
    parser.add_argument("--skip-e2e", action="store_true", help="skip the 10^6 avalanche run")
    args = parser.parse_args()
    rng = np.random.default_rng(2026)
    record = {"benchmark": "powerlaw_fit", "sizes": {}}
    print(f"{'n':>8} {'synsoc_s':>10} {'powerlaw_s':>12} {'speedup':>10} {'d_alpha':>9} xmin")
    for n in (10_000, 100_000):
        data = sample_discrete_power_law(1.5, 1, n, rng=rng)
        ours_s, fit = _time_ours(data)
        ref = _time_powerlaw(data, args.cap_s)
        speedup = ref["seconds"] / ours_s
        row = {
            "synsoc_s": ours_s,
            "powerlaw_s": ref["seconds"],
            "powerlaw_capped": ref["capped"],
            "speedup": speedup,
            "speedup_is_lower_bound": ref["capped"],
            "alpha": fit.alpha,
            "xmin": fit.xmin,
            "n_candidates": fit.n_candidates,
        }
        if ref["capped"]:
            shown = f">{ref['seconds']:.1f}"
            print(
                f"{n:>8} {ours_s:>10.4f} {shown:>12} {'>' + format(speedup, '.0f'):>10} "
                f"{'n/a':>9} {fit.xmin:g}"
            )
        else:
            row.update(
                powerlaw_alpha=ref["alpha"],
                powerlaw_xmin=ref["xmin"],
                alpha_abs_diff=abs(fit.alpha - ref["alpha"]),
            )
            print(
                f"{n:>8} {ours_s:>10.4f} {ref['seconds']:>12.2f} {speedup:>10.0f} "
                f"{row['alpha_abs_diff']:>9.2e} {fit.xmin:g} vs {ref['xmin']:g}"
            )
        record["sizes"][str(n)] = row
    if not args.skip_e2e:
        start = time.perf_counter()
        frame = galton_watson_avalanches(1_000_000, 1.0, rng=rng, max_generations=10_000)
        simulate_s = time.perf_counter() - start
        start = time.perf_counter()
        summary, _ = analyse_avalanches(
            frame, config=CriticalityConfig.from_section(), run_label="bench/gw"
        )
        analyse_s = time.perf_counter() - start
        exps = summary["exponents"]
        record["e2e_1e6_avalanches"] = {
            "n_avalanches": int(len(frame)),
            "simulate_s": simulate_s,
            "analyse_s": analyse_s,
            "tau": exps["tau"]["value"],
            "alpha": exps["alpha"]["value"],
            "gamma": exps["gamma"].get("value"),
            "shape_collapse_gamma": summary["shape_collapse"].get("gamma"),
        }
        print(
            f"10^6 avalanches: simulate {simulate_s:.1f} s, analyse {analyse_s:.1f} s "
            f"(tau {exps['tau']['value']:.3f}, alpha {exps['alpha']['value']:.3f})"
        )
    print(json.dumps(record))


if __name__ == "__main__":
    main()
