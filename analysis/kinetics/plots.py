"""Figures of the kinetics stage (PNG + SVG, axes labelled with units).

Every time axis here is simulated MD time and says so ("simulated time (ps)");
physical time = simulated time × s (``time_calibration.time_scale_factor``), the
factor the MSD figure's title quotes.

* ``{kind}.png`` — histogram of observed waiting times with the chosen density, and
  Kaplan–Meier survival with 95 % Greenwood band beside every fitted survival curve.
* ``surfaces.png`` — F(r, t) and P(r, t) heatmaps.
* ``msd.png`` — MSD with the wall-corrected diffusion fit over its window and the
  calibration's status.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.kinetics.assembly import event_sample
from analysis.kinetics.calibration import Calibration, MSDCurve
from analysis.kinetics.censored import CensoredSample
from analysis.kinetics.surfaces import Surfaces
from analysis.kinetics.survival import SurvivalFit
from synsoc.io import save_figure

__all__ = ["FIGURE_STEMS", "plot_waiting_times", "plot_surfaces", "plot_msd", "write_figures"]

FIGURE_STEMS = ("first_passage", "dwell", "rebinding", "surfaces", "msd")


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_waiting_times(sample: CensoredSample, fit: SurvivalFit, *, title: str):
    """Histogram + fitted density (left) and Kaplan–Meier + fitted survival (right).

    Parameters
    ----------
    sample : CensoredSample
        The waiting times (ps) behind ``fit``.
    fit : SurvivalFit
    title : str
        Panel title prefix (the event kind).

    Returns
    -------
    matplotlib.figure.Figure
    """
    plt = _pyplot()
    fig, (ax_h, ax_s) = plt.subplots(1, 2, figsize=(10, 4))
    durations_ps = sample.durations
    observed = durations_ps[sample.observed & (durations_ps > 0)]
    if observed.size:
        # Sturges' bin count, log2(n) + 1, over [0, max]. numpy's string rules derive
        # a bin *width* from the data's spread instead; for waiting times that differ
        # only by float32 rounding of XTC times (1.2000000 vs 1.2000008 ps) that width
        # is ~1e-7 ps: millions of bins, gigabytes and minutes in matplotlib.
        n_bins = int(np.ceil(np.log2(observed.size))) + 1
        bins = np.linspace(0.0, observed.max(), n_bins + 1)
        ax_h.hist(
            observed, bins=bins, density=True, alpha=0.5, label=f"observed (n={observed.size})"
        )
    if fit.best is not None and observed.size:
        grid = np.linspace(max(observed.min(), 1e-9), observed.max(), 300)
        # The histogram is normalised over the plotted range, so condition the
        # fitted density on that range too.
        law = fit.best.frozen()
        mass = law.cdf(grid[-1]) - law.cdf(0.0)
        ax_h.plot(
            grid, law.pdf(grid) / max(mass, 1e-12), "k-", label=f"{fit.best.family} (best AIC)"
        )
    ax_h.set_xlabel("waiting time, simulated time (ps)")
    ax_h.set_ylabel("probability density (1/ps of simulated time)")
    ax_h.set_title(f"{title}: {fit.n_events} events, {fit.n_censored} censored")
    if observed.size:
        ax_h.legend(fontsize=8)
    else:
        ax_h.text(
            0.5, 0.5, "no observed (uncensored) events", ha="center", transform=ax_h.transAxes
        )
    if fit.kaplan_meier is not None and fit.kaplan_meier.time.size:
        km = fit.kaplan_meier
        t = np.concatenate(([0.0], km.time))
        s = np.concatenate(([1.0], km.survival))
        err = np.concatenate(([0.0], km.stderr))
        ax_s.step(t, s, where="post", color="k", label="Kaplan–Meier")
        ax_s.fill_between(
            t,
            np.clip(s - 1.96 * err, 0, 1),
            np.clip(s + 1.96 * err, 0, 1),
            step="post",
            color="0.8",
        )
        grid = np.linspace(0, t[-1], 300)
        for family_fit in fit.fits:
            ax_s.plot(grid, family_fit.frozen().sf(grid), label=family_fit.family)
    elif fit.kaplan_meier is not None:
        bound_ps = fit.kaplan_meier.restricted_mean
        ax_s.plot(
            [0.0, bound_ps],
            [1.0, 1.0],
            "k-",
            label=f"all censored; mean >= {bound_ps:.3g} ps (simulated)",
        )
    ax_s.set_xlabel("waiting time, simulated time (ps)")
    ax_s.set_ylabel("survival probability S(t)")
    ax_s.set_ylim(0, 1.05)
    if ax_s.get_legend_handles_labels()[0]:
        ax_s.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_surfaces(surfaces: Surfaces):
    """Heatmaps of F(r, t) (1/ps) and P(r, t) (1/nm)."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    extent = [surfaces.t_ps[0], surfaces.t_ps[-1], surfaces.r_nm[0], surfaces.r_nm[-1]]
    for ax, data, label in (
        (axes[0], surfaces.F_per_ps, "F(r, t) first-passage density (1/ps, simulated)"),
        (axes[1], surfaces.P_per_nm, "P(r, t) occupation density (1/nm)"),
    ):
        # Clip the colour scale: F holds a spike at t = 0 for r beyond the release distance.
        top = float(np.percentile(data[:, 1:], 99.5)) if data.shape[1] > 1 else None
        image = ax.imshow(
            data,
            origin="lower",
            aspect="auto",
            extent=extent,
            cmap="viridis",
            vmin=0.0,
            vmax=top if top and top > 0 else None,
        )
        fig.colorbar(image, ax=ax, label=label)
        ax.set_xlabel("time since release t, simulated time (ps)")
        ax.set_ylabel("distance to nearest receptor r (nm)")
    err = surfaces.renewal_rel_error
    fig.suptitle(
        f"renewal relative error: {err:.3g}" if err is not None else "renewal check not applicable"
    )
    fig.tight_layout()
    return fig


