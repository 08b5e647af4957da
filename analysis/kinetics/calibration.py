"""Time calibration: transmitter diffusion coefficient from its MSD, and s = D_sim / D_target.

Implicit-solvent Langevin dynamics does not reproduce water's viscosity, so simulated
time is mapped to physical time with s = D_sim / D_target: physical = simulated × s.
Transmitters move in a slab between walls, so by default the lateral (x, y) MSD is
used (MSD = 4 D t in 2D), over time windows in which the transmitter stays unbound.

The linear (diffusive) regime is detected on log-spaced lags as the longest run of
consecutive lags (at least three, spanning a lag ratio of at least
``min_window_ratio``) whose log–log slope d ln MSD / d ln t lies within
``slope_tolerance`` of 1 (it excludes the ballistic start, t ≲ 1/γ, and wall
saturation). D is fitted per transmitter (least squares MSD = 2 d D t + b in that
window) and averaged; its standard error is the standard error of that mean over
transmitters.

Short or confined runs may have no such regime (ballistic up to 1/γ, walls soon
after). Then the Langevin (Ornstein–Uhlenbeck) form of a free particle,
MSD(t) = 2 d D [t − (1 − e^{−γt}) / γ], is fitted on the lags before confinement sets
in (the slope falls below 1 − tolerance): with γ fixed to the thermostat friction when
it is known (every atom feels the same γ, so the centre of mass does too), else with D
and γ free; ``method`` says which (``linear``, ``langevin_fixed_gamma``,
``langevin``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from synsoc.validation import check_positive, finite_array

__all__ = ["MSDCurve", "Calibration", "frame_interval_ps", "unwrap", "msd_curve", "fit_diffusion"]

logger = logging.getLogger(__name__)


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
    """

    lag_ps: np.ndarray
    msd_nm2: np.ndarray
    count: np.ndarray
    n_dims: int

    def mean(self) -> np.ndarray:
        """Count-weighted MSD over molecules, shape (n_lags,); 0 where no samples."""
        total = self.count.sum(axis=1)
        weighted = (self.msd_nm2 * self.count).sum(axis=1)
        return np.divide(weighted, total, out=np.zeros_like(weighted), where=total > 0)


@dataclass(frozen=True)
class Calibration:
    """Diffusion coefficient and time-scale factor.

    Attributes
    ----------
    D_sim_nm2_per_ns, D_sim_stderr_nm2_per_ns : float
        Simulated diffusion coefficient and its standard error (1 nm²/ns = 1 µm²/ms).
    D_target_nm2_per_ns : float
        Physical target (config).
    time_scale_factor : float
        s = D_sim / D_target; physical time = simulated time × s.
    fit_window_ps : (float, float)
        Lag range of the linear fit.
    n_molecules : int
        Transmitters contributing.
    method : str
        ``"linear"`` (diffusive regime), ``"langevin_fixed_gamma"`` or ``"langevin"``
        (OU form with γ known or free, when there is no linear regime).
    friction_per_ps : float or None
        γ of the Langevin form (fixed or fitted); ``None`` for the linear method.
    """

    D_sim_nm2_per_ns: float
    D_sim_stderr_nm2_per_ns: float
    D_target_nm2_per_ns: float
    time_scale_factor: float
    fit_window_ps: tuple[float, float]
    n_molecules: int
    method: str
    friction_per_ps: float | None = None

    def model_msd_nm2(self, lag_ps: np.ndarray, n_dims: int) -> np.ndarray:
        """The fitted MSD curve: 2 d D t, or the Langevin form when γ is set."""
        t = np.asarray(lag_ps, dtype=float)
        d_ps = self.D_sim_nm2_per_ns / 1000.0
        if self.friction_per_ps is None:
            return 2 * n_dims * d_ps * t
        return _langevin_msd(t, np.log(d_ps), np.log(self.friction_per_ps), n_dims)


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
    return MSDCurve(lags * dt, msd, count, len(dims))


