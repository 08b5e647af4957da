"""All criticality measures of one avalanche data set (the content of ``criticality.json``).

Each part (exponents + scaling relation, goodness of fit, likelihood-ratio tests, shape
collapse, branching ratio) is computed independently; a part that the data cannot
support is reported as ``{"status": "undefined", "reason": ...}`` instead of a number,
so the JSON never holds NaN. The alignment score with critical branching
(:mod:`analysis.criticality.alignment`) is derived from the exponents and the branching
ratio. Seeds: the run's root seed is
``SeedSequence([config.seed, crc32(run_label)])``, spawned into one child per part.
"""

from __future__ import annotations

import logging
import zlib
from typing import Any

import numpy as np
import pandas as pd

from analysis.criticality.alignment import alignment_score
from analysis.criticality.branching import branching_ratio, tree_branching_ratio
from analysis.criticality.collapse import shape_collapse
from analysis.criticality.config import CriticalityConfig
from analysis.criticality.powerlaw_compare import SIGNIFICANCE, compare_alternatives
from analysis.criticality.powerlaw_fit import fit_power_law
from analysis.criticality.powerlaw_gof import bootstrap_gof
from analysis.criticality.scaling import avalanche_scaling

__all__ = [
    "REFERENCE_EXPONENTS",
    "analyse_avalanches",
    "fit_exponents",
    "bin_scan_exponents",
    "power_law_verdict",
]

logger = logging.getLogger(__name__)

REFERENCE_EXPONENTS = {
    "mean_field_branching": {
        "tau": 1.5,
        "alpha": 2.0,
        "gamma": 2.0,
        "source": "critical branching process (Harris 1963)",
    },
    "beggs_plenz_2003": {
        "tau": 1.5,
        "alpha": 2.0,
        "gamma": None,
        "source": "Beggs & Plenz 2003, J. Neurosci. 23:11167 "
        "(size exponent -3/2, lifetime exponent -2)",
    },
}
"""Published exponents quoted beside every run's (size tau, duration alpha, <S>(T) gamma)."""


def _undefined(err: Exception) -> dict:
    return {"status": "undefined", "reason": str(err)}


def _not_plausible(reason: str) -> dict[str, dict]:
    """The verdict on sizes and durations when no power law could be fitted."""
    return {
        name: {"plausible": False, "support": "none", "reasons": [reason], "cutoff": False}
        for name in ("size", "duration")
    }


def _seeds(config: CriticalityConfig, run_label: str) -> list[int]:
    root = np.random.SeedSequence([config.seed, zlib.crc32(run_label.encode())])
    return [int(child.generate_state(1)[0]) for child in root.spawn(4)]


def fit_exponents(
    sizes,
    durations,
    *,
    min_tail: int,
    min_tail_fraction: float = 0.0,
    alpha_range: tuple[float, float] | None = None,
) -> dict[str, float | None]:
    """Size and duration exponents of one data set, each None when it cannot be fit.

    Parameters
    ----------
    sizes : array_like, shape=(n,), dtype=int
        Avalanche sizes (spikes).
    durations : array_like, shape=(n,), dtype=int
        Avalanche durations (bins).
    min_tail : int
        Smallest tail of the x_min searches.
    min_tail_fraction, alpha_range
        Guards of the x_min searches (:func:`fit_power_law`).

    Returns
    -------
    dict
        ``{"tau": float or None, "alpha": float or None}`` (dimensionless).
    """
    out = {}
    for key, data in (("tau", sizes), ("alpha", durations)):
        try:
            out[key] = fit_power_law(
                data,
                min_tail=min_tail,
                min_tail_fraction=min_tail_fraction,
                alpha_range=alpha_range,
            ).alpha
        except ValueError as err:
            logger.warning("%s undefined: %s", key, err)
            out[key] = None
    return out


def bin_scan_exponents(
    scan: pd.DataFrame,
    *,
    min_tail: int,
    min_tail_fraction: float = 0.0,
    alpha_range: tuple[float, float] | None = None,
    max_delay_ms: float | None = None,
) -> list[dict[str, Any]]:
    """Size and duration exponents of binned avalanches at every bin width of a scan.

    Parameters
    ----------
    scan : pandas.DataFrame
        ``bin_scan.parquet`` (bin_ms, bin_steps, size, duration_bins).
    min_tail : int
        Smallest tail of the x_min searches.
    min_tail_fraction, alpha_range
        Guards of the x_min searches (:func:`fit_power_law`).
    max_delay_ms : float, optional
        The maximal synaptic delay, to express each bin in its units.

    Returns
    -------
    list of dict
        One per bin width, increasing: ``bin_ms``, ``bin_over_max_delay`` (or None),
        ``n_avalanches``, ``mean_size``, ``tau``, ``alpha`` (None where undefined).
    """
    rows = []
    for bin_ms, group in scan.groupby("bin_ms", sort=True):
        sizes = group["size"].to_numpy(np.int64)
        durations = group["duration_bins"].to_numpy(np.int64)
        exps = (
            fit_exponents(
                sizes,
                durations,
                min_tail=min_tail,
                min_tail_fraction=min_tail_fraction,
                alpha_range=alpha_range,
            )
            if sizes.size
            else {"tau": None, "alpha": None}
        )
        rows.append(
            {
                "bin_ms": float(bin_ms),
                "bin_over_max_delay": float(bin_ms / max_delay_ms) if max_delay_ms else None,
                "n_avalanches": int(sizes.size),
                "mean_size": float(sizes.mean()) if sizes.size else None,
                **exps,
            }
        )
    return rows


