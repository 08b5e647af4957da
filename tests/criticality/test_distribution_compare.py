"""Likelihood-ratio tests prefer the distribution that generated the data."""

import numpy as np
import pytest
from scipy import integrate, special, stats

from analysis.criticality import (
    compare_alternatives,
    fit_power_law,
    sample_continuous_power_law,
    sample_discrete_power_law,
)
from analysis.criticality.powerlaw_compare import _log_interval, _upper_gamma


def _verdicts(data, xmin):
    fit = fit_power_law(data, xmin=xmin)
    return {r.alternative: r for r in compare_alternatives(data, fit)}


def test_exponential_data_prefers_exponential():
    data = np.random.default_rng(1).geometric(0.05, 3000)
    result = _verdicts(data, xmin=1)["exponential"]
    assert result.preferred == "exponential" and result.loglik_ratio < 0


def test_lognormal_data_prefers_lognormal():
    data = np.floor(np.random.default_rng(2).lognormal(2.0, 0.7, 3000)) + 1
    result = _verdicts(data, xmin=1)["lognormal"]
    assert result.preferred == "lognormal"
    assert result.alternative_params["mu"] == pytest.approx(2.0, abs=0.1)


def test_power_law_data_beats_exponential_and_nested_cutoff_not_needed():
    data = sample_discrete_power_law(2.0, 1, 3000, rng=np.random.default_rng(3))
    verdicts = _verdicts(data, xmin=1)
    assert verdicts["exponential"].preferred == "power_law"
    assert verdicts["truncated_power_law"].preferred == "inconclusive"


def test_cutoff_data_prefers_truncated_power_law():
    rng = np.random.default_rng(4)
    data = sample_discrete_power_law(1.5, 1, 20_000, rng=rng)
    data = data[rng.random(data.size) < np.exp(-data / 50.0)]  # exponential cut-off at 50
    assert _verdicts(data, xmin=1)["truncated_power_law"].preferred == "truncated_power_law"


@pytest.mark.parametrize("a, z", [(-0.5, 2.0), (0.3, 0.5), (-2.7, 0.01), (0.0, 0.5), (-1.0, 0.3)])
def test_upper_gamma_matches_quadrature(a, z):
    reference, _ = integrate.quad(lambda t: t ** (a - 1) * np.exp(-t), z, np.inf)
    assert _upper_gamma(a, z) == pytest.approx(reference, rel=1e-5)


def test_unknown_alternative_is_named():
    data = sample_discrete_power_law(2.0, 1, 100, rng=np.random.default_rng(5))
    with pytest.raises(ValueError, match="weibull"):
        compare_alternatives(data, fit_power_law(data), alternatives=["weibull"])


def test_vuong_statistic_matches_scipy_densities():
    """R and p from independent scipy.stats log-densities (continuous Pareto vs exponential)."""
    data = sample_continuous_power_law(2.5, 2.0, 400, rng=np.random.default_rng(6))
    fit = fit_power_law(data, discrete=False, xmin=2.0)
    (result,) = compare_alternatives(data, fit, alternatives=["exponential"])
    pl = stats.pareto.logpdf(data, b=fit.alpha - 1.0, scale=2.0)
    alt = stats.expon.logpdf(data, loc=2.0, scale=np.mean(data) - 2.0)
    diff = pl - alt
    z = np.sum(diff) / (np.sqrt(data.size) * np.std(diff))
    assert result.loglik_ratio == pytest.approx(np.sum(diff), rel=1e-9)
    assert result.p_value == pytest.approx(special.erfc(abs(z) / np.sqrt(2.0)), rel=1e-9)
    assert result.p_value == pytest.approx(2.0 * stats.norm.sf(abs(z)), rel=1e-9)


def test_truncated_fit_is_refused():
    rng = np.random.default_rng(7)
    data = sample_discrete_power_law(2.0, 1, 500, rng=rng, xmax=100)
    fit = fit_power_law(data, xmin=1, xmax=100)
    with pytest.raises(ValueError, match="untruncated"):
        compare_alternatives(data, fit)


@pytest.mark.parametrize("a, b", [(-30.0, -29.0), (29.0, 30.0), (-0.5, 0.7), (1.0, 1.0 + 1e-6)])
def test_log_interval_is_finite_in_both_tails(a, b):
    value = _log_interval(a, b)
    if a < -5:  # Phi(a) << Phi(b): the mass is Phi(b)
        expected = special.log_ndtr(b)
    elif a > 5:
        expected = special.log_ndtr(-a)
    else:
        expected = np.log(special.ndtr(b) - special.ndtr(a))
    assert value == pytest.approx(expected, rel=1e-6)
