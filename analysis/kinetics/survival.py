"""Maximum-likelihood fits of waiting-time distributions with right censoring.

With exact times an observed event contributes ``log f(t)``, a censored one (the run
ended first) ``log S(t) = log(1 - F(t))``. Durations recorded on a frame grid
(``CensoredSample.resolution`` > 0) are interval-censored instead: the likelihood of
what was recorded, derived in :mod:`analysis.kinetics.censored` and evaluated by
:meth:`Family.log_observed` / :meth:`Family.log_censored`. Families are scipy.stats
distributions of the true duration with the location fixed at 0, so a fitted result
is usable as ``getattr(scipy.stats, family)(**params)``; ``scale`` carries the time
unit of the data.

Model selection by AICc = AIC + 2k(k+1)/(n - k - 1), with BIC = k ln n - 2 ln L beside
it; n is the number of *uncensored* events in both (a censored observation carries
less information than an event: Volinsky & Raftery 2000 show that this n gives BIC its
Laplace-approximation justification under censoring, and it keeps the small-sample
AICc correction from vanishing because of censored observations). A family with
n - k - 1 <= 0 is not ranked.

Goodness of fit: Kolmogorov distance between the Kaplan–Meier estimate of the
recorded durations and the fitted law of the *recorded* duration
(:meth:`FamilyFit.recorded_cdf`), with a parametric-bootstrap p-value whose replicates
are drawn, put on the grid and censored like the data (censoring times from the
reverse Kaplan–Meier estimate), then refitted. Replicates are independent draws: the
fitted law has no within-cluster dependence, so with strongly clustered data the
p-value is too small (the null spread of the distance is underestimated).

Parameter CIs: seeded percentile bootstrap; it resamples whole clusters when the
sample has cluster labels (dependent dwells of one transmitter stay together), else
single observations.

References: Klein & Moeschberger, *Survival Analysis* (2003) ch. 3–4 (censored
likelihood, Kaplan–Meier, Greenwood); Burnham & Anderson (2002) for AIC and AICc
(Hurvich & Tsai 1989); Volinsky & Raftery, Biometrics 56, 256 (2000) for BIC with
censored data; Davison & Hinkley (1997) §3.8 for the cluster bootstrap.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize
from threadpoolctl import ThreadpoolController

from analysis.kinetics.censored import CensoredSample
from analysis.kinetics.families import FAMILIES, Family
from synsoc.validation import check_choice, check_int_at_least

__all__ = [
    "KaplanMeier",
    "FamilyFit",
    "SurvivalFit",
    "kaplan_meier",
    "fit_family",
    "fit_survival",
    "bootstrap_ci",
    "ks_distance",
    "gof_pvalue",
]

logger = logging.getLogger(__name__)

_NLL_INFEASIBLE = 1e300
"""Negative log-likelihood returned where the likelihood is 0 or not finite."""


@dataclass(frozen=True)
class KaplanMeier:
    """Kaplan–Meier survival estimate.

    Attributes
    ----------
    time : np.ndarray, shape=(n_unique_events,)
        Distinct observed event times (increasing).
    survival : np.ndarray, shape=(n_unique_events,)
        S(t) just after each time (right-continuous step function).
    stderr : np.ndarray, shape=(n_unique_events,)
        Greenwood standard error of S.
    restricted_mean : float
        Area under the KM curve from 0 to the largest observation (same unit as
        the data); a lower bound of the mean when the tail is censored.
    """

    time: np.ndarray
    survival: np.ndarray
    stderr: np.ndarray
    restricted_mean: float

    def at(self, t: np.ndarray) -> np.ndarray:
        """S(t) evaluated at arbitrary times (step function, right-continuous)."""
        idx = np.searchsorted(self.time, np.asarray(t, dtype=float), side="right")
        return np.concatenate(([1.0], self.survival))[idx]


@dataclass(frozen=True)
class FamilyFit:
    """Censored MLE of one family.

    Attributes
    ----------
    family : str
        scipy.stats name (location fixed at 0).
    params : dict of str to float
        Shape parameters and ``scale`` (data time unit).
    loglik : float
        Censored log-likelihood of the recorded sample (:meth:`Family.loglik`).
    aic : float
        2k - 2 loglik, k = ``n_params``.
    aicc : float
        aic + 2k(k+1)/(n - k - 1) with n the number of uncensored events; inf when
        n <= k + 1 (undefined).
    bic : float
        k ln(n) - 2 loglik, n the number of uncensored events (Volinsky & Raftery 2000).
    n_params : int
        Free parameters (shapes and scale; the location is fixed, not counted).
    success : bool
    message : str
    resolution : float
        Frame interval of the data fitted (0: exact times), its time unit.
    exact_start : bool
        Recording model of the data fitted (see :class:`CensoredSample`).
    """

    family: str
    params: dict[str, float]
    loglik: float
    aic: float
    aicc: float
    bic: float
    n_params: int
    success: bool
    message: str
    resolution: float = 0.0
    exact_start: bool = True

    def frozen(self):
        """The fitted scipy.stats frozen distribution."""
        return FAMILIES[self.family].dist(**self.params)

    def mean(self) -> float | None:
        """Mean of the fitted (true-duration) distribution, ``None`` when infinite (Lévy)."""
        value = float(self.frozen().mean())
        return value if np.isfinite(value) else None

    def recorded_cdf(self, t) -> np.ndarray:
        """CDF of the recorded duration, P(D <= t), at times ``t`` on the data's grid.

        With exact times the fitted CDF; on a grid with an exact start F(t); with a
        discretised start 1 - (1/Δ) ∫_t^{t+Δ} S(s) ds / P_rec (module docstring of
        :mod:`analysis.kinetics.censored`).

        Parameters
        ----------
        t : array_like
            Times >= 0, multiples of ``resolution`` when it is > 0 (data time unit).

        Returns
        -------
        np.ndarray
        """
        if self.resolution == 0:
            return self.frozen().cdf(t)
        spec = FAMILIES[self.family]
        with np.errstate(all="ignore"):
            log_sf = spec.log_censored(
                np.asarray(t, dtype=float),
                np.array(list(self.params.values())),
                resolution=self.resolution,
                exact_start=self.exact_start,
            )
        return -np.expm1(log_sf)


@dataclass(frozen=True)
class SurvivalFit:
    """All-family censored fit of one set of waiting times.

    Attributes
    ----------
    n_events, n_censored : int
        Number of observations and how many of them are censored.
    all_censored : bool
        True when every observation is censored: no family is fitted and
        ``kaplan_meier.restricted_mean`` is the lower bound of the mean.
    fits : tuple of FamilyFit
        Successful fits ordered by AICc (best first); empty when all censored or when
        no family has more than k + 1 uncensored events.
    params_ci95 : dict of str to (float, float)
        Bootstrap 95 % percentile interval of the best family's parameters (clusters
        resampled when the sample has them).
    kaplan_meier : KaplanMeier or None
        ``None`` only when there are no observations.
    ks_distance : float or None
        sup |F_KM - F_recorded| of the best family (:meth:`FamilyFit.recorded_cdf`).
    gof_pvalue : float or None
        Parametric-bootstrap p-value of ``ks_distance``.
    """

    n_events: int
    n_censored: int
    all_censored: bool
    fits: tuple[FamilyFit, ...]
    params_ci95: dict[str, tuple[float, float]] = field(default_factory=dict)
    kaplan_meier: KaplanMeier | None = None
    ks_distance: float | None = None
    gof_pvalue: float | None = None

    @property
    def best(self) -> FamilyFit | None:
        """Lowest-AICc family, or ``None``."""
        return self.fits[0] if self.fits else None

    def aic_table(self) -> list[dict[str, float | str]]:
        """Rows ``{family, loglik, aic, aicc, bic, delta_aic, delta_aicc}`` ordered by AICc.

        ``delta_aicc`` is relative to the best (first) row, ``delta_aic`` to the lowest
        AIC of the table.
        """
        if not self.fits:
            return []
        best_aicc = self.fits[0].aicc
        best_aic = min(f.aic for f in self.fits)
        return [
            {
                "family": f.family,
                "loglik": f.loglik,
                "aic": f.aic,
                "aicc": f.aicc,
                "bic": f.bic,
                "delta_aic": f.aic - best_aic,
                "delta_aicc": f.aicc - best_aicc,
            }
            for f in self.fits
        ]


def kaplan_meier(sample: CensoredSample) -> KaplanMeier:
    """Kaplan–Meier estimate with Greenwood standard errors.

    Parameters
    ----------
    sample : CensoredSample
        Waiting times (>= 0) and their censoring flags; not empty.

    Returns
    -------
    KaplanMeier
    """
    _iv_sample(sample)
    t, c = sample.durations, sample.censored
    if t.size == 0:
        raise ValueError("durations is empty")
    order = np.argsort(t, kind="stable")
    t_sorted = t[order]
    event_times = np.unique(t[~c])
    at_risk = t.size - np.searchsorted(t_sorted, event_times, side="left")
    deaths = np.bincount(np.searchsorted(event_times, t[~c]), minlength=event_times.size).astype(
        float
    )
    factor = 1.0 - deaths / at_risk
    survival = np.cumprod(factor)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(at_risk > deaths, deaths / (at_risk * (at_risk - deaths)), 0.0)
    stderr = survival * np.sqrt(np.cumsum(terms))
    edges = np.concatenate(([0.0], event_times, [t_sorted[-1]]))
    heights = np.concatenate(([1.0], survival))
    restricted = float(np.sum(heights * np.clip(np.diff(edges), 0.0, None)))
    return KaplanMeier(event_times, survival, stderr, restricted)


def _iv_sample(sample) -> CensoredSample:
    """Check that ``sample`` is a :class:`CensoredSample` (not a loose pair)."""
    if not isinstance(sample, CensoredSample):
        raise TypeError(
            f"sample must be a CensoredSample(durations, censored), got {type(sample).__name__}"
        )
    return sample


def _iv_families(families: Sequence[str]) -> None:
    unknown = [f for f in families if f not in FAMILIES]
    if unknown or not families:
        raise ValueError(
            f"families must be a non-empty subset of {sorted(FAMILIES)}, got {list(families)}"
        )


def _compress(sample: CensoredSample) -> tuple[np.ndarray, ...]:
    """Unique observed / censored times, and each observation's index among them."""
    t, c = sample.durations, sample.censored
    obs_u, obs_inv = np.unique(t[~c], return_inverse=True)
    cen_u, cen_inv = np.unique(t[c], return_inverse=True)
    return obs_u, obs_inv, cen_u, cen_inv