def _log_slope(lag_ps: np.ndarray, msd: np.ndarray) -> np.ndarray:
    """d ln MSD / d ln t between consecutive lags (inf where MSD is 0)."""
    ok = msd > 0
    slope = np.full(lag_ps.size - 1, np.inf)
    both = ok[:-1] & ok[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        log_msd = np.log(np.where(ok, msd, 1.0))
    slope[both] = np.diff(log_msd)[both] / np.diff(np.log(lag_ps))[both]
    return slope


def _linear_window(
    lag_ps: np.ndarray, msd: np.ndarray, tolerance: float, min_ratio: float
) -> tuple[int, int] | None:
    """Index range [lo, hi] of the longest run with log–log slope ≈ 1, or None.

    The run must hold >= 3 lags and span lag_hi / lag_lo >= ``min_ratio``: a ballistic
    to confined crossover also passes through slope 1, but only briefly.
    """
    slope = _log_slope(lag_ps, msd)
    good = np.abs(slope - 1.0) <= tolerance
    best, best_len, start = None, 0, None
    for i, flag in enumerate(np.append(good, False)):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            if i - start > best_len:
                best, best_len = (start, i), i - start
            start = None
    if best is None or best_len < 2 or lag_ps[best[1]] / lag_ps[best[0]] < min_ratio:
        return None
    return best


def _langevin_msd(t: np.ndarray, log_d: float, log_gamma: float, n_dims: int) -> np.ndarray:
    d, gamma = np.exp(log_d), np.exp(log_gamma)
    return 2 * n_dims * d * (t - (1 - np.exp(-gamma * t)) / gamma)


def _fit_langevin_curve(
    t: np.ndarray, y: np.ndarray, n_dims: int, friction_per_ps: float | None
) -> tuple[float, float]:
    """D (nm²/ps) and γ (1/ps) of the OU MSD form fitted to one curve (least squares)."""
    log_d0 = np.log(y[-1] / (2 * n_dims * t[-1]))
    if friction_per_ps is not None:
        log_g = np.log(friction_per_ps)
        popt, _ = optimize.curve_fit(
            lambda x, a: _langevin_msd(x, a, log_g, n_dims), t, y, p0=(log_d0,), maxfev=5000
        )
        return float(np.exp(popt[0])), float(friction_per_ps)
    start = (log_d0, np.log(1.0 / t[t.size // 2]))
    popt, _ = optimize.curve_fit(
        lambda x, a, b: _langevin_msd(x, a, b, n_dims), t, y, p0=start, maxfev=5000
    )
    return float(np.exp(popt[0])), float(np.exp(popt[1]))


def _langevin_fit(
    curve: MSDCurve, tolerance: float, friction_per_ps: float | None, n_groups: int = 20
) -> tuple[float, float, float, slice]:
    """D, its grouped-jackknife stderr (nm²/ps) and γ (1/ps) from the OU form on the pooled MSD.

    Single-molecule curves cannot separate D from γ in the ballistic regime, so the
    count-weighted mean curve is fitted; the uncertainty comes from leaving out one
    group of molecules at a time (deterministic).
    """
    msd = curve.mean()
    slope = _log_slope(curve.lag_ps, msd)
    peak = int(np.argmax(np.where(np.isfinite(slope), slope, -np.inf)))
    below = np.flatnonzero(slope[peak:] < 1.0 - tolerance)
    hi = peak + int(below[0]) if below.size else curve.lag_ps.size - 1
    hi = max(hi, min(3, curve.lag_ps.size - 1))
    window = slice(0, hi + 1)
    t = curve.lag_ps[window]
    if t.size < 3 or np.any(msd[window] <= 0):
        raise ValueError(
            f"msd: too few usable lags ({t.size}) for a diffusion fit; lengthen the run"
        )
    n_mol = curve.msd_nm2.shape[1]
    if n_mol < 2:
        raise ValueError(f"msd: {n_mol} transmitter(s); the standard error of D needs at least 2")
    groups = np.array_split(np.arange(n_mol), min(n_groups, n_mol))
    try:
        d_all, gamma = _fit_langevin_curve(t, msd[window], curve.n_dims, friction_per_ps)
        leave_out = []
        for group in groups:
            keep = np.setdiff1d(np.arange(n_mol), group)
            sub = MSDCurve(curve.lag_ps, curve.msd_nm2[:, keep], curve.count[:, keep], curve.n_dims)
            leave_out.append(
                _fit_langevin_curve(t, sub.mean()[window], curve.n_dims, friction_per_ps)[0]
            )
    except RuntimeError as err:
        raise ValueError(f"msd: the Langevin MSD fit did not converge: {err}") from err
    g = len(groups)
    leave_out = np.asarray(leave_out)
    stderr = float(np.sqrt((g - 1) / g * np.sum((leave_out - leave_out.mean()) ** 2)))
    return d_all, stderr, gamma, window


def fit_diffusion(
    curve: MSDCurve,
    D_target_nm2_per_ns: float,
    *,
    slope_tolerance: float = 0.15,
    friction_per_ps: float | None = None,
    min_window_ratio: float = 4.0,
) -> Calibration:
    """Fit D in the detected linear regime (else the Langevin form); s = D_sim / D_target.

    Parameters
    ----------
    curve : MSDCurve
    D_target_nm2_per_ns : float
        Physical diffusion coefficient (nm²/ns = µm²/ms), > 0.
    slope_tolerance : float
        Allowed |d ln MSD / d ln t - 1| inside the linear regime.
    friction_per_ps : float, optional
        Thermostat friction γ (1/ps), fixed in the Langevin fallback when given.
    min_window_ratio : float
        Shortest accepted linear regime as lag_max / lag_min (> 1).

    Returns
    -------
    Calibration
    """
    check_positive("D_target_nm2_per_ns", D_target_nm2_per_ns)
    if not 0 < slope_tolerance < 1:
        raise ValueError(f"slope_tolerance must be in (0, 1), got {slope_tolerance}")
    if friction_per_ps is not None:
        check_positive("friction_per_ps", friction_per_ps)
    if not np.isfinite(min_window_ratio) or min_window_ratio <= 1:
        raise ValueError(f"min_window_ratio must be > 1, got {min_window_ratio}")
    found = _linear_window(curve.lag_ps, curve.mean(), slope_tolerance, min_window_ratio)
    if found is None:
        logger.warning(
            "no linear MSD regime (slope within %g of 1): fitting the Langevin form",
            slope_tolerance,
        )
        d_ps, stderr_ps, gamma, window = _langevin_fit(curve, slope_tolerance, friction_per_ps)
        t = curve.lag_ps[window]
        d_sim, stderr, n = d_ps * 1000.0, stderr_ps * 1000.0, curve.msd_nm2.shape[1]
        method = "langevin" if friction_per_ps is None else "langevin_fixed_gamma"
    else:
        lo, hi = found
        window = slice(lo, hi + 1)
        t = curve.lag_ps[window]
        usable = np.all(curve.count[window] > 0, axis=0)
        if not usable.any():
            raise ValueError("msd: no transmitter has samples at every lag of the linear regime")
        design = np.vstack((t, np.ones_like(t))).T
        coef, *_ = np.linalg.lstsq(design, curve.msd_nm2[window][:, usable], rcond=None)
        d_each = coef[0] / (2 * curve.n_dims) * 1000.0  # nm²/ps -> nm²/ns
        method, gamma = "linear", None
        n = int(d_each.size)
        if n < 2:
            raise ValueError(
                f"msd: {n} transmitter(s) usable; the standard error of D needs at least 2"
            )
        stderr = float(np.std(d_each, ddof=1) / np.sqrt(n))
        d_sim = float(np.mean(d_each))
    if d_sim <= 0:
        raise ValueError(f"msd: fitted D_sim is not positive ({d_sim:.3g} nm2/ns)")
    logger.info(
        "D_sim = %.4g +- %.2g nm2/ns over %d molecules, %s fit on %.3g-%.3g ps",
        d_sim,
        stderr,
        n,
        method,
        t[0],
        t[-1],
    )
    return Calibration(
        d_sim,
        stderr,
        float(D_target_nm2_per_ns),
        d_sim / D_target_nm2_per_ns,
        (float(t[0]), float(t[-1])),
        n,
        method,
        gamma,
    )
