"""Synthetic avalanche data with known answers (test oracles and benchmarks).

* Galton–Watson trees with Poisson(m) offspring: at m = 1 the size distribution is Borel,
  ``P(S=n) = e^-n n^(n-1) / n!  ~ n^-3/2``, durations ``P(T) ~ T^-2`` and
  ``<S>(T) ~ T^2`` (mean-field critical branching; Harris 1963).
* A driven branching process ``A_{t+1} ~ Poisson(m A_t + h)`` observed through binomial
  subsampling, the setting of Wilting & Priesemann (2018).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from synsoc.validation import check_int_at_least, check_positive

__all__ = ["galton_watson_avalanches", "subsampled_branching_series"]

logger = logging.getLogger(__name__)


def galton_watson_avalanches(
    n_trees: int,
    m: float,
    *,
    rng: int | np.random.Generator | None = None,
    max_generations: int = 10_000,
) -> pd.DataFrame:
    """Avalanches of independent Galton–Watson trees with Poisson(m) offspring.

    Each tree starts from one individual; generation g is time bin g. Trees still alive
    after ``max_generations`` are dropped (their number is in ``frame.attrs``).

    Parameters
    ----------
    n_trees : int
        Trees simulated (>= 1).
    m : float
        Mean offspring number (branching ratio, >= 0).
    rng : int or numpy.random.Generator, optional
        Seed or generator (used in place); None draws fresh entropy.
    max_generations : int
        Generation cap.

    Returns
    -------
    pandas.DataFrame
        Columns of the network stage's avalanche contract
        (``synsoc.layout.AVALANCHE_COLUMNS``) with ``bin_ms = 1``.
    """
    check_int_at_least("n_trees", n_trees, 1)
    check_positive("m", m, allow_zero=True)
    rng = np.random.default_rng(rng)
    alive = np.arange(n_trees)
    z = np.ones(n_trees, dtype=np.int64)
    ids, counts = [], []
    for _ in range(max_generations):
        ids.append(alive)
        counts.append(z)
        z = rng.poisson(m * z)
        keep = z > 0
        alive, z = alive[keep], z[keep]
        if alive.size == 0:
            break
    ids_all = np.concatenate(ids)
    counts_all = np.concatenate(counts)
    complete = np.ones(n_trees, dtype=bool)
    complete[alive] = False
    order = np.argsort(ids_all, kind="stable")  # generations stay in order per tree
    ids_all, counts_all = ids_all[order], counts_all[order]
    durations = np.bincount(ids_all, minlength=n_trees)
    sizes = np.bincount(ids_all, weights=counts_all, minlength=n_trees).astype(np.int64)
    profiles = np.split(counts_all, np.cumsum(durations)[:-1])
    keep = np.flatnonzero(complete)
    frame = pd.DataFrame(
        {
            "avalanche_id": np.arange(keep.size, dtype=np.int64),
            "start_ms": np.cumsum(np.concatenate(([0], durations[keep][:-1] + 1))).astype(float),
            "size": sizes[keep],
            "duration_bins": durations[keep].astype(np.int64),
            "duration_ms": durations[keep].astype(float),
            "bin_ms": 1.0,
            "profile": [profiles[i] for i in keep],
        }
    )
    frame.attrs["n_dropped_alive"] = int(n_trees - keep.size)
    return frame


def subsampled_branching_series(
    m: float,
    drive: float,
    n_steps: int,
    fraction: float,
    *,
    rng: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Driven branching process and its binomially subsampled observation.

    Parameters
    ----------
    m : float
        Branching ratio (0 <= m < 1 for a stationary process).
    drive : float
        External Poisson input per step; stationary mean activity ``drive / (1 - m)``.
    n_steps : int
        Time steps.
    fraction : float
        Probability that an active unit is observed (0 < fraction <= 1).
    rng : int or numpy.random.Generator, optional
        Seed or generator (used in place); None draws fresh entropy.

    Returns
    -------
    full, observed : np.ndarray, shape=(n_steps,), dtype=int64
        Total and observed activity per step.
    """
    if not 0 <= m < 1:
        raise ValueError(f"m must be in [0, 1), got {m}")
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    check_int_at_least("n_steps", n_steps, 2)
    rng = np.random.default_rng(rng)
    full = np.empty(n_steps, dtype=np.int64)
    a = int(round(drive / (1.0 - m)))
    for i in range(n_steps):
        a = rng.poisson(m * a + drive)
        full[i] = a
    return full, rng.binomial(full, fraction)