def _recording(sample: CensoredSample) -> dict[str, float | bool]:
    """The sample's recording model as keyword arguments of the likelihood terms."""
    return {"resolution": sample.resolution, "exact_start": sample.exact_start}


def _negloglik(family: Family, obs_t, obs_w, cen_t, cen_w, recording: dict) -> Callable:
    """Weighted censored negative log-likelihood in log-parameters."""

    def nll(log_params: np.ndarray) -> float:
        params = np.exp(log_params)
        with np.errstate(all="ignore"):
            observed, censored = family.loglik_terms(obs_t, cen_t, params, **recording)
            total = obs_w @ observed
            if cen_t.size:
                total += cen_w @ censored
        return float(-total) if np.isfinite(total) else _NLL_INFEASIBLE

    return nll


@functools.cache
def _blas_threads() -> ThreadpoolController:
    """Controller of the BLAS thread pools loaded (numpy's and scipy's OpenBLAS)."""
    return ThreadpoolController()


def _optimize(family: Family, obs_t, obs_w, cen_t, cen_w, x0: np.ndarray, recording: dict):
    nll = _negloglik(family, obs_t, obs_w, cen_t, cen_w, recording)
    # One BLAS thread: L-BFGS-B works on 1-2 parameters, and waking BLAS threads at
    # every step made each fit ~6x slower on a busy 2-core machine (bootstrap refits).
    with _blas_threads().limit(limits=1, user_api="blas"):
        # One parameter on grid data: Brent's method, derivative-free (the likelihood is
        # built from differences of G, whose rounding would enter finite-difference
        # gradients) and 2-3x faster. Exact times keep L-BFGS-B, bit for bit as before.
        if x0.size == 1 and recording["resolution"] > 0:
            result = _minimize_brent(nll, x0)
            if result.success and np.isfinite(result.fun):
                return result
        return _minimize(nll, x0)


