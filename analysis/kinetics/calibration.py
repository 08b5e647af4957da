"""Time calibration: D_sim from the diffusive regime of the transmitter MSD; s = D_sim / D_target.

Implicit-solvent Langevin dynamics does not reproduce water's viscosity, so simulated
time is mapped to physical time with s = D_sim / D_target: physical = simulated × s.
That mapping is only meaningful where the transmitters *diffuse*: the MSD must have a
regime in which it grows linearly with lag, well after the momentum relaxation time
τ_p (1/γ of the Langevin thermostat; before it the motion is ballistic, MSD ∝ t²) and
before the walls of the slab confine it. The calibration therefore

1. starts the fit window at ``start_factor`` × τ_p (τ_p from the thermostat friction
   when known; otherwise at the first lag where the log–log slope of the MSD has
   fallen to 1 + ``slope_tolerance``);
2. fits, on every lag from there to the longest one, the MSD of diffusion between two
   reflecting walls (per Cartesian axis, uniform start in an interval of width L;
   Bickel, Physica A 377, 24 (2007))::

       MSD_1(t) = L²/6 − (16 L² / π⁴) Σ_{n odd} n⁻⁴ exp(−n² π² D t / L²)

   evaluated at t − τ_p (the ballistic start shifts the diffusive line by −2dDτ_p),
   with D free and L the width the centres of mass actually explore (the range of
   their positions along each fitted axis, averaged over the axes). The walls act on
   every atom, so the centres see a width below the slab's, and measuring it beats
   fitting it: a free L would also absorb sub-diffusion from binding, which must show
   up as misfit instead. Free Langevin particles between walls show the size of the
   correction (tests/kinetics/test_langevin_oracles.py);
3. reports ``status = "invalid"`` with the reason, and no time-scale factor, when
   the window is shorter than ``min_window_ratio`` (no diffusive regime) or the model
   misses the data by more than ``max_rel_rms`` (relative RMS over the window, each
   lag weighted by √(its independent displacements), ~√(origins × Δ / t)) or, at any
   single lag, by more than 3 × ``max_rel_rms`` and 4 of that lag's standard errors
   (a trapped, plateauing MSD; noisy long lags of a short run do not count).
   Downstream stages refuse a physical time scale from an invalid calibration.

D's standard error is a grouped jackknife over transmitters (leave one group out,
refit). Which event kinds may be rescaled by s is decided separately
(:mod:`analysis.kinetics.rescaling`): first passages are diffusive searches, dwells are
escapes from a well.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import optimize

from synsoc.validation import check_positive, finite_array

__all__ = [
    "MIN_MOLECULES",
    "MSDCurve",
    "Calibration",
    "frame_interval_ps",
    "unwrap",
    "msd_curve",
    "confined_msd_nm2",
    "fit_diffusion",
]

logger = logging.getLogger(__name__)

MIN_MOLECULES = 4
"""Fewest molecules whose MSD gives a usable jackknife standard error of D."""

_SHORT_TIME_LIMIT = 1e-4
"""Below this D t / L² the wall series is replaced by its short-time expansion."""


@dataclass(frozen=True)
class MSDCurve:
    """Mean-squared displacement per transmitter.

    Attributes
    ----------
    lag_ps : np.ndarray, shape=(n_lags,)
        Lag times (ps), increasing.
    msd_nm2 : np.ndarray, shape=(n_lags, n_molecules)
        MSD per molecule (NaN-free; ``count`` 0 marks a lag without samples).
    count : np.ndarray, shape=(n_lags, n_molecules), dtype=int
        Number of time origins behind each value.
    n_dims : int
        Dimensions summed in the squared displacement (2 for lateral).
    width_nm : float or None
        Width the molecules explore along the summed axes (nm): the range of their
        positions per axis, averaged over the axes; ``None`` when unknown.
    """

    lag_ps: np.ndarray
    msd_nm2: np.ndarray
    count: np.ndarray
    n_dims: int
    width_nm: float | None = None

    def mean(self) -> np.ndarray:
        """Count-weighted MSD over molecules, shape (n_lags,); 0 where no samples."""
        total = self.count.sum(axis=1)
        weighted = (self.msd_nm2 * self.count).sum(axis=1)
        return np.divide(weighted, total, out=np.zeros_like(weighted), where=total > 0)

    def subset(self, molecules: np.ndarray) -> MSDCurve:
        """The curve of some molecules only (column indices)."""
        return MSDCurve(
            self.lag_ps, self.msd_nm2[:, molecules], self.count[:, molecules], self.n_dims
        )


@dataclass(frozen=True)
class Calibration:
    """Diffusion coefficient, its validity, and the time-scale factor.

    Attributes
    ----------
    status : str
        ``"valid"`` or ``"invalid"``; only a valid calibration has a time scale.
    reason : str
        Why it is invalid, or a one-line account of the fit when valid.
    D_sim_nm2_per_ns, D_sim_stderr_nm2_per_ns : float or None
        Wall-corrected simulated diffusion coefficient and its jackknife standard
        error (1 nm²/ns = 1 µm²/ms); ``None`` when there is no diffusive window.
    D_uncorrected_nm2_per_ns : float or None
        Straight-line fit MSD = 2 d D t + b over the same window (no wall correction),
        for comparison.
    D_target_nm2_per_ns : float
        Physical target (config).
    time_scale_factor, time_scale_factor_stderr : float or None
        s = D_sim / D_target (physical time = simulated time × s) and its standard
        error; ``None`` unless valid.
    fit_window_ps : (float, float) or None
        Lags of the fit.
    n_molecules : int
        Transmitters contributing.
    n_dims : int
        Cartesian dimensions of the MSD.
    momentum_relaxation_ps : float or None
        τ_p used to place the window (1/γ), ``None`` when it was found from the slope.
    confinement_nm : float or None
        Wall separation L of the model (the explored width of the centres of mass);
        ``None`` for free diffusion (no width known).
    fit_rel_rms : float or None
        Relative RMS deviation of the model from the pooled MSD over the window (lags
        weighted by their number of independent displacements).
    fit_max_rel_dev : float or None
        Largest relative deviation at any lag of the window, unweighted (a plateau the
        weighted RMS hardly sees, e.g. a trapped molecule, shows here).
    """

    status: str
    reason: str
    D_sim_nm2_per_ns: float | None
    D_sim_stderr_nm2_per_ns: float | None
    D_uncorrected_nm2_per_ns: float | None
    D_target_nm2_per_ns: float
    time_scale_factor: float | None
    time_scale_factor_stderr: float | None
    fit_window_ps: tuple[float, float] | None
    n_molecules: int
    n_dims: int
    momentum_relaxation_ps: float | None = None
    confinement_nm: float | None = None
    fit_rel_rms: float | None = None
    fit_max_rel_dev: float | None = None

    @property
    def valid(self) -> bool:
        """True when the calibration yields a physical time scale."""
        return self.status == "valid"

    def model_msd_nm2(self, lag_ps: np.ndarray) -> np.ndarray:
        """The fitted MSD curve at ``lag_ps`` (NaN everywhere without a fit)."""
        t = np.asarray(lag_ps, dtype=float)
        if self.D_sim_nm2_per_ns is None:
            return np.full(t.shape, np.nan)
        shifted = np.clip(t - (self.momentum_relaxation_ps or 0.0), 0.0, None)
        return self.n_dims * confined_msd_nm2(
            shifted, self.D_sim_nm2_per_ns / 1000.0, self.confinement_nm
        )

    def to_dict(self) -> dict[str, Any]:
        """The ``time_calibration`` block of ``kinetics.json`` (JSON-ready)."""
        return {
            "status": self.status,
            "reason": self.reason,
            "D_sim_nm2_per_ns": self.D_sim_nm2_per_ns,
            "D_sim_stderr_nm2_per_ns": self.D_sim_stderr_nm2_per_ns,
            "D_uncorrected_nm2_per_ns": self.D_uncorrected_nm2_per_ns,
            "D_target_nm2_per_ns": self.D_target_nm2_per_ns,
            "time_scale_factor": self.time_scale_factor,
            "time_scale_factor_stderr": self.time_scale_factor_stderr,
            "fit_window_ps": None if self.fit_window_ps is None else list(self.fit_window_ps),
            "n_molecules": self.n_molecules,
            "n_dims": self.n_dims,
            "momentum_relaxation_ps": self.momentum_relaxation_ps,
            "confinement_nm": self.confinement_nm,
            "fit_rel_rms": self.fit_rel_rms,
            "fit_max_rel_dev": self.fit_max_rel_dev,
        }


def frame_interval_ps(time_ps: np.ndarray, *, name: str = "time_ps") -> float:
    """Interval of equally spaced frame times, tolerant of float32 storage.

    XTC stores times as float32, whose rounding (~6e-8 relative) exceeds a 0.1 %
    tolerance on the frame interval after ~10^4 ps; the check is therefore on each
    time's distance from the uniform grid t_0 + k dt, allowing 0.1 % of dt plus the
    float32 resolution of the time itself.

    Parameters
    ----------
    time_ps : np.ndarray, shape=(n_frames,), n_frames >= 2
        Frame times (ps).
    name : str
        Argument name used in the error message.

    Returns
    -------
    float
        dt = (t_last - t_first) / (n_frames - 1) in ps.

    Raises
    ------
    ValueError
        When the times are not increasing, or not equally spaced (a missing frame).
    """
    t = finite_array(name, time_ps, ndim=1, min_size=2)
    dt = (t[-1] - t[0]) / (t.size - 1)
    tolerance = 1e-3 * dt + 2 * np.finfo(np.float32).eps * np.abs(t).max()
    if np.any(np.diff(t) <= 0) or np.any(np.abs(t - t[0] - np.arange(t.size) * dt) > tolerance):
        raise ValueError(f"{name} must be equally spaced and increasing")
    return float(dt)


def unwrap(positions_nm: np.ndarray, box_nm: np.ndarray) -> np.ndarray:
    """Remove periodic jumps from positions along the frame axis.

    Parameters
    ----------
    positions_nm : np.ndarray, shape=(n_frames, n_molecules, 3)
    box_nm : np.ndarray, shape=(n_frames, 3) or (0, 3)
        Orthorhombic box lengths; empty means no periodicity (returned unchanged).

    Returns
    -------
    np.ndarray, shape=(n_frames, n_molecules, 3)
    """
    positions_nm = np.asarray(positions_nm, dtype=float)
    if positions_nm.ndim != 3 or positions_nm.shape[2] != 3:
        raise ValueError(
            f"positions_nm must have shape (frames, molecules, 3), got {positions_nm.shape}"
        )
    if box_nm.size == 0 or positions_nm.shape[0] < 2:
        return positions_nm
    box = np.asarray(box_nm, dtype=float)[1:, None, :]
    step = np.diff(positions_nm, axis=0)
    step -= box * np.round(step / box)
    return np.concatenate((positions_nm[:1], positions_nm[:1] + np.cumsum(step, axis=0)), axis=0)


def msd_curve(
    positions_nm: np.ndarray,
    time_ps: np.ndarray,
    *,
    bound: np.ndarray | None = None,
    dims: tuple[int, ...] = (0, 1),
    max_lag_fraction: float = 0.5,
    n_lags: int = 30,
    confined: bool = False,
) -> MSDCurve:
    """MSD over all time origins, using only windows in which the molecule stays unbound.

    Parameters
    ----------
    positions_nm : np.ndarray, shape=(n_frames, n_molecules, 3)
        Unwrapped centres of mass (nm).
    time_ps : np.ndarray, shape=(n_frames,)
        Equally spaced frame times (ps).
    bound : np.ndarray of bool, shape=(n_frames, n_molecules), optional
        Frames in which a molecule is bound; windows touching one are skipped.
    dims : tuple of int
        Cartesian axes summed (default lateral x, y).
    max_lag_fraction : float
        Longest lag as a fraction of the trajectory (0, 1].
    n_lags : int
        Number of log-spaced lags.
    confined : bool
        The molecules move between walls along ``dims``: record the range of their
        positions per axis, averaged over ``dims``, as ``width_nm`` (else None, free
        diffusion).

    Returns
    -------
    MSDCurve
    """
    positions_nm = np.asarray(positions_nm, dtype=float)
    time_ps = np.asarray(time_ps, dtype=float)
    n_frames = positions_nm.shape[0] if positions_nm.ndim == 3 else 0
    if positions_nm.ndim != 3 or positions_nm.shape[2] != 3:
        raise ValueError(
            f"positions_nm must have shape (frames, molecules, 3), got {positions_nm.shape}"
        )
    if n_frames < 3:
        raise ValueError(f"positions_nm needs at least 3 frames, got {n_frames}")
    if time_ps.shape != (n_frames,):
        raise ValueError(f"time_ps must have shape ({n_frames},), got {time_ps.shape}")
    dt = frame_interval_ps(time_ps)
    if not 0 < max_lag_fraction <= 1:
        raise ValueError(f"max_lag_fraction must be in (0, 1], got {max_lag_fraction}")
    if not dims or any(d not in (0, 1, 2) for d in dims):
        raise ValueError(f"dims must be a non-empty subset of (0, 1, 2), got {dims}")
    if bound is None:
        bound = np.zeros(positions_nm.shape[:2], dtype=bool)
    bound = np.asarray(bound, dtype=bool)
    if bound.shape != positions_nm.shape[:2]:
        raise ValueError(f"bound must have shape {positions_nm.shape[:2]}, got {bound.shape}")
    max_lag = max(1, int(max_lag_fraction * (n_frames - 1)))
    lags = np.unique(np.geomspace(1, max_lag, n_lags).astype(int))
    xyz = positions_nm[:, :, list(dims)]
    cum_bound = np.concatenate((np.zeros((1, bound.shape[1]), int), np.cumsum(bound, axis=0)))
    msd = np.zeros((lags.size, bound.shape[1]))
    count = np.zeros((lags.size, bound.shape[1]), dtype=int)
    for i, lag in enumerate(lags):
        valid = (cum_bound[lag + 1 :] - cum_bound[: n_frames - lag]) == 0
        sq = np.sum((xyz[lag:] - xyz[:-lag]) ** 2, axis=2)
        count[i] = valid.sum(axis=0)
        total = np.where(valid, sq, 0.0).sum(axis=0)
        msd[i] = np.divide(total, count[i], out=np.zeros_like(total), where=count[i] > 0)
    width = float(np.mean(xyz.max(axis=(0, 1)) - xyz.min(axis=(0, 1)))) if confined else None
    return MSDCurve(lags * dt, msd, count, len(dims), width)


def confined_msd_nm2(t_ps: np.ndarray, d_nm2_per_ps: float, width_nm: float | None) -> np.ndarray:
    """One-axis MSD of diffusion between reflecting walls, uniform start (nm²).

    Parameters
    ----------
    t_ps : np.ndarray
        Lags (ps), >= 0.
    d_nm2_per_ps : float
        Diffusion coefficient (nm²/ps).
    width_nm : float or None
        Wall separation L (nm); ``None`` or ``inf`` gives free diffusion, 2 D t.

    Returns
    -------
    np.ndarray
        L²/6 − (16 L²/π⁴) Σ_{n odd} n⁻⁴ exp(−n²π² D t / L²); where D t / L² < 1e-4
        the short-time expansion 2Dt (1 − 8 √(2Dt) / (3 √(2π) L)) (exact to that order).
    """
    t = np.asarray(t_ps, dtype=float)
    free = 2.0 * d_nm2_per_ps * t
    if width_nm is None or not np.isfinite(width_nm):
        return free
    tau = d_nm2_per_ps * t / width_nm**2
    short = free * (1.0 - 8.0 * np.sqrt(free) / (3.0 * np.sqrt(2.0 * np.pi) * width_nm))
    n = np.arange(1, 2 * 400, 2, dtype=float)[:, None]
    series = np.sum(np.exp(-(n**2) * np.pi**2 * np.maximum(tau, _SHORT_TIME_LIMIT)) / n**4, axis=0)
    long = width_nm**2 / 6.0 - 16.0 * width_nm**2 / np.pi**4 * series
    return np.where(tau < _SHORT_TIME_LIMIT, short, long)


def _log_slope(lag_ps: np.ndarray, msd: np.ndarray) -> np.ndarray:
    """d ln MSD / d ln t between consecutive lags (inf where MSD is 0)."""
    ok = msd > 0
    slope = np.full(lag_ps.size - 1, np.inf)
    both = ok[:-1] & ok[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        log_msd = np.log(np.where(ok, msd, 1.0))
    slope[both] = np.diff(log_msd)[both] / np.diff(np.log(lag_ps))[both]
    return slope


def _window_start(
    lag_ps: np.ndarray, msd: np.ndarray, tau_p: float | None, start_factor: float, tolerance: float
) -> int:
    """Index of the first lag of the diffusive window."""
    if tau_p is not None:
        return int(np.searchsorted(lag_ps, start_factor * tau_p, side="left"))
    calm = np.flatnonzero(_log_slope(lag_ps, msd) <= 1.0 + tolerance)
    return int(calm[0]) if calm.size else lag_ps.size


def _independent_displacements(lag_ps: np.ndarray, origins: np.ndarray, frame_ps: float):
    """About how many independent displacements each lag of a pooled MSD holds.

    Overlapping windows are not independent: a lag t holds about origins × Δ / t of
    them (at least 1), so long lags are noisier.
    """
    return np.maximum(origins * frame_ps / lag_ps, 1.0)


def _fit_model(
    t: np.ndarray,
    msd: np.ndarray,
    n_dims: int,
    tau_p: float,
    weights: np.ndarray,
    width: float | None,
) -> float:
    """D (nm²/ps) of the wall model fitted to one pooled curve (least squares of the
    relative residuals times ``weights``)."""
    shifted = np.clip(t - tau_p, 0.0, None)
    d0 = max(np.polyfit(shifted, msd, 1)[0], msd[-1] / t[-1]) / (2 * n_dims)

    def residual(x: np.ndarray) -> np.ndarray:
        model = n_dims * confined_msd_nm2(shifted, np.exp(x[0]), width)
        return weights * (model - msd) / msd

    result = optimize.least_squares(residual, np.array([np.log(d0)]))
    return float(np.exp(result.x[0]))


def _invalid(reason: str, D_target: float, n: int, n_dims: int, **known) -> Calibration:
    logger.warning("time calibration invalid: %s", reason)
    fields = dict(
        D_sim_nm2_per_ns=None,
        D_sim_stderr_nm2_per_ns=None,
        D_uncorrected_nm2_per_ns=None,
        fit_window_ps=None,
    )
    fields.update(known)
    return Calibration(
        status="invalid",
        reason=reason,
        D_target_nm2_per_ns=float(D_target),
        time_scale_factor=None,
        time_scale_factor_stderr=None,
        n_molecules=n,
        n_dims=n_dims,
        **fields,
    )


def fit_diffusion(
    curve: MSDCurve,
    D_target_nm2_per_ns: float,
    *,
    momentum_relaxation_ps: float | None = None,
    start_factor: float = 5.0,
    slope_tolerance: float = 0.2,
    min_window_ratio: float = 4.0,
    max_rel_rms: float = 0.1,
    n_groups: int = 20,
) -> Calibration:
    """Wall-corrected D in the diffusive regime, its validity, and s = D_sim / D_target.

    Parameters
    ----------
    curve : MSDCurve
        MSD per molecule; with fewer than ``MIN_MOLECULES`` (4) the calibration is invalid.
    D_target_nm2_per_ns : float
        Physical diffusion coefficient (nm²/ns = µm²/ms), > 0.
    momentum_relaxation_ps : float, optional
        τ_p = 1/γ of the thermostat (ps); the window starts at ``start_factor`` × τ_p.
        Omitted: the window starts at the first lag from which the log–log MSD slope no
        longer exceeds 1 + ``slope_tolerance`` (the end of the ballistic regime), and no
        shift is applied.
    start_factor : float
        Window start in units of τ_p (> 0); at 5 τ_p the ballistic term has decayed to
        e⁻⁵ < 1 % of the shift.
    slope_tolerance : float
        In (0, 1); used only without τ_p.
    min_window_ratio : float
        Shortest diffusive window, lag_max / lag_min (> 1).
    max_rel_rms : float
        Largest accepted relative RMS deviation of the model over the window (> 0);
        three times it bounds the deviation at any single lag that is also beyond 4 of
        its standard errors.
    n_groups : int
        Jackknife groups of molecules (>= 2).

    Returns
    -------
    Calibration
        ``status="invalid"`` (with the reason and no time scale) when there is no
        diffusive window, the model does not describe the MSD, or too few molecules
        contribute.
    """
    check_positive("D_target_nm2_per_ns", D_target_nm2_per_ns)
    check_positive("start_factor", start_factor)
    check_positive("max_rel_rms", max_rel_rms)
    if momentum_relaxation_ps is not None:
        check_positive("momentum_relaxation_ps", momentum_relaxation_ps)
    if not 0 < slope_tolerance < 1:
        raise ValueError(f"slope_tolerance must be in (0, 1), got {slope_tolerance}")
    if not np.isfinite(min_window_ratio) or min_window_ratio <= 1:
        raise ValueError(f"min_window_ratio must be > 1, got {min_window_ratio}")
    n_mol = curve.msd_nm2.shape[1]
    if n_mol < MIN_MOLECULES:
        return _invalid(
            f"{n_mol} transmitter(s) in the MSD: the jackknife standard error of D needs at "
            f"least {MIN_MOLECULES} (with 2-3 it misses the truth by > 2 SE in a third to a "
            "half of runs)",
            D_target_nm2_per_ns,
            n_mol,
            curve.n_dims,
            momentum_relaxation_ps=momentum_relaxation_ps,
        )
    msd = curve.mean()
    lag = curve.lag_ps
    lo = _window_start(lag, msd, momentum_relaxation_ps, start_factor, slope_tolerance)
    usable = np.flatnonzero((np.arange(lag.size) >= lo) & (msd > 0))
    tau_p = momentum_relaxation_ps or 0.0
    if usable.size < 4 or lag[usable[-1]] / lag[usable[0]] < min_window_ratio:
        begin = f"{start_factor * tau_p:.3g} ps = {start_factor:g} tau_p" if tau_p else "slope test"
        ratio = lag[usable[-1]] / lag[usable[0]] if usable.size else 0.0
        return _invalid(
            f"no diffusive regime: from the end of the ballistic start ({begin}) to the "
            f"longest lag ({lag[-1]:.3g} ps) lie {usable.size} lags spanning a ratio of "
            f"{ratio:.3g} (need >= 4 lags and {min_window_ratio:g}): raise "
            "md.friction_per_ps or lengthen md.production_ps",
            D_target_nm2_per_ns,
            n_mol,
            curve.n_dims,
            momentum_relaxation_ps=momentum_relaxation_ps,
        )
    t, y = lag[usable], msd[usable]
    window = (float(t[0]), float(t[-1]))
    # lag[0] is one frame; each lag is weighted by sqrt(its independent displacements)
    independent = _independent_displacements(t, curve.count.sum(axis=1)[usable], float(lag[0]))
    weights = np.sqrt(independent) / np.sqrt(independent).mean()
    width = curve.width_nm
    d_ps = _fit_model(t, y, curve.n_dims, tau_p, weights, width)
    linear = np.polyfit(t, y, 1)[0] / (2 * curve.n_dims) * 1000.0
    groups = np.array_split(np.arange(n_mol), min(n_groups, n_mol))
    leave_out = []
    for group in groups:
        sub = curve.subset(np.setdiff1d(np.arange(n_mol), group)).mean()[usable]
        leave_out.append(
            _fit_model(t, sub, curve.n_dims, tau_p, weights, width) if np.all(sub > 0) else np.nan
        )
    leave_out = np.asarray(leave_out)[np.isfinite(leave_out)]
    g = leave_out.size
    stderr = float(np.sqrt((g - 1) / g * np.sum((leave_out - leave_out.mean()) ** 2))) * 1000.0
    d_sim = d_ps * 1000.0
    model = curve.n_dims * confined_msd_nm2(np.clip(t - tau_p, 0, None), d_ps, width)
    rel_rms = float(np.sqrt(np.average(((model - y) / y) ** 2, weights=weights**2)))
    deviation = np.abs(model - y) / y
    worst = float(np.max(deviation))
    # A single lag condemns the model only where it misses by more than 3 x max_rel_rms
    # and by more than 4 standard errors of that lag's MSD (relative SE ~ sqrt(2 / n) for
    # n independent displacements): long lags of a short run are noisy, a plateau is not.
    off = (deviation > 3 * max_rel_rms) & (deviation > 4 * np.sqrt(2.0 / independent))
    known = dict(
        D_sim_nm2_per_ns=d_sim,
        D_sim_stderr_nm2_per_ns=stderr,
        D_uncorrected_nm2_per_ns=float(linear),
        fit_window_ps=window,
        momentum_relaxation_ps=momentum_relaxation_ps,
        confinement_nm=width,
        fit_rel_rms=rel_rms,
        fit_max_rel_dev=worst,
    )
    if rel_rms > max_rel_rms or off.any():
        return _invalid(
            f"the MSD does not follow diffusion between walls over {window[0]:.3g}-"
            f"{window[1]:.3g} ps (relative deviation RMS {rel_rms:.2g}, limit {max_rel_rms:g}; "
            f"largest {worst:.2g}, {int(off.sum())} lag(s) beyond {3 * max_rel_rms:g} and 4 "
            "standard errors)",
            D_target_nm2_per_ns,
            n_mol,
            curve.n_dims,
            **known,
        )
    walls = "free diffusion" if width is None else f"walls {width:.3g} nm apart"
    reason = (
        f"diffusive regime {window[0]:.3g}-{window[1]:.3g} ps ({walls}; straight line "
        f"would give {linear:.3g} nm2/ns)"
    )
    logger.info("D_sim = %.4g +- %.2g nm2/ns over %d molecules: %s", d_sim, stderr, n_mol, reason)
    s = d_sim / D_target_nm2_per_ns
    return Calibration(
        status="valid",
        reason=reason,
        D_target_nm2_per_ns=float(D_target_nm2_per_ns),
        time_scale_factor=s,
        time_scale_factor_stderr=stderr / D_target_nm2_per_ns,
        n_molecules=n_mol,
        n_dims=curve.n_dims,
        **known,
    )
