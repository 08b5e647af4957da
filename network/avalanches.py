"""Neuronal avalanches from spikes: causal cascades, and time bins as in experiments.

* Causal avalanches (:func:`causal_avalanches`): the engine records which spike's
  transmission fired each spike (``SpikeRecord.parent``); an avalanche is the tree of
  one drive event or kick and all its descendants. Under slow drive that is exactly one
  avalanche per kick; under Poisson drive the trees of a causal forest, which may
  overlap in time. Its duration counts generations (the clock of a branching process),
  its profile is spikes per generation.
* Binned avalanches (:func:`extract_avalanches`, Beggs & Plenz 2003): a maximal run of
  consecutive non-empty time bins bounded by empty bins, what an experiment without
  causal information can measure. A bin of the maximal delay (:func:`auto_bin_steps`)
  never splits a cascade: a child fires at most one maximal delay after its parent, so
  their bins are equal or adjacent. Narrower bins split cascades into many "avalanches"
  (at the mean inter-spike interval, 0.2-0.9 ms, one kick became 5-12 of them), wider
  ones merge cascades that follow each other closely.
"""

from __future__ import annotations

import numba
import numpy as np
import pandas as pd

from synsoc.layout import AVALANCHE_COLUMNS, BIN_SCAN_COLUMNS
from synsoc.validation import check_int_at_least, check_positive, finite_array

__all__ = [
    "BIN_SCAN_FACTORS",
    "auto_bin_steps",
    "bin_counts",
    "bin_scan",
    "extract_avalanches",
    "causal_avalanches",
]

BIN_SCAN_FACTORS = (0.125, 0.25, 0.5, 1.0, 2.0, 4.0)
"""Bin widths of :func:`bin_scan`, in maximal delays (Beggs & Plenz 2003 scanned the bin
around the mean inter-event interval; exponents that move with the bin are binning, not
criticality)."""


def auto_bin_steps(max_delay_steps: int) -> int:
    """Default bin width: the maximal synaptic delay, the narrowest bin that never splits
    a causal cascade (a child spike falls in its parent's bin or the next one).

    Parameters
    ----------
    max_delay_steps : int
        Maximal synaptic delay (steps, >= 1).

    Returns
    -------
    int
        Bin width in steps.
    """
    check_int_at_least("max_delay_steps", max_delay_steps, 1)
    return int(max_delay_steps)


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


