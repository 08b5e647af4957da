"""Bootstrap goodness of fit: power-law data pass, exponential data fail; seeded."""

import numpy as np

from analysis.criticality import bootstrap_gof, fit_power_law, sample_discrete_power_law


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
