"""Neuronal avalanches from spikes: time bins, sizes, durations, profiles.

An avalanche is a maximal run of consecutive non-empty time bins bounded by empty bins
(Beggs & Plenz 2003). The default bin is the mean inter-event interval of the
population activity; intervals longer than the maximum synaptic delay are quiescent
gaps between avalanches (slow drive separates them by construction) and are excluded.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synsoc.layout import AVALANCHE_COLUMNS
from synsoc.validation import check_int_at_least, check_positive, finite_array

__all__ = ["auto_bin_steps", "bin_counts", "extract_avalanches"]


def auto_bin_steps(step: np.ndarray, max_gap_steps: int) -> int:
    """Mean inter-event interval of the population activity, in whole steps (>= 1).

    Parameters
    ----------
    step : np.ndarray, shape=(n_spikes,), dtype=int
        Spike steps, non-decreasing.
    max_gap_steps : int
        Intervals longer than this (quiescent gaps) are excluded from the mean.

    Returns
    -------
    int
        ``max(1, round(mean interval))``; 1 if there are no intervals to average.
    """
    check_int_at_least("max_gap_steps", max_gap_steps, 1)
    times = np.unique(step)
    intervals = np.diff(times)
    intervals = intervals[intervals <= max_gap_steps]
    if intervals.size == 0:
        return 1
    return max(1, int(round(intervals.mean())))


def bin_counts(step: np.ndarray, n_steps: int, bin_steps: int) -> np.ndarray:
    """Spikes per time bin.

    Parameters
    ----------
    step : np.ndarray, shape=(n_spikes,), dtype=int
        Spike steps in ``[0, n_steps)``.
    n_steps : int
        Length of the run in steps.
    bin_steps : int
        Bin width in steps.

    Returns
    -------
    np.ndarray, shape=(ceil(n_steps / bin_steps),), dtype=int64
    """
    check_int_at_least("bin_steps", bin_steps, 1)
    check_int_at_least("n_steps", n_steps, 1)
    if step.size and (step.min() < 0 or step.max() >= n_steps):
        raise ValueError("step values must lie in [0, n_steps)")
    n_bins = -(-n_steps // bin_steps)
    return np.bincount(np.asarray(step, np.int64) // bin_steps, minlength=n_bins).astype(np.int64)


def extract_avalanches(counts: np.ndarray, bin_ms: float) -> pd.DataFrame:
    """Avalanches of a binned activity series.

    An avalanche still running in the last bin is incomplete and dropped.

    Parameters
    ----------
    counts : np.ndarray, shape=(n_bins,), dtype=int
        Spikes per bin.
    bin_ms : float
        Bin width (ms).

    Returns
    -------
    pandas.DataFrame
        Columns ``synsoc.layout.AVALANCHE_COLUMNS``: avalanche_id (int64), start_ms,
        size (int64), duration_bins (int64), duration_ms, bin_ms, profile (list of spikes
        per bin), one row per avalanche.
    """
    counts = finite_array("counts", counts, ndim=1, dtype=None)
    check_positive("bin_ms", bin_ms)
    active = np.concatenate([[0], (counts > 0).astype(np.int8), [0]])
    edges = np.diff(active)
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    if starts.size and ends[-1] == counts.size:
        starts, ends = starts[:-1], ends[:-1]
    durations = ends - starts
    csum = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])
    sizes = csum[ends] - csum[starts]
    profiles = [counts[a:b].astype(np.int64) for a, b in zip(starts, ends, strict=True)]
    columns = {
        "avalanche_id": np.arange(starts.size, dtype=np.int64),
        "start_ms": starts * bin_ms,
        "size": sizes.astype(np.int64),
        "duration_bins": durations.astype(np.int64),
        "duration_ms": durations * bin_ms,
        "bin_ms": np.full(starts.size, float(bin_ms)),
        "profile": pd.Series(profiles, dtype=object),
    }
    return pd.DataFrame({name: columns[name] for name in AVALANCHE_COLUMNS})
