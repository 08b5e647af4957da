"""Bootstrap goodness of fit: power-law data pass, exponential data fail; seeded."""

import numpy as np

from analysis.criticality.powerlaw_fit import fit_power_law, sample_discrete_power_law
from analysis.criticality.powerlaw_gof import bootstrap_gof


def test_power_law_data_is_plausible_and_reproducible():
    data = sample_discrete_power_law(2.0, 1, 2000, np.random.default_rng(1))
    fit = fit_power_law(data)
    first = bootstrap_gof(data, fit, 40, seed=9)
    assert first.p_value > 0.1
    assert bootstrap_gof(data, fit, 40, seed=9) == first


def test_exponential_data_is_ruled_out():
    data = np.random.default_rng(2).geometric(0.1, 2000)
    fit = fit_power_law(data, xmin=1)
    assert bootstrap_gof(data, fit, 40, seed=3, search_xmin=False).p_value <= 0.1
    assert bootstrap_gof(data, fit, 40, seed=3).p_value <= 0.1