def _minimize_brent(nll: Callable, x0: np.ndarray) -> optimize.OptimizeResult:
    """Brent's method on a one-parameter ``nll``, bracketed from x0 ± 0.1.

    The log-parameter is located to 1e-6 (relative 1e-6 in the parameter, far below
    any statistical error and tighter than L-BFGS-B's default stopping rule).
    """
    found = optimize.minimize_scalar(
        lambda value: nll(np.array([value])),
        bracket=(x0[0] - 0.1, x0[0] + 0.1),
        options={"xtol": 1e-6},
    )
    return optimize.OptimizeResult(
        x=np.array([found.x]),
        fun=found.fun,
        success=bool(found.success),
        message=str(found.message),
        nfev=found.nfev,
    )


def _minimize(nll: Callable, x0: np.ndarray):
    """L-BFGS-B, polished by Nelder–Mead when it fails."""
    result = optimize.minimize(nll, x0, method="L-BFGS-B")
    if not result.success or not np.isfinite(result.fun):
        polish = optimize.minimize(
            nll,
            result.x,
            method="Nelder-Mead",
            options={"xatol": 1e-6, "fatol": 1e-6, "maxiter": 2000},
        )
        if polish.fun <= result.fun:
            result = polish
    return result


def fit_family(
    family: str, sample: CensoredSample, *, start: Sequence[float] | None = None
) -> FamilyFit:
    """Censored maximum-likelihood fit of one family.

    Parameters
    ----------
    family : str
        A key of ``FAMILIES``.
    sample : CensoredSample
        Waiting times, > 0 with exact times (``resolution`` 0), at least one observed.
        Its ``resolution`` and ``exact_start`` choose the likelihood.
    start : sequence of float, optional
        Initial parameters (natural scale); defaults to a moment estimate. Not used by
        the exponential with exact times, whose MLE is closed-form (:func:`_expon_mle`).

    Returns
    -------
    FamilyFit
    """
    check_choice("family", family, tuple(FAMILIES))
    _iv_sample(sample)
    t = sample.durations
    if t.size == 0:
        raise ValueError("durations is empty")
    if sample.resolution == 0 and np.any(t <= 0):
        raise ValueError("durations must be > 0 for a fit")
    if sample.all_censored:
        raise ValueError("censored: every observation is censored; no family can be fitted")
    if family == "expon" and sample.resolution == 0:
        return _family_fit(family, _expon_mle(sample), sample)
    spec = FAMILIES[family]
    x0 = np.log(np.asarray(start, dtype=float) if start is not None else spec.init(sample))
    obs_u, obs_inv, cen_u, cen_inv = _compress(sample)
    obs_w = np.bincount(obs_inv, minlength=obs_u.size).astype(float)
    cen_w = np.bincount(cen_inv, minlength=cen_u.size).astype(float)
    result = _optimize(spec, obs_u, obs_w, cen_u, cen_w, x0, _recording(sample))
    return _family_fit(family, result, sample)


