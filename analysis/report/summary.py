"""The tables and sections of ``results/report/summary.md``: the whole run in plain text.

Reads the stage JSON artifacts of docs/contracts.md (kinetics, per-run network and
criticality summaries, dynamic range, alignment) and the Snakemake benchmark files,
and renders Markdown for people: readable column headers with units, 95 % confidence
intervals in brackets where the artifacts hold them, a conclusion paragraph and the
headline numbers (:mod:`analysis.report.headline`), and every figure grouped by stage.
Nothing here recomputes science: every number shown is copied from an artifact. A
scalar the readable tables do not know is still listed, under its raw key.

The CSV tables under ``R/report/tables/`` are for machines and keep the artifacts' raw
keys (:func:`kinetics_table`, :func:`runs_table`, :func:`alignment_table`). The
file-level step that writes the summary and the CSV tables is
:func:`analysis.report.jobs.run_summary`.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.report.headline import (
    PS_PER_MS,
    Estimate,
    RunEstimates,
    conclusion_paragraph,
    control_symbol,
    criticality_headlines,
    dynamic_range_headlines,
    finite_number,
    format_duration_ms,
    json_block,
    kinetics_headlines,
    read_json_object,
    read_run_estimates,
    rescaled_time_scale,
)
from synsoc.layout import EVENT_KINDS, REGIMES

__all__ = [
    "NetworkRun",
    "flatten_scalars",
    "markdown_table",
    "read_benchmarks",
    "kinetics_table",
    "kinetics_section",
    "runs_table",
    "runs_section",
    "flat_section",
    "dynamic_range_section",
    "alignment_table",
    "alignment_section",
    "benchmark_section",
    "figures_section",
    "build_summary",
    "csv_text",
]

logger = logging.getLogger(__name__)

_RUN_KEYS = (
    "lambda",
    "sigma_mean_field",
    "sigma_expected",
    "sigma_from_mean_size",
    "rate_hz",
    "n_spikes",
    "n_avalanches",
    "n_cascades",
)
_CRITICALITY_LEAVES = (
    "value",
    "estimate",
    "status",
    "gamma_predicted",
    "conventional",
    "multistep_regression",
)
_EVENT_NAMES = {"first_passage": "first passage", "dwell": "dwell", "rebinding": "rebinding"}


@dataclass(frozen=True)
class NetworkRun:
    """Artifacts of one (regime, control) run of the sweep.

    Attributes
    ----------
    regime : str
    control : str
        Wildcard text of the control value.
    summary_json : pathlib.Path
        ``R/network/runs/{regime}/{control}/summary.json``.
    criticality_json : pathlib.Path
        ``R/criticality/runs/{regime}/{control}/criticality.json``.
    """

    regime: str
    control: str
    summary_json: Path
    criticality_json: Path


def flatten_scalars(data: Mapping[str, Any], *, prefix: str = "") -> dict[str, Any]:
    """Dotted keys of every scalar (number, str, bool, None) in nested mappings.

    Lists and the ``provenance`` block are skipped.

    Parameters
    ----------
    data : Mapping
    prefix : str
        Prefix of the keys (used in recursion).

    Returns
    -------
    dict
        ``{"a.b": value}`` in the mapping's order.
    """
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if key == "provenance":
            continue
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten_scalars(value, prefix=f"{name}."))
        elif value is None or isinstance(value, str | bool | int | float):
            flat[name] = value
    return flat


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return f"{value:.4g}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A GitHub-flavoured Markdown table, values formatted to 4 significant digits."""
    header = list(header)
    if not header:
        raise ValueError("header must name at least one column")
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for row in rows:
        row = list(row)
        if len(row) != len(header):
            raise ValueError(f"row {row} has {len(row)} cells, header has {len(header)}")
        lines.append("| " + " | ".join(_fmt(value) for value in row) + " |")
    return "\n".join(lines)


def _estimate_cell(estimate: Estimate | None) -> str | None:
    return None if estimate is None else estimate.text(4)


def _labelled_rows(
    block: Mapping[str, Any], labels: Mapping[str, str], *, prefix: str = ""
) -> list[list[Any]]:
    """(label, value) rows of a block's scalars: known keys by label, others by raw key.

    A key whose name ends in ``_ms`` and holds a duration >= 0 also shows the duration
    in the unit that suits it (``"608 ns (0.000608 ms)"``).
    """
    rows = []
    for key, value in flatten_scalars(block).items():
        if key in labels:
            duration = finite_number(value)
            if key.endswith("_ms") and duration is not None and duration >= 0:
                text = format_duration_ms(duration, 4)
                value = text if text.endswith(" ms") else f"{text} ({duration:.4g} ms)"
            rows.append([labels[key], value])
        elif not key.endswith("schema_version"):
            rows.append([f"`{prefix}{key}`", value])
    return rows


# ---- kinetics ------------------------------------------------------------------


