"""Figures of the criticality stage (PNG + SVG via ``synsoc.io.save_figure``).

Time on these axes is network time: durations and lags in time bins, whose width (ms)
the labels quote when the run's ``criticality.json`` gives it; rates in Hz.

Every per-run figure names its run (regime and control value), the number of avalanches
and the bin width in its title; each panel states the numbers behind it as
``criticality.json`` holds them (exponents with their 95 % intervals, the fit range,
the goodness-of-fit p-value and the power-law verdict), and the run's ``flags``
(:mod:`analysis.criticality.flags`) appear as a red banner on every figure of the run.
"""

from __future__ import annotations

import logging
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import NullFormatter  # noqa: E402
from scipy import special  # noqa: E402

from analysis.criticality.scaling import mean_size_per_duration  # noqa: E402
from synsoc.io import save_figure  # noqa: E402
from synsoc.layout import PHYSICAL  # noqa: E402

__all__ = ["plot_run", "run_figures", "run_title", "plot_dynamic_range", "plot_exponent_table"]

logger = logging.getLogger(__name__)

_EXPONENT_LABELS = {"tau": "τ (sizes)", "alpha": "α (durations)", "gamma": "γ (⟨S⟩ ∝ T^γ)"}
_CONTROL_NOTE = {
    "depressing": " (fully recovered synapses)",
    "homeostatic": " (initial thresholds)",
}
"""What a numeric target λ refers to in each regime (docs/network.md, control values)."""

_PANEL_FONT = 7.5  # pt, the statistics above each panel
_PANEL_CHARS = 62  # wrap width of those lines (characters, fits a 3.6 in wide panel)
_HEADER_FONT = 10  # pt, the run's title
_BANNER_FONT = 8  # pt, the flags
_LINE_IN = 1.45 / 72  # line height per pt of font size (inches)
_FLAG_RED = "#b00000"


def run_title(run: str) -> str:
    """A run's label in words: regime and what its control value means.

    Parameters
    ----------
    run : str
        ``"regime/control"`` (``criticality.json``'s ``run``); any other text is
        returned unchanged.

    Returns
    -------
    str
        E.g. ``"static, target λ = 1"``, ``"depressing, target λ = 1.5 (fully recovered
        synapses)"``, ``"static, physical synapses (MD-measured kinetics)"`` or, for
        ``"reference/subcritical_branching"``, ``"control model subcritical branching"``.
    """
    regime, sep, control = run.partition("/")
    if not sep:
        return run
    if regime == "reference":  # criticality_reference: R/criticality/reference/{model}
        return f"control model {control.replace('_', ' ')}"
    if control == PHYSICAL:
        return f"{regime}, physical synapses (MD-measured kinetics)"
    return f"{regime}, target λ = {control}{_CONTROL_NOTE.get(regime, '')}"


def _run_short(regime: str, control: str) -> str:
    """Compact run name for legends and tick labels: ``"static, λ = 1"``."""
    if control == PHYSICAL:
        return f"{regime}, physical (MD)"
    return f"{regime}, λ = {control}"


def _bins_unit(bin_ms: float | None) -> str:
    """``"bins of 1 ms"``, or ``"bins"`` when the width is not known."""
    return f"bins of {bin_ms:g} ms" if bin_ms else "bins"


def _is_undefined(block: Any) -> bool:
    """True for a missing part or a ``{"status": "undefined", "reason": ...}`` block."""
    return not isinstance(block, Mapping) or block.get("status") == "undefined"


def _estimate(symbol: str, block: Mapping, fmt: str = ".3g") -> str:
    """``"τ = 1.51 [1.46, 1.55]"`` from a ``{"value", "ci95"}`` block of the JSON."""
    text = f"{symbol} = {block['value']:{fmt}}"
    ci = block.get("ci95")
    return text + (f" [{ci[0]:{fmt}}, {ci[1]:{fmt}}]" if ci else " (no CI)")


def _wrap(lines: Sequence[str], width: int = _PANEL_CHARS) -> str:
    """Each line wrapped to ``width`` characters, continuations indented."""
    return "\n".join(textwrap.fill(line, width, subsequent_indent="  ") for line in lines)


