"""File-level steps of the criticality stage: the functions the Snakemake rules call.

Each reads its inputs (tables checked against ``synsoc.layout``), calls the science
modules, draws the figures and writes its JSON (with provenance) and tables atomically.

* :func:`run_criticality` — ``R/criticality/runs/{regime}/{control}/criticality.json``
  and ``figures/`` of one network run.
* :func:`run_dynamic_range` — ``R/criticality/sweep/dynamic_range.json`` (+ figure).
* :func:`run_alignment` — ``R/criticality/sweep/alignment.json``, ``alignment.csv``
  (the alignment score of every run and control model), ``exponents.csv`` (+ figure).

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

from analysis.criticality.alignment import ALIGNMENT_DEFINITION, CRITERIA
from analysis.criticality.avalanche_analysis import (
    REFERENCE_EXPONENTS,
    analyse_avalanches,
    bin_scan_exponents,
)
from analysis.criticality.config import CriticalityConfig
from analysis.criticality.flags import run_flags
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


_NETWORK_KEYS = ("regime", "control_name", "control_value", "lambda", "sigma_expected")
"""Keys of the network run's summary.json copied into criticality.json (``network_run``)."""

_CASCADE_KEYS = (
    "n_avalanches",
    "exponents",
    "goodness_of_fit",
    "likelihood_ratio_tests",
    "likelihood_ratio_tests_fixed_xmin",
    "power_law_verdict",
    "shape_collapse",
    "branching_ratio",
    "alignment",
)


def run_criticality(
    avalanches_path: str | Path,
    out_dir: str | Path,
    config: Mapping[str, Any],
    *,
    spikes_path: str | Path | None = None,
    cascades_path: str | Path | None = None,
    bin_scan_path: str | Path | None = None,
    network_summary_path: str | Path | None = None,
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
    network_summary_path : path-like, optional
        The network run's ``summary.json``: its activity state feeds the ``flags``
        (:func:`analysis.criticality.flags.run_flags`); its control value and lambda are
        copied into ``network_run``.
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
            read_cascades(cascades_path),
            None,
            config=crit,
            run_label=f"{label}/cascades",
            causal=True,
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
    network = {}
    if network_summary_path is not None:
        network = json.loads(Path(network_summary_path).read_text())
        summary["network_run"] = {key: network.get(key) for key in _NETWORK_KEYS}
    summary["flags"] = run_flags(
        summary, network.get("activity_state"), min_avalanches=crit.min_avalanches
    )
    for flag in summary["flags"]:
        logger.warning("%s: %s", label, flag["message"])
    out_dir = Path(out_dir)
    figures = plot_run(avalanches, objects, out_dir / "figures", summary=summary)
    summary["figures"] = [str(p.relative_to(out_dir)) for p in figures]
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
    return {k: (exps.get(k) or {}).get("value") for k in ("tau", "alpha", "gamma")}


def _read_scored(path: str | Path) -> dict:
    """A ``criticality.json`` that holds an ``alignment`` block."""
    criticality = json.loads(Path(path).read_text())
    if "alignment" not in criticality:
        raise ValueError(f"{path}: no 'alignment' block; rerun its criticality analysis")
    return criticality


def _alignment_row(kind: str, regime: str, control: str | None, criticality: Mapping) -> dict:
    """One row of alignment.csv from a ``criticality.json``'s content: score, its SD, the
    estimate and probability of every criterion, and the run's flags. ``control`` None
    takes the control value recorded from the network run (``network_run``; control
    models)."""
    if control is None:
        value = (criticality.get("network_run") or {}).get("control_value")
        control = "unknown" if value is None else f"{value:g}"
    block = criticality["alignment"]
    row = {
        "kind": kind,
        "regime": regime,
        "control_value": control_number(control),
        "control_label": control,
        "n_avalanches": criticality["n_avalanches"],
        "score": block["score"],
        "score_sd": block["score_sd"],
        "n_within_margin": block["n_within_margin"],
    }
    for criterion in block["criteria"]:
        name = criterion["criterion"]
        row[name] = criterion["value"]
        row[f"{name}_probability"] = criterion["probability_within_margin"]
    row["flags"] = "; ".join(flag["code"] for flag in criticality.get("flags", [])) or None
    return row


def run_alignment(
    run_criticality: Sequence[str | Path],
    runs: Sequence[tuple[str, str]],
    control_criticality: Mapping[str, str | Path],
    out_dir: str | Path,
    config: Mapping[str, Any],
) -> dict:
    """Alignment scores of every run and control model, and the exponent table.

    Parameters
    ----------
    run_criticality : sequence of path-like
        Per run ``criticality.json`` (with its ``alignment`` block), aligned with ``runs``.
    runs : sequence of (str, str)
        (regime, control label).
    control_criticality : Mapping of str to path-like
        Control model name -> its ``criticality.json`` (``R/criticality/reference``).
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
    documents = [
        (regime, control, _read_scored(path))
        for (regime, control), path in zip(runs, run_criticality, strict=True)
    ]
    control_documents = [(model, _read_scored(path)) for model, path in control_criticality.items()]
    rows = [_alignment_row("run", regime, control, doc) for regime, control, doc in documents]
    controls = [_alignment_row("control", model, None, doc) for model, doc in control_documents]
    exponent_rows = [
        {"name": f"{regime}/{control}", **_run_exponents(doc)} for regime, control, doc in documents
    ]
    exponent_rows += [
        {"name": f"control:{model}", **_run_exponents(doc)} for model, doc in control_documents
    ]
    for name, ref in REFERENCE_EXPONENTS.items():
        exponent_rows.append(
            {"name": name, "tau": ref["tau"], "alpha": ref["alpha"], "gamma": ref["gamma"]}
        )
    write_text(out_dir / "alignment.csv", pd.DataFrame(rows + controls).to_csv(index=False))
    write_text(out_dir / "exponents.csv", pd.DataFrame(exponent_rows).to_csv(index=False))
    figures = plot_exponent_table(exponent_rows, out_dir / "exponents")
    summary = {
        "schema_version": 2,
        "definition": ALIGNMENT_DEFINITION,
        "criteria": [
            {"criterion": c.name, "label": c.label, "reference": c.reference, "source": c.source}
            for c in CRITERIA
        ],
        "margins": crit.alignment_margins,
        "runs": rows,
        "controls": controls,
        "exponents": exponent_rows,
        "figures": [p.name for p in figures],
        "provenance": provenance(config),
    }
    write_json(out_dir / "alignment.json", summary)
    logger.info("alignment: %s", {f"{r['regime']}/{r['control_label']}": r["score"] for r in rows})
    return summary
