"""Multistep regression is unbiased under subsampling; the conventional estimator is not."""

import numpy as np
import pytest
from scipy import optimize

from analysis.criticality import (
    branching_ratio,
    lag_regression_slopes,
    subsampled_branching_series,
)
from analysis.criticality.branching import _block_stats, fit_exponential_decay


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


@pytest.mark.parametrize("b, m", [(0.3, 0.9), (0.05, 0.999), (-0.2, 0.6), (0.01, 1.02)])
def test_profile_fit_is_the_least_squares_exponential(b, m):
    """The grid + golden-section fit finds scipy's least-squares optimum of b m^k."""
    k = np.arange(1, 201, dtype=float)
    slopes = b * m**k + np.random.default_rng(3).normal(0, 0.002, k.size)
    (b_ref, m_ref), _ = optimize.curve_fit(lambda kk, bb, mm: bb * mm**kk, k, slopes, p0=(b, m))
    b_fit, m_fit = fit_exponential_decay(slopes)
    assert m_fit == pytest.approx(m_ref, abs=1e-7)
    assert b_fit == pytest.approx(b_ref, rel=1e-5)


def test_block_sums_equal_direct_regression_sums():
    a = np.random.default_rng(4).poisson(3.0, 500).astype(float)
    k_max, n_blocks = 7, 4
    stats = _block_stats(a, k_max, n_blocks)
    centred = a - a.mean()
    starts = np.linspace(0, a.size - k_max, n_blocks + 1).astype(int)
    for b in range(n_blocks):
        t = np.arange(starts[b], starts[b + 1])
        for k in range(1, k_max + 1):
            x, y = centred[t], centred[t + k]
            direct = (t.size, x.sum(), y.sum(), (x * y).sum(), (x * x).sum())
            assert np.allclose(stats[b, k - 1], direct, rtol=1e-12, atol=1e-9)


def test_interval_is_calibrated_over_seeds():
    """m = 0.95 at 10 % sampling, 2e4 bins, 100 seeds: the 95 % interval covers m in
    >= 85 % of them and its width matches the spread of the estimates (the percentile
    interval of before covered 86 %, its t-interval replacement 90 %)."""
    estimates, half_widths, covered = [], [], []
    for seed in range(100):
        _, observed = subsampled_branching_series(0.95, 5.0, 20_000, 0.1, rng=seed)
        result = branching_ratio(observed, k_max=60, n_bootstrap=100, rng=seed)
        estimates.append(result.mr)
        half_widths.append((result.mr_ci95[1] - result.mr_ci95[0]) / 2)
        covered.append(result.mr_ci95[0] <= 0.95 <= result.mr_ci95[1])
    assert np.mean(covered) >= 0.85
    ratio = np.mean(half_widths) / (1.96 * np.std(estimates, ddof=1))
    assert 0.8 < ratio < 1.4, ratio


def test_isolated_events_are_not_read_as_critical():
    """Three isolated events: every centred r_k is the same small negative number and
    the exponential fit sits at m ~ 1 with b < 0; the result says m is no estimate."""
    series = np.zeros(5000)
    series[[1000, 2500, 4000]] = 1.0
    result = branching_ratio(series, k_max=3, n_bootstrap=50, rng=0)
    assert result.mr_amplitude <= 0
    assert "not a branching ratio" in result.as_dict()["note"]
    assert 0.0 <= result.mr_ci95[0] <= result.mr_ci95[1] <= 2.0
