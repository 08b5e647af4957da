"""Figures of the criticality stage (PNG + SVG via ``synsoc.io.save_figure``).

Time on these axes is network time: durations and lags in time bins, whose width (ms)
the labels quote when the avalanche table gives it; rates in Hz.
"""

from __future__ import annotations

import logging
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from scipy import special  # noqa: E402

from analysis.criticality.scaling import mean_size_per_duration  # noqa: E402
from synsoc.io import save_figure  # noqa: E402

__all__ = ["plot_run", "plot_dynamic_range", "plot_exponent_table"]

logger = logging.getLogger(__name__)


def _ccdf(ax, data, fit, label, unit, symbol):
    values, counts = np.unique(data, return_counts=True)
    surv = 1.0 - np.concatenate(([0], np.cumsum(counts)[:-1])) / data.size  # P(X >= x)
    ax.loglog(values, surv, ".", ms=3, label="data")
    x = values[values >= fit.xmin]
    tail_fraction = fit.n_tail / data.size
    model = tail_fraction * special.zeta(fit.alpha, x) / special.zeta(fit.alpha, fit.xmin)
    ax.loglog(x, model, "-", label=f"power law, exponent {fit.alpha:.3f}")
    ax.set_xlabel(f"{label} ({unit})")
    ax.set_ylabel(f"P({symbol} ≥ x) (fraction of avalanches)")
    ax.legend(fontsize=8)


_EXPONENT_LABELS = {"tau": "τ (sizes)", "alpha": "α (durations)", "gamma": "γ (⟨S⟩ ∝ T^γ)"}


def _bins_unit(avalanches) -> str:
    """``"bins of 1 ms"`` from the table's ``bin_ms`` (``"bins"`` when it is not given)."""
    if len(avalanches) and "bin_ms" in avalanches:
        bin_ms = float(avalanches["bin_ms"].iloc[0])
        if np.isfinite(bin_ms) and bin_ms > 0:
            return f"bins of {bin_ms:g} ms"
    return "bins"


def plot_run(avalanches, objects: dict, fig_dir: str | Path) -> list[Path]:
    """Figures of one run: CCDFs with fits, <S>(T), collapsed shapes, r_k.

    Parameters
    ----------
    avalanches : pandas.DataFrame
        The run's avalanches.
    objects : dict
        Result objects from :func:`analysis.criticality.analyse_avalanches`.
    fig_dir : path-like

    Returns
    -------
    list of pathlib.Path
        Files written (a part that is undefined has no figure).
    """
    fig_dir = Path(fig_dir)
    fig_dir.mkdir(parents=True, exist_ok=True)  # exists even when every part is undefined
    bins = _bins_unit(avalanches)
    written: list[Path] = []
    scaling = objects.get("scaling")
    if scaling is not None:
        sizes = avalanches["size"].to_numpy()
        durations = avalanches["duration_bins"].to_numpy()
        fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
        _ccdf(axes[0], sizes, scaling.size_fit, "size S", "spikes", "S")
        _ccdf(axes[1], durations, scaling.duration_fit, "duration T", bins, "T")
        t, mean_s, _ = mean_size_per_duration(sizes, durations)
        axes[2].loglog(t, mean_s, ".", ms=3, label="<S>(T)")
        if scaling.gamma is not None:
            lo, hi = scaling.gamma_range_bins
            window = (t >= lo) & (t <= hi)
            anchor = mean_s[window][0] / t[window][0] ** scaling.gamma
            axes[2].loglog(
                t[window],
                anchor * t[window] ** scaling.gamma,
                "-",
                label=f"gamma {scaling.gamma:.3f} (predicted {scaling.gamma_predicted:.3f})",
            )
        axes[2].set_xlabel(f"duration T ({bins})")
        axes[2].set_ylabel("mean size ⟨S⟩ (spikes)")
        axes[2].legend(fontsize=8)
        fig.tight_layout()
        written += save_figure(fig, fig_dir / "avalanche_distributions")
        plt.close(fig)
    collapse = objects.get("collapse")
    if collapse is not None:
        fig, ax = plt.subplots(figsize=(4.5, 3.6))
        shown = sorted(collapse.profiles)
        shown = [shown[i] for i in np.unique(np.linspace(0, len(shown) - 1, 12).astype(int))]
        for duration in shown:
            profile = collapse.profiles[duration]
            x = (np.arange(duration) + 0.5) / duration
            ax.plot(x, profile / duration ** (collapse.gamma - 1.0), lw=0.8)
        ax.set_xlabel("scaled time t / T (dimensionless)")
        ax.set_ylabel("s(t, T) / T^(γ−1) (spikes per bin, rescaled)")
        ax.set_title(f"shape collapse, gamma = {collapse.gamma:.3f}", fontsize=9)
        fig.tight_layout()
        written += save_figure(fig, fig_dir / "shape_collapse")
        plt.close(fig)
    branching = objects.get("branching")
    if branching is not None:
        fig, ax = plt.subplots(figsize=(4.5, 3.6))
        k = np.arange(1, branching.slopes.size + 1)
        ax.plot(k, branching.slopes, ".", label="r_k")
        ax.plot(
            k, branching.mr_amplitude * branching.mr**k, "-", label=f"MR fit m = {branching.mr:.4f}"
        )
        ax.set_xlabel(f"lag k ({bins})")
        ax.set_ylabel("regression slope r_k (dimensionless)")
        ax.legend(fontsize=8)
        fig.tight_layout()
        written += save_figure(fig, fig_dir / "branching_ratio")
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
        the right panel.
    stem : path-like
        Destination without suffix.
    """
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
    for curve in curves:
        order = np.argsort(curve["drive_rate_hz"])
        axes[0].semilogx(
            np.asarray(curve["drive_rate_hz"])[order],
            np.asarray(curve["response_rate_hz"])[order],
            label=f"{curve['regime']} {curve.get('control_label', curve['control_value'])}",
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
    axes[1].set_xlabel("target spectral radius λ (dimensionless)")
    axes[1].set_ylabel("dynamic range Δ (dB)")
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    written = save_figure(fig, stem)
    plt.close(fig)
    return written


def plot_exponent_table(rows: list[dict], stem: str | Path) -> list[Path]:
    """Exponents of every run and reference model beside mean field / Beggs & Plenz.

    Parameters
    ----------
    rows : list of dict
        Each with ``name``, ``tau``, ``alpha``, ``gamma`` (float or None).
    stem : path-like
    """
    fig, ax = plt.subplots(figsize=(max(5.0, 0.5 * len(rows) + 2), 3.6))
    x = np.arange(len(rows))
    for offset, key in zip((-0.25, 0.0, 0.25), ("tau", "alpha", "gamma"), strict=True):
        values = [np.nan if r[key] is None else r[key] for r in rows]
        ax.bar(x + offset, values, width=0.25, label=_EXPONENT_LABELS[key])
    for level, text in ((1.5, "τ mean field / Beggs & Plenz"), (2.0, "α, γ mean field")):
        ax.axhline(level, color="gray", lw=0.6, ls="--")
        ax.text(len(rows) - 0.5, level, text, fontsize=7, va="bottom", ha="right")
    ax.set_xticks(x, [r["name"] for r in rows], rotation=45, ha="right", fontsize=7)
    ax.set_ylabel("exponent (dimensionless)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    written = save_figure(fig, stem)
    plt.close(fig)
    return written