def _distribution_lines(summary: Mapping, key: str, name: str, symbol: str, unit: str) -> list[str]:
    """Exponent with CI, fit range, GOF p-value and verdict of sizes or durations."""
    exponents = summary["exponents"]
    if _is_undefined(exponents):
        return [f"no power-law fit: {exponents.get('reason')}"]
    block = exponents[key]
    fit = block["fit"]
    greek = "τ" if key == "tau" else "α"
    lines = [
        f"{_estimate(greek, block)} (95 % CI)",
        f"fit range {symbol} ≥ {fit['xmin']:g} {unit}: "
        f"{fit['n_tail']} of {fit['n_total']} avalanches",
    ]
    gof = summary["goodness_of_fit"]
    gof = gof if _is_undefined(gof) else gof[name]
    if _is_undefined(gof):
        lines.append(f"GOF undefined: {gof.get('reason')}")
    else:
        lines.append(f"GOF p = {gof['p_value']:.2g} ({gof['n_bootstrap']} bootstraps)")
    verdict = summary["power_law_verdict"][name]
    if verdict["plausible"]:
        cutoff = "; truncated power law preferred (cut-off)" if verdict["cutoff"] else ""
        support = f" (support: {verdict['support']})" if "support" in verdict else ""
        lines.append(f"power law plausible{support}{cutoff}")
    else:
        lines.append("power law not plausible: " + "; ".join(verdict["reasons"]))
    return lines


def _gamma_lines(summary: Mapping) -> list[str]:
    """γ with its CI and fit window, and the crackling-noise prediction."""
    exponents = summary["exponents"]
    if _is_undefined(exponents):
        return [f"γ not fitted: {exponents.get('reason')}"]
    gamma, relation = exponents["gamma"], exponents["scaling_relation"]
    predicted = _estimate(
        "predicted (α−1)/(τ−1)",
        {"value": relation["gamma_predicted"], "ci95": relation["gamma_predicted_ci95"]},
    )
    if _is_undefined(gamma):
        return [f"γ undefined: {gamma.get('reason')}", predicted]
    lo, hi = gamma["duration_range_bins"]
    holds = "yes" if relation["holds_within_ci95"] else "no"
    return [
        f"{_estimate('γ', gamma)} (95 % CI)",
        f"fit window {lo} ≤ T ≤ {hi} bins ({gamma['method']})",
        predicted,
        f"scaling relation γ = (α−1)/(τ−1) holds within 95 % CI: {holds}",
    ]


def _collapse_lines(summary: Mapping) -> list[str]:
    """Collapse γ, its error and durations, beside γ of ⟨S⟩(T)."""
    collapse = summary["shape_collapse"]
    durations = collapse["durations_bins"]
    lines = [
        f"collapse γ = {collapse['gamma']:.3g} (no CI; minimises the collapse error "
        f"{collapse['collapse_error']:.2g})",
        f"{collapse['n_durations']} durations T = {min(durations)}–{max(durations)} bins",
    ]
    gamma = summary["exponents"].get("gamma")
    if not _is_undefined(gamma):
        lines.append(f"compare ⟨S⟩(T): {_estimate('γ', gamma)}")
    return lines


def _branching_lines(summary: Mapping) -> list[str]:
    """m and r_1 with their CIs, the autocorrelation time and any note."""
    branching = summary["branching_ratio"]
    lines = [
        _estimate(
            "m (multistep regression)",
            {
                "value": branching["multistep_regression"],
                "ci95": branching["multistep_regression_ci95"],
            },
            ".4g",
        )
        + " (95 % CI)",
        _estimate(
            "r_1 (conventional)",
            {"value": branching["conventional"], "ci95": branching["conventional_ci95"]},
            ".4g",
        ),
    ]
    tau = branching["autocorrelation_time_bins"]
    lines.append(
        f"autocorrelation time −1/ln m = {tau:.3g} bins"
        if tau is not None
        else "autocorrelation time undefined: m ≥ 1, activity does not decay"
    )
    if branching["note"] != "ok":
        lines.append(branching["note"])
    return lines


@dataclass(frozen=True)
class _Band:
    """The top of a run's figure: title lines, flag banner (empty: none), height (in)."""

    header: str
    banner: str
    height_in: float


def _band(title: str, summary: Mapping, width_in: float) -> _Band:
    """Title naming the figure, the run, its avalanche count and bin width; flag banner."""
    n = summary["n_avalanches"]
    bins = f"time bins of {summary['bin_ms']:g} ms" if summary["bin_ms"] else "bin width unknown"
    header = f"{title}: {run_title(summary['run'])}\n{n} avalanche{'' if n == 1 else 's'}, {bins}"
    messages = [f"FLAG: {flag['message']}" for flag in summary.get("flags", [])]
    banner = _wrap(messages, int(width_in * 72 / (0.6 * _BANNER_FONT))) if messages else ""
    height_in = 0.1 + 2 * _HEADER_FONT * _LINE_IN
    if banner:
        height_in += (banner.count("\n") + 1) * _BANNER_FONT * _LINE_IN + 0.2
    return _Band(header, banner, height_in)


