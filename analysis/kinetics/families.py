"""Waiting-time families for censored fits: fast log-density and log-survival.

Each family is a scipy.stats distribution with the location fixed at 0, parameters
in scipy's order with ``scale`` last. The fitting loop evaluates the log-density and
log-survival with ``scipy.special`` directly (scipy.stats' generic argument handling
costs ~100x more per call at 10^5 samples); ``tests/kinetics`` checks every formula
against scipy.stats (the slow, obvious reference).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from analysis.kinetics.censored import CensoredSample

__all__ = ["Family", "FAMILIES"]

_LOG_2PI = np.log(2 * np.pi)


@dataclass(frozen=True)
class Family:
    """One parametric family.

    Attributes
    ----------
    dist : scipy.stats.rv_continuous
        Reference distribution (``dist(*shapes, scale=scale)``).
    names : tuple of str
        Parameter names, ``scale`` last.
    logpdf, logsf : callable (t, params) -> np.ndarray
        ``t`` shape (n,) > 0, ``params`` natural-scale array in ``names`` order.
    init : callable (sample) -> np.ndarray
        Starting parameters from a :class:`CensoredSample` (moment estimates).
    """

    dist: stats.rv_continuous
    names: tuple[str, ...]
    logpdf: Callable[[np.ndarray, np.ndarray], np.ndarray]
    logsf: Callable[[np.ndarray, np.ndarray], np.ndarray]
    init: Callable[[CensoredSample], np.ndarray]

    def loglik(self, sample: CensoredSample, params) -> float:
        """Censored log-likelihood: sum of log f over observed and log S over censored times.

        The direct (unweighted) form of what the fit maximises.

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
        total = np.sum(self.logpdf(t[sample.observed], p))
        if sample.n_censored:
            total += np.sum(self.logsf(t[sample.censored], p))
        return float(total)


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


def _expon_init(sample):
    return np.array([sample.durations.sum() / max(sample.n_observed, 1)])


def _gamma_logpdf(t, p):
    a, s = p
    return (a - 1) * np.log(t) - t / s - special.gammaln(a) - a * np.log(s)


def _gamma_logsf(t, p):
    a, s = p
    return np.log(special.gammaincc(a, t / s))


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


def _lognorm_init(sample):
    t = sample.durations
    x = np.log(t[sample.observed] if sample.n_observed >= 2 else t)
    return np.array([max(float(x.std()), 0.1), float(np.exp(x.mean()))])


def _invgauss_logpdf(t, p):
    mu, s = p
    x = t / s
    return -0.5 * (_LOG_2PI + 3 * np.log(x)) - (x - mu) ** 2 / (2 * x * mu**2) - np.log(s)


def _invgauss_logsf(t, p):
    # sf = Phi(a) - exp(2/mu) Phi(b), a = -(x/mu - 1)/sqrt(x), b = -(x/mu + 1)/sqrt(x)
    mu, s = p
    x = t / s
    root = np.sqrt(x)
    log_a = special.log_ndtr(-(x / mu - 1) / root)
    log_b = special.log_ndtr(-(x / mu + 1) / root)
    return log_a + np.log1p(-np.exp(np.minimum(2 / mu + log_b - log_a, 0.0)))


def _invgauss_init(sample):
    mean, var = _moments(sample)
    shape = mean**3 / var
    return np.array([mean / shape, shape])


def _levy_logpdf(t, p):
    c = p[0]
    return 0.5 * (np.log(c) - _LOG_2PI) - 1.5 * np.log(t) - c / (2 * t)


def _levy_logsf(t, p):
    return np.log(special.erf(np.sqrt(p[0] / (2 * t))))


def _levy_init(sample):
    t = sample.durations
    x = t[sample.observed] if sample.n_observed >= 1 else t
    return np.array([len(x) / float(np.sum(1.0 / x))])


FAMILIES: dict[str, Family] = {
    "expon": Family(stats.expon, ("scale",), _expon_logpdf, _expon_logsf, _expon_init),
    "gamma": Family(stats.gamma, ("a", "scale"), _gamma_logpdf, _gamma_logsf, _gamma_init),
    "weibull_min": Family(
        stats.weibull_min, ("c", "scale"), _weibull_logpdf, _weibull_logsf, _weibull_init
    ),
    "lognorm": Family(
        stats.lognorm, ("s", "scale"), _lognorm_logpdf, _lognorm_logsf, _lognorm_init
    ),
    "invgauss": Family(
        stats.invgauss, ("mu", "scale"), _invgauss_logpdf, _invgauss_logsf, _invgauss_init
    ),
    "levy": Family(stats.levy, ("scale",), _levy_logpdf, _levy_logsf, _levy_init),
}
