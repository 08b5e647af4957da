"""Cleft-scale bridge: 1D diffusion across the cleft convolved with the MD near field.

A transmitter released at the presynaptic membrane (reflecting, x = 0) diffuses
across the cleft of width L to the postsynaptic side (absorbing, x = L). Its
first-passage time has the closed forms (Carslaw & Jaeger 1959; Redner, *A Guide to
First-Passage Processes*, 2001, §2.2)

* long times:  S(t) = Σ_n 4(-1)^n / ((2n+1)π) · exp(-(2n+1)² π² D t / (4 L²))
* short times (images): F(t) = 2 Σ_n (-1)^n erfc((2n+1) L / √(4 D t)),
  f(t) = 2 Σ_n (-1)^n (2n+1) L / √(4π D t³) · exp(-(2n+1)² L² / (4 D t))

with mean L² / (2 D). The cleft-scale first-passage time is this crossing time plus
the near-field time measured in MD (converted to physical time with s), so its CDF is
the convolution ∫ f_cross(τ) F_near(t - τ) dτ.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from scipy import special

from analysis.kinetics.censored import CensoredSample
from analysis.kinetics.families import FAMILIES
from analysis.kinetics.survival import fit_survival
from synsoc.validation import check_choice, check_int_at_least, check_positive, finite_array

__all__ = ["crossing_cdf", "crossing_pdf", "crossing_mean_ns", "CleftFPT", "cleft_first_passage"]

logger = logging.getLogger(__name__)

_N_TERMS = 60


def _check(width_nm: float, D_nm2_per_ns: float) -> None:
    check_positive("width_nm", width_nm)
    check_positive("D_nm2_per_ns", D_nm2_per_ns)


def _check_times(t_ns, width_nm: float, D_nm2_per_ns: float) -> np.ndarray:
    """Validate the arguments of the crossing law; return ``t_ns`` as a float array."""
    _check(width_nm, D_nm2_per_ns)
    t = finite_array("t_ns", t_ns, ndim=None)
    if np.any(t < 0):
        raise ValueError("t_ns must be finite and >= 0")
    return t


def crossing_cdf(t_ns: np.ndarray, width_nm: float, D_nm2_per_ns: float) -> np.ndarray:
    """CDF of the reflecting-to-absorbing crossing time.

    Parameters
    ----------
    t_ns : np.ndarray
        Times (ns), >= 0.
    width_nm : float
        Cleft width L (nm).
    D_nm2_per_ns : float
        Diffusion coefficient (nm²/ns = µm²/ms).

    Returns
    -------
    np.ndarray
        P(T <= t), same shape as ``t_ns``.
    """
    t = _check_times(t_ns, width_nm, D_nm2_per_ns)
    n = np.arange(_N_TERMS)[:, None]
    odd = 2 * n + 1
    tau = D_nm2_per_ns * t.ravel()[None, :] / width_nm**2
    short = tau < 0.25
    out = np.empty(t.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        arg = odd / np.sqrt(4 * np.where(short, tau, 1.0))
        images = 2 * np.sum((-1.0) ** n * special.erfc(arg), axis=0)
    series = 1 - np.sum(
        4 * (-1.0) ** n / (odd * np.pi) * np.exp(-(odd**2) * np.pi**2 * tau / 4), axis=0
    )
    out[:] = np.where(short, np.where(tau > 0, images, 0.0), series)
    return np.clip(out, 0.0, 1.0).reshape(t.shape)


def crossing_pdf(t_ns: np.ndarray, width_nm: float, D_nm2_per_ns: float) -> np.ndarray:
    """Density (1/ns) of the crossing time; same conventions as :func:`crossing_cdf`."""
    t = _check_times(t_ns, width_nm, D_nm2_per_ns)
    n = np.arange(_N_TERMS)[:, None]
    odd = 2 * n + 1
    flat = t.ravel()[None, :]
    tau = D_nm2_per_ns * flat / width_nm**2
    short = tau < 0.25
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        safe_t = np.where(flat > 0, flat, 1.0)
        images = 2 * np.sum(
            (-1.0) ** n
            * odd
            * width_nm
            / np.sqrt(4 * np.pi * D_nm2_per_ns * safe_t**3)
            * np.exp(-(odd**2) * width_nm**2 / (4 * D_nm2_per_ns * safe_t)),
            axis=0,
        )
        series = np.sum(
            (-1.0) ** n
            * odd
            * np.pi
            * D_nm2_per_ns
            / width_nm**2
            * np.exp(-(odd**2) * np.pi**2 * tau / 4),
            axis=0,
        )
    out = np.where(short[0], np.where(flat[0] > 0, images, 0.0), series)
    return np.clip(out, 0.0, None).reshape(t.shape)


def crossing_mean_ns(width_nm: float, D_nm2_per_ns: float) -> float:
    """Mean crossing time L² / (2 D) in ns."""
    _check(width_nm, D_nm2_per_ns)
    return width_nm**2 / (2 * D_nm2_per_ns)


@dataclass(frozen=True)
class CleftFPT:
    """Cleft-scale first-passage time in physical milliseconds.

    Attributes
    ----------
    family : str
        Best (AIC) scipy.stats family fitted to samples of the total time.
    params : dict of str to float
        Its parameters; ``scale`` in ms.
    mean_ms, median_ms : float
        Mean (exact sum of the crossing and near-field means; the Monte-Carlo sample
        mean when the near-field mean is infinite, e.g. Lévy) and median (ms).
    cleft_width_nm, D_nm2_per_ns : float
    cdf_t_ms : np.ndarray, shape=(n_grid,)
    cdf : np.ndarray, shape=(n_grid,)
        P(T <= t), non-decreasing in [0, 1].
    """

    family: str
    params: dict[str, float]
    mean_ms: float
    median_ms: float
    cleft_width_nm: float
    D_nm2_per_ns: float
    cdf_t_ms: np.ndarray
    cdf: np.ndarray


def cleft_first_passage(
    near_family: str,
    near_params_ms: dict[str, float],
    width_nm: float,
    D_nm2_per_ns: float,
    *,
    n_grid: int = 400,
    n_samples: int = 20000,
    rng: int | np.random.Generator | None = 0,
) -> CleftFPT:
    """Convolve the near-field first-passage law with the cleft crossing time.

    Parameters
    ----------
    near_family : str
        scipy.stats family of the near-field first-passage time (physical time).
    near_params_ms : dict of str to float
        Its parameters with ``scale`` in ms.
    width_nm : float
        Cleft width (nm).
    D_nm2_per_ns : float
        Physical diffusion coefficient in the cleft (nm²/ns).
    n_grid : int
        Points of the tabulated CDF.
    n_samples : int
        Monte Carlo samples of the total time used to fit its family.
    rng : int or numpy.random.Generator, optional
        Seed or generator of the Monte Carlo samples (``numpy.random.default_rng(rng)``);
        the default 0 makes calls without ``rng`` repeat exactly.

    Returns
    -------
    CleftFPT
    """
    check_choice("near_family", near_family, tuple(FAMILIES))
    _check(width_nm, D_nm2_per_ns)
    check_int_at_least("n_grid", n_grid, 10)
    check_int_at_least("n_samples", n_samples, 100)
    near = FAMILIES[near_family].dist(**near_params_ms)
    ns_per_ms = 1e6
    cross_mean_ms = crossing_mean_ns(width_nm, D_nm2_per_ns) / ns_per_ms
    cross_q_ms = cross_mean_ms * 6.0
    near_q_ms = float(near.ppf(0.999))
    t_max = cross_q_ms + near_q_ms
    # Fine uniform grid for the convolution, then sampled down to n_grid points.
    fine = np.linspace(0.0, t_max, 8 * n_grid + 1)
    dt = fine[1] - fine[0]
    f_cross = np.diff(crossing_cdf(fine * ns_per_ms, width_nm, D_nm2_per_ns))
    total = np.concatenate(
        ([0.0], np.convolve(f_cross, near.cdf(fine[:-1] + dt / 2))[: fine.size - 1])
    )
    total = np.maximum.accumulate(np.clip(total, 0.0, 1.0))
    rng = np.random.default_rng(rng)
    u = rng.random(n_samples)
    grid_cdf = crossing_cdf(fine * ns_per_ms, width_nm, D_nm2_per_ns)
    cross_samples = np.interp(u, grid_cdf, fine)
    samples = cross_samples + near.rvs(size=n_samples, random_state=rng)
    samples = samples[samples > 0]
    fit = fit_survival(CensoredSample(samples), n_bootstrap=0, rng=rng).best
    near_mean = float(near.mean())
    if np.isfinite(near_mean):
        mean_ms = cross_mean_ms + near_mean
    else:
        mean_ms = float(np.mean(samples))
        logger.warning(
            "near-field %s has an infinite mean: mean_ms is the mean of %d Monte-Carlo "
            "samples, not a converged estimate; use median_ms or the CDF",
            near_family,
            samples.size,
        )
    median_ms = (
        float(np.interp(0.5, total, fine)) if total[-1] >= 0.5 else float(np.median(samples))
    )
    idx = np.linspace(0, fine.size - 1, n_grid).round().astype(int)
    logger.info(
        "cleft FPT: crossing mean %.3g ms + near field -> mean %.3g ms (%s)",
        cross_mean_ms,
        mean_ms,
        fit.family,
    )
    return CleftFPT(
        fit.family,
        fit.params,
        mean_ms,
        median_ms,
        float(width_nm),
        float(D_nm2_per_ns),
        fine[idx],
        total[idx],
    )