def _figure(ncols: int, width_in: float, axes_in: float, band: _Band):
    """Figure of ``ncols`` panels ``axes_in`` high (inches) below room for ``band``."""
    fig, axes = plt.subplots(1, ncols, figsize=(width_in, axes_in + band.height_in), squeeze=False)
    return fig, axes[0]


def _finish(fig: Figure, band: _Band) -> Figure:
    """Lay the panels out below the band, then draw the title and the red flag banner."""
    height = fig.get_figheight()
    fig.tight_layout(rect=(0, 0, 1, 1 - band.height_in / height))
    fig.suptitle(band.header, y=1 - 0.05 / height, va="top", fontsize=_HEADER_FONT)
    if band.banner:
        fig.text(
            0.5,
            1 - (0.15 + 2 * _HEADER_FONT * _LINE_IN) / height,
            band.banner,
            ha="center",
            va="top",
            color="white",
            fontsize=_BANNER_FONT,
            fontweight="bold",
            bbox={"boxstyle": "square,pad=0.4", "facecolor": _FLAG_RED, "edgecolor": "none"},
        )
    return fig


def _stats_title(ax, lines: Sequence[str]) -> None:
    """The numbers behind a panel, as its left-aligned title."""
    ax.set_title(_wrap(lines), fontsize=_PANEL_FONT, loc="left")


def _log_axes(ax) -> None:
    """Log-log axes labelled at powers of ten only (minor labels crowd short ranges)."""
    ax.set_xscale("log")
    ax.set_yscale("log")
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_minor_formatter(NullFormatter())


def _no_data(ax, text: str) -> None:
    """``text`` in the middle of empty axes."""
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="gray")


def _ccdf(ax, data: np.ndarray, fit, label: str, unit: str, symbol: str) -> None:
    """Empirical P(X ≥ x) of ``data`` and, when ``fit`` is given, its power-law tail."""
    ax.set_xlabel(f"{label} ({unit})")
    ax.set_ylabel(f"P({symbol} ≥ x) (fraction of avalanches)")
    if data.size == 0:
        _no_data(ax, "no avalanches")
        return
    values, counts = np.unique(data, return_counts=True)
    surv = 1.0 - np.concatenate(([0], np.cumsum(counts)[:-1])) / data.size  # P(X >= x)
    _log_axes(ax)
    ax.plot(values, surv, ".", ms=3, label="data")
    if fit is not None:
        x = values[values >= fit.xmin]
        tail_fraction = fit.n_tail / data.size
        model = tail_fraction * special.zeta(fit.alpha, x) / special.zeta(fit.alpha, fit.xmin)
        ax.plot(x, model, "-", label=f"power law above {symbol} = {fit.xmin:g}")
        ax.axvline(fit.xmin, color="gray", lw=0.6, ls=":")
    ax.legend(fontsize=7, loc="upper right")


def _mean_size(ax, sizes: np.ndarray, durations: np.ndarray, scaling, bins: str) -> None:
    """⟨S⟩(T) and, when γ is defined, its fitted slope over the fit window."""
    ax.set_xlabel(f"duration T ({bins})")
    ax.set_ylabel("mean size ⟨S⟩ (spikes)")
    if sizes.size == 0:
        _no_data(ax, "no avalanches")
        return
    t, mean_s, _ = mean_size_per_duration(sizes, durations)
    _log_axes(ax)
    ax.plot(t, mean_s, ".", ms=3, label="⟨S⟩(T)")
    if scaling is not None and scaling.gamma is not None:
        lo, hi = scaling.gamma_range_bins
        window = (t >= lo) & (t <= hi)
        log_anchor = np.mean(np.log(mean_s[window]) - scaling.gamma * np.log(t[window]))
        ax.plot(
            t[window],
            np.exp(log_anchor) * t[window] ** scaling.gamma,
            "-",
            label=f"slope γ over {lo}–{hi} bins",
        )
    ax.legend(fontsize=7, loc="lower right")