def _llr_block(data, fit, config: CriticalityConfig, run_label: str) -> list[dict] | dict:
    try:
        return [
            r.as_dict()
            for r in compare_alternatives(data, fit, alternatives=config.llr_alternatives)
        ]
    except ValueError as err:
        logger.warning("%s: LLR tests undefined: %s", run_label, err)
        return _undefined(err)


def _fixed_xmin_llr(data, config: CriticalityConfig, run_label: str) -> dict:
    """LLR tests of a power law fitted from ``config.fixed_xmin`` (not searched)."""
    try:
        fit = fit_power_law(data, xmin=config.fixed_xmin, min_tail=config.min_tail)
    except ValueError as err:
        return _undefined(err)
    return {
        "xmin": fit.xmin,
        "alpha": fit.alpha,
        "n_tail": fit.n_tail,
        "tests": _llr_block(data, fit, config, run_label),
    }


def power_law_verdict(gof: dict, llr: list[dict] | dict) -> dict[str, Any]:
    """Is a power law plausible for this data set? (Clauset et al. 2009, section 5).

    Plausible when an admissible fit exists (the guarded x_min search found one), its
    goodness-of-fit p exceeds 0.1, and no non-nested alternative (exponential,
    lognormal, stretched exponential) is significantly preferred at the searched x_min.
    Each such reason says whether the alternative also beats the truncated power law
    (``versus_truncated``): one that does not is the curvature of a finite system's
    cut-off, one that does speaks against a power law altogether.

    ``support`` uses Clauset et al.'s categories (their table 6): ``"none"`` (not
    plausible), ``"with cut-off"`` (the truncated power law is preferred),
    ``"good"`` (plausible and every non-nested alternative is significantly worse) and
    ``"moderate"`` (plausible, but some alternative fits as well: too few samples, or a
    distribution close to a power law, e.g. a lognormal of n = 300).

    Returns
    -------
    dict
        ``plausible`` (bool), ``support`` (str), ``reasons`` (why not, empty when
        plausible), ``cutoff`` (bool: the truncated power law is preferred).
    """
    reasons = []
    p = gof.get("p_value") if isinstance(gof, dict) else None
    if p is None:
        reasons.append(f"goodness of fit undefined: {gof.get('reason')}")
    elif p <= SIGNIFICANCE:
        reasons.append(f"goodness-of-fit p = {p:.3g} <= {SIGNIFICANCE}")
    tests = [] if isinstance(llr, dict) else llr
    if isinstance(llr, dict):
        reasons.append(f"likelihood-ratio tests undefined: {llr.get('reason')}")
    cutoff = any(t["nested"] and t["preferred"] == "truncated_power_law" for t in tests)
    all_beaten = True
    for test in tests:
        if test["nested"]:
            continue
        all_beaten &= test["preferred"] == "power_law"
        if test["preferred"] in ("power_law", "inconclusive"):
            continue
        text = (
            f"{test['alternative']} preferred "
            f"(R = {test['loglik_ratio']:.3g}, p = {test['p_value']:.3g})"
        )
        against_cutoff = (test.get("versus_truncated") or {}).get("preferred")
        if against_cutoff is not None:
            beats = against_cutoff == test["alternative"]
            text += f", {'also' if beats else 'but not'} over the truncated power law"
        reasons.append(text)
    if reasons:
        support = "none"
    elif cutoff:
        support = "with cut-off"
    else:
        support = "good" if all_beaten else "moderate"
    return {"plausible": not reasons, "support": support, "reasons": reasons, "cutoff": cutoff}


