"""Criticality analysis of one network run: assembles ``criticality.json``.

Each part (exponents + scaling relation, goodness of fit, likelihood-ratio tests, shape
collapse, branching ratio) is computed independently; a part that the data cannot
support is reported as ``{"status": "undefined", "reason": ...}`` instead of a number,
so the JSON never holds NaN. Seeds: the run's root seed is
``SeedSequence([config.seed, crc32(run_label)])``, spawned into one child per part.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.criticality.branching import branching_ratio
from analysis.criticality.config import CriticalityConfig
from analysis.criticality.powerlaw_compare import compare_alternatives
from analysis.criticality.powerlaw_gof import bootstrap_gof
from analysis.criticality.scaling import avalanche_scaling
from analysis.criticality.collapse import shape_collapse
from synsoc.io import write_json
from synsoc.provenance import provenance

__all__ = ["REFERENCE_EXPONENTS", "analyse_avalanches", "run_criticality", "read_avalanches"]

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

_AVALANCHE_COLUMNS = ("size", "duration_bins", "profile")


def read_avalanches(path: str | Path) -> pd.DataFrame:
    """Read an avalanches.parquet of the network contract and check its columns."""
    frame = pd.read_parquet(path)
    missing = [c for c in _AVALANCHE_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing avalanche columns {missing}")
    return frame


def _undefined(err: Exception) -> dict:
    return {"status": "undefined", "reason": str(err)}


def _seeds(config: CriticalityConfig, run_label: str) -> list[int]:
    root = np.random.SeedSequence([config.seed, zlib.crc32(run_label.encode())])
    return [int(child.generate_state(1)[0]) for child in root.spawn(4)]


def analyse_avalanches(
    avalanches: pd.DataFrame,
    bin_counts: np.ndarray | None,
    config: CriticalityConfig,
    run_label: str,
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
    else:
        try:
            scaling = avalanche_scaling(
                sizes,
                durations,
                config.exponent_bootstrap,
                seed_scaling,
                config.min_tail,
                config.gamma_min_avalanches,
                config.gamma_fit_decades,
            )
        except ValueError as err:
            logger.warning("%s: exponents undefined: %s", run_label, err)
            scaling = None
            for key in ("exponents", "goodness_of_fit", "likelihood_ratio_tests"):
                out[key] = _undefined(err)
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
            for name, data, fit, seed in gof_inputs:
                try:
                    out["goodness_of_fit"][name] = bootstrap_gof(
                        data, fit, config.gof_bootstrap, seed, config.min_tail
                    ).as_dict()
                except ValueError as err:
                    logger.warning("%s: %s goodness of fit undefined: %s", run_label, name, err)
                    out["goodness_of_fit"][name] = _undefined(err)
                try:
                    out["likelihood_ratio_tests"][name] = [
                        r.as_dict()
                        for r in compare_alternatives(data, fit, config.llr_alternatives)
                    ]
                except ValueError as err:
                    logger.warning("%s: %s LLR tests undefined: %s", run_label, name, err)
                    out["likelihood_ratio_tests"][name] = _undefined(err)
        try:
            collapse = shape_collapse(
                avalanches["profile"].tolist(),
                durations,
                config.collapse_min_avalanches,
                config.collapse_min_duration_bins,
            )
            objects["collapse"] = collapse
            out["shape_collapse"] = collapse.as_dict()
        except ValueError as err:
            out["shape_collapse"] = _undefined(err)
    if bin_counts is None:
        out["branching_ratio"] = {"status": "undefined", "reason": "no spikes.npz given"}
    else:
        try:
            branching = branching_ratio(
                bin_counts,
                config.branching_k_max_bins,
                config.branching_bootstrap,
                seed_branch,
                config.branching_blocks,
            )
            objects["branching"] = branching
            out["branching_ratio"] = branching.as_dict()
        except ValueError as err:
            out["branching_ratio"] = _undefined(err)
    return out, objects


def run_criticality(
    avalanches_path: str | Path,
    out_dir: str | Path,
    config: Mapping[str, Any],
    spikes_path: str | Path | None = None,
    run_label: str | None = None,
) -> dict:
    """Analyse one run and write ``criticality.json`` and ``figures/`` into ``out_dir``.

    Parameters
    ----------
    avalanches_path : path-like
        ``avalanches.parquet`` of the network contract.
    out_dir : path-like
        Output directory.
    config : Mapping
        The whole validated configuration (its hash goes into the provenance).
    spikes_path : path-like, optional
        ``spikes.npz`` holding ``bin_counts``.
    run_label : str, optional
        Defaults to the parent directories of ``avalanches_path`` (``regime/control``).

    Returns
    -------
    dict
        The JSON written.
    """
    from analysis.criticality.plots import plot_run

    crit = CriticalityConfig.from_mapping(config.get("criticality", {}))
    avalanches_path = Path(avalanches_path)
    label = run_label or f"{avalanches_path.parent.parent.name}/{avalanches_path.parent.name}"
    avalanches = read_avalanches(avalanches_path)
    bin_counts = None
    if spikes_path is not None:
        with np.load(spikes_path) as spikes:
            bin_counts = np.asarray(spikes["bin_counts"], dtype=float)
    summary, objects = analyse_avalanches(avalanches, bin_counts, crit, label)
    out_dir = Path(out_dir)
    summary["figures"] = [
        str(p.relative_to(out_dir)) for p in plot_run(avalanches, objects, out_dir / "figures")
    ]
    summary["provenance"] = provenance(config)
    write_json(out_dir / "criticality.json", summary)
    return summary
