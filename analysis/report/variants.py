"""Molecular variants side by side: molecule -> rates -> synapse response -> λ, σ -> avalanches.

One row per (variant, regime) of the physical runs (the synapses as the MD rates make
them, gain 1): the receptor sequence and salt, k_on, k_off, K_d (95 % CIs from the
kinetics stage's cluster bootstrap), the mean synapse's transmission probability and
efficacy (CIs from the same draws run through the synapse response), the spectral radius
λ of the transmission matrix (CI), the mean-field and measured branching ratios, the
firing rate and activity state, the avalanche exponents τ and α (CIs), and the dynamic
range Δ. Written as ``variants.json``, ``variants.csv``, a Markdown table
``variants.md`` and the figure ``variants.png``/``.svg``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from synsoc.io import save_figure, write_json, write_text
from synsoc.provenance import provenance

__all__ = ["variant_rows", "write_variant_comparison", "VARIANT_COLUMNS"]

VARIANT_COLUMNS = (
    "variant",
    "receptor",
    "salt_molar",
    "solvent",
    "regime",
    "k_on_per_M_per_s",
    "k_on_per_M_per_s_ci95",
    "k_off_per_s",
    "k_off_per_s_ci95",
    "K_d_M",
    "K_d_M_ci95",
    "p_transmit",
    "p_transmit_ci95",
    "efficacy_theta",
    "efficacy_theta_ci95",
    "lambda",
    "lambda_ci95",
    "sigma_mean_field",
    "sigma_measured",
    "rate_hz",
    "activity_state",
    "mean_avalanche_size",
    "tau",
    "tau_ci95",
    "alpha",
    "alpha_ci95",
    "dynamic_range_db",
)
"""Columns of ``variants.csv`` (and keys of each row of ``variants.json``)."""


def _read(path: str | os.PathLike) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _exponent(criticality: Mapping[str, Any], name: str) -> tuple[Any, Any]:
    entry = (criticality.get("exponents") or {}).get(name) or {}
    return entry.get("value"), entry.get("ci95")


def _dynamic_range(document: Mapping[str, Any], regime: str) -> float | None:
    for row in document.get("runs", []):
        if row.get("regime") == regime and row.get("control_label") == "physical":
            return row.get("delta_db")
    return None


def variant_rows(
    variants: Mapping[str, Mapping[str, Any]],
    kinetics: Mapping[str, str | os.PathLike],
    synapse: Mapping[str, str | os.PathLike],
    summaries: Mapping[str, Mapping[str, str | os.PathLike]],
    criticality: Mapping[str, Mapping[str, str | os.PathLike]],
    dynamic_range: Mapping[str, str | os.PathLike],
) -> list[dict[str, Any]]:
    """One row per (variant, regime) of the physical runs.

    Parameters
    ----------
    variants : Mapping of str to Mapping
        Variant name -> its md section (``synsoc.config.variant_md``), in report order.
    kinetics, synapse, dynamic_range : Mapping of str to path-like
        Variant -> ``kinetics.json``, ``synapse_response.json``, ``dynamic_range.json``.
    summaries, criticality : Mapping of str to Mapping of str to path-like
        Variant -> regime -> the physical run's ``summary.json`` / ``criticality.json``.

    Returns
    -------
    list of dict
        Keys :data:`VARIANT_COLUMNS`; a missing estimate is None.
    """
    rows = []
    for name, md in variants.items():
        rates = _read(kinetics[name]).get("binding_rates") or {}
        response = _read(synapse[name])["response"]
        mean_synapse, ci = response["mean_synapse"], response.get("ci95") or {}
        ranges = _read(dynamic_range[name])
        for regime, summary_path in summaries[name].items():
            summary = _read(summary_path)
            crit = _read(criticality[name][regime])
            tau, tau_ci = _exponent(crit, "tau")
            alpha, alpha_ci = _exponent(crit, "alpha")
            rows.append(
                {
                    "variant": name,
                    "receptor": md["receptor"]["sequence"],
                    "salt_molar": md["salt_molar"],
                    "solvent": md["solvent"],
                    "regime": regime,
                    **{
                        key: rates.get(key)
                        for base in ("k_on_per_M_per_s", "k_off_per_s", "K_d_M")
                        for key in (base, f"{base}_ci95")
                    },
                    "p_transmit": mean_synapse["p_transmit"],
                    "p_transmit_ci95": ci.get("mean_synapse_p_transmit"),
                    "efficacy_theta": mean_synapse["efficacy_theta"],
                    "efficacy_theta_ci95": ci.get("mean_synapse_efficacy_theta"),
                    "lambda": summary.get("lambda"),
                    "lambda_ci95": summary.get("lambda_ci95"),
                    "sigma_mean_field": summary.get("sigma_mean_field"),
                    "sigma_measured": summary.get("sigma_expected"),
                    "rate_hz": summary.get("rate_hz"),
                    "activity_state": (summary.get("activity_state") or {}).get("state"),
                    "mean_avalanche_size": summary.get("mean_avalanche_size"),
                    "tau": tau,
                    "tau_ci95": tau_ci,
                    "alpha": alpha,
                    "alpha_ci95": alpha_ci,
                    "dynamic_range_db": _dynamic_range(ranges, regime),
                }
            )
    return rows


def _cell(value: Any, ci: Any = None) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    text = f"{float(value):.3g}"
    return f"{text} [{float(ci[0]):.3g}, {float(ci[1]):.3g}]" if ci else text


_TABLE = (
    ("Variant", "variant", None),
    ("Receptor", "receptor", None),
    ("Salt (M)", "salt_molar", None),
    ("Regime", "regime", None),
    ("k_on (M⁻¹s⁻¹)", "k_on_per_M_per_s", "k_on_per_M_per_s_ci95"),
    ("k_off (s⁻¹)", "k_off_per_s", "k_off_per_s_ci95"),
    ("K_d (M)", "K_d_M", "K_d_M_ci95"),
    ("p_transmit", "p_transmit", "p_transmit_ci95"),
    ("Efficacy (θ)", "efficacy_theta", "efficacy_theta_ci95"),
    ("λ", "lambda", "lambda_ci95"),
    ("σ measured", "sigma_measured", None),
    ("Rate (Hz)", "rate_hz", None),
    ("State", "activity_state", None),
    ("τ", "tau", "tau_ci95"),
    ("α", "alpha", "alpha_ci95"),
    ("Δ (dB)", "dynamic_range_db", None),
)


def markdown(rows: Sequence[Mapping[str, Any]]) -> str:
    """The comparison as a Markdown table with its caption."""
    lines = [
        "# Molecular variants",
        "",
        "Physical runs (synapses as the MD rates make them, gain 1). Brackets: 95 % CIs "
        "(cluster bootstrap of the MD events, propagated through the synapse response to "
        "λ). λ: spectral radius of the transmission matrix, critical at 1 (Larremore, Shew "
        "& Restrepo 2011); efficacy in units of the threshold depolarization.",
        "",
        "| " + " | ".join(header for header, _, _ in _TABLE) + " |",
        "|" + "---|" * len(_TABLE),
    ]
    for row in rows:
        cells = [_cell(row.get(key), row.get(ci) if ci else None) for _, key, ci in _TABLE]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _csv(rows: Sequence[Mapping[str, Any]]) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(VARIANT_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                ""
                if row.get(key) is None
                else (json.dumps(row[key]) if isinstance(row[key], list) else row[key])
                for key in VARIANT_COLUMNS
            ]
        )
    return buffer.getvalue()


def _plot(rows: Sequence[Mapping[str, Any]], stem: str | os.PathLike) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = (
        ("k_on_per_M_per_s", "k_on_per_M_per_s_ci95", "k_on (M⁻¹ s⁻¹)"),
        ("K_d_M", "K_d_M_ci95", "K_d (M)"),
        ("efficacy_theta", "efficacy_theta_ci95", "efficacy (θ)"),
        ("lambda", "lambda_ci95", "spectral radius λ"),
    )
    variants = list(dict.fromkeys(row["variant"] for row in rows))
    first = {name: next(r for r in rows if r["variant"] == name) for name in variants}
    fig, axes = plt.subplots(1, len(panels), figsize=(3.2 * len(panels), 3.4))
    x = np.arange(len(variants))
    for ax, (key, ci_key, label) in zip(axes, panels, strict=True):
        values = np.array([np.nan if first[v][key] is None else first[v][key] for v in variants])
        lows = np.array([first[v][ci_key][0] if first[v][ci_key] else np.nan for v in variants])
        highs = np.array([first[v][ci_key][1] if first[v][ci_key] else np.nan for v in variants])
        errors = np.vstack([np.nan_to_num(values - lows), np.nan_to_num(highs - values)])
        ax.errorbar(x, values, yerr=errors, fmt="o", capsize=4)
        ax.set_xticks(x, [f"{v}\n({first[v]['receptor']})" for v in variants])
        ax.set_yscale("log")
        ax.set_ylabel(label)
        if key == "lambda":
            ax.axhline(1.0, color="0.5", ls=":", lw=0.8)
    fig.suptitle(
        "Molecular variants: MD binding rates → synapse efficacy → spectral radius λ "
        "(95 % CIs; λ = 1 is critical)",
        fontsize=10,
    )
    fig.tight_layout()
    paths = save_figure(fig, stem)
    plt.close(fig)
    return paths


def write_variant_comparison(
    rows: Sequence[Mapping[str, Any]], out_dir: str | os.PathLike, *, config: Mapping[str, Any]
) -> dict[str, Any]:
    """Write variants.json, variants.csv, variants.md and variants.png/.svg to ``out_dir``.

    Returns
    -------
    dict
        The JSON written.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    figures = _plot(rows, out_dir / "variants")
    document = {
        "schema_version": 1,
        "rows": list(rows),
        "columns": list(VARIANT_COLUMNS),
        "figures": [path.name for path in figures],
        "provenance": provenance(config),
    }
    write_text(out_dir / "variants.csv", _csv(rows))
    write_text(out_dir / "variants.md", markdown(rows))
    write_json(out_dir / "variants.json", document)
    return document