def analyse_avalanches(
    avalanches: pd.DataFrame,
    bin_counts: np.ndarray | None = None,
    *,
    config: CriticalityConfig,
    run_label: str,
    causal: bool = False,
) -> tuple[dict, dict]:
    """All criticality measures of one run.

    Parameters
    ----------
    avalanches : pandas.DataFrame
        Network avalanche contract (size, duration_bins, profile, ...).
    bin_counts : np.ndarray, shape=(n_bins,), optional
        Spikes per time bin for the branching-ratio estimators; None skips them.
    config : CriticalityConfig
    run_label : str
        Identifies the run (e.g. ``"depressing/1"``); seeds derive from it.
    causal : bool
        The avalanches are causal trees (one root each): the branching ratio is the
        offspring per spike of the trees (:func:`tree_branching_ratio`), not the
        multistep regression of ``bin_counts``.

    Returns
    -------
    summary : dict
        JSON-ready results (no provenance yet).
    objects : dict
        Result objects for plotting (keys ``scaling``, ``collapse``, ``branching``;
        missing when undefined).
    """
    sizes = avalanches["size"].to_numpy(dtype=np.int64)
    durations = avalanches["duration_bins"].to_numpy(dtype=np.int64)
    bin_ms = (
        float(avalanches["bin_ms"].iloc[0]) if len(avalanches) and "bin_ms" in avalanches else None
    )
    if bin_ms is not None and not np.isfinite(bin_ms):  # causal avalanches have no bins
        bin_ms = None
    seed_scaling, seed_gof_s, seed_gof_t, seed_branch = _seeds(config, run_label)
    out: dict[str, Any] = {
        "schema_version": 1,
        "run": run_label,
        "n_avalanches": int(sizes.size),
        "bin_ms": bin_ms,
        "reference_exponents": REFERENCE_EXPONENTS,
    }
    objects: dict[str, Any] = {}
    if sizes.size < config.min_avalanches:
        reason = (
            f"only {sizes.size} avalanches; need >= {config.min_avalanches} "
            "(criticality.min_avalanches)"
        )
        logger.warning("%s: %s", run_label, reason)
        for key in ("exponents", "goodness_of_fit", "likelihood_ratio_tests", "shape_collapse"):
            out[key] = {"status": "undefined", "reason": reason}
        out["power_law_verdict"] = _not_plausible(reason)
    else:
        try:
            scaling = avalanche_scaling(
                sizes,
                durations,
                n_bootstrap=config.exponent_bootstrap,
                rng=seed_scaling,
                min_count=config.gamma_min_avalanches,
                gamma_decades=config.gamma_fit_decades,
                **config.guards,
            )
        except ValueError as err:
            logger.warning("%s: exponents undefined: %s", run_label, err)
            scaling = None
            for key in ("exponents", "goodness_of_fit", "likelihood_ratio_tests"):
                out[key] = _undefined(err)
            out["power_law_verdict"] = _not_plausible(f"no admissible power-law fit: {err}")
        if scaling is not None:
            objects["scaling"] = scaling
            out["exponents"] = scaling.as_dict()
            # each test is independent: one that the data cannot support leaves the others
            gof_inputs = (
                ("size", sizes, scaling.size_fit, seed_gof_s),
                ("duration", durations, scaling.duration_fit, seed_gof_t),
            )
            out["goodness_of_fit"] = {}
            out["likelihood_ratio_tests"] = {}
            out["likelihood_ratio_tests_fixed_xmin"] = {}
            out["power_law_verdict"] = {}
            for name, data, fit, seed in gof_inputs:
                try:
                    out["goodness_of_fit"][name] = bootstrap_gof(
                        data, fit, n_bootstrap=config.gof_bootstrap, rng=seed, **config.guards
                    ).as_dict()
                except ValueError as err:
                    logger.warning("%s: %s goodness of fit undefined: %s", run_label, name, err)
                    out["goodness_of_fit"][name] = _undefined(err)
                out["likelihood_ratio_tests"][name] = _llr_block(data, fit, config, run_label)
                out["likelihood_ratio_tests_fixed_xmin"][name] = _fixed_xmin_llr(
                    data, config, run_label
                )
                out["power_law_verdict"][name] = power_law_verdict(
                    out["goodness_of_fit"][name], out["likelihood_ratio_tests"][name]
                )
        try:
            collapse = shape_collapse(
                avalanches["profile"].tolist(),
                durations,
                min_count=config.collapse_min_avalanches,
                min_duration=config.collapse_min_duration_bins,
            )
            objects["collapse"] = collapse
            out["shape_collapse"] = collapse.as_dict()
        except ValueError as err:
            out["shape_collapse"] = _undefined(err)
    if causal:
        try:
            out["branching_ratio"] = tree_branching_ratio(
                sizes, n_bootstrap=config.branching_bootstrap, rng=seed_branch
            )
        except ValueError as err:
            out["branching_ratio"] = _undefined(err)
    elif bin_counts is None:
        out["branching_ratio"] = {"status": "undefined", "reason": "no spikes.npz given"}
    else:
        try:
            branching = branching_ratio(
                bin_counts,
                k_max=config.branching_k_max_bins,
                n_bootstrap=config.branching_bootstrap,
                rng=seed_branch,
                n_blocks=config.branching_blocks,
            )
            objects["branching"] = branching
            out["branching_ratio"] = branching.as_dict()
        except ValueError as err:
            out["branching_ratio"] = _undefined(err)
    out["alignment"] = alignment_score(out, config.alignment_margins).as_dict()
    return out, objects
