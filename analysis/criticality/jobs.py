"""File-level steps of the criticality stage: the functions the Snakemake rules call.

Each reads its inputs (tables checked against ``synsoc.layout``), calls the science
modules, draws the figures and writes its JSON (with provenance) and tables atomically.

* :func:`run_criticality` — ``R/criticality/runs/{regime}/{control}/criticality.json``
  and ``figures/`` of one network run.
* :func:`run_dynamic_range` — ``R/criticality/sweep/dynamic_range.json`` (+ figure).
* :func:`run_alignment` — ``R/criticality/sweep/alignment.json``, ``alignment.csv``,
  ``exponents.csv`` (+ figure).

See docs/criticality.md.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.criticality.alignment import alignment_score, best_run_per_reference
from analysis.criticality.avalanche_analysis import (
    REFERENCE_EXPONENTS,
    analyse_avalanches,
    bin_scan_exponents,
    fit_exponents,
)
from analysis.criticality.config import CriticalityConfig
from analysis.criticality.response_curve import dynamic_range, peak_per_regime
from analysis.criticality.tables import (
    read_avalanches,
    read_bin_counts,
    read_bin_scan,
    read_cascades,
    read_max_delay_ms,
    read_response_curve,
)
from synsoc.io import write_json, write_text
from synsoc.layout import control_number
from synsoc.provenance import provenance

__all__ = ["run_criticality", "run_dynamic_range", "run_alignment"]

logger = logging.getLogger(__name__)


_CASCADE_KEYS = (
    "n_avalanches",
    "exponents",
    "goodness_of_fit",
    "likelihood_ratio_tests",
    "likelihood_ratio_tests_fixed_xmin",
    "power_law_verdict",
    "shape_collapse",
)


def run_criticality(
    avalanches_path: str | Path,
    out_dir: str | Path,
    config: Mapping[str, Any],
    *,
    spikes_path: str | Path | None = None,
    cascades_path: str | Path | None = None,
    bin_scan_path: str | Path | None = None,
    run_label: str | None = None,
) -> dict:
    """Analyse one run and write ``criticality.json`` and ``figures/`` into ``out_dir``.

    Parameters
    ----------
    avalanches_path : path-like
        ``avalanches.parquet`` of the network contract (binned avalanches).
    out_dir : path-like
        Output directory.
    config : Mapping
        The whole validated configuration (its hash goes into the provenance).
    spikes_path : path-like, optional
        ``spikes.npz`` holding ``bin_counts`` (and ``max_delay_steps``, ``dt_ms``).
    cascades_path : path-like, optional
        ``cascades.parquet``: the causal avalanches, analysed the same way into the
        ``cascades`` block (durations and profiles in generations).
    bin_scan_path : path-like, optional
        ``bin_scan.parquet``: exponents at every scanned bin width (``bin_scan``).
    run_label : str, optional
        Defaults to the parent directories of ``avalanches_path`` (``regime/control``).

    Returns
    -------
    dict
        The JSON written.
    """
    from analysis.criticality.plots import plot_run

    crit = CriticalityConfig.from_section(config.get("criticality"))
    avalanches_path = Path(avalanches_path)
    label = run_label or f"{avalanches_path.parent.parent.name}/{avalanches_path.parent.name}"
    avalanches = read_avalanches(avalanches_path)
    bin_counts = None if spikes_path is None else read_bin_counts(spikes_path)
    summary, objects = analyse_avalanches(avalanches, bin_counts, config=crit, run_label=label)
    if cascades_path is not None:
        cascades = analyse_avalanches(
            read_cascades(cascades_path), None, config=crit, run_label=f"{label}/cascades"
        )[0]
        summary["cascades"] = {
            "definition": "causal avalanches: a drive spike and all its descendants "
            "(parent = the spike whose transmission fired it); durations in generations",
            **{key: cascades[key] for key in _CASCADE_KEYS if key in cascades},
        }
    if bin_scan_path is not None:
        max_delay_ms = None if spikes_path is None else read_max_delay_ms(spikes_path)
        summary["bin_scan"] = bin_scan_exponents(
            read_bin_scan(bin_scan_path), max_delay_ms=max_delay_ms, **crit.guards
        )
    out_dir = Path(out_dir)
    summary["figures"] = [
        str(p.relative_to(out_dir)) for p in plot_run(avalanches, objects, out_dir / "figures")
    ]
    summary["provenance"] = provenance(config)
    write_json(out_dir / "criticality.json", summary)
    return summary


def run_dynamic_range(
    response_paths: Sequence[str | Path],
    runs: Sequence[tuple[str, str]],
    out_json: str | Path,
    fig_stem: str | Path,
    config: Mapping[str, Any],
) -> dict:
    """Dynamic range of every (regime, control) response curve; peak per regime.

    Parameters
    ----------
    response_paths : sequence of path-like
        ``R/network/response/{regime}/{control}.parquet``, aligned with ``runs``.
    runs : sequence of (str, str)
        (regime, control label) of each path.
    out_json : path-like
        ``dynamic_range.json``.
    fig_stem : path-like
        Figure destination without suffix.
    config : Mapping
        Whole validated configuration (provenance).

    Returns
    -------
    dict
        The JSON written.
    """
    from analysis.criticality.plots import plot_dynamic_range

    if len(response_paths) != len(runs):
        raise ValueError("response_paths and runs must have the same length")
    curves, rows = [], []
    for path, (regime, control) in zip(response_paths, runs, strict=True):
        frame = read_response_curve(path)
        try:
            result = dynamic_range(
                frame["drive_rate_hz"], frame["response_rate_hz"], baseline_hz=_baseline(frame)
            )
        except ValueError as err:
            raise ValueError(f"{path}: {err}") from err
        number = control_number(control)
        rows.append(
            {
                "regime": regime,
                "control_value": number,
                "control_label": control,
                **result.as_dict(),
            }
        )
        curves.append(
            {
                "regime": regime,
                "control_value": number,
                "control_label": control,
                "drive_rate_hz": frame["drive_rate_hz"].to_numpy(),
                "response_rate_hz": frame["response_rate_hz"].to_numpy(),
                "delta_db": result.delta_db,
            }
        )
    figures = plot_dynamic_range(curves, fig_stem)
    summary = {
        "schema_version": 1,
        "definition": "Delta_dB = 10 log10(h_0.9 / h_0.1), h_x the drive where F = F_0 + "
        "x (F_max - F_0); F_0 = F(h -> 0) from the drive-off test (0 unless the activity "
        "persists without drive), F_max at saturation (Kinouchi & Copelli 2006)",
        "runs": rows,
        "peak_per_regime": peak_per_regime(rows),
        "prediction": "maximum at the critical point sigma = 1 (Kinouchi & Copelli 2006)",
        "figures": [p.name for p in figures],
        "provenance": provenance(config),
    }
    write_json(out_json, summary)
    return summary


def _baseline(frame: pd.DataFrame) -> float | None:
    """F_0 of a response curve (its ``baseline_hz``, measured by the network stage's
    drive-off test); None for a curve without it (F_0 is then the weakest drive's)."""
    if "baseline_hz" not in frame or not len(frame):
        return None
    value = float(frame["baseline_hz"].iloc[0])
    return value if math.isfinite(value) else None


def _run_exponents(criticality_json: Mapping) -> dict:
    exps = criticality_json.get("exponents", {})
    return {k: exps.get(k, {}).get("value") for k in ("tau", "alpha", "gamma")}


def run_alignment(
    run_avalanches: Sequence[str | Path],
    run_criticality: Sequence[str | Path],
    runs: Sequence[tuple[str, str]],
    reference_avalanches: Mapping[str, str | Path],
    out_dir: str | Path,
    config: Mapping[str, Any],
) -> dict:
    """Alignment score of every run against every reference model, plus exponent table.

    Parameters
    ----------
    run_avalanches, run_criticality : sequence of path-like
        Per run ``avalanches.parquet`` and ``criticality.json``, aligned with ``runs``.
    runs : sequence of (str, str)
        (regime, control label).
    reference_avalanches : Mapping of str to path-like
        Reference model name -> ``avalanches.parquet``.
    out_dir : path-like
        ``R/criticality/sweep``: writes alignment.json, alignment.csv, exponents.csv and
        the exponent figure.
    config : Mapping
        Whole validated configuration.

    Returns
    -------
    dict
        The JSON written.
    """
    from analysis.criticality.plots import plot_exponent_table

    crit = CriticalityConfig.from_section(config.get("criticality"))
    out_dir = Path(out_dir)
    references = {}
    for model, path in reference_avalanches.items():
        frame = read_avalanches(path)
        sizes, durations = frame["size"].to_numpy(), frame["duration_bins"].to_numpy()
        references[model] = (
            sizes,
            durations,
            fit_exponents(sizes, durations, **crit.guards),
        )
    rows, exponent_rows = [], []
    for (regime, control), av_path, cj_path in zip(
        runs, run_avalanches, run_criticality, strict=True
    ):
        frame = read_avalanches(av_path)
        sizes, durations = frame["size"].to_numpy(), frame["duration_bins"].to_numpy()
        exps = _run_exponents(json.loads(Path(cj_path).read_text()))
        exponent_rows.append({"name": f"{regime}/{control}", **exps})
        for model, (ref_s, ref_t, ref_exps) in references.items():
            row = {
                "regime": regime,
                "control_value": control_number(control),
                "control_label": control,
                "reference_model": model,
                "n_avalanches": int(sizes.size),
                "n_reference_avalanches": int(ref_s.size),
            }
            if sizes.size == 0 or ref_s.size == 0:
                row.update({"score": None, "note": "undefined: no avalanches"})
            else:
                row.update(alignment_score(sizes, durations, ref_s, ref_t).as_dict())
                row["note"] = "ok"
            for key in ("tau", "alpha"):
                both = exps[key] is not None and ref_exps[key] is not None
                row[f"{key}_minus_reference"] = exps[key] - ref_exps[key] if both else None
            rows.append(row)
    for model, (_, _, ref_exps) in references.items():
        exponent_rows.append({"name": f"reference:{model}", **ref_exps, "gamma": None})
    for name, ref in REFERENCE_EXPONENTS.items():
        exponent_rows.append(
            {"name": name, "tau": ref["tau"], "alpha": ref["alpha"], "gamma": ref["gamma"]}
        )
    best = best_run_per_reference(rows, list(references))
    table = pd.DataFrame(rows)
    write_text(out_dir / "alignment.csv", table.to_csv(index=False))
    write_text(out_dir / "exponents.csv", pd.DataFrame(exponent_rows).to_csv(index=False))
    figures = plot_exponent_table(exponent_rows, out_dir / "exponents")
    summary = {
        "schema_version": 1,
        "definition": "score = 1 - (KS_size + KS_duration) / 2, two-sample KS distances "
        "between the run's and the reference model's avalanche sizes and "
        "durations; exponent differences reported separately",
        "runs": rows,
        "best_run_per_reference": best,
        "exponents": exponent_rows,
        "figures": [p.name for p in figures],
        "provenance": provenance(config),
    }
    write_json(out_dir / "alignment.json", summary)
    logger.info("alignment: %s", {m: b.get("score") for m, b in best.items()})
    return summary