def _expon_mle(sample: CensoredSample) -> optimize.OptimizeResult:
    """Censored exponential MLE with exact times, in closed form.

    With d observed events and total time at risk T = Σ t_i (observed and censored),
    ln L(s) = −d ln s − T / s is maximal at s = T / d, where ln L = −d (ln s + 1). The
    iterative fit reached the same s within its stopping tolerance (1e-6 relative) at
    1/10 of lifelines' time at 10^5 samples; this is exact and skips it.
    """
    events = sample.n_observed
    scale = float(np.sum(sample.durations)) / events
    return optimize.OptimizeResult(
        x=np.array([np.log(scale)]),
        fun=events * (np.log(scale) + 1.0),
        success=True,
        message="closed form: time at risk / events",
    )


def _aicc(aic: float, k: int, n: int) -> float:
    """AIC + 2k(k+1)/(n - k - 1); inf when n <= k + 1."""
    room = n - k - 1
    return aic + 2 * k * (k + 1) / room if room > 0 else math.inf


def _family_fit(family: str, result, sample: CensoredSample) -> FamilyFit:
    spec = FAMILIES[family]
    k = len(spec.names)
    n = sample.n_observed
    loglik = -float(result.fun)
    params = dict(zip(spec.names, (float(v) for v in np.exp(result.x)), strict=True))
    aic = 2 * k - 2 * loglik
    return FamilyFit(
        family=family,
        params=params,
        loglik=loglik,
        aic=aic,
        aicc=_aicc(aic, k, n),
        bic=k * np.log(n) - 2 * loglik,
        n_params=k,
        success=bool(result.success) and -loglik < _NLL_INFEASIBLE,
        message=str(result.message),
        resolution=sample.resolution,
        exact_start=sample.exact_start,
    )