def kinetics_table(kinetics: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Header (raw keys) and rows of the fitted event-time distributions (the CSV)."""
    header = ["event", "family", "mean_ps", "lower_bound_mean_ps", "n_events", "n_censored"]
    rows = []
    for kind in EVENT_KINDS:
        fit = kinetics.get(kind) or {}
        rows.append([kind, *(fit.get(key) for key in header[1:])])
    return header, rows


def _params_cell(fit: Mapping[str, Any]) -> str | None:
    params = json_block(fit, "params")
    cis = json_block(fit, "params_ci95")
    cells = []
    for name, value in params.items():
        estimate = Estimate.from_json(value, cis.get(name))
        cells.append(f"{name} = {_fmt(value) if estimate is None else estimate.text(4)}")
    return ", ".join(cells) or None


def _readable_kinetics_table(kinetics: Mapping[str, Any]) -> str:
    s = finite_number(json_block(kinetics, "time_calibration").get("time_scale_factor"))
    header = [
        "Event",
        "Best family (lowest AICc)",
        "Mean, simulated (ps)",
        "Mean, physical",
        "Fit parameters [95 % CI]",
        "Lower bound of mean, simulated (ps)",
        "Events",
        "Censored",
        "KS distance",
        "Goodness of fit p",
    ]
    rows = []
    for kind in EVENT_KINDS:
        fit = json_block(kinetics, kind)
        mean_ps = finite_number(fit.get("mean_ps"))
        physical = None
        if mean_ps is not None and s is not None and s > 0 and mean_ps >= 0:
            s_kind = rescaled_time_scale(kinetics, kind)
            physical = (
                format_duration_ms(mean_ps * s_kind / PS_PER_MS)
                if s_kind is not None
                else "not rescaled (below)"
            )
        rows.append(
            [
                _EVENT_NAMES.get(kind, kind),
                fit.get("family"),
                fit.get("mean_ps"),
                physical,
                _params_cell(fit),
                fit.get("lower_bound_mean_ps"),
                fit.get("n_events"),
                fit.get("n_censored"),
                fit.get("ks_distance"),
                fit.get("gof_pvalue"),
            ]
        )
    return markdown_table(header, rows)


_CALIBRATION_LABELS = {
    "status": "calibration status",
    "reason": "why",
    "D_sim_nm2_per_ns": "D_sim, transmitter diffusion in the MD, wall-corrected (nm²/ns)",
    "D_sim_stderr_nm2_per_ns": "standard error of D_sim (nm²/ns)",
    "D_uncorrected_nm2_per_ns": "straight-line D over the same window, no wall term (nm²/ns)",
    "D_target_nm2_per_ns": "D_target, physical diffusion (nm²/ns)",
    "time_scale_factor": "time-scale factor s = D_sim / D_target",
    "time_scale_factor_stderr": "standard error of s",
    "n_molecules": "molecules in the MSD",
    "n_dims": "MSD dimensions",
    "msd_dims": "MSD axes",
    "momentum_relaxation_ps": "momentum relaxation 1/γ (ps)",
    "confinement_nm": "fitted wall separation (nm)",
    "fit_rel_rms": "relative RMS deviation of the MSD model",
    "mean_free_path_nm": "mean free path √(kT/M)/γ (nm)",
    "momentum_relaxation_source": "momentum relaxation from",
}

_RESCALING_NAMES = {
    "first_passage": "first passages × s",
    "rebinding": "rebinding times × s",
    "dwell": "dwells × s",
}


def _calibration_rows(calibration: Mapping[str, Any]) -> list[list[Any]]:
    plain = {k: v for k, v in calibration.items() if k != "rescaling"}
    rows = _labelled_rows(plain, _CALIBRATION_LABELS, prefix="time_calibration.")
    window = calibration.get("fit_window_ps")
    if isinstance(window, list) and len(window) == 2:
        rows.append(["MSD fit window, simulated (ps)", f"{_fmt(window[0])} – {_fmt(window[1])}"])
    for kind, check in json_block(calibration, "rescaling").items():
        if not isinstance(check, Mapping):
            continue
        bias = finite_number(check.get("predicted_bias"))
        verdict = "yes" if check.get("rescaled") is True else "no"
        if bias is not None:
            verdict += f", predicted systematic error {100 * bias:+.0f} %"
        rows.append([_RESCALING_NAMES.get(kind, kind), f"{verdict} ({check.get('criterion')})"])
    return rows


_RATE_ROWS = (
    ("k_on_prime_per_ps", "k_on' = k_on [R], simulated time (1/ps)"),
    ("k_off_per_ps", "k_off, simulated time (1/ps)"),
    ("k_on_per_M_per_s", "k_on, physical time (M⁻¹ s⁻¹)"),
    ("k_off_per_s", "k_off, physical time (s⁻¹)"),
    ("K_d_M", "K_d = k_off / k_on (M)"),
)


def _rate_rows(rates: Mapping[str, Any]) -> list[list[Any]]:
    """Rates with 95 % CIs (or why they are missing), counts and literature values."""
    unavailable = json_block(rates, "unavailable")
    rows = []
    for key, label in _RATE_ROWS:
        estimate = Estimate.from_json(rates.get(key), rates.get(f"{key}_ci95"))
        text = estimate.text(3) if estimate is not None else f"— ({unavailable.get(key, 'n/a')})"
        rows.append([label, text])
    rows.append(
        [
            "transitions (binding / unbinding)",
            f"{rates.get('n_binding')} / {rates.get('n_unbinding')} over "
            f"{rates.get('n_series')} (replica, transmitter) series",
        ]
    )
    molar = finite_number(rates.get("receptor_molar"))
    if molar is not None:
        rows.append(["receptor concentration simulated (M)", _fmt(molar)])
    literature = json_block(rates, "literature")
    kon, koff = (
        literature.get("ampa_glutamate_k_on_M_per_s"),
        literature.get("ampa_glutamate_k_off_per_s"),
    )
    if isinstance(kon, list) and isinstance(koff, list) and len(kon) == len(koff) == 2:
        rows.append(
            [
                "AMPA receptor, literature",
                f"k_on {_fmt(kon[0])}–{_fmt(kon[1])} M⁻¹ s⁻¹, k_off {_fmt(koff[0])}–"
                f"{_fmt(koff[1])} s⁻¹ ({literature.get('source')})",
            ]
        )
    return rows


def _ci_text(value: Any, ci: Any) -> str | None:
    """``value [low, high]`` as every number of the summary (``_fmt``), the value alone
    without a CI, None without a finite value."""
    number = finite_number(value)
    if number is None:
        return None
    text = _fmt(number)
    if isinstance(ci, list | tuple) and len(ci) == 2:
        text += f" [{_fmt(ci[0])}, {_fmt(ci[1])}]"
    return text


def synapse_response_section(document: Mapping[str, Any]) -> str:
    """One release's response (``synapse_response.json``): cleft transient, receptors,
    the mean synapse's transmission probability and efficacy with 95 % CIs, and the AMPA
    scheme of Jonas, Major & Sakmann 1993 beside the MD rates' scheme."""
    cleft = json_block(document, "cleft")
    main = json_block(document, "response")
    ci = json_block(main, "ci95")
    blocks = [main] + ([document["comparison"]] if document.get("comparison") else [])
    rows = [
        ["transmitters per vesicle", _fmt(json_block(cleft, "geometry").get("n_transmitters"))],
        ["cleft D (µm²/ms)", _fmt(cleft.get("D_cleft_um2_per_ms"))],
        ["peak over the receptor patch (mM)", _fmt(cleft.get("peak_mM"))],
        ["fast decay of the patch mean (ms)", _fmt(cleft.get("fast_decay_ms"))],
        ["time integral over the patch (mM·ms)", _fmt(cleft.get("integral_mM_ms"))],
    ]
    header = ["Quantity", *(_SCHEME_NAMES.get(b.get("scheme"), b.get("scheme")) for b in blocks)]
    rows = [row + [""] * (len(blocks) - 1) for row in rows]
    per_scheme = (
        ("P(one receptor opens)", "p_open_single", None),
        ("PSP per receptor (mV)", "psp_per_receptor_mV", None),
        ("latency of the current's peak (ms)", "latency_ms", None),
    )
    for label, key, _ in per_scheme:
        rows.append([label, *(_fmt(b.get(key)) for b in blocks)])
    mean = (
        ("mean synapse: receptors", "n_receptors", None),
        ("mean synapse: p_transmit", "p_transmit", "mean_synapse_p_transmit"),
        ("mean synapse: efficacy (θ)", "efficacy_theta", "mean_synapse_efficacy_theta"),
        ("mean synapse: peak current (pA)", "peak_current_pA", None),
    )
    for label, key, ci_key in mean:
        cells = []
        for i, block in enumerate(blocks):
            value = json_block(block, "mean_synapse").get(key)
            cells.append(_ci_text(value, ci.get(ci_key) if i == 0 and ci_key else None))
        rows.append([label, *cells])
    return "\n".join(
        [
            "## Synapse response to one release",
            "",
            f"Source: {document.get('source')} rates; threshold depolarization "
            f"{_fmt(document.get('threshold_mV'))} mV (the unit θ of the efficacies). "
            "Brackets: 95 % CIs from the joint bootstrap draws of the MD k_on, k_off run "
            "through the same cleft, receptors and membrane (docs/synapse.md).",
            "",
            markdown_table(header, rows),
        ]
    )


_SCHEME_NAMES = {
    "two_state": "two-state, MD k_on, k_off",
    "jonas_major_sakmann_1993_ampa": "AMPA (Jonas et al. 1993)",
}


def _msm_rows(msm: Mapping[str, Any]) -> list[list[Any]]:
    """MSM passage times, their agreement with the direct rates and the Markov check."""
    if msm.get("status") == "omitted":
        return [["cross-check", f"omitted ({msm.get('reason')})"]]
    rows = [
        ["lag, simulated (ps)", msm.get("lag_ps")],
        ["mean binding time, simulated (ps)", msm.get("mfpt_on_ps")],
        ["mean unbinding time, simulated (ps)", msm.get("mfpt_off_ps")],
    ]
    for key, label in (("k_on_prime_per_ps", "k_on'"), ("k_off_per_ps", "k_off")):
        check = json_block(json_block(msm, "agreement"), key)
        ratio = finite_number(check.get("msm_over_direct"))
        if ratio is not None:
            inside = check.get("msm_inside_direct_ci95")
            where = "inside" if inside else "outside" if inside is False else "no CI for"
            rows.append([f"{label}: MSM / direct", f"{_fmt(ratio)} ({where} the direct 95 % CI)"])
    markov = json_block(msm, "markov_check")
    change = finite_number(markov.get("relative_change"))
    if change is not None:
        verdict = "Markovian" if markov.get("markovian") else "not yet Markovian: indicative only"
        rows.append(
            ["slowest implied time scale, 2 lag vs lag", f"{100 * change:+.0f} % ({verdict})"]
        )
    for key, reason in json_block(msm, "unavailable").items():
        rows.append([f"`msm.{key}`", reason])
    return rows


def kinetics_section(kinetics: Mapping[str, Any]) -> str:
    """Fits, time calibration, binding rates and the MSM cross-check of ``kinetics.json``.

    Parameters
    ----------
    kinetics : Mapping
        Content of ``kinetics.json``.

    Returns
    -------
    str
        Markdown: the fit table (simulated and physical means, parameters with 95 %
        CIs), the time calibration, the binding rates and the MSM cross-check.
    """
    s = finite_number(json_block(kinetics, "time_calibration").get("time_scale_factor"))
    total = finite_number(kinetics.get("simulated_ps_total"))
    intro = (
        "Waiting times are measured and fitted in simulated MD time (ps); physical time = "
        "simulated time × s"
        + (f" (s = {s:.4g}, below)" if s is not None else "")
        + ". Family = lowest AIC among the censoring-aware fits; scale parameters in "
        "simulated ps; brackets: 95 % CI."
    )
    if total is not None:
        intro += f" Total simulated time analysed: {total:.4g} ps."
    parts = ["## Kinetics (MD → first passage)", "", intro, "", _readable_kinetics_table(kinetics)]
    calibration = json_block(kinetics, "time_calibration")
    if calibration:
        parts += [
            "",
            "### Time calibration (simulated → physical time)",
            "",
            markdown_table(["Quantity", "Value"], _calibration_rows(calibration)),
        ]
    rates = json_block(kinetics, "binding_rates")
    if rates:
        parts += [
            "",
            "### Binding rates (two-state model of a transmitter: bound to any receptor / free)",
            "",
            "A model binding site (capped arginine peptides in implicit solvent), not an AMPA "
            "receptor: the literature row is for orientation, not a target. Physical rates "
            "exist only for event kinds that pass the rescaling check above.",
            "",
            markdown_table(["Quantity", "Value [95 % CI]"], _rate_rows(rates)),
        ]
    msm = json_block(kinetics, "msm")
    if msm:
        parts += [
            "",
            "### Markov-state-model cross-check (deeptime)",
            "",
            markdown_table(["Quantity", "Value"], _msm_rows(msm)),
        ]
    known = {*EVENT_KINDS, "time_calibration", "schema_version", "binding_rates", "msm"}
    known.add("simulated_ps_total")
    other = {key: value for key, value in kinetics.items() if key not in known}
    if flatten_scalars(other):
        parts += ["", markdown_table(["Other value (raw key)", "Value"], _raw_rows(other))]
    return "\n".join(parts)


def _raw_rows(data: Mapping[str, Any]) -> list[list[Any]]:
    return [[f"`{key}`", value] for key, value in flatten_scalars(data).items()]


# ---- network sweep and criticality --------------------------------------------


def _criticality_columns(records: Sequence[Mapping[str, Any]], max_columns: int) -> list[str]:
    """Keys of the run's own estimates (exponent values, statuses, branching ratios).

    A key is kept when its last component is one of ``_CRITICALITY_LEAVES`` and it is
    not a quoted reference value (``reference_*``); first-seen order.
    """
    columns: list[str] = []
    for flat in records:
        for key in flat:
            parts = key.split(".")
            if key in columns or parts[0].startswith("reference"):
                continue
            if parts[-1] in _CRITICALITY_LEAVES:
                columns.append(key)
    return columns[:max_columns]


def runs_table(
    runs: Sequence[NetworkRun], *, max_columns: int = 8
) -> tuple[list[str], list[list[Any]]]:
    """Header (raw keys) and rows (one per run): activity and criticality estimates (the CSV).

    Parameters
    ----------
    runs : sequence of NetworkRun
        At least one run.
    max_columns : int
        At most this many criticality columns (exponent values, fit statuses,
        branching ratios; quoted reference values and fit details left out).
    """
    if not runs:
        raise ValueError("runs must hold at least one network run")
    summaries = [read_json_object(run.summary_json) for run in runs]
    crit = [flatten_scalars(read_json_object(run.criticality_json)) for run in runs]
    columns = _criticality_columns(crit, max_columns)
    rows = [
        [
            run.regime,
            run.control,
            *(summary.get(key) for key in _RUN_KEYS),
            *(flat.get(key) for key in columns),
        ]
        for run, summary, flat in zip(runs, summaries, crit, strict=True)
    ]
    return ["regime", "control", *_RUN_KEYS, *columns], rows


def _symbol(summaries: Sequence[Mapping[str, Any]]) -> str:
    names = {summary.get("control_name") for summary in summaries} - {None}
    return control_symbol(names.pop()) if len(names) == 1 else "control"


def _estimates(runs: Sequence[NetworkRun]) -> list[RunEstimates]:
    return [read_run_estimates(run.regime, run.control, run.criticality_json) for run in runs]


def _gof_cell(run: RunEstimates) -> str | None:
    if run.gof_p_size is None and run.gof_p_duration is None:
        return None
    cell = f"{_fmt(run.gof_p_size)} / {_fmt(run.gof_p_duration)}"
    if run.support_size or run.support_duration:
        cell += f" (support {run.support_size or '-'} / {run.support_duration or '-'})"
    return cell


def runs_section(runs: Sequence[NetworkRun]) -> str:
    """The network sweep and criticality estimates, readable, with 95 % CIs.

    Parameters
    ----------
    runs : sequence of NetworkRun
        At least one run.

    Returns
    -------
    str
        Markdown: network activity per run, avalanche statistics per run (τ, α, γ,
        the crackling-noise prediction, branching ratios, shape collapse, goodness of
        fit) and why a part is undefined.
    """
    if not runs:
        raise ValueError("runs must hold at least one network run")
    summaries = [read_json_object(run.summary_json) for run in runs]
    estimates = _estimates(runs)
    symbol = _symbol(summaries)
    activity = markdown_table(
        [
            "Regime",
            symbol,
            "λ (95 % CI)",
            "σ mean field",
            "σ measured",
            "σ = 1 − 1/⟨S⟩ (kicks)",
            "Firing rate (Hz)",
            "Spikes",
            "Binned avalanches",
            "Causal avalanches",
        ],
        [
            [
                run.regime,
                run.control,
                _ci_text(summary.get("lambda"), summary.get("lambda_ci95")),
                *(summary.get(key) for key in _RUN_KEYS[1:]),
            ]
            for run, summary in zip(runs, summaries, strict=True)
        ],
    )
    statistics = markdown_table(
        [
            "Regime",
            symbol,
            "τ (sizes)",
            "α (durations)",
            "γ (⟨S⟩ ∝ T^γ)",
            "γ predicted (α−1)/(τ−1)",
            "Crackling relation within 95 % CI",
            "m, conventional",
            "m, multistep regression",
            "Shape collapse γ",
            "Power-law GOF p (sizes / durations), Clauset support",
        ],
        [
            [
                run.regime,
                run.control,
                _estimate_cell(run.tau),
                _estimate_cell(run.alpha),
                _estimate_cell(run.gamma),
                _estimate_cell(run.gamma_predicted),
                run.crackling_holds,
                _estimate_cell(run.m_conventional),
                _estimate_cell(run.m_multistep),
                run.collapse_gamma,
                _gof_cell(run),
            ]
            for run in estimates
        ],
    )
    parts = [
        "## Network sweep and criticality",
        "",
        "### Network activity",
        "",
        activity,
        "",
        "### Avalanche statistics",
        "",
        "Exponents are dimensionless; brackets: 95 % CI (bootstrap). τ: size distribution "
        "P(S) ∝ S^−τ; α: duration distribution P(T) ∝ T^−α; mean field: τ = 3/2, α = 2, "
        "γ = 2. m: branching ratio (critical at 1); the power law is plausible when its "
        "goodness-of-fit p > 0.1 (Clauset et al. 2009). A dash marks an undefined estimate.",
        "",
        statistics,
    ]
    flags = [
        f"- **{run.regime}, {symbol} = {run.control}**: {flag}"
        for run in estimates
        for flag in run.flags
    ]
    if flags:
        parts += ["", "Flagged runs (read their statistics with care):", "", *flags]
    notes = [
        f"- {run.regime}, {symbol} = {run.control}: {note}"
        for run in estimates
        for note in run.notes
    ]
    if notes:
        parts += ["", "Undefined estimates:", "", *notes]
    parts += _causal_and_scan_parts(runs, symbol)
    return "\n".join(parts)


def _exponent_text(block: Mapping[str, Any], key: str) -> str | None:
    exponent = json_block(json_block(block, "exponents"), key)
    estimate = Estimate.from_json(exponent.get("value"), exponent.get("ci95"))
    return None if estimate is None else estimate.text(3)


def _causal_and_scan_parts(runs: Sequence[NetworkRun], symbol: str) -> list[str]:
    """Exponents of the causal avalanches beside the binned ones, and the binned
    exponents across the bin scan (empty when no run has them)."""
    documents = [read_json_object(run.criticality_json) for run in runs]
    parts: list[str] = []
    if any("cascades" in document for document in documents):
        rows = []
        for run, document in zip(runs, documents, strict=True):
            cascades = json_block(document, "cascades")
            rows.append(
                [
                    run.regime,
                    run.control,
                    cascades.get("n_avalanches"),
                    _exponent_text(cascades, "tau"),
                    _exponent_text(cascades, "alpha"),
                    document.get("n_avalanches"),
                    _exponent_text(document, "tau"),
                    _exponent_text(document, "alpha"),
                    document.get("bin_ms"),
                ]
            )
        header = [
            "Regime",
            symbol,
            "Causal avalanches",
            "τ causal",
            "α causal (generations)",
            "Binned avalanches",
            "τ binned",
            "α binned (bins)",
            "Bin (ms)",
        ]
        parts += [
            "",
            "### Causal and binned avalanches",
            "",
            "Causal: a drive spike (kick) and every spike descending from it through the "
            "recorded parent of each spike, one per kick under slow drive; durations in "
            "generations. Binned: runs of non-empty bins as an experiment sees them, at "
            "the default bin of one maximal delay (the narrowest that never splits a "
            "cascade).",
            "",
            markdown_table(header, rows),
        ]
    scans = [document.get("bin_scan") for document in documents]
    if any(isinstance(scan, list) and scan for scan in scans):
        ratios = sorted(
            {
                entry.get("bin_over_max_delay")
                for scan in scans
                if isinstance(scan, list)
                for entry in scan
                if isinstance(entry, Mapping) and entry.get("bin_over_max_delay") is not None
            }
        )
        rows = []
        for run, scan in zip(runs, scans, strict=True):
            by_ratio = {
                entry.get("bin_over_max_delay"): entry
                for entry in (scan if isinstance(scan, list) else [])
                if isinstance(entry, Mapping)
            }
            cells = []
            for ratio in ratios:
                entry = by_ratio.get(ratio)
                cells.append(
                    None
                    if entry is None
                    else f"{_fmt(entry.get('tau'))} / {_fmt(entry.get('alpha'))} "
                    f"({entry.get('n_avalanches')})"
                )
            rows.append([run.regime, run.control, *cells])
        parts += [
            "",
            "### Bin-width scan",
            "",
            "τ / α (binned avalanches) at bin widths in units of the maximal synaptic "
            "delay (Beggs & Plenz 2003 practice): exponents that move with the bin "
            "measure the binning, not the network.",
            "",
            markdown_table(
                ["Regime", symbol, *(f"bin = {_fmt(ratio)} × max delay" for ratio in ratios)],
                rows,
            ),
        ]
    return parts


def flat_section(title: str, data: Mapping[str, Any]) -> str:
    """Every scalar of a JSON artifact as a two-column table (raw keys)."""
    flat = flatten_scalars(data)
    return "\n".join([f"## {title}", "", markdown_table(["key", "value"], flat.items())])


_DYNAMIC_RANGE_COLUMNS = {
    "regime": "Regime",
    "control_value": None,  # the control symbol
    "delta_db": "Δ (dB)",
    "h10_hz": "drive h₁₀ (Hz)",
    "h90_hz": "drive h₉₀ (Hz)",
    "f0_hz": "response F₀ (Hz)",
    "fmax_hz": "response F_max (Hz)",
    "note": "Note",
}


def _record_table(
    records: Sequence[Mapping[str, Any]], labels: Mapping[str, str | None], symbol: str
) -> str:
    """Rows of records under readable headers; keys without a label keep their raw name."""
    keys = list(labels)
    for record in records:
        keys += [key for key in record if key not in keys]
    header = [
        (symbol if key == "control_value" else labels[key]) if key in labels else f"`{key}`"
        for key in keys
    ]
    rows = [[_control_cell(record, key) for key in keys] for record in records]
    return markdown_table(header, rows)


def _control_cell(record: Mapping[str, Any], key: str) -> Any:
    value = record.get(key)
    if key == "control_value" and finite_number(value) is not None:
        return f"{value:g}"
    if isinstance(value, list | dict):
        return json.dumps(value)
    return value


def dynamic_range_section(dynamic_range: Mapping[str, Any], *, symbol: str = "σ0") -> str:
    """Dynamic range Δ per run and its peak per regime (``dynamic_range.json``).

    Parameters
    ----------
    dynamic_range : Mapping
        Content of ``dynamic_range.json``.
    symbol : str
        Display name of the control parameter.
    """
    parts = ["## Dynamic range across the control parameter", ""]
    for key, label in (("definition", "Definition"), ("prediction", "Prediction")):
        if isinstance(dynamic_range.get(key), str):
            parts.append(f"{label}: {dynamic_range[key]}.  ")
    records = [r for r in dynamic_range.get("runs", []) if isinstance(r, Mapping)]
    if records:
        parts += ["", _record_table(records, _DYNAMIC_RANGE_COLUMNS, symbol)]
    peaks = json_block(dynamic_range, "peak_per_regime")
    if peaks:
        rows = []
        for regime, peak in peaks.items():
            peak = peak if isinstance(peak, Mapping) else {}
            control = finite_number(peak.get("control_value"))
            rows.append(
                [
                    regime,
                    None if control is None else f"{control:g}",
                    peak.get("delta_db"),
                    peak.get("reason"),
                ]
            )
        parts += ["", markdown_table(["Regime", f"Peak at {symbol}", "Δ (dB)", "Note"], rows)]
    known = {"schema_version", "definition", "prediction", "runs", "peak_per_regime"}
    other = {key: value for key, value in dynamic_range.items() if key not in known}
    if flatten_scalars(other):
        parts += ["", markdown_table(["Other value (raw key)", "Value"], _raw_rows(other))]
    return "\n".join(parts).replace("\n\n\n", "\n\n")


def alignment_table(alignment: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Header and rows (one per run, then one per control model) of ``alignment.json``.

    Columns are the union of the rows' keys in first-seen order (raw keys: the CSV);
    a key a row lacks is None.
    """
    records = [
        record
        for key in ("runs", "controls")
        for record in alignment.get(key, [])
        if isinstance(record, Mapping)
    ]
    header: list[str] = []
    for record in records:
        header += [key for key in record if key not in header]
    return header, [[record.get(key) for key in header] for record in records]


def _criterion_cell(record: Mapping[str, Any], name: str) -> str:
    """``1.51 (p 0.98)``: a criterion's estimate and its probability within the margin."""
    value = finite_number(record.get(name))
    if value is None:
        return "undefined"
    probability = finite_number(record.get(f"{name}_probability"))
    return f"{value:.3g} (p {probability:.2f})" if probability is not None else f"{value:.3g}"


def _score_cell(record: Mapping[str, Any]) -> str:
    score, sd = finite_number(record.get("score")), finite_number(record.get("score_sd"))
    if score is None:
        return "-"
    return f"{score:.2f} ± {sd:.2f}" if sd is not None else f"{score:.2f}"


def _alignment_rows(records: Sequence[Mapping[str, Any]], names: Sequence[str]) -> list[list]:
    return [
        [
            record.get("regime"),
            record.get("control_label"),
            record.get("n_avalanches"),
            _score_cell(record),
            *(_criterion_cell(record, name) for name in names),
            record.get("flags") or "",
        ]
        for record in records
    ]


def alignment_section(alignment: Mapping[str, Any], *, symbol: str = "σ0") -> str:
    """The alignment score of every run and control model (``alignment.json``)."""
    parts = ["## Alignment with critical branching", ""]
    if isinstance(alignment.get("definition"), str):
        parts += [f"Definition: {alignment['definition']}.", ""]
    criteria = [c for c in alignment.get("criteria", []) if isinstance(c, Mapping)]
    margins = json_block(alignment, "margins")
    if criteria:
        rows = [
            [c.get("label"), c.get("reference"), margins.get(c.get("criterion")), c.get("source")]
            for c in criteria
        ]
        parts += [markdown_table(["Criterion", "Reference", "Margin", "Source"], rows), ""]
    names = [c.get("criterion") for c in criteria]
    columns = [
        "Avalanches",
        "Score ± SD",
        *(f"{c.get('label')} (p within margin)" for c in criteria),
        "Flags",
    ]
    tables = (
        ("runs", "Runs", ["Regime", symbol]),
        ("controls", "Control models on the same graph", ["Model", "σ0"]),
    )
    for key, title, first in tables:
        records = [r for r in alignment.get(key, []) if isinstance(r, Mapping)]
        if records:
            table = markdown_table([*first, *columns], _alignment_rows(records, names))
            parts += [f"{title}:", "", table, ""]
    known = {"schema_version", "definition", "criteria", "margins", "runs", "controls"}
    other = {key: value for key, value in alignment.items() if key not in known}
    if flatten_scalars(other):
        parts += [markdown_table(["Other value (raw key)", "Value"], _raw_rows(other)), ""]
    return "\n".join(parts).rstrip("\n")


# ---- run time and figures ------------------------------------------------------


def read_benchmarks(paths: Iterable[str | os.PathLike], root: str | os.PathLike) -> list[tuple]:
    """Wall time of each Snakemake benchmark file.

    Parameters
    ----------
    paths : iterable of path-like
        Benchmark TSV files (column ``s`` = wall-clock seconds).
    root : path-like
        Paths are reported relative to this.

    Returns
    -------
    list of (str, float)
        (relative path, seconds), sorted by path.
    """
    rows = []
    for path in paths:
        with open(path, encoding="utf-8", newline="") as handle:
            records = list(csv.DictReader(handle, delimiter="\t"))
        if not records or "s" not in records[0]:
            raise ValueError(f"{path}: not a Snakemake benchmark file (no 's' column)")
        seconds = sum(float(record["s"]) for record in records) / len(records)
        rows.append((os.path.relpath(path, root), seconds))
    return sorted(rows)


SWEEP_FIGURE_PREFIX = "sweep_all_"
"""Prefix of the sweep figures among the report's criticality figures (regime ``sweep``,
control ``all`` for the report's labels; ``run_collect_figures``)."""


def benchmark_section(rows: Sequence[tuple[str, float]]) -> str:
    """Wall time per benchmarked job and per stage (first directory below benchmarks/)."""
    if not rows:
        return "## Run time\n\n(no benchmark files)"
    per_stage: dict[str, float] = {}
    for path, seconds in rows:
        parts = Path(path).parts
        stage = parts[parts.index("benchmarks") + 1] if "benchmarks" in parts[:-1] else parts[0]
        per_stage[stage] = per_stage.get(stage, 0.0) + seconds
    return "\n".join(
        [
            "## Run time (Snakemake benchmarks, wall-clock s)",
            "",
            markdown_table(["stage", "sum of job wall time (s)"], per_stage.items()),
            "",
            markdown_table(["benchmark", "s"], rows),
        ]
    )


_FIGURE_TEXT = {
    "activation_raster": "spike raster around the largest avalanche (network time, ms)",
    "activation_cascade": "the largest avalanche drawn on the network",
    "model_comparison": "avalanche sizes and profiles beside the reference models",
    "first_passage": "first-passage times: histogram with the best fit, Kaplan–Meier "
    "survival (simulated ps)",
    "dwell": "dwell times: histogram with the best fit, Kaplan–Meier survival (simulated ps)",
    "rebinding": "rebinding times: histogram with the best fit, Kaplan–Meier survival "
    "(simulated ps)",
    "surfaces": "first-passage density F(r, t) and occupation P(r, t) (simulated ps)",
    "msd": "transmitter MSD and the fitted D_sim behind the time-scale factor (simulated ps)",
    "dynamic_range": "response curves F(h) and dynamic range Δ against the control parameter",
    "exponents": "τ, α, γ of every run and reference model beside mean field",
}
_RUN_FIGURES = {
    "avalanche_distributions": "Avalanche sizes, durations, ⟨S⟩(T)",
    "branching_ratio": "Branching ratio r_k",
    "shape_collapse": "Shape collapse",
}


def _figure_groups(
    figures: Sequence[Path], root: Path
) -> tuple[dict[str, list[Path]], dict[tuple[str, str], dict[str, Path]]]:
    groups: dict[str, list[Path]] = {
        "Activation patterns": [],
        "Kinetics": [],
        "Criticality across the sweep": [],
        "Other": [],
    }
    per_run: dict[tuple[str, str], dict[str, Path]] = {}
    for path in figures:
        rel = Path(os.path.relpath(path, root))
        parent = rel.parent.name
        if parent == "kinetics":
            groups["Kinetics"].append(rel)
        elif parent == "criticality":
            if rel.stem.startswith(SWEEP_FIGURE_PREFIX):
                groups["Criticality across the sweep"].append(rel)
                continue
            regime = next((r for r in REGIMES if rel.stem.startswith(f"{r}_")), None)
            rest = rel.stem[len(regime) + 1 :] if regime else ""
            control, _, name = rest.partition("_")
            if regime and name:
                per_run.setdefault((regime, control), {})[name] = rel
            else:
                groups["Other"].append(rel)
        elif parent == "figures":
            groups["Activation patterns"].append(rel)
        else:
            groups["Other"].append(rel)
    return groups, per_run


def _figure_order(rel: Path) -> tuple[int, str]:
    known = list(_FIGURE_TEXT)
    stem = rel.stem.removeprefix(SWEEP_FIGURE_PREFIX)
    return (known.index(stem) if stem in known else len(known), rel.name)


def _figure_line(rel: Path) -> str:
    text = _FIGURE_TEXT.get(rel.stem.removeprefix(SWEEP_FIGURE_PREFIX))
    link = f"[{rel.name}]({rel.as_posix()})"
    return f"- {link}: {text}" if text else f"- {link}"


def _control_key(control: str) -> tuple[float, str]:
    try:
        return float(control), control
    except ValueError:
        return math.inf, control


def figures_section(
    figures: Iterable[str | os.PathLike], root: str | os.PathLike, *, symbol: str = "σ0"
) -> str:
    """Every figure, grouped by stage, linked relative to ``root`` (the summary's folder).

    Parameters
    ----------
    figures : iterable of path-like
        PNG files or directories (their ``**/*.png`` are listed).
    root : path-like
        Links are relative to this (``R/report``).
    symbol : str
        Display name of the control parameter.

    Returns
    -------
    str
        Markdown; ``"## Figures\\n\\n(none)"`` when there is no figure.
    """
    root = Path(root)
    paths: list[Path] = []
    for item in figures:
        item = Path(item)
        paths += sorted(item.rglob("*.png")) if item.is_dir() else [item]
    if not paths:
        return "## Figures\n\n(none)"
    groups, per_run = _figure_groups(paths, root)
    parts = [
        "## Figures",
        "",
        f"{len(paths)} figures (PNG, linked relative to this file; each stage also writes "
        "an SVG beside its original under the stage's `figures/` folder). Kinetics axes "
        "are in simulated MD time (ps); network and avalanche axes in network time (ms) "
        "or time bins.",
    ]
    for title in ("Activation patterns", "Kinetics"):
        if groups[title]:
            parts += ["", f"### {title} ({len(groups[title])})", ""]
            parts += [_figure_line(rel) for rel in sorted(groups[title], key=_figure_order)]
    if per_run:
        names = [name for name in _RUN_FIGURES if any(name in f for f in per_run.values())]
        names += sorted({n for f in per_run.values() for n in f} - set(names))
        order = sorted(
            per_run,
            key=lambda run: (
                REGIMES.index(run[0]) if run[0] in REGIMES else len(REGIMES),
                _control_key(run[1]),
            ),
        )
        rows = [
            [
                run[0],
                run[1],
                *(
                    f"[PNG]({per_run[run][name].as_posix()})" if name in per_run[run] else None
                    for name in names
                ),
            ]
            for run in order
        ]
        count = sum(len(f) for f in per_run.values())
        parts += [
            "",
            f"### Criticality per run ({count})",
            "",
            markdown_table(
                ["Regime", symbol, *(_RUN_FIGURES.get(name, name) for name in names)], rows
            ),
        ]
    for title in ("Criticality across the sweep", "Other"):
        if groups[title]:
            parts += ["", f"### {title} ({len(groups[title])})", ""]
            parts += [_figure_line(rel) for rel in groups[title]]
    return "\n".join(parts)


# ---- the whole summary ------------------------------------------------------------


def _headline_section(kinetics, estimates, dynamic_range, alignment, symbol) -> str:
    headlines = [
        *kinetics_headlines(kinetics),
        *criticality_headlines(estimates, symbol=symbol),
        *dynamic_range_headlines(dynamic_range, symbol=symbol),
    ]
    conclusion = conclusion_paragraph(
        kinetics=kinetics,
        runs=estimates,
        dynamic_range=dynamic_range,
        alignment=alignment,
        symbol=symbol,
    )
    parts = ["## Conclusion", "", conclusion or "(no numbers to conclude from)"]
    if headlines:
        parts += ["", "## Headline numbers", ""]
        parts += [f"- **{headline.label}**: {headline.text}" for headline in headlines]
    return "\n".join(parts)


def build_summary(
    config: Mapping[str, Any],
    *,
    provenance_block: Mapping[str, Any],
    kinetics_json: str | os.PathLike,
    runs: Sequence[NetworkRun],
    dynamic_range_json: str | os.PathLike,
    alignment_json: str | os.PathLike,
    synapse_json: str | os.PathLike,
    benchmark_rows: Sequence[tuple[str, float]] = (),
    figures: Iterable[str | os.PathLike] = (),
    figure_root: str | os.PathLike | None = None,
) -> str:
    """The full ``summary.md`` text.

    Parameters
    ----------
    config : Mapping
        Validated configuration (replica count and sweep are quoted).
    provenance_block : Mapping
        ``synsoc.provenance.provenance(config)``.
    kinetics_json, dynamic_range_json, alignment_json : path-like
        Contract artifacts.
    synapse_json : path-like
        ``R/network/synapse/synapse_response.json``.
    runs : sequence of NetworkRun
    benchmark_rows : sequence of (str, float)
        From :func:`read_benchmarks`.
    figures : iterable of path-like
        Figures (PNG files or directories of them) listed, grouped by stage, at the end.
    figure_root : path-like, optional
        Figure links are relative to this (the summary's folder); required with
        ``figures``.

    Returns
    -------
    str
        Markdown text ending in a newline.
    """
    figures = list(figures)
    if figures and figure_root is None:
        raise ValueError("figure_root is required when figures are given")
    versions = provenance_block.get("package_versions", {})
    shown = ", ".join(f"{name} {versions[name]}" for name in sorted(versions))
    sweep = config.get("network", {}).get("sweep", {})
    kinetics = read_json_object(kinetics_json)
    dynamic_range = read_json_object(dynamic_range_json)
    alignment = read_json_object(alignment_json)
    symbol = _symbol([read_json_object(run.summary_json) for run in runs])
    estimates = _estimates(runs)
    parts = [
        "# synsoc results summary",
        "",
        f"- config hash: `{provenance_block.get('config_hash', '?')}`",
        f"- MD replicas: {config.get('md', {}).get('replicas', '?')}; "
        f"sweep regimes {sweep.get('regimes', '?')} × control values "
        f"{sweep.get('control_values', '?')}",
        f"- software: {shown}",
        "- HTML report with every figure: `snakemake --report report.html` (add the run's "
        "`--configfile` when it was not the default); machine-readable tables with the "
        "artifacts' raw keys: `tables/kinetics.csv`, `tables/criticality.csv`, "
        "`tables/alignment.csv`",
        "",
        _headline_section(kinetics, estimates, dynamic_range, alignment, symbol),
        "",
        kinetics_section(kinetics),
        "",
        synapse_response_section(read_json_object(synapse_json)),
        "",
        runs_section(runs),
        "",
        dynamic_range_section(dynamic_range, symbol=symbol),
        "",
        alignment_section(alignment, symbol=symbol),
        "",
        benchmark_section(benchmark_rows),
    ]
    if figures:
        parts += ["", figures_section(figures, figure_root, symbol=symbol)]
    return "\n".join(parts) + "\n"


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text of a table (None written as an empty cell), one line per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(["" if value is None else value for value in row] for row in rows)
    return buffer.getvalue()
