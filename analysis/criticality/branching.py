"""Branching-ratio estimators from population activity.

* Conventional: slope ``r_1`` of the linear regression of ``A_{t+1}`` on ``A_t``. Under
  subsampling it is biased towards 0 (Priesemann et al. 2009; Wilting & Priesemann 2018).
* Multistep regression (MR; Wilting & Priesemann 2018, Nat. Commun. 9:2325): slopes
  ``r_k`` of ``A_{t+k}`` on ``A_t`` for k = 1..k_max follow ``r_k = b m^k`` with the
  subsampling bias absorbed into ``b``; fitting the exponential gives an unbiased m.
* Offspring per spike of causal avalanches (complete trees): ``(Σ S − n) / Σ S``, every
  spike but the n roots being one spike's child; the maximum-likelihood estimate of the
  mean offspring number of Galton–Watson trees (Harris 1948).

The package ``mrestimator`` implements MR too; it is not a dependency because its
trial-structured API and plotting side effects add little over the few regressions here,
and the block bootstrap below reuses per-block sufficient statistics instead of refitting
resampled time series.

Confidence intervals: non-overlapping block bootstrap. The series is cut into ``n_blocks``
contiguous blocks; per block and lag the sums (n, Σx, Σy, Σxy, Σx²) are stored, and a
bootstrap replicate sums a resample of blocks, so each replicate costs O(n_blocks k_max).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from synsoc.validation import check_int_at_least, finite_array

__all__ = ["BranchingResult", "lag_regression_slopes", "branching_ratio", "tree_branching_ratio"]

_M_MAX = 2.0  # upper bound of m in the exponential fit

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BranchingResult:
    """Branching-ratio estimates.

    Attributes
    ----------
    conventional, conventional_ci95
        ``r_1`` and its bootstrap 95 % interval.
    mr, mr_ci95
        Multistep-regression m and its bootstrap 95 % interval.
    mr_amplitude : float
        ``b`` of ``r_k = b m^k``.
    slopes : np.ndarray, shape=(k_max,)
        ``r_k`` for k = 1..k_max.
    autocorrelation_time_bins : float or None
        ``-1 / ln m`` of the MR estimate (bins); None when m >= 1 (no decay).
    n_bootstrap : int
        Bootstrap replicates that could be fit (replicates without variance or whose
        exponential fit fails are dropped).
    """

    conventional: float
    conventional_ci95: tuple[float, float]
    mr: float
    mr_ci95: tuple[float, float]
    mr_amplitude: float
    slopes: np.ndarray
    autocorrelation_time_bins: float | None
    n_bootstrap: int

    def as_dict(self) -> dict:
        """JSON-ready dictionary."""
        return {
            "conventional": self.conventional,
            "conventional_ci95": list(self.conventional_ci95),
            "multistep_regression": self.mr,
            "multistep_regression_ci95": list(self.mr_ci95),
            "mr_amplitude": self.mr_amplitude,
            "k_max_bins": int(self.slopes.size),
            "slopes_r_k": self.slopes.tolist(),
            "autocorrelation_time_bins": self.autocorrelation_time_bins,
            "autocorrelation_time_note": (
                "undefined: m >= 1, activity does not decay"
                if self.autocorrelation_time_bins is None
                else "-1 / ln(m)"
            ),
            "n_bootstrap": self.n_bootstrap,
            "method": "Wilting & Priesemann 2018 multistep regression; block bootstrap CI",
            "note": (
                f"m at the fit bound {_M_MAX}: activity grows, the estimate is a bound only"
                if self.mr >= _M_MAX - 1e-6
                else "ok"
            ),
        }


def _block_stats(a: np.ndarray, k_max: int, n_blocks: int) -> np.ndarray:
    """Per-block regression sums, shape (n_blocks, k_max, 5): n, Σx, Σy, Σxy, Σx²."""
    starts = np.linspace(0, a.size - k_max, n_blocks + 1).astype(int)
    out = np.empty((n_blocks, k_max, 5))
    csum = np.concatenate(([0.0], np.cumsum(a)))
    csq = np.concatenate(([0.0], np.cumsum(a * a)))
    for k in range(1, k_max + 1):
        prod = np.concatenate(([0.0], np.cumsum(a[:-k] * a[k:])))
        for b in range(n_blocks):
            lo, hi = starts[b], starts[b + 1]  # t in [lo, hi), t + k < a.size
            out[b, k - 1] = (
                hi - lo,
                csum[hi] - csum[lo],
                csum[hi + k] - csum[lo + k],
                prod[hi] - prod[lo],
                csq[hi] - csq[lo],
            )
    return out


def _slopes(stats: np.ndarray) -> np.ndarray:
    n, sx, sy, sxy, sxx = np.moveaxis(stats, -1, 0)
    var = sxx - sx * sx / n
    return (sxy - sx * sy / n) / np.where(var > 0, var, np.nan)


def lag_regression_slopes(activity, *, k_max: int) -> np.ndarray:
    """Slopes ``r_k`` of ``A_{t+k}`` regressed on ``A_t``, k = 1..k_max.

    Parameters
    ----------
    activity : array_like, shape=(n_bins,)
        Population activity (spikes per bin).
    k_max : int
        Largest lag (bins).

    Returns
    -------
    np.ndarray, shape=(k_max,)
    """
    a = np.asarray(activity, dtype=float)
    return _slopes(_block_stats(a, k_max, 1)[0])


def _fit_exponential(slopes: np.ndarray) -> tuple[float, float]:
    k = np.arange(1, slopes.size + 1, dtype=float)
    positive = slopes > 0
    if positive.sum() >= 2:
        p = np.polyfit(k[positive], np.log(slopes[positive]), 1)
        start = (np.exp(p[1]), float(np.clip(np.exp(p[0]), 1e-3, 1.5)))
    else:
        start = (max(slopes[0], 1e-3), 0.5)
    try:
        (b, m), _ = optimize.curve_fit(
            lambda kk, b, m: b * m**kk,
            k,
            slopes,
            p0=start,
            bounds=([-np.inf, 0.0], [np.inf, _M_MAX]),
        )
    except RuntimeError as err:  # least_squares ran out of evaluations
        raise ValueError(f"multistep regression r_k = b m^k did not converge: {err}") from err
    return float(b), float(m)


def branching_ratio(
    activity,
    *,
    k_max: int,
    n_bootstrap: int,
    rng: int | np.random.Generator | None = None,
    n_blocks: int = 20,
) -> BranchingResult:
    """Conventional and multistep-regression branching ratios with bootstrap CIs.

    Parameters
    ----------
    activity : array_like, shape=(n_bins,)
        Population activity per time bin (spikes per bin, >= 0).
    k_max : int
        Largest lag of the MR fit (bins, >= 2); should exceed the autocorrelation
        time several-fold.
    n_bootstrap : int
        Block-bootstrap replicates (>= 2).
    rng : int or numpy.random.Generator, optional
        Seed or generator of the bootstrap (a generator is used in place); None draws
        fresh entropy.
    n_blocks : int
        Contiguous blocks of the bootstrap (>= 2).

    Returns
    -------
    BranchingResult

    Raises
    ------
    ValueError
        If the series is too short or has no variance.
    """
    a = finite_array("activity", activity, ndim=1)
    check_int_at_least("k_max", k_max, 2)
    check_int_at_least("n_bootstrap", n_bootstrap, 2)
    check_int_at_least("n_blocks", n_blocks, 2)
    if a.size < 10 * k_max or a.size < n_blocks * 2 + k_max:
        raise ValueError(
            f"activity: {a.size} bins is too short for k_max={k_max} (need >= {10 * k_max})"
        )
    if np.var(a) == 0:
        raise ValueError("activity is constant; the branching ratio is undefined")
    stats = _block_stats(a, k_max, n_blocks)
    slopes = _slopes(stats.sum(axis=0))
    if not np.all(np.isfinite(slopes)):
        raise ValueError(
            f"activity is constant over the first {a.size - k_max} bins; "
            "the regression slopes r_k are undefined"
        )
    b, m = _fit_exponential(slopes)
    rng = np.random.default_rng(rng)
    boot_conv, boot_mr = np.empty(n_bootstrap), np.empty(n_bootstrap)
    valid = np.zeros(n_bootstrap, dtype=bool)
    for i in range(n_bootstrap):
        resampled = _slopes(stats[rng.integers(0, n_blocks, n_blocks)].sum(axis=0))
        if not np.all(np.isfinite(resampled)):
            continue  # every drawn block was constant: no slope, replicate dropped
        try:
            boot_mr[i] = _fit_exponential(resampled)[1]
        except ValueError:
            continue
        boot_conv[i] = resampled[0]
        valid[i] = True
    if valid.sum() < 2:
        raise ValueError(
            f"branching-ratio bootstrap: only {valid.sum()} of {n_bootstrap} replicates "
            "could be fit"
        )
    boot_conv, boot_mr = boot_conv[valid], boot_mr[valid]
    logger.info("branching ratio: conventional=%.4f MR=%.4f", slopes[0], m)
    return BranchingResult(
        conventional=float(slopes[0]),
        conventional_ci95=tuple(float(v) for v in np.percentile(boot_conv, [2.5, 97.5])),
        mr=m,
        mr_ci95=tuple(float(v) for v in np.percentile(boot_mr, [2.5, 97.5])),
        mr_amplitude=b,
        slopes=slopes,
        autocorrelation_time_bins=float(-1.0 / np.log(m)) if 0 < m < 1 else None,
        n_bootstrap=int(valid.sum()),
    )


def tree_branching_ratio(
    sizes, *, n_bootstrap: int, rng: int | np.random.Generator | None = None
) -> dict:
    """Mean offspring per spike of complete causal trees, with a bootstrap interval.

    Parameters
    ----------
    sizes : array_like, shape=(n,), dtype=int
        Sizes (spikes) of complete trees, each grown from one root.
    n_bootstrap : int
        Case-bootstrap replicates over trees (>= 2).
    rng : int or numpy.random.Generator, optional
        Seed or generator (used in place); None draws fresh entropy.

    Returns
    -------
    dict
        ``offspring_per_spike`` = ``(sum(sizes) - n) / sum(sizes)`` (dimensionless), its
        95 % percentile interval ``offspring_per_spike_ci95``, ``n_trees``, ``method``.

    Raises
    ------
    ValueError
        If there is no tree or a size is below 1.
    """
    s = finite_array("sizes", sizes, ndim=1)
    check_int_at_least("n_bootstrap", n_bootstrap, 2)
    if s.size == 0 or np.any(s < 1):
        raise ValueError("sizes: need at least one tree, every size >= 1")
    rng = np.random.default_rng(rng)
    total = s.sum()
    boot_totals = np.array([s[rng.integers(0, s.size, s.size)].sum() for _ in range(n_bootstrap)])
    boot = (boot_totals - s.size) / boot_totals
    return {
        "offspring_per_spike": float((total - s.size) / total),
        "offspring_per_spike_ci95": [float(v) for v in np.percentile(boot, [2.5, 97.5])],
        "n_trees": int(s.size),
        "method": "(sum S - n) / sum S over complete trees (Harris 1948); case bootstrap",
    }
