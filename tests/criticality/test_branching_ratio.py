"""Multistep regression is unbiased under subsampling; the conventional estimator is not."""

import numpy as np
import pytest

from analysis.criticality import (
    branching_ratio,
    lag_regression_slopes,
    subsampled_branching_series,
)


def test_subsampled_branching_process():
    full, observed = subsampled_branching_series(
        0.99, 10.0, 100_000, 0.01, rng=np.random.default_rng(7)
    )
    result = branching_ratio(observed, k_max=50, n_bootstrap=50, rng=1)
    assert abs(result.mr - 0.99) < 0.01, result.mr
    assert result.mr_ci95[0] < result.mr < result.mr_ci95[1]
    assert result.conventional < 0.6, f"conventional {result.conventional} not biased"
    assert result.autocorrelation_time_bins == pytest.approx(-1 / np.log(result.mr))
    # fully observed, the conventional estimator is consistent
    assert abs(branching_ratio(full, k_max=50, n_bootstrap=10, rng=1).conventional - 0.99) < 0.01


def test_lag_slopes_of_ar1_decay_geometrically():
    rng = np.random.default_rng(8)
    x = np.zeros(50_000)
    for i in range(1, x.size):
        x[i] = 0.8 * x[i - 1] + rng.normal()
    slopes = lag_regression_slopes(x, k_max=5)
    assert np.allclose(slopes, 0.8 ** np.arange(1, 6), atol=0.02)


@pytest.mark.parametrize(
    "series, message", [(np.ones(1000), "constant"), (np.arange(50.0), "too short")]
)
def test_undefined_inputs_are_explained(series, message):
    with pytest.raises(ValueError, match=message):
        branching_ratio(series, k_max=10, n_bootstrap=5, rng=0)


def test_constant_regression_window_is_undefined_not_nan():
    # variance only in the last k_max bins, which the regressions never use as A_t
    series = np.zeros(1000)
    series[-5:] = [1.0, 3.0, 0.0, 2.0, 1.0]
    with pytest.raises(ValueError, match="slopes r_k are undefined"):
        branching_ratio(series, k_max=10, n_bootstrap=5, rng=0)