def ks_distance(fit: FamilyFit, km: KaplanMeier) -> float:
    """sup_t |F_KM(t) - F_D(t)|: Kaplan–Meier against the fitted law of the recorded duration.

    With exact times F_D is the fitted CDF and the supremum is taken on both sides of
    each KM step. On a grid both curves are steps on the grid, so between two KM event
    times t_(i-1) < t_i the largest gap is at t_(i-1) or at t_i - Δ: the KM value
    before t_i is compared with F_D(t_i - Δ).

    Parameters
    ----------
    fit : FamilyFit
        Its ``resolution`` and ``exact_start`` give F_D (:meth:`FamilyFit.recorded_cdf`).
    km : KaplanMeier
        Of the recorded durations the fit was made to.

    Returns
    -------
    float
    """
    if km.time.size == 0:
        return 0.0
    cdf = fit.recorded_cdf(km.time)
    cdf_before = cdf if fit.resolution == 0 else fit.recorded_cdf(km.time - fit.resolution)
    after = 1.0 - km.survival
    before = 1.0 - np.concatenate(([1.0], km.survival[:-1]))
    return float(max(np.max(np.abs(after - cdf)), np.max(np.abs(before - cdf_before))))


def _draw_censoring(
    reverse_km: KaplanMeier | None, size: int, rng: np.random.Generator
) -> np.ndarray:
    """Censoring times from the reverse Kaplan–Meier estimate (inf beyond its support)."""
    if reverse_km is None or reverse_km.time.size == 0:
        return np.full(size, np.inf)
    cdf = 1.0 - reverse_km.survival
    u = rng.random(size)
    idx = np.searchsorted(cdf, u, side="left")
    padded = np.concatenate((reverse_km.time, [np.inf]))
    return padded[idx]


def _draw_recorded(fit: FamilyFit, size: int, rng: np.random.Generator) -> np.ndarray:
    """Durations drawn from the fitted law and recorded like the data.

    Exact times: the draws. Exact start: ceil(T/Δ) Δ. Discretised start:
    ceil(T/Δ - U) Δ with a uniform phase U, redrawing events of 0 frames (never
    recorded), so the draws follow the law conditioned on being recorded.
    """
    law = fit.frozen()
    if fit.resolution == 0:
        return law.rvs(size=size, random_state=rng)
    if fit.exact_start:
        frames = np.maximum(np.ceil(law.rvs(size=size, random_state=rng) / fit.resolution), 1)
        return frames * fit.resolution
    frames = np.zeros(size)
    lost = np.ones(size, dtype=bool)
    while lost.any():
        count = int(lost.sum())
        true = law.rvs(size=count, random_state=rng)
        frames[lost] = np.ceil(true / fit.resolution - rng.random(count))
        lost = frames < 1
    return frames * fit.resolution


