"""Bootstrap goodness of fit: power-law data pass with uniform p, exponential data fail."""

import numpy as np
from scipy import stats

from analysis.criticality import (
    bootstrap_gof,
    fit_power_law,
    sample_discrete_power_law,
    synthetic_counts,
)


def test_power_law_data_is_plausible_and_reproducible():
    data = sample_discrete_power_law(2.0, 1, 2000, rng=np.random.default_rng(1))
    fit = fit_power_law(data)
    first = bootstrap_gof(data, fit, n_bootstrap=40, rng=9)
    assert first.p_value > 0.1
    assert bootstrap_gof(data, fit, n_bootstrap=40, rng=9) == first


def test_exponential_data_is_ruled_out():
    data = np.random.default_rng(2).geometric(0.1, 2000)
    fit = fit_power_law(data, xmin=1)
    assert bootstrap_gof(data, fit, n_bootstrap=40, rng=3, search_xmin=False).p_value <= 0.1
    assert bootstrap_gof(data, fit, n_bootstrap=40, rng=3).p_value <= 0.1


def test_rng_is_a_seed_or_a_generator():
    """One convention: an int seed and default_rng(seed) give the same replicates."""
    data = sample_discrete_power_law(2.0, 1, 500, rng=4)
    fit = fit_power_law(data)
    by_seed = bootstrap_gof(data, fit, n_bootstrap=5, rng=7)
    assert bootstrap_gof(data, fit, n_bootstrap=5, rng=np.random.default_rng(7)) == by_seed


def test_synthetic_counts_keep_the_size_and_the_observed_body():
    rng = np.random.default_rng(5)
    data = np.concatenate(
        [rng.integers(1, 5, 300), sample_discrete_power_law(2.0, 5, 700, rng=rng)]
    )
    fit = fit_power_law(data, xmin=5)
    values, counts = np.unique(data, return_counts=True)
    drawn_values, drawn_counts = synthetic_counts(values, counts, fit, rng=1)
    assert drawn_counts.sum() == data.size and np.all(np.diff(drawn_values) > 0)
    body = drawn_values < 5
    assert set(drawn_values[body]) <= {1, 2, 3, 4}
    # the body's share is Binomial(n, 1 - n_tail / n)
    share = drawn_counts[body].sum() / data.size
    assert abs(share - 0.3) < 4 * np.sqrt(0.3 * 0.7 / data.size)


def _null_p_values(alpha, xmin, n=600, seeds=80):
    """Bootstrap p-values of true power laws (x_min searched), one per seed."""
    p = []
    for seed in range(seeds):
        data = sample_discrete_power_law(alpha, xmin, n, rng=np.random.default_rng(100 + seed))
        p.append(bootstrap_gof(data, fit_power_law(data), n_bootstrap=50, rng=seed).p_value)
    return np.array(p)


def test_p_values_are_uniform_on_a_true_power_law():
    """Analytic expectation: under the null the bootstrap p-value is U(0, 1)."""
    p = _null_p_values(2.2, 1)
    assert abs(p.mean() - 0.5) < 4 * np.sqrt(1 / 12 / p.size)
    assert stats.kstest(p, "uniform").pvalue > 1e-3


def test_p_values_never_reject_true_power_laws_too_often():
    """Where the p-value is not uniform (a heavier tail from x_min 2 at n = 600: mean p
    0.57, the same with the sample-based replicates of before) it errs on the safe side:
    P(p <= 0.1), the rate of wrongly ruling out a power law, stays at or below 0.1."""
    p = _null_p_values(1.7, 2)
    assert np.mean(p <= 0.1) < 0.1 + 3 * np.sqrt(0.09 / p.size)
    assert 0.5 - 4 * np.sqrt(1 / 12 / p.size) < p.mean() < 0.7
