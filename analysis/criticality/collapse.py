"""Avalanche shape collapse (Sethna et al. 2001; Friedman et al. 2012; Marshall et al. 2016).

For a critical system the mean profile of avalanches of duration T obeys
``<s(t, T)> = T^(gamma - 1) F(t / T)``. Rescaling every mean profile by ``T^(gamma-1)``
and the time axis by T makes the curves fall on one ``F``; gamma is the value that
minimises the collapse error

    error(gamma) = mean_x Var_T[ y_T(x) ] / (max_x ybar(x) - min_x ybar(x))^2,

with ``y_T`` interpolated on a common grid of ``x = (t + 1/2) / T`` and ``ybar`` the mean
over durations (the normalised error of the NCC toolbox, Marshall et al. 2016).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from synsoc.validation import check_int_at_least

__all__ = ["CollapseResult", "mean_profiles", "collapse_error", "shape_collapse"]

logger = logging.getLogger(__name__)

_GRID_POINTS = 50


@dataclass(frozen=True)
class CollapseResult:
    """Shape-collapse fit.

    Attributes
    ----------
    gamma : float
        Exponent minimising the collapse error.
    error : float
        Normalised collapse error at ``gamma`` (0 = perfect collapse).
    durations_bins : tuple of int
        Durations whose mean profiles took part.
    profiles : dict of int to np.ndarray
        Mean profile (spikes per bin) of each duration used.
    """

    gamma: float
    error: float
    durations_bins: tuple[int, ...]
    profiles: dict

    def as_dict(self) -> dict:
        """JSON-ready dictionary (profiles omitted)."""
        return {
            "gamma": self.gamma,
            "collapse_error": self.error,
            "durations_bins": list(self.durations_bins),
            "n_durations": len(self.durations_bins),
        }


def mean_profiles(profiles, durations, *, min_count: int, min_duration: int) -> dict:
    """Mean profile of each duration with at least ``min_count`` avalanches.

    Parameters
    ----------
    profiles : sequence of array_like
        Spikes per bin of each avalanche; ``len(profiles[i]) == durations[i]``.
    durations : array_like, shape=(n,), dtype=int
        Durations (bins).
    min_count : int
        Avalanches needed per duration.
    min_duration : int
        Shortest duration used (bins, >= 2).

    Returns
    -------
    dict of int to np.ndarray, shape=(T,)
    """
    t = np.asarray(durations)
    if len(profiles) != t.size:
        raise ValueError("profiles and durations must have the same length")
    check_int_at_least("min_duration", min_duration, 2)
    values, counts = np.unique(t, return_counts=True)
    chosen = values[(counts >= min_count) & (values >= min_duration)]
    out = {}
    for duration in chosen:
        idx = np.flatnonzero(t == duration)
        rows = [np.asarray(profiles[i], dtype=float) for i in idx]
        wrong = [int(i) for i, row in zip(idx, rows, strict=True) if row.shape != (duration,)]
        if wrong:
            raise ValueError(
                f"profiles: avalanche {wrong[0]} has a profile of length "
                f"{len(profiles[wrong[0]])}, but its duration is {duration} bins"
            )
        out[int(duration)] = np.mean(rows, axis=0)
    return out


def _grid(durations) -> np.ndarray:
    longest_gap = 0.5 / min(durations)
    return np.linspace(longest_gap, 1.0 - longest_gap, _GRID_POINTS)


def collapse_error(gamma: float, profiles: dict) -> float:
    """Normalised collapse error of ``profiles`` rescaled with exponent ``gamma``.

    Parameters
    ----------
    gamma : float
    profiles : dict of int to np.ndarray
        Mean profile per duration (at least two durations).

    Returns
    -------
    float
    """
    if len(profiles) < 2:
        raise ValueError(f"profiles: need >= 2 durations, got {len(profiles)}")
    grid = _grid(list(profiles))
    curves = np.empty((len(profiles), grid.size))
    for row, (duration, profile) in enumerate(profiles.items()):
        x = (np.arange(duration) + 0.5) / duration
        curves[row] = np.interp(grid, x, profile / duration ** (gamma - 1.0))
    mean = curves.mean(axis=0)
    span = mean.max() - mean.min()
    if span <= 0:
        return float("inf")
    return float(np.mean(curves.var(axis=0)) / span**2)


def shape_collapse(
    profiles,
    durations,
    *,
    min_count: int = 20,
    min_duration: int = 4,
    gamma_bounds: tuple[float, float] = (1.0, 3.5),
) -> CollapseResult:
    """Find the exponent that best collapses the mean avalanche shapes.

    Parameters
    ----------
    profiles : sequence of array_like
        Spikes per bin of each avalanche.
    durations : array_like, shape=(n,), dtype=int
        Durations (bins).
    min_count : int
        Avalanches needed per duration.
    min_duration : int
        Shortest duration used (bins).
    gamma_bounds : (float, float)
        Search interval of gamma.

    Returns
    -------
    CollapseResult

    Raises
    ------
    ValueError
        If fewer than two durations have ``min_count`` avalanches.
    """
    means = mean_profiles(profiles, durations, min_count=min_count, min_duration=min_duration)
    if len(means) < 2:
        raise ValueError(
            f"shape collapse needs >= 2 durations >= {min_duration} bins with >= {min_count} "
            f"avalanches each; found {len(means)}"
        )
    coarse = np.linspace(*gamma_bounds, 51)
    errors = [collapse_error(g, means) for g in coarse]
    i = int(np.argmin(errors))
    lo, hi = coarse[max(i - 1, 0)], coarse[min(i + 1, coarse.size - 1)]
    res = optimize.minimize_scalar(
        lambda g: collapse_error(g, means),
        bounds=(lo, hi),
        method="bounded",
        options={"xatol": 1e-4},
    )
    logger.info(
        "shape collapse: gamma=%.3f error=%.3g over %d durations", res.x, res.fun, len(means)
    )
    return CollapseResult(float(res.x), float(res.fun), tuple(means), means)