def gof_pvalue(
    fit: FamilyFit,
    sample: CensoredSample,
    *,
    n_bootstrap: int,
    rng: int | np.random.Generator,
) -> tuple[float, float]:
    """KS distance and its parametric-bootstrap p-value under censoring.

    Each replicate draws event times from the fitted law, records them on the data's
    grid like the data (:func:`_draw_recorded`), censors them with times from the
    reverse Kaplan–Meier estimate of the data (censored where the recorded duration
    exceeds the censoring time), refits the same family and recomputes the distance,
    so the p-value accounts for the estimated parameters and the discretisation.
    Replicates are independent draws (no cluster structure).

    Parameters
    ----------
    fit : FamilyFit
        The fit to test.
    sample : CensoredSample
        The data it was fitted to.
    n_bootstrap : int
        Parametric-bootstrap replicates, >= 1.
    rng : int or numpy.random.Generator
        Seed or generator of every draw (``numpy.random.default_rng(rng)``; a
        Generator is used, and advanced, as is).

    Returns
    -------
    (float, float)
        Observed distance and p = (1 + #{D* >= D}) / (1 + n_bootstrap).
    """
    check_int_at_least("n_bootstrap", n_bootstrap, 1)
    _iv_sample(sample)
    rng = np.random.default_rng(rng)
    n = len(sample)
    observed = ks_distance(fit, kaplan_meier(sample))
    reverse = (
        kaplan_meier(CensoredSample(sample.durations, sample.observed))
        if sample.n_censored
        else None
    )
    start = list(fit.params.values())
    exceed = 0
    for _ in range(n_bootstrap):
        draw = _draw_recorded(fit, n, rng)
        limit = _draw_censoring(reverse, n, rng)
        cens = draw > limit
        draw = np.where(cens, limit, draw)
        if sample.resolution == 0:
            draw = np.maximum(draw, np.finfo(float).tiny)
        if cens.all():
            exceed += 1
            continue
        replicate = CensoredSample(draw, cens, **_recording(sample))
        refit = fit_family(fit.family, replicate, start=start)
        exceed += ks_distance(refit, kaplan_meier(replicate)) >= observed
    return observed, (1 + exceed) / (1 + n_bootstrap)


def bootstrap_ci(
    fit: FamilyFit,
    sample: CensoredSample,
    *,
    n_bootstrap: int,
    rng: int | np.random.Generator,
) -> dict[str, tuple[float, float]]:
    """Percentile 95 % intervals of a family's parameters by resampling the sample.

    With cluster labels whole clusters are resampled with replacement (as many as
    there are), each bringing all its observations; without, single observations.

    Parameters
    ----------
    fit : FamilyFit
        The fit whose parameters get intervals (its values start each refit).
    sample : CensoredSample
        The data it was fitted to; observations (or clusters) are resampled by position.
    n_bootstrap : int
        Resamples, >= 2.
    rng : int or numpy.random.Generator
        Seed or generator of the resampling (``numpy.random.default_rng(rng)``; a
        Generator is used, and advanced, as is).

    Returns
    -------
    dict of str to (float, float)
    """
    check_int_at_least("n_bootstrap", n_bootstrap, 2)
    _iv_sample(sample)
    rng = np.random.default_rng(rng)
    n = len(sample)
    spec = FAMILIES[fit.family]
    x0 = np.log(np.asarray(list(fit.params.values())))
    obs_u, obs_inv, cen_u, cen_inv = _compress(sample)
    obs_index, cen_index = np.flatnonzero(sample.observed), np.flatnonzero(sample.censored)
    recording = _recording(sample)
    if sample.clusters is not None:
        labels, cluster_of = np.unique(sample.clusters, return_inverse=True)
        n_clusters = labels.size
    draws = []
    failed = 0
    for _ in range(n_bootstrap):
        # Resample as multinomial counts on the unique times (same law as resampling
        # the array, cost proportional to the number of unique times).
        if sample.clusters is None:
            counts = np.bincount(rng.integers(0, n, n), minlength=n).astype(float)
        else:
            picks = np.bincount(rng.integers(0, n_clusters, n_clusters), minlength=n_clusters)
            counts = picks[cluster_of].astype(float)
        obs_w = np.bincount(obs_inv, weights=counts[obs_index], minlength=obs_u.size)
        cen_w = np.bincount(cen_inv, weights=counts[cen_index], minlength=cen_u.size)
        if obs_w.sum() == 0:
            continue
        result = _optimize(spec, obs_u, obs_w, cen_u, cen_w, x0, recording)
        if not result.fun < _NLL_INFEASIBLE:  # the refit never left the infeasible region
            failed += 1
            continue
        draws.append(np.exp(result.x))
    if failed:
        logger.warning(
            "%s bootstrap: %d of %d refits failed, left out", fit.family, failed, n_bootstrap
        )
    if len(draws) < 2:
        raise ValueError(
            "censored: too few bootstrap samples hold an uncensored observation "
            "and give a finite likelihood"
        )
    arr = np.asarray(draws)
    lo, hi = np.percentile(arr, [2.5, 97.5], axis=0)
    return {name: (float(a), float(b)) for name, a, b in zip(fit.params, lo, hi, strict=True)}