def _distributions_figure(avalanches, scaling, summary: Mapping) -> Figure:
    bins = _bins_unit(summary["bin_ms"])
    band = _band("Avalanche sizes and durations", summary, 12.0)
    fig, axes = _figure(3, 12.0, 3.9, band)
    sizes = avalanches["size"].to_numpy()
    durations = avalanches["duration_bins"].to_numpy()
    size_fit = None if scaling is None else scaling.size_fit
    duration_fit = None if scaling is None else scaling.duration_fit
    _ccdf(axes[0], sizes, size_fit, "size S", "spikes", "S")
    _stats_title(axes[0], _distribution_lines(summary, "tau", "size", "S", "spikes"))
    _ccdf(axes[1], durations, duration_fit, "duration T", bins, "T")
    _stats_title(axes[1], _distribution_lines(summary, "alpha", "duration", "T", "bins"))
    _mean_size(axes[2], sizes, durations, scaling, bins)
    _stats_title(axes[2], _gamma_lines(summary))
    return _finish(fig, band)


def _collapse_figure(collapse, summary: Mapping) -> Figure:
    bins = _bins_unit(summary["bin_ms"])
    band = _band("Shape collapse", summary, 5.0)
    fig, axes = _figure(1, 5.0, 3.9, band)
    ax = axes[0]
    shown = sorted(collapse.profiles)
    shown = [shown[i] for i in np.unique(np.linspace(0, len(shown) - 1, 12).astype(int))]
    for duration in shown:
        profile = collapse.profiles[duration]
        x = (np.arange(duration) + 0.5) / duration
        ax.plot(x, profile / duration ** (collapse.gamma - 1.0), lw=0.8, label=f"T = {duration}")
    ax.set_xlabel("scaled time t / T (dimensionless)")
    ax.set_ylabel("s(t, T) / T^(γ−1) (spikes per bin, rescaled)")
    ax.legend(fontsize=6, ncol=2, title=f"duration ({bins})", title_fontsize=6)
    _stats_title(ax, _collapse_lines(summary))
    return _finish(fig, band)


def _branching_figure(branching, summary: Mapping) -> Figure:
    bins = _bins_unit(summary["bin_ms"])
    band = _band("Branching ratio", summary, 5.0)
    fig, axes = _figure(1, 5.0, 3.9, band)
    ax = axes[0]
    k = np.arange(1, branching.slopes.size + 1)
    ax.plot(k, branching.slopes, ".", label="r_k")
    ax.plot(k, branching.mr_amplitude * branching.mr**k, "-", label="MR fit r_k = b m^k")
    ax.set_xlabel(f"lag k ({bins})")
    ax.set_ylabel("regression slope r_k (dimensionless)")
    ax.legend(fontsize=7)
    _stats_title(ax, _branching_lines(summary))
    return _finish(fig, band)


def run_figures(avalanches, objects: Mapping, summary: Mapping) -> dict[str, Figure]:
    """Draw the figures of one run (open; the caller saves and closes them).

    Parameters
    ----------
    avalanches : pandas.DataFrame
        The run's avalanches (``size`` in spikes, ``duration_bins``); may be empty.
    objects : Mapping
        Result objects from :func:`analysis.criticality.analyse_avalanches` (``scaling``,
        ``collapse``, ``branching``; a missing key is an undefined part).
    summary : Mapping
        The run's ``criticality.json`` content: ``run``, ``n_avalanches``, ``bin_ms``,
        ``exponents``, ``goodness_of_fit``, ``power_law_verdict``, ``shape_collapse``,
        ``branching_ratio`` and ``flags`` (absent: no flag).

    Returns
    -------
    dict of str to matplotlib.figure.Figure
        ``avalanche_distributions`` always (data without fit when the exponents are
        undefined, empty axes without avalanches); ``shape_collapse`` and
        ``branching_ratio`` when those parts are defined.
    """
    figures = {
        "avalanche_distributions": _distributions_figure(
            avalanches, objects.get("scaling"), summary
        )
    }
    if objects.get("collapse") is not None:
        figures["shape_collapse"] = _collapse_figure(objects["collapse"], summary)
    if objects.get("branching") is not None:
        figures["branching_ratio"] = _branching_figure(objects["branching"], summary)
    return figures


