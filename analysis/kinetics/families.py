"""Waiting-time families for censored fits: fast log-density, log-survival, and the
frame-discretised (interval-censored) likelihood.

Each family is a scipy.stats distribution with the location fixed at 0, parameters
in scipy's order with ``scale`` last. The fitting loop evaluates everything with
``scipy.special`` directly (scipy.stats' generic argument handling costs ~100x more
per call at 10^5 samples); ``tests/kinetics`` checks every formula against scipy.stats
and ``scipy.integrate.quad`` (the slow, obvious references).

Discretised durations
---------------------
The recording model and its likelihoods are derived in :mod:`analysis.kinetics.censored`:
an exact start needs the mass of F over one frame, a discretised start the second
difference of G(t) = ∫_0^t F(s) ds (the probability of k frames) and first differences
of G (a censored duration, the probability of being recorded at all). Each family
gives G and a tail form Y with Y' = -S, Y = ∫_t^∞ S(s) ds when the mean is finite
(Y(0) = mean) and Y = -∫_0^t S(s) ds for the Lévy law (infinite mean). G - Y is
linear in t, so both have the same second difference f and the same first differences
up to the frame length; each formula uses the one smaller in magnitude at the points
it needs (G in the left part, Y in the tail), which keeps the differences accurate.
Closed forms (P, Q: regularised lower/upper incomplete gamma functions; Φ the normal
CDF; each by parts, G(t) = t F(t) - E[T; T <= t]):

* gamma(a, s), x = t/s (expon: a = 1): G = s [x P(a, x) - a P(a+1, x)],
  Y = s [a Q(a+1, x) - x Q(a, x)].
* weibull_min(c, s), z = t/s, w = z^c, g = Γ(1 + 1/c):
  G = s [z (1 - e^-w) - g P(1 + 1/c, w)], Y = s g Q(1/c, w).
* lognorm(σ, s), z = ln(t/s)/σ, m = s e^(σ²/2): G = t Φ(z) - m Φ(z - σ),
  Y = m Φ(σ - z) - t Φ(-z).
* invgauss(μ, s) (mean m = μ s, shape λ = s), x = t/s, A = (x/μ - 1)/√x,
  B = -(x/μ + 1)/√x, E = e^(2/μ) Φ(B): F = Φ(A) + E, E[T; T <= t] = m [Φ(A) - E], so
  G = (t - m) Φ(A) + (t + m) E and Y = (m - t) Φ(-A) + (t + m) E.
* levy(c), x = √(c / 2t): G = e^(-x²) [(t + c) erfcx(x) - √(2ct/π)],
  Y = -[t erf(x) - c erfc(x) + √(2ct/π) e^(-x²)].
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from analysis.kinetics.censored import CensoredSample

__all__ = ["Family", "FAMILIES"]

_LOG_2PI = np.log(2 * np.pi)
_LOG_HALF = np.log(0.5)
_PREVIOUS_THIS_NEXT = np.array([[-1.0], [0.0], [1.0]])
"""Frame offsets of the second difference (times the resolution), broadcast over times."""
_THIS_NEXT = np.array([[0.0], [1.0]])
"""Frame offsets of a first difference (times the resolution), broadcast over times."""

ParamsFunction = Callable[[np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Family:
    """One parametric family.

    Attributes
    ----------
    dist : scipy.stats.rv_continuous
        Reference distribution (``dist(*shapes, scale=scale)``).
    names : tuple of str
        Parameter names, ``scale`` last.
    logpdf, logsf, logcdf : callable (t, params) -> np.ndarray
        ``t`` array > 0 (>= 0 for ``logsf``, ``logcdf``), ``params`` natural-scale array
        in ``names`` order.
    int_cdf : callable (t, params) -> np.ndarray
        G(t) = ∫_0^t F(s) ds (time unit of ``t``), accurate where F is small; t >= 0.
    int_sf_tail : callable (t, params) -> np.ndarray
        Y(t) with Y' = -S: ∫_t^∞ S(s) ds for a finite mean, -∫_0^t S(s) ds for the
        Lévy law; accurate where S is small; t >= 0.
    init : callable (sample) -> np.ndarray
        Starting parameters from a :class:`CensoredSample` (moment estimates).
    """

    dist: stats.rv_continuous
    names: tuple[str, ...]
    logpdf: ParamsFunction
    logsf: ParamsFunction
    logcdf: ParamsFunction
    int_cdf: ParamsFunction
    int_sf_tail: ParamsFunction
    init: Callable[[CensoredSample], np.ndarray]

    def int_sf(self, t, params) -> np.ndarray:
        """H(t) = ∫_0^t S(s) ds, the mean of min(T, t) (time unit of ``t``).

        Parameters
        ----------
        t : array_like
            Times >= 0.
        params : array_like, shape=(len(names),)
            Natural-scale parameters in ``names`` order.

        Returns
        -------
        np.ndarray
            t - G(t) where G is the smaller, else Y(0) - Y(t).
        """
        t = np.asarray(t, dtype=float)
        p = np.asarray(params, dtype=float)
        with np.errstate(all="ignore"):  # the branch not taken may overflow or divide by 0
            left, right = self.int_cdf(t, p), self.int_sf_tail(t, p)
            origin = self.int_sf_tail(np.zeros(1), p)[0]
        return np.where(np.abs(left) <= np.abs(right), t - left, origin - right)

    def log_observed(
        self, t, params, *, resolution: float = 0.0, exact_start: bool = True
    ) -> np.ndarray:
        """Log-likelihood of observed (uncensored) recorded durations.

        Parameters
        ----------
        t : np.ndarray
            Observed durations: > 0, on the grid and >= ``resolution`` when it is > 0.
        params : np.ndarray, shape=(len(names),)
            Natural-scale parameters in ``names`` order.
        resolution : float
            Frame interval Δ (unit of ``t``); 0: exact times, log f(t).
        exact_start : bool
            With Δ > 0: log[F(t) - F(t - Δ)] if True, else
            log{[G(t+Δ) - 2G(t) + G(t-Δ)] / Δ} - log P_rec.

        Returns
        -------
        np.ndarray
            Log-density (1/unit of ``t``) with Δ = 0, log-probability otherwise.
        """
        observed, _ = self.loglik_terms(
            t, np.zeros(0), params, resolution=resolution, exact_start=exact_start
        )
        return observed

    def log_censored(
        self, t, params, *, resolution: float = 0.0, exact_start: bool = True
    ) -> np.ndarray:
        """Log-likelihood of censored recorded durations: log P(recorded duration > t).

        On the grid this is also the log-survival function of the recorded duration
        (what the goodness of fit compares with the Kaplan–Meier estimate).

        Parameters
        ----------
        t : np.ndarray
            Censored durations >= 0 (on the grid when ``resolution`` > 0).
        params : np.ndarray, shape=(len(names),)
        resolution : float
            Frame interval Δ; 0: exact times.
        exact_start : bool
            log S(t) if True (or Δ = 0), else log[(1/Δ) ∫_t^{t+Δ} S(s) ds] - log P_rec.

        Returns
        -------
        np.ndarray
        """
        _, censored = self.loglik_terms(
            np.zeros(0), t, params, resolution=resolution, exact_start=exact_start
        )
        return censored

    def loglik_terms(
        self,
        observed_t,
        censored_t,
        params,
        *,
        resolution: float = 0.0,
        exact_start: bool = True,
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`log_observed` of ``observed_t`` and :meth:`log_censored` of ``censored_t``.

        One call for both, so that the probability of being recorded (discretised
        start) is computed once per parameter value; the fit calls it on the unique
        durations.

        Parameters
        ----------
        observed_t, censored_t : np.ndarray
            Observed and censored durations (see :meth:`log_observed`, :meth:`log_censored`).
        params : np.ndarray, shape=(len(names),)
        resolution : float
        exact_start : bool

        Returns
        -------
        (np.ndarray, np.ndarray)
            Shapes of ``observed_t`` and ``censored_t``.
        """
        if resolution == 0:
            return self.logpdf(observed_t, params), self.logsf(censored_t, params)
        # Each formula evaluates an accurate and an inaccurate branch and keeps the
        # accurate one; the other may overflow, divide by 0 or give NaN harmlessly.
        with np.errstate(all="ignore"):
            if exact_start:
                return (
                    self._log_frame_mass(observed_t, params, resolution),
                    self.logsf(censored_t, params),
                )
            return self._log_discretised_start(observed_t, censored_t, params, resolution)

    def loglik(self, sample: CensoredSample, params) -> float:
        """Censored log-likelihood of a sample, observation by observation.

        The direct (unweighted) form of what the fit maximises: :meth:`log_observed` over
        observed and :meth:`log_censored` over censored durations, with the sample's
        ``resolution`` and ``exact_start``.

        Parameters
        ----------
        sample : CensoredSample
            Durations > 0 where observed.
        params : array_like, shape=(len(names),)
            Natural-scale parameters in ``names`` order (``scale`` in the data's unit).

        Returns
        -------
        float
        """
        p = np.asarray(params, dtype=float)
        t = sample.durations
        observed, censored = self.loglik_terms(
            t[sample.observed],
            t[sample.censored],
            p,
            resolution=sample.resolution,
            exact_start=sample.exact_start,
        )
        total = np.sum(observed)
        if sample.n_censored:
            total += np.sum(censored)
        return float(total)

    def _log_frame_mass(self, t, params, resolution: float) -> np.ndarray:
        """log[F(t) - F(t - Δ)], from S where S(t - Δ) < 1/2 and from F elsewhere."""
        start = t - resolution
        log_sf_start, log_sf_end = self.logsf(start, params), self.logsf(t, params)
        log_cdf_start, log_cdf_end = self.logcdf(start, params), self.logcdf(t, params)
        from_sf = log_sf_start + np.log(-np.expm1(log_sf_end - log_sf_start))
        from_cdf = log_cdf_end + np.log(-np.expm1(log_cdf_start - log_cdf_end))
        mass = np.where(log_sf_start < _LOG_HALF, from_sf, from_cdf)
        return np.where(log_sf_start == -np.inf, -np.inf, mass)  # S underflows: no mass

    def _log_discretised_start(
        self, observed_t, censored_t, params, resolution: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Observed and censored terms of a discretised start, from one G and one Y call.

        Observed t = kΔ: log{[X(t-Δ) - 2X(t) + X(t+Δ)] / Δ}; censored t:
        log{(1/Δ) ∫_t^{t+Δ} S} = log[1 - (G(t+Δ) - G(t))/Δ] or log[(Y(t) - Y(t+Δ))/Δ];
        both minus log P_rec, the censored formula at t = 0 (an event lasts a frame
        and is recorded at all). X is whichever of G, Y is smaller in magnitude at the
        points used (the differences lose fewer digits).
        """
        observed_grid = observed_t + resolution * _PREVIOUS_THIS_NEXT
        censored_grid = np.append(censored_t, 0.0) + resolution * _THIS_NEXT
        points = np.concatenate((observed_grid.ravel(), censored_grid.ravel()))
        left, right = self.int_cdf(points, params), self.int_sf_tail(points, params)
        split = observed_grid.size
        # Observed: second differences.
        g3, y3 = left[:split].reshape(3, -1), right[:split].reshape(3, -1)
        near = np.where(np.abs(g3[1]) <= np.abs(y3[1]), g3, y3)
        second = near[0] - 2 * near[1] + near[2]
        # A second difference below rounding (far tail, underflow) reads 0, not < 0.
        log_count = np.log(np.maximum(second, 0.0) / resolution)
        # Censored, and P_rec last: mean survival over the next frame.
        g2, y2 = left[split:].reshape(2, -1), right[split:].reshape(2, -1)
        mean_sf = np.where(
            np.abs(g2[1]) <= np.abs(y2[0]),
            1 - (g2[1] - g2[0]) / resolution,
            (y2[0] - y2[1]) / resolution,
        )
        log_mean_sf = np.log(mean_sf)
        log_recorded = log_mean_sf[-1]
        return log_count - log_recorded, log_mean_sf[:-1] - log_recorded


def _moments(sample: CensoredSample) -> tuple[float, float]:
    t = sample.durations
    x = t[sample.observed] if sample.n_observed >= 2 else t
    mean = float(x.mean())
    var = float(x.var()) if x.var() > 0 else mean**2
    return mean, var


def _expon_logpdf(t, p):
    return -np.log(p[0]) - t / p[0]


def _expon_logsf(t, p):
    return -t / p[0]


def _expon_logcdf(t, p):
    return np.log(-np.expm1(-t / p[0]))


def _expon_int_cdf(t, p):
    x = t / p[0]
    return p[0] * (x * -np.expm1(-x) - special.gammainc(2, x))


def _expon_int_sf_tail(t, p):
    return p[0] * np.exp(-t / p[0])


def _expon_init(sample):
    return np.array([sample.durations.sum() / max(sample.n_observed, 1)])


def _gamma_logpdf(t, p):
    a, s = p
    return (a - 1) * np.log(t) - t / s - special.gammaln(a) - a * np.log(s)


def _gamma_logsf(t, p):
    a, s = p
    return np.log(special.gammaincc(a, t / s))


def _gamma_logcdf(t, p):
    a, s = p
    return np.log(special.gammainc(a, t / s))


def _gamma_int_cdf(t, p):
    a, s = p
    x = t / s
    return s * (x * special.gammainc(a, x) - a * special.gammainc(a + 1, x))


def _gamma_int_sf_tail(t, p):
    a, s = p
    x = t / s
    return s * (a * special.gammaincc(a + 1, x) - x * special.gammaincc(a, x))


def _gamma_init(sample):
    mean, var = _moments(sample)
    return np.array([mean**2 / var, var / mean])


def _weibull_logpdf(t, p):
    c, s = p
    z = t / s
    return np.log(c / s) + (c - 1) * np.log(z) - z**c


def _weibull_logsf(t, p):
    c, s = p
    return -((t / s) ** c)


def _weibull_logcdf(t, p):
    c, s = p
    return np.log(-np.expm1(-((t / s) ** c)))


def _weibull_int_cdf(t, p):
    c, s = p
    z = t / s
    w = z**c
    return s * (z * -np.expm1(-w) - special.gamma(1 + 1 / c) * special.gammainc(1 + 1 / c, w))


def _weibull_int_sf_tail(t, p):
    c, s = p
    return s * special.gamma(1 + 1 / c) * special.gammaincc(1 / c, (t / s) ** c)


def _weibull_init(sample):
    mean, _ = _moments(sample)
    return np.array([1.0, mean])


def _lognorm_logpdf(t, p):
    sigma, s = p
    log_t = np.log(t)
    z = (log_t - np.log(s)) / sigma
    return -log_t - np.log(sigma) - 0.5 * _LOG_2PI - 0.5 * z**2


def _lognorm_logsf(t, p):
    sigma, s = p
    return special.log_ndtr(-(np.log(t) - np.log(s)) / sigma)


def _lognorm_logcdf(t, p):
    sigma, s = p
    return special.log_ndtr((np.log(t) - np.log(s)) / sigma)


def _lognorm_int_cdf(t, p):
    sigma, s = p
    z = (np.log(t) - np.log(s)) / sigma
    return t * special.ndtr(z) - s * np.exp(sigma**2 / 2) * special.ndtr(z - sigma)


def _lognorm_int_sf_tail(t, p):
    sigma, s = p
    z = (np.log(t) - np.log(s)) / sigma
    return s * np.exp(sigma**2 / 2) * special.ndtr(sigma - z) - t * special.ndtr(-z)


def _lognorm_init(sample):
    t = sample.durations
    x = np.log(t[sample.observed] if sample.n_observed >= 2 else t)
    return np.array([max(float(x.std()), 0.1), float(np.exp(x.mean()))])


def _invgauss_logpdf(t, p):
    mu, s = p
    x = t / s
    return -0.5 * (_LOG_2PI + 3 * np.log(x)) - (x - mu) ** 2 / (2 * x * mu**2) - np.log(s)


def _invgauss_arguments(t, p):
    """Φ arguments A, B of the inverse-Gaussian CDF F = Φ(A) + e^(2/μ) Φ(B)."""
    mu, s = p
    x = t / s
    root = np.sqrt(x)
    return (x / mu - 1) / root, -(x / mu + 1) / root


def _invgauss_logsf(t, p):
    # sf = Phi(-A) - exp(2/mu) Phi(B)
    a, b = _invgauss_arguments(t, p)
    log_a = special.log_ndtr(-a)
    log_b = special.log_ndtr(b)
    return log_a + np.log1p(-np.exp(np.minimum(2 / p[0] + log_b - log_a, 0.0)))


def _invgauss_logcdf(t, p):
    a, b = _invgauss_arguments(t, p)
    return np.logaddexp(special.log_ndtr(a), 2 / p[0] + special.log_ndtr(b))


def _invgauss_int_cdf(t, p):
    a, b = _invgauss_arguments(t, p)
    mean = p[0] * p[1]
    return (t - mean) * special.ndtr(a) + (t + mean) * np.exp(2 / p[0] + special.log_ndtr(b))


def _invgauss_int_sf_tail(t, p):
    a, b = _invgauss_arguments(t, p)
    mean = p[0] * p[1]
    return (mean - t) * special.ndtr(-a) + (t + mean) * np.exp(2 / p[0] + special.log_ndtr(b))


def _invgauss_init(sample):
    mean, var = _moments(sample)
    shape = mean**3 / var
    return np.array([mean / shape, shape])


def _levy_logpdf(t, p):
    c = p[0]
    return 0.5 * (np.log(c) - _LOG_2PI) - 1.5 * np.log(t) - c / (2 * t)


def _levy_logsf(t, p):
    return np.log(special.erf(np.sqrt(p[0] / (2 * t))))


def _levy_logcdf(t, p):
    x = np.sqrt(p[0] / (2 * t))
    return np.log(special.erfcx(x)) - x**2


def _levy_int_cdf(t, p):
    c = p[0]
    x = np.sqrt(c / (2 * t))
    return np.exp(-(x**2)) * ((t + c) * special.erfcx(x) - np.sqrt(2 * c * t / np.pi))


def _levy_int_sf_tail(t, p):
    c = p[0]
    x = np.sqrt(c / (2 * t))
    return -(
        t * special.erf(x) - c * special.erfc(x) + np.sqrt(2 * c * t / np.pi) * np.exp(-(x**2))
    )


def _levy_init(sample):
    t = sample.durations
    x = t[sample.observed] if sample.n_observed >= 1 else t
    return np.array([len(x) / float(np.sum(1.0 / x))])


FAMILIES: dict[str, Family] = {
    "expon": Family(
        stats.expon,
        ("scale",),
        _expon_logpdf,
        _expon_logsf,
        _expon_logcdf,
        _expon_int_cdf,
        _expon_int_sf_tail,
        _expon_init,
    ),
    "gamma": Family(
        stats.gamma,
        ("a", "scale"),
        _gamma_logpdf,
        _gamma_logsf,
        _gamma_logcdf,
        _gamma_int_cdf,
        _gamma_int_sf_tail,
        _gamma_init,
    ),
    "weibull_min": Family(
        stats.weibull_min,
        ("c", "scale"),
        _weibull_logpdf,
        _weibull_logsf,
        _weibull_logcdf,
        _weibull_int_cdf,
        _weibull_int_sf_tail,
        _weibull_init,
    ),
    "lognorm": Family(
        stats.lognorm,
        ("s", "scale"),
        _lognorm_logpdf,
        _lognorm_logsf,
        _lognorm_logcdf,
        _lognorm_int_cdf,
        _lognorm_int_sf_tail,
        _lognorm_init,
    ),
    "invgauss": Family(
        stats.invgauss,
        ("mu", "scale"),
        _invgauss_logpdf,
        _invgauss_logsf,
        _invgauss_logcdf,
        _invgauss_int_cdf,
        _invgauss_int_sf_tail,
        _invgauss_init,
    ),
    "levy": Family(
        stats.levy,
        ("scale",),
        _levy_logpdf,
        _levy_logsf,
        _levy_logcdf,
        _levy_int_cdf,
        _levy_int_sf_tail,
        _levy_init,
    ),
}