def fit_survival(
    sample: CensoredSample,
    *,
    families: Sequence[str] = tuple(FAMILIES),
    n_bootstrap: int = 200,
    n_gof_bootstrap: int = 0,
    rng: int | np.random.Generator | None = 0,
) -> SurvivalFit:
    """Fit every family with censoring, rank by AICc, bootstrap the best one.

    Parameters
    ----------
    sample : CensoredSample
        Waiting times (> 0 for observed events; censored ones may be 0), with the
        recording model (``resolution``, ``exact_start``) the likelihood follows and
        optional cluster labels for the bootstrap.
    families : sequence of str
        Keys of ``FAMILIES``. A family with k parameters is fitted only when there are
        more than k + 1 uncensored events (AICc is undefined otherwise); the others
        are logged and left out.
    n_bootstrap : int
        Resamples for the parameter CIs of the best family (0 = none, else >= 2).
    n_gof_bootstrap : int
        Parametric-bootstrap replicates for the GOF p-value (0 = distance only).
    rng : int or numpy.random.Generator, optional
        Seed or generator of every random draw (``numpy.random.default_rng(rng)``):
        the CI resamples first, then the GOF replicates, from one stream. The default
        0 makes calls without ``rng`` repeat exactly; ``None`` draws fresh entropy.

    Returns
    -------
    SurvivalFit
        ``all_censored=True`` with no fits when no event was observed; no fits either
        when too few events were observed for any family.

    Examples
    --------
    >>> from scipy import stats
    >>> x = stats.expon(scale=5.0).rvs(size=500, random_state=1)
    >>> sample = CensoredSample(np.minimum(x, 8.0), x > 8.0)
    >>> fit = fit_survival(sample, families=["expon", "gamma"], n_bootstrap=0)
    >>> fit.best.family in ("expon", "gamma")
    True
    """
    _iv_sample(sample)
    _iv_families(families)
    if check_int_at_least("n_bootstrap", n_bootstrap, 0) == 1:
        raise ValueError(f"n_bootstrap must be 0 (no CIs) or >= 2, got {n_bootstrap}")
    check_int_at_least("n_gof_bootstrap", n_gof_bootstrap, 0)
    n = len(sample)
    if n == 0:
        return SurvivalFit(0, 0, False, ())
    km = kaplan_meier(sample)
    n_cens = sample.n_censored
    if sample.all_censored:
        logger.warning("all %d observations censored; mean >= %.4g", n, km.restricted_mean)
        return SurvivalFit(n, n_cens, True, (), kaplan_meier=km)
    if np.any(sample.durations[sample.observed] <= 0):
        raise ValueError("durations: observed (uncensored) events must be > 0")
    if sample.resolution == 0:
        positive = CensoredSample(
            np.maximum(sample.durations, np.finfo(float).tiny),
            sample.censored,
            clusters=sample.clusters,
        )
    else:
        positive = sample
    rankable = [name for name in families if _ranked(name, sample.n_observed)]
    if not rankable:
        return SurvivalFit(n, n_cens, False, (), kaplan_meier=km)
    fits = []
    for name in rankable:
        fitted = fit_family(name, positive)
        if fitted.success:
            fits.append(fitted)
        else:
            logger.warning("fit of %s failed: %s", name, fitted.message)
    fits.sort(key=lambda f: f.aicc)
    if not fits:
        raise ValueError("durations: no family could be fitted")
    rng = np.random.default_rng(rng)
    best = fits[0]
    ci = bootstrap_ci(best, positive, n_bootstrap=n_bootstrap, rng=rng) if n_bootstrap else {}
    if n_gof_bootstrap:
        distance, pvalue = gof_pvalue(best, positive, n_bootstrap=n_gof_bootstrap, rng=rng)
    else:
        distance, pvalue = ks_distance(best, km), None
    return SurvivalFit(n, n_cens, False, tuple(fits), ci, km, distance, pvalue)


def _ranked(family: str, n_observed: int) -> bool:
    """Whether AICc is defined for ``family``: n_observed > k + 1 (logged when not)."""
    k = len(FAMILIES[family].names)
    if n_observed > k + 1:
        return True
    logger.warning(
        "%s not ranked: AICc needs more than %d uncensored events, got %d",
        family,
        k + 1,
        n_observed,
    )
    return False
