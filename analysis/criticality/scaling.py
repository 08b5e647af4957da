"""Avalanche exponents and the crackling-noise scaling relation.

Size ``P(S) ~ S^-tau``, duration ``P(T) ~ T^-alpha`` and mean size per duration
``<S>(T) ~ T^gamma``. For crackling noise (Sethna, Dahmen & Myers 2001; Friedman et al.
2012) the three are tied by ``gamma = (alpha - 1) / (tau - 1)``. The mean-field critical
branching process has tau = 3/2, alpha = 2, gamma = 2.

Uncertainties: a case bootstrap over avalanches (x_min held at the values found on the
data, exponents refit), giving percentile 95 % intervals for tau, alpha, gamma, the
predicted gamma and their difference; the relation "holds" when 0 lies inside the
interval of ``gamma - (alpha - 1)/(tau - 1)``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from analysis.criticality.powerlaw_fit import PowerLawFit, fit_power_law
from synsoc.validation import check_int_at_least

__all__ = [
    "ScalingResult",
    "mean_size_per_duration",
    "fit_gamma",
    "fit_gamma_log_binned",
    "avalanche_scaling",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScalingResult:
    """Exponents of one avalanche data set.

    Attributes
    ----------
    size_fit, duration_fit : PowerLawFit
        Discrete fits of sizes (spikes) and durations (bins).
    gamma : float or None
        Slope of log <S> against log T over ``gamma_range_bins``; None when too few
        durations are well sampled (``gamma_note`` says why).
    gamma_range_bins : tuple of int or None
        Inclusive duration range (bins) of the <S>(T) fit.
    ci95 : dict of str to (float, float)
        Bootstrap percentile intervals (x_min searched again on every resample) of
        ``tau``, ``alpha``, ``gamma_predicted`` and,
        when gamma is defined, ``gamma`` and ``gamma_difference``.
    n_bootstrap : int
        Bootstrap resamples that could be fit (resamples whose tail collapses to a
        single value are dropped).
    gamma_note : str
        ``"ok"`` or the reason gamma is undefined.
    gamma_method : str
        ``"per duration"`` (:func:`fit_gamma`) or, when too few avalanches share each
        duration, ``"log-binned durations"`` (:func:`fit_gamma_log_binned`).
    """

    size_fit: PowerLawFit
    duration_fit: PowerLawFit
    gamma: float | None
    gamma_range_bins: tuple[int, int] | None
    ci95: dict
    n_bootstrap: int
    gamma_note: str = "ok"
    gamma_method: str = "per duration"

    @property
    def gamma_predicted(self) -> float:
        """Crackling-noise prediction ``(alpha - 1) / (tau - 1)``."""
        return (self.duration_fit.alpha - 1.0) / (self.size_fit.alpha - 1.0)

    @property
    def relation_holds(self) -> bool | None:
        """Whether 0 lies in the 95 % interval of ``gamma - gamma_predicted``."""
        if self.gamma is None:
            return None
        lo, hi = self.ci95["gamma_difference"]
        return bool(lo <= 0.0 <= hi)

    def as_dict(self) -> dict:
        """JSON-ready dictionary."""
        return {
            "tau": {
                "value": self.size_fit.alpha,
                "ci95": self.ci95["tau"],
                "fit": self.size_fit.as_dict(),
            },
            "alpha": {
                "value": self.duration_fit.alpha,
                "ci95": self.ci95["alpha"],
                "fit": self.duration_fit.as_dict(),
            },
            **self._gamma_dict(),
            "n_bootstrap": self.n_bootstrap,
        }

    def _gamma_dict(self) -> dict:
        if self.gamma is None:
            undefined = {"status": "undefined", "reason": self.gamma_note}
            return {
                "gamma": undefined,
                "scaling_relation": {
                    **undefined,
                    "gamma_predicted": self.gamma_predicted,
                    "gamma_predicted_ci95": self.ci95["gamma_predicted"],
                },
            }
        return {
            "gamma": {
                "value": self.gamma,
                "ci95": self.ci95["gamma"],
                "duration_range_bins": list(self.gamma_range_bins),
                "method": self.gamma_method,
            },
            "scaling_relation": {
                "gamma_predicted": self.gamma_predicted,
                "gamma_predicted_ci95": self.ci95["gamma_predicted"],
                "gamma_minus_predicted": self.gamma - self.gamma_predicted,
                "gamma_minus_predicted_ci95": self.ci95["gamma_difference"],
                "holds_within_ci95": self.relation_holds,
                "definition": "gamma == (alpha - 1) / (tau - 1) (crackling noise)",
            },
        }


def mean_size_per_duration(sizes, durations):
    """Mean avalanche size for each observed duration.

    Parameters
    ----------
    sizes, durations : array_like, shape=(n,)
        Sizes (spikes) and durations (bins) of the same avalanches.

    Returns
    -------
    durations : np.ndarray, shape=(m,)
        Distinct durations, ascending (bins).
    mean_sizes : np.ndarray, shape=(m,)
        Mean size at each duration (spikes).
    counts : np.ndarray, shape=(m,)
        Avalanches at each duration.
    """
    s = np.asarray(sizes, dtype=float)
    t = np.asarray(durations)
    if s.shape != t.shape or s.ndim != 1:
        raise ValueError("sizes and durations must be 1-D arrays of equal length")
    values, inverse, counts = np.unique(t, return_inverse=True, return_counts=True)
    return values, np.bincount(inverse, weights=s) / counts, counts


def fit_gamma(
    sizes, durations, *, t_min: int, min_count: int, decades: float | None = None
) -> tuple[float, tuple[int, int]]:
    """Slope of log <S>(T) against log T over durations with enough avalanches.

    Parameters
    ----------
    sizes, durations : array_like, shape=(n,)
    t_min : int
        Smallest duration used (bins), usually the duration fit's x_min.
    min_count : int
        Durations with fewer avalanches are excluded; the range ends at the first
        duration above ``t_min`` whose count drops below it.
    decades : float, optional
        When given, the range is shortened from below to at most this many decades
        ending at the largest well-sampled duration (finite-size corrections to
        ``<S>(T)`` decay slowly, e.g. as 1/T for the critical branching process).

    Returns
    -------
    gamma : float
    t_range : tuple of int
        Inclusive duration range used (bins).
    """
    t_values, mean_s, counts = mean_size_per_duration(sizes, durations)
    keep = t_values >= t_min
    t_values, mean_s, counts = t_values[keep], mean_s[keep], counts[keep]
    sparse = np.flatnonzero(counts < min_count)
    stop = sparse[0] if sparse.size else t_values.size
    if stop < 2:
        raise ValueError(
            f"<S>(T) fit needs >= 2 durations >= {t_min} bins with >= {min_count} "
            f"avalanches each; found {stop}"
        )
    t_values, mean_s = t_values[:stop], mean_s[:stop]
    if decades is not None:
        floor = t_values[-1] / 10.0**decades
        keep = t_values >= floor
        t_values, mean_s = t_values[keep], mean_s[keep]
        if t_values.size < 2:
            raise ValueError(f"<S>(T) fit: fewer than 2 durations in the last {decades} decades")
    slope = np.polyfit(np.log(t_values), np.log(mean_s), 1)[0]
    return float(slope), (int(t_values[0]), int(t_values[-1]))


def fit_gamma_log_binned(
    sizes,
    durations,
    *,
    t_min: int,
    min_count: int,
    decades: float | None = None,
    bins_per_decade: int = 10,
) -> tuple[float, tuple[int, int]]:
    """Slope of log <S> against log T with durations pooled in logarithmic bins.

    For sparse data (a few hundred avalanches) almost every duration above the
    duration x_min holds fewer than ``min_count`` avalanches, so :func:`fit_gamma`
    has nothing to fit. Here durations >= ``t_min`` are pooled in bins of equal width
    in log T; each bin contributes its mean size and the geometric mean of its
    durations, and bins with fewer than ``min_count`` avalanches are left out.

    Parameters
    ----------
    sizes, durations : array_like, shape=(n,)
    t_min : int
        Smallest duration used (bins).
    min_count : int
        Avalanches a bin needs to enter the fit.
    decades : float, optional
        Window width in decades of T ending at the last bin used, as in
        :func:`fit_gamma`.
    bins_per_decade : int
        Logarithmic bins per decade of T.

    Returns
    -------
    gamma : float
    t_range : tuple of int
        Inclusive range (bins) of the durations in the bins used.
    """
    check_int_at_least("bins_per_decade", bins_per_decade, 1)
    t_values, mean_s, counts = mean_size_per_duration(sizes, durations)
    keep = t_values >= t_min
    t_values, mean_s, counts = t_values[keep], mean_s[keep], counts[keep]
    if t_values.size == 0:
        raise ValueError(f"<S>(T) log-binned fit: no durations >= {t_min} bins")
    log_t = np.log10(t_values.astype(float))
    group = np.floor((log_t - log_t[0]) * bins_per_decade + 1e-9).astype(int)
    n_groups = group[-1] + 1
    total = np.bincount(group, weights=counts, minlength=n_groups)
    size_sum = np.bincount(group, weights=mean_s * counts, minlength=n_groups)
    log_t_sum = np.bincount(group, weights=log_t * counts, minlength=n_groups)
    # durations are sorted, so each bin is a contiguous run of t_values
    first_t = t_values[
        np.searchsorted(group, np.arange(n_groups), side="left").clip(max=group.size - 1)
    ]
    last_t = t_values[np.searchsorted(group, np.arange(n_groups), side="right") - 1]
    used = total >= max(min_count, 1)
    if decades is not None and used.any():
        top = log_t_sum[used][-1] / total[used][-1]
        centres = np.divide(log_t_sum, total, out=np.full(n_groups, -np.inf), where=total > 0)
        used &= centres >= top - decades
    if used.sum() < 2:
        raise ValueError(
            f"<S>(T) log-binned fit needs >= 2 bins of durations >= {t_min} with >= "
            f"{min_count} avalanches each; found {int(used.sum())}"
        )
    log_mean_t = log_t_sum[used] / total[used]
    log_mean_s = np.log10(size_sum[used] / total[used])
    slope = np.polyfit(log_mean_t, log_mean_s, 1)[0]
    return float(slope), (int(first_t[used][0]), int(last_t[used][-1]))


def avalanche_scaling(
    sizes,
    durations,
    *,
    n_bootstrap: int,
    rng: int | np.random.Generator | None = None,
    min_tail: int = 10,
    min_count: int = 5,
    gamma_decades: float | None = 1.0,
    min_tail_fraction: float = 0.0,
    alpha_range: tuple[float, float] | None = None,
) -> ScalingResult:
    """Fit tau, alpha, gamma and test the crackling-noise relation.

    Parameters
    ----------
    sizes : array_like, shape=(n,), dtype=int
        Avalanche sizes (spikes, >= 1).
    durations : array_like, shape=(n,), dtype=int
        Avalanche durations (bins, >= 1).
    n_bootstrap : int
        Case-bootstrap resamples for the intervals (>= 2).
    rng : int or numpy.random.Generator, optional
        Seed or generator of the bootstrap (a generator is used in place); None draws
        fresh entropy.
    min_tail : int
        Smallest tail of the x_min searches.
    min_count : int
        Avalanches per duration required in the <S>(T) fit.
    gamma_decades : float or None
        Width of the <S>(T) fit window in decades of T, ending at the largest
        well-sampled duration (None: from the duration x_min on).
    min_tail_fraction, alpha_range
        Guards of the x_min searches (:func:`fit_power_law`).

    Returns
    -------
    ScalingResult
    """
    s = np.asarray(sizes)
    t = np.asarray(durations)
    check_int_at_least("n_bootstrap", n_bootstrap, 2)
    guards = dict(min_tail=min_tail, min_tail_fraction=min_tail_fraction, alpha_range=alpha_range)
    size_fit = fit_power_law(s, discrete=True, **guards)
    duration_fit = fit_power_law(t, discrete=True, **guards)
    gamma_fit, method = fit_gamma, "per duration"
    try:
        gamma, t_range = fit_gamma(
            s, t, t_min=int(duration_fit.xmin), min_count=min_count, decades=gamma_decades
        )
        note = "ok"
    except ValueError as sparse:
        gamma_fit, method = fit_gamma_log_binned, "log-binned durations"
        try:
            gamma, t_range = gamma_fit(
                s, t, t_min=int(duration_fit.xmin), min_count=min_count, decades=gamma_decades
            )
            note = "ok"
            logger.info("<S>(T) per duration too sparse (%s): fitted log-binned", sparse)
        except ValueError as err:
            gamma, t_range, note = None, None, f"{sparse}; {err}"
            logger.warning("gamma undefined: %s", note)
    rng = np.random.default_rng(rng)
    boot = np.empty((n_bootstrap, 3))
    valid = np.ones(n_bootstrap, dtype=bool)
    for i in range(n_bootstrap):
        pick = rng.integers(0, s.size, s.size)
        bs, bt = s[pick], t[pick]
        try:
            # the x_min search is repeated on every resample (Clauset et al. 2009, 3.4),
            # so the intervals include the uncertainty of the cut-off
            boot[i, 0] = fit_power_law(bs, discrete=True, **guards).alpha
            boot[i, 1] = fit_power_law(bt, discrete=True, **guards).alpha
            if gamma is not None:
                in_range = (bt >= t_range[0]) & (bt <= t_range[1])
                boot[i, 2] = gamma_fit(bs[in_range], bt[in_range], t_min=t_range[0], min_count=1)[0]
        except ValueError:
            # a resample whose tail collapsed to one value cannot be fit; it is dropped
            valid[i] = False
    if valid.sum() < 2:
        raise ValueError(
            f"exponent bootstrap: only {valid.sum()} of {n_bootstrap} resamples could be fit"
        )
    boot = boot[valid]
    predicted = (boot[:, 1] - 1.0) / (boot[:, 0] - 1.0)
    columns = {"tau": boot[:, 0], "alpha": boot[:, 1], "gamma_predicted": predicted}
    if gamma is not None:
        columns.update(gamma=boot[:, 2], gamma_difference=boot[:, 2] - predicted)
    ci95 = {k: [float(v) for v in np.percentile(c, [2.5, 97.5])] for k, c in columns.items()}
    logger.info("tau=%.3f alpha=%.3f gamma=%s", size_fit.alpha, duration_fit.alpha, gamma)
    return ScalingResult(
        size_fit, duration_fit, gamma, t_range, ci95, int(valid.sum()), note, method
    )