def plot_msd(curve: MSDCurve, calibration: Calibration):
    """MSD of the transmitters with the wall-corrected diffusion fit over its window.

    The title states the calibration's status: the time-scale factor when valid, the
    reason when not (no diffusive regime, or a model that misses the data).
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 4.2))
    msd = curve.mean()
    ok = msd > 0
    ax.loglog(curve.lag_ps[ok], msd[ok], "o", ms=4, label="MSD (unbound windows)")
    tau_p = calibration.momentum_relaxation_ps
    if tau_p:
        ax.axvline(tau_p, color="0.6", ls=":", label=f"1/γ = {tau_p:.3g} ps (ballistic before)")
    if calibration.fit_window_ps is not None and calibration.D_sim_nm2_per_ns is not None:
        lo, hi = calibration.fit_window_ps
        grid = np.geomspace(lo, hi, 60)
        walls = (
            "free"
            if calibration.confinement_nm is None
            else f"walls {calibration.confinement_nm:.3g} nm"
        )
        ax.loglog(
            grid,
            calibration.model_msd_nm2(grid),
            "r-",
            label=(
                f"D_sim = {calibration.D_sim_nm2_per_ns:.3g} ± "
                f"{calibration.D_sim_stderr_nm2_per_ns:.2g} nm²/ns ({walls})"
            ),
        )
        ax.loglog(
            grid,
            2 * curve.n_dims * calibration.D_sim_nm2_per_ns / 1000.0 * grid,
            "r--",
            lw=0.8,
            label="free diffusion with the same D",
        )
    ax.set_xlabel("lag time, simulated time (ps)")
    ax.set_ylabel(f"MSD in {curve.n_dims}D (nm²)")
    if calibration.valid:
        title = (
            f"valid: s = D_sim / D_target = {calibration.time_scale_factor:.3g} "
            "(physical time = simulated time × s)"
        )
    else:
        title = "INVALID: no physical time scale\n" + textwrap.fill(calibration.reason, 70)
    ax.set_title(title, fontsize=8)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def write_figures(
    events: pd.DataFrame,
    fits: dict[str, SurvivalFit],
    surfaces: Surfaces | None,
    curve: MSDCurve | None,
    calibration: Calibration | None,
    directory: str | os.PathLike,
) -> list[Path]:
    """Write the kinetics figures (``FIGURE_STEMS``) as PNG + SVG into ``directory``.

    Without trajectories (``surfaces``, ``curve``, ``calibration`` None) only the three
    waiting-time figures are drawn.
    """
    plt = _pyplot()
    directory = Path(directory)
    written = []
    for kind, fit in fits.items():
        fig = plot_waiting_times(event_sample(events, kind), fit, title=kind.replace("_", " "))
        written += save_figure(fig, directory / kind)
        plt.close(fig)
    if surfaces is not None:
        fig = plot_surfaces(surfaces)
        written += save_figure(fig, directory / "surfaces")
        plt.close(fig)
    if curve is not None and calibration is not None:
        fig = plot_msd(curve, calibration)
        written += save_figure(fig, directory / "msd")
        plt.close(fig)
    return written