def bin_scan(step: np.ndarray, n_steps: int, dt_ms: float, max_delay_steps: int) -> pd.DataFrame:
    """Binned avalanches at the bin widths of :data:`BIN_SCAN_FACTORS` x the maximal delay.

    Parameters
    ----------
    step : np.ndarray, shape=(n_spikes,), dtype=int
        Spike steps in ``[0, n_steps)``.
    n_steps : int
    dt_ms : float
        Time step (ms).
    max_delay_steps : int
        Maximal synaptic delay (steps).

    Returns
    -------
    pandas.DataFrame
        Columns ``synsoc.layout.BIN_SCAN_COLUMNS`` (bin_ms, bin_steps, size,
        duration_bins), one row per avalanche per bin width (widths rounded to whole
        steps, at least one, each width once).
    """
    check_int_at_least("max_delay_steps", max_delay_steps, 1)
    widths = sorted({max(1, round(f * max_delay_steps)) for f in BIN_SCAN_FACTORS})
    parts = []
    for width in widths:
        bin_ms = round(width * dt_ms, 9)
        frame = extract_avalanches(bin_counts(step, n_steps, width), bin_ms)
        parts.append(
            pd.DataFrame(
                {
                    "bin_ms": np.full(len(frame), bin_ms),
                    "bin_steps": np.full(len(frame), width, np.int64),
                    "size": frame["size"].to_numpy(np.int64),
                    "duration_bins": frame["duration_bins"].to_numpy(np.int64),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)[list(BIN_SCAN_COLUMNS)]


@numba.njit(cache=True)
def _trees(parent):
    """Root (index of the drive spike; -2 if it lies before the record) and generation
    of every spike; parents come before their children."""
    n = parent.size
    root = np.empty(n, np.int64)
    generation = np.zeros(n, np.int64)
    for i in range(n):
        p = parent[i]
        if p == -1:
            root[i] = i
        elif p == -2:
            root[i] = -2
        else:
            root[i] = root[p]
            generation[i] = generation[p] + 1
    return root, generation


def causal_avalanches(
    step: np.ndarray,
    parent: np.ndarray,
    dt_ms: float,
    n_steps: int,
    max_delay_steps: int,
) -> pd.DataFrame:
    """Causal avalanches: each drive spike (a root) and all spikes descending from it.

    Trees rooted before the record (``parent`` -2: continuing from a warm-up) and trees
    that may still grow after it (a spike within ``max_delay_steps`` of the end) are
    incomplete and dropped.

    Parameters
    ----------
    step : np.ndarray, shape=(n_spikes,), dtype=int
        Spike steps, non-decreasing (``SpikeRecord.step``).
    parent : np.ndarray, shape=(n_spikes,), dtype=int
        ``SpikeRecord.parent``: index of the parent spike, -1 for a drive spike, -2 for a
        parent before the record.
    dt_ms : float
        Time step (ms).
    n_steps : int
        Steps in the record.
    max_delay_steps : int
        Maximal synaptic delay (steps).

    Returns
    -------
    pandas.DataFrame
        Columns ``synsoc.layout.AVALANCHE_COLUMNS``, one row per complete tree, ordered
        by its root: ``start_ms`` the root's time, ``size`` its spikes,
        ``duration_bins`` its generations (1 for a drive spike without offspring),
        ``duration_ms`` from the root to the last spike plus one step, ``bin_ms`` NaN
        (no bins), ``profile`` spikes per generation.
    """
    step = np.asarray(step, np.int64)
    parent = np.asarray(parent, np.int64)
    check_positive("dt_ms", dt_ms)
    check_int_at_least("n_steps", n_steps, 1)
    check_int_at_least("max_delay_steps", max_delay_steps, 1)
    if step.shape != parent.shape or step.ndim != 1:
        raise ValueError("step and parent must be one-dimensional and of equal length")
    if np.any(parent >= np.arange(parent.size)) or np.any(parent < -2):
        raise ValueError("parent must be -2, -1 or the index of an earlier spike")
    root, generation = _trees(parent)
    keep = root >= 0
    roots, tree = np.unique(root[keep], return_inverse=True)
    size = np.bincount(tree, minlength=roots.size)
    last = np.full(roots.size, -1, np.int64)
    np.maximum.at(last, tree, step[keep])
    depth = np.zeros(roots.size, np.int64)
    np.maximum.at(depth, tree, generation[keep])
    complete = last < n_steps - max_delay_steps
    # spikes per (tree, generation): sorted by tree, then generation
    order = np.lexsort((generation[keep], tree))
    key = tree[order] * (int(depth.max(initial=0)) + 1) + generation[keep][order]
    _, counts = np.unique(key, return_counts=True)
    profiles = np.split(counts, np.cumsum(depth + 1)[:-1])
    chosen = np.flatnonzero(complete)
    columns = {
        "avalanche_id": np.arange(chosen.size, dtype=np.int64),
        "start_ms": step[roots[chosen]] * dt_ms,
        "size": size[chosen].astype(np.int64),
        "duration_bins": depth[chosen] + 1,
        "duration_ms": (last[chosen] - step[roots[chosen]] + 1) * dt_ms,
        "bin_ms": np.full(chosen.size, np.nan),
        "profile": pd.Series([profiles[i].astype(np.int64) for i in chosen], dtype=object),
    }
    return pd.DataFrame({name: columns[name] for name in AVALANCHE_COLUMNS})
