"""Log-likelihood-ratio tests of a power-law tail against alternatives.

Alternatives fitted by maximum likelihood on the same tail ``x >= x_min`` (discrete
forms for integer data, Clauset, Shalizi & Newman 2009, table 2 / appendix):

* ``exponential``  p(x) ∝ exp(-lambda x)
* ``lognormal``    p(x) ∝ lognormal mass of [x - 1/2, x + 1/2) (density when continuous)
* ``stretched_exponential``  p(x) ∝ x^(beta-1) exp(-(x/s)^beta), CSN's stretched
  exponential, i.e. the Weibull family (discrete: Weibull mass of [x - 1/2, x + 1/2))
* ``truncated_power_law``  p(x) ∝ x^-alpha exp(-lambda x)  (nests the power law)

Non-nested alternatives use Vuong's normalised ratio: ``R = sum_i (ln p_pl - ln p_alt)``,
``p = erfc(|R| / sqrt(2 n sigma^2))`` with sigma the standard deviation of the pointwise
differences. The nested truncated power law uses Wilks' theorem: ``-2R ~ chi2(1)``.
When the truncated power law is among the alternatives, each non-nested alternative is
also tested against it (``versus_truncated``, the same Vuong test with the truncated power
law in place of the power law): a finite critical system has a size cut-off, and an
alternative that beats the pure power law but not the truncated one may only be seeing
that curvature.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize, special, stats

from analysis.criticality.powerlaw_fit import PowerLawFit, power_law_loglik_pointwise

__all__ = ["LlrResult", "compare_alternatives", "ALTERNATIVES", "SIGNIFICANCE"]

logger = logging.getLogger(__name__)

ALTERNATIVES = ("exponential", "lognormal", "stretched_exponential", "truncated_power_law")
"""Alternatives to the power law (the schema's ``criticality.llr_alternatives`` enum)."""
SIGNIFICANCE = 0.1
"""p-value below which a likelihood-ratio verdict is taken (Clauset et al. 2009)."""
_SUM_TERMS = 100_000


@dataclass(frozen=True)
class LlrResult:
    """Power law versus one alternative on the fitted tail.

    Attributes
    ----------
    alternative : str
    loglik_ratio : float
        ``R = lnL(power law) - lnL(alternative)``; positive favours the power law.
    p_value : float
        Significance of the sign of R (Vuong) or of the nesting (Wilks).
    preferred : str
        ``"power_law"``, the alternative's name, or ``"inconclusive"`` (p >= 0.1).
    nested : bool
    alternative_params : dict
        MLE parameters of the alternative.
    versus_truncated : dict or None
        For a non-nested alternative when the truncated power law was fitted too:
        ``loglik_ratio`` (lnL(truncated power law) - lnL(alternative)), ``p_value`` and
        ``preferred`` (``"truncated_power_law"``, the alternative or ``"inconclusive"``).
    """

    alternative: str
    loglik_ratio: float
    p_value: float
    preferred: str
    nested: bool
    alternative_params: dict = field(default_factory=dict)
    versus_truncated: dict | None = None

    def as_dict(self) -> dict:
        """JSON-ready dictionary."""
        out = {
            "alternative": self.alternative,
            "loglik_ratio": self.loglik_ratio,
            "p_value": self.p_value,
            "preferred": self.preferred,
            "nested": self.nested,
            "alternative_params": self.alternative_params,
        }
        if self.versus_truncated is not None:
            out["versus_truncated"] = self.versus_truncated
        return out


def _exponential(x, xmin, discrete):
    excess = float(np.mean(x) - xmin)
    if excess <= 0:
        raise ValueError("exponential fit needs a tail with values above x_min")
    if discrete:
        lam = np.log1p(1.0 / excess)
        return {"lambda": lam}, np.log(-np.expm1(-lam)) - lam * (x - xmin)
    lam = 1.0 / excess
    return {"lambda": lam}, np.log(lam) - lam * (x - xmin)


def _log_interval(a, b):
    """log(Phi(b) - Phi(a)) for a < b, stable in both tails.

    Above the median the difference is taken between survival functions, below it
    between CDFs, so neither side cancels to log(0).
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    log_sf_a, log_sf_b = special.log_ndtr(-a), special.log_ndtr(-b)
    log_cdf_a, log_cdf_b = special.log_ndtr(a), special.log_ndtr(b)
    with np.errstate(divide="ignore"):  # the branch not selected may hit log(0)
        upper = log_sf_a + np.log1p(-np.exp(log_sf_b - log_sf_a))
        lower = log_cdf_b + np.log1p(-np.exp(log_cdf_a - log_cdf_b))
    return np.where(a > 0, upper, lower)


def _lognormal_logpmf(params, x, xmin, discrete):
    mu, sigma = params[0], np.exp(params[1])
    if discrete:
        lo = (np.log(x - 0.5) - mu) / sigma
        hi = (np.log(x + 0.5) - mu) / sigma
        log_norm = special.log_ndtr(-(np.log(xmin - 0.5) - mu) / sigma)
        return _log_interval(lo, hi) - log_norm
    z = (np.log(x) - mu) / sigma
    log_norm = special.log_ndtr(-(np.log(xmin) - mu) / sigma)
    return -0.5 * z**2 - np.log(sigma * x * np.sqrt(2 * np.pi)) - log_norm


def _maximise(logpmf, start, x, xmin, discrete, maxiter):
    """Nelder-Mead MLE of a two-parameter tail law: (parameters, pointwise log p)."""
    res = optimize.minimize(
        lambda p: -np.sum(logpmf(p, x, xmin, discrete)),
        start,
        method="Nelder-Mead",
        options={"xatol": 1e-6, "fatol": 1e-8, "maxiter": maxiter},
    )
    return res.x, logpmf(res.x, x, xmin, discrete)


def _lognormal(x, xmin, discrete):
    logs = np.log(x)
    start = np.array([logs.mean(), np.log(max(logs.std(), 1e-3))])
    params, logp = _maximise(_lognormal_logpmf, start, x, xmin, discrete, maxiter=2000)
    return {"mu": float(params[0]), "sigma": float(np.exp(params[1]))}, logp


def _weibull_logpmf(params, x, xmin, discrete):
    """log p of the Weibull (stretched exponential) tail; params (log scale, log beta)."""
    scale, beta = np.exp(params[0]), np.exp(params[1])
    # the optimiser may try scales where (x/s)^beta overflows: those points get -inf
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if discrete:
            # survival S(y) = exp(-(y/s)^beta); mass S(x - 1/2) - S(x + 1/2) over S(xmin - 1/2)
            lo, hi = ((x - 0.5) / scale) ** beta, ((x + 0.5) / scale) ** beta
            logp = -lo + np.log(-np.expm1(lo - hi)) + ((xmin - 0.5) / scale) ** beta
        else:
            z = (x / scale) ** beta
            logp = (
                np.log(beta / scale) + (beta - 1.0) * np.log(x / scale) - z + (xmin / scale) ** beta
            )
    return np.where(np.isnan(logp), -np.inf, logp)


def _stretched_exponential(x, xmin, discrete):
    start = np.array([np.log(np.mean(x)), np.log(0.5)])
    params, logp = _maximise(_weibull_logpmf, start, x, xmin, discrete, maxiter=4000)
    return {"scale": float(np.exp(params[0])), "beta": float(np.exp(params[1]))}, logp


def _upper_gamma(a: float, z: float) -> float:
    """Upper incomplete gamma Gamma(a, z) for any real a (z > 0), by downward recurrence
    ``Gamma(a, z) = (Gamma(a + 1, z) - z^a e^-z) / a`` from a value in (0, 1]."""
    if abs(a - round(a)) < 1e-9 and a <= 0:
        a -= 1e-7  # the recurrence divides by a; an integer a <= 0 is nudged off the pole
    steps = max(0, int(np.ceil(-a)) + (1 if a == np.ceil(a) else 0))
    top = a + steps
    value = special.gammaincc(top, z) * special.gamma(top)
    for j in range(steps - 1, -1, -1):
        b = a + j
        value = (value - z**b * np.exp(-z)) / b
    return float(value)


def _tpl_log_norm(alpha, lam, xmin, discrete):
    """log sum_{x >= xmin} x^-alpha e^(-lam x) (integral when continuous)."""
    if discrete:
        grid = np.arange(xmin, xmin + _SUM_TERMS, dtype=float)
        head = np.sum(np.exp(-alpha * np.log(grid) - lam * grid))
        start = xmin + _SUM_TERMS - 0.5  # midpoint rule for the remaining sum
    else:
        head, start = 0.0, xmin
    # integral_start^inf t^-alpha e^(-lam t) dt = lam^(alpha-1) Gamma(1 - alpha, lam start)
    rest = lam ** (alpha - 1.0) * _upper_gamma(1.0 - alpha, lam * start)
    return np.log(head + rest)


def _truncated_power_law(x, xmin, discrete, alpha0):
    logs_sum, total = np.sum(np.log(x)), np.sum(x)
    n = x.size

    def nll(p):
        alpha, lam = p[0], np.exp(p[1])
        return alpha * logs_sum + lam * total + n * _tpl_log_norm(alpha, lam, xmin, discrete)

    start = np.array([max(alpha0, 1.05), np.log(1.0 / np.max(x))])
    # cut-off scale 1/lambda between x_min / 50 and e^30: exp(-lambda x_min) never underflows
    bounds = [(0.0, 10.0), (-30.0, np.log(50.0 / xmin))]
    start[1] = np.clip(start[1], *bounds[1])
    res = optimize.minimize(nll, start, method="L-BFGS-B", bounds=bounds)
    alpha, lam = float(res.x[0]), float(np.exp(res.x[1]))
    logp = -alpha * np.log(x) - lam * x - _tpl_log_norm(alpha, lam, xmin, discrete)
    return {"alpha": alpha, "lambda": lam}, logp


def _verdict(r, p, alternative, model="power_law"):
    if p >= SIGNIFICANCE:
        return "inconclusive"
    return model if r > 0 else alternative


def _vuong(logp_model, logp_alt) -> tuple[float, float]:
    """Vuong's test of two non-nested models: (R = sum of log ratios, two-sided p)."""
    diff = logp_model - logp_alt
    r = float(np.sum(diff))
    sd = float(np.std(diff))
    p = float(special.erfc(abs(r) / np.sqrt(2.0 * diff.size * sd**2))) if sd > 0 else 1.0
    return r, p


def compare_alternatives(
    data, fit: PowerLawFit, *, alternatives: tuple[str, ...] = ALTERNATIVES
) -> list[LlrResult]:
    """Likelihood-ratio tests of the fitted power law against each alternative.

    Parameters
    ----------
    data : array_like, shape=(n,)
        The samples that were fit; only the tail ``x >= fit.xmin`` is used.
    fit : PowerLawFit
        An untruncated fit (``fit.xmax`` None): the alternatives are normalised on
        ``[x_min, inf)``, so a ratio against a power law truncated at x_max would
        compare likelihoods of different supports.
    alternatives : sequence of str
        Subset of ``ALTERNATIVES``.

    Returns
    -------
    list of LlrResult
        One per alternative, in the order given.
    """
    unknown = set(alternatives) - set(ALTERNATIVES)
    if unknown:
        raise ValueError(f"alternatives: unknown {sorted(unknown)}; choose from {ALTERNATIVES}")
    if fit.xmax is not None:
        raise ValueError(
            f"fit: likelihood-ratio tests need an untruncated power law, got xmax={fit.xmax}"
        )
    x = np.asarray(data, dtype=float)
    x = x[x >= fit.xmin]
    if x.size < 2:
        raise ValueError(f"likelihood-ratio test needs >= 2 tail samples, got {x.size}")
    pl = power_law_loglik_pointwise(x, fit)
    fitted = {}
    for name in alternatives:
        if name == "exponential":
            fitted[name] = _exponential(x, fit.xmin, fit.discrete)
        elif name == "lognormal":
            fitted[name] = _lognormal(x, fit.xmin, fit.discrete)
        elif name == "stretched_exponential":
            fitted[name] = _stretched_exponential(x, fit.xmin, fit.discrete)
        else:
            fitted[name] = _truncated_power_law(x, fit.xmin, fit.discrete, fit.alpha)
    truncated = fitted.get("truncated_power_law")
    results = []
    for name, (params, alt) in fitted.items():
        versus_truncated = None
        if name == "truncated_power_law":
            # nested: the power law is the lambda -> 0 limit, so R <= 0 up to optimiser error
            r = float(np.sum(pl - alt))
            p = float(stats.chi2.sf(max(-2.0 * r, 0.0), df=1))
            preferred = "truncated_power_law" if p < SIGNIFICANCE else "inconclusive"
            nested = True
        else:
            r, p = _vuong(pl, alt)
            preferred = _verdict(r, p, name)
            nested = False
            if truncated is not None:
                r_t, p_t = _vuong(truncated[1], alt)
                versus_truncated = {
                    "loglik_ratio": r_t,
                    "p_value": p_t,
                    "preferred": _verdict(r_t, p_t, name, "truncated_power_law"),
                }
        results.append(
            LlrResult(
                name,
                r,
                p,
                preferred,
                nested,
                {k: float(v) for k, v in params.items()},
                versus_truncated,
            )
        )
        logger.debug("LLR power law vs %s: R = %.4g, p = %.3g -> %s", name, r, p, preferred)
    return results
