"""Power-law MLE and x_min search against analytic oracles and the powerlaw package."""

import warnings

import numpy as np
import pytest
from scipy import special, stats

from analysis.criticality import (
    discrete_power_law_counts,
    fit_power_law,
    fit_power_law_counts,
    sample_continuous_power_law,
    sample_discrete_power_law,
)


def _model_cdf(alpha, xmin, x, discrete):
    """Reference ``P(X < x)`` of the untruncated power law (scipy's Hurwitz zeta)."""
    if discrete:
        return 1.0 - special.zeta(alpha, x) / special.zeta(alpha, xmin)
    return 1.0 - (x / xmin) ** (1.0 - alpha)


def _exhaustive_ks(data, discrete, min_tail):
    """Slow, obvious reference: refit every candidate and take the full KS distance."""
    values = np.unique(data)
    best = (np.inf, None)
    for xmin in values[:-1]:
        tail = np.sort(data[data >= xmin])
        if tail.size < min_tail:
            continue
        fit = fit_power_law(data, discrete=discrete, xmin=xmin, min_tail=2)
        u = np.unique(tail)
        emp = np.searchsorted(tail, u, side="left") / tail.size
        ks = np.max(np.abs(_model_cdf(fit.alpha, xmin, u, discrete) - emp))
        best = min(best, (ks, xmin))
    return best


@pytest.mark.parametrize("alpha, xmin", [(1.5, 1), (2.5, 5)])
def test_discrete_recovers_exponent_within_two_sigma(alpha, xmin):
    rng = np.random.default_rng(11)
    body = rng.integers(1, xmin + 1, 500) if xmin > 1 else np.empty(0, dtype=int)
    data = np.concatenate([body, sample_discrete_power_law(alpha, xmin, 20_000, rng=rng)])
    fit = fit_power_law(data)
    z = (fit.alpha - alpha) / fit.alpha_stderr
    assert abs(z) < 2, f"alpha={fit.alpha:.4f} vs {alpha}: z={z:.2f}"
    assert fit.xmin <= xmin + 3


def test_continuous_recovers_exponent_within_two_sigma():
    data = sample_continuous_power_law(2.2, 3.0, 10_000, rng=np.random.default_rng(2))
    fit = fit_power_law(data, discrete=False)
    assert abs(fit.alpha - 2.2) < 2 * fit.alpha_stderr
    # continuous Fisher information is known in closed form: se = (alpha - 1) / sqrt(n)
    assert fit.alpha_stderr == pytest.approx((fit.alpha - 1) / np.sqrt(fit.n_tail), rel=1e-3)


def test_sampler_matches_zeta_mass():
    x = sample_discrete_power_law(2.0, 3, 200_000, rng=np.random.default_rng(3))
    expected = 3.0**-2.0 / special.zeta(2.0, 3.0)
    observed = np.mean(x == 3)
    sd = np.sqrt(expected * (1 - expected) / x.size)
    assert abs(observed - expected) < 4 * sd


@pytest.mark.parametrize("discrete", [True, False])
def test_branch_and_bound_equals_exhaustive_search(discrete):
    rng = np.random.default_rng(4)
    if discrete:
        data = np.concatenate(
            [rng.integers(1, 8, 300), sample_discrete_power_law(2.0, 8, 700, rng=rng)]
        )
    else:
        data = np.concatenate(
            [rng.uniform(1, 5, 200), sample_continuous_power_law(2.5, 5, 600, rng=rng)]
        )
    fit = fit_power_law(data, discrete=discrete)
    ks, xmin = _exhaustive_ks(data, discrete, 10)
    assert fit.xmin == xmin
    assert fit.ks_distance == pytest.approx(ks, abs=1e-9)


def test_truncated_fit_recovers_exponent():
    rng = np.random.default_rng(5)
    data = sample_discrete_power_law(1.2, 1, 20_000, rng=rng, xmax=1000)
    fit = fit_power_law(data, xmin=1, xmax=1000)
    assert abs(fit.alpha - 1.2) < 2 * fit.alpha_stderr