def plot_run(avalanches, objects: Mapping, fig_dir: str | Path, *, summary: Mapping) -> list[Path]:
    """Save the figures of one run: CCDFs with fits, ⟨S⟩(T), collapsed shapes, r_k.

    Parameters
    ----------
    avalanches : pandas.DataFrame
        The run's avalanches.
    objects : Mapping
        Result objects from :func:`analysis.criticality.analyse_avalanches`.
    fig_dir : path-like
        Destination directory (created).
    summary : Mapping
        The run's ``criticality.json`` content (:func:`run_figures`).

    Returns
    -------
    list of pathlib.Path
        Files written, PNG and SVG per figure (see :func:`run_figures`).
    """
    fig_dir = Path(fig_dir)
    fig_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for stem, fig in run_figures(avalanches, objects, summary).items():
        written += save_figure(fig, fig_dir / stem)
        plt.close(fig)
    return written


def plot_dynamic_range(curves: list[dict], stem: str | Path) -> list[Path]:
    """Response curves F(h) and dynamic range against the control parameter.

    Parameters
    ----------
    curves : list of dict
        Each with ``regime``, ``control_value`` (target λ, None for a physical run),
        ``control_label``, ``drive_rate_hz``, ``response_rate_hz`` (arrays) and
        ``delta_db`` (float or None). Physical runs have no place on the control axis of
        the right panel; their Δ is a dashed horizontal line.
    stem : path-like
        Destination without suffix.
    """
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
    for curve in curves:
        order = np.argsort(curve["drive_rate_hz"])
        axes[0].semilogx(
            np.asarray(curve["drive_rate_hz"])[order],
            np.asarray(curve["response_rate_hz"])[order],
            label=_run_short(curve["regime"], curve["control_label"]),
            lw=0.9,
        )
    axes[0].set_xlabel("drive rate h (Hz)")
    axes[0].set_ylabel("response rate F (Hz)")
    axes[0].legend(fontsize=6)
    for regime in sorted({c["regime"] for c in curves}):
        pts = [
            (c["control_value"], c["delta_db"])
            for c in curves
            if c["regime"] == regime
            and c["delta_db"] is not None
            and c["control_value"] is not None
        ]
        if pts:
            pts.sort()
            axes[1].plot(*zip(*pts, strict=True), "o-", label=regime)
    for curve in curves:
        if curve["control_value"] is None and curve["delta_db"] is not None:
            axes[1].axhline(
                curve["delta_db"],
                ls="--",
                lw=0.8,
                label=_run_short(curve["regime"], curve["control_label"]),
            )
    axes[1].set_xlabel("target spectral radius λ (dimensionless)")
    axes[1].set_ylabel("dynamic range Δ (dB)")
    axes[1].legend(fontsize=7)
    fig.tight_layout()
    written = save_figure(fig, stem)
    plt.close(fig)
    return written


def _row_label(name: str) -> str:
    """Tick label of an exponent row: a run ``"regime/control"`` in words, else as is."""
    regime, sep, control = name.partition("/")
    return _run_short(regime, control) if sep else name


def plot_exponent_table(rows: list[dict], stem: str | Path) -> list[Path]:
    """Exponents of every run and control model beside mean field / Beggs & Plenz.

    Parameters
    ----------
    rows : list of dict
        Each with ``name`` (``"regime/control"`` for a run, ``"control:<model>"`` for a
        control model), ``tau``, ``alpha``, ``gamma`` (float or None; None is marked
        "no fit").
    stem : path-like
    """
    fig, ax = plt.subplots(figsize=(max(5.0, 0.5 * len(rows) + 2), 3.6))
    x = np.arange(len(rows))
    for offset, key in zip((-0.25, 0.0, 0.25), ("tau", "alpha", "gamma"), strict=True):
        values = [np.nan if r[key] is None else r[key] for r in rows]
        ax.bar(x + offset, values, width=0.25, label=_EXPONENT_LABELS[key])
    for i, row in enumerate(rows):
        if all(row[key] is None for key in ("tau", "alpha")):
            ax.text(i, 0.05, "no fit", rotation=90, ha="center", va="bottom", fontsize=7)
    for level, text in ((1.5, "τ mean field / Beggs & Plenz"), (2.0, "α, γ mean field")):
        ax.axhline(level, color="gray", lw=0.6, ls="--")
        ax.text(len(rows) - 0.5, level, text, fontsize=7, va="bottom", ha="right")
    ax.set_xticks(x, [_row_label(r["name"]) for r in rows], rotation=45, ha="right", fontsize=7)
    ax.set_xlabel("run (regime, target λ) or control model (name)")
    ax.set_ylabel("exponent (dimensionless)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    written = save_figure(fig, stem)
    plt.close(fig)
    return written