def test_agrees_with_powerlaw_package():
    powerlaw = pytest.importorskip("powerlaw")
    rng = np.random.default_rng(6)
    data = np.concatenate(
        [rng.integers(1, 10, 400), sample_discrete_power_law(2.2, 10, 2600, rng=rng)]
    )
    ours = fit_power_law(data, min_tail=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = powerlaw.Fit(data, discrete=True, verbose=False)
    assert ours.xmin == theirs.xmin
    assert ours.alpha == pytest.approx(theirs.alpha, abs=1e-2)
    assert ours.ks_distance == pytest.approx(theirs.D, abs=1e-2)


@pytest.mark.parametrize(
    "data, message",
    [
        (np.array([], dtype=int), "too few samples"),
        (np.array([3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3]), "distinct values"),
        (np.array([1.0, np.nan, 2.0]), "finite"),
        (np.array([0, 1, 2]), "strictly positive"),
        (np.array([1.5, 2.0, 3.0] * 5), "integer"),
    ],
)
def test_bad_or_tiny_input_gives_clear_message(data, message):
    with pytest.raises(ValueError, match=message):
        fit_power_law(data)


def test_discrete_stderr_is_inverse_fisher_information():
    """se = 1 / sqrt(n Var(log X)), the variance summed directly over the Hurwitz-zeta mass."""
    alpha, xmin = 2.5, 20
    data = sample_discrete_power_law(alpha, xmin, 5000, rng=np.random.default_rng(9))
    fit = fit_power_law(data, xmin=xmin)
    k = np.arange(xmin, xmin + 2_000_000, dtype=float)
    mass = k**-fit.alpha / special.zeta(fit.alpha, xmin)
    log_k = np.log(k)
    variance = np.sum(mass * log_k**2) - np.sum(mass * log_k) ** 2
    assert fit.alpha_stderr == pytest.approx(1.0 / np.sqrt(fit.n_tail * variance), rel=1e-4)
    # the MLE solves the score equation E[log X] = mean(log x)
    assert np.sum(mass * log_k) == pytest.approx(np.mean(np.log(data)), rel=1e-6)


@pytest.mark.parametrize("bounds", [{"xmin": 2.5}, {"xmin": 1, "xmax": 99.5}])
def test_discrete_bounds_must_be_integers(bounds):
    data = sample_discrete_power_law(2.0, 1, 200, rng=np.random.default_rng(10))
    with pytest.raises(ValueError, match="must be an integer"):
        fit_power_law(data, **bounds)


def test_sampler_refuses_values_beyond_int64():
    # alpha = 1.05: P(X >= 2^63) = 2^(-63 * 0.05) ~ 0.11, so 1000 draws overflow
    with pytest.raises(ValueError, match="int64 range"):
        sample_discrete_power_law(1.05, 1, 1000, rng=np.random.default_rng(12))
    x = sample_discrete_power_law(1.05, 1, 1000, rng=np.random.default_rng(12), xmax=10**6)
    assert x.min() >= 1 and x.max() <= 10**6


def test_counts_sampler_draws_the_zeta_distribution():
    """Multinomial table + individual draws beyond it: the pmf and the far tail."""
    alpha, xmin, size = 2.0, 3, 200_000
    values, counts = discrete_power_law_counts(alpha, xmin, size, rng=5)
    assert counts.sum() == size and np.all(np.diff(values) > 0) and np.all(counts > 0)
    head = np.arange(xmin, xmin + 10)
    observed = [counts[values == x].sum() for x in head] + [counts[values >= head[-1] + 1].sum()]
    pmf = head**-alpha / special.zeta(alpha, xmin)
    expected = np.append(pmf, special.zeta(alpha, head[-1] + 1) / special.zeta(alpha, xmin))
    assert stats.chisquare(observed, size * expected).pvalue > 1e-3
    # beyond the table (expected count < 1 per value): P(X >= 1000)
    far = counts[values >= 1000].sum()
    p_far = special.zeta(alpha, 1000) / special.zeta(alpha, xmin)
    assert abs(far - size * p_far) < 4 * np.sqrt(size * p_far)


def test_counts_sampler_respects_truncation():
    values, counts = discrete_power_law_counts(1.2, 1, 50_000, rng=6, xmax=300)
    assert counts.sum() == 50_000 and values.max() <= 300


@pytest.mark.parametrize("bounds", [{}, {"xmin": 3}, {"xmin": 2, "xmax": 400}])
def test_fit_of_counts_equals_fit_of_samples(bounds):
    data = sample_discrete_power_law(1.8, 2, 3000, rng=7)
    values, counts = np.unique(data, return_counts=True)
    assert fit_power_law_counts(values, counts, **bounds) == fit_power_law(data, **bounds)


def test_fit_of_counts_refuses_unsorted_values():
    with pytest.raises(ValueError, match="increase strictly"):
        fit_power_law_counts(np.array([3, 1, 2]), np.array([1, 1, 1]))


def test_branch_and_bound_equals_exhaustive_search_on_a_heavy_tail():
    """alpha 1.5 from x_min 1 (the bootstrap's hardest case: many distinct values)."""
    data = sample_discrete_power_law(1.5, 1, 3000, rng=8)
    fit = fit_power_law(data)
    ks, xmin = _exhaustive_ks(data, True, 10)
    assert fit.xmin == xmin
    assert fit.ks_distance == pytest.approx(ks, abs=1e-9)


@pytest.mark.parametrize("sampler", [sample_discrete_power_law, discrete_power_law_counts])
def test_samplers_refuse_alpha_at_or_below_one_even_truncated(sampler):
    """scipy's Hurwitz zeta is NaN for s <= 1: the table would be silently wrong."""
    with pytest.raises(ValueError, match="alpha must be > 1"):
        sampler(1.0, 1, 100, rng=0, xmax=100)
