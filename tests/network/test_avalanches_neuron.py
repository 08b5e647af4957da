"""Avalanche extraction (hand-computed cases) and the single-neuron first-passage oracle."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from network.avalanches import auto_bin_steps, bin_counts, extract_avalanches
from network.neuron import DriftDiffusionNeuron, inverse_gaussian_isi, simulate_isis


def test_avalanches_hand_computed():
    counts = np.array([0, 2, 1, 0, 0, 3, 0, 1, 1, 1, 0, 4])
    aval = extract_avalanches(counts, 0.5)
    assert aval["size"].tolist() == [3, 3, 3]  # the last one touches the end: dropped
    assert aval["duration_bins"].tolist() == [2, 1, 3]
    assert aval["start_ms"].tolist() == [0.5, 2.5, 3.5]
    assert aval["duration_ms"].tolist() == [1.0, 0.5, 1.5]
    assert [list(p) for p in aval["profile"]] == [[2, 1], [3], [1, 1, 1]]
    assert extract_avalanches(np.zeros(5, int), 1.0).empty


def test_binning_and_auto_bin():
    step = np.array([0, 0, 1, 3, 4, 100, 102])
    assert bin_counts(step, 104, 2).tolist()[:3] == [3, 1, 1]
    assert bin_counts(step, 104, 2).sum() == 7
    # the default bin is the maximal delay: a child falls in its parent's bin or the next
    assert auto_bin_steps(10) == 10
    with pytest.raises(ValueError, match="max_delay_steps"):
        auto_bin_steps(0)
    with pytest.raises(ValueError, match="step"):
        bin_counts(np.array([200]), 104, 2)


def test_single_neuron_isis_inverse_gaussian():
    neuron = DriftDiffusionNeuron(drift_per_ms=0.1, noise_per_sqrt_ms=0.3, refractory_ms=1.0)
    isis = simulate_isis(neuron, dt_ms=0.002, n_isis=600, rng=5)
    mean_ms, shape_ms = inverse_gaussian_isi(neuron)
    law = stats.invgauss(mu=mean_ms / shape_ms, scale=shape_ms, loc=neuron.refractory_ms)
    assert stats.kstest(isis, law.cdf).pvalue > 0.01
    # The test can fail: a gamma law with the same mean and variance is rejected.
    var = mean_ms**3 / shape_ms
    gamma = stats.gamma(a=mean_ms**2 / var, scale=var / mean_ms, loc=neuron.refractory_ms)
    assert stats.kstest(isis, gamma.cdf).pvalue < 0.01
    with pytest.raises(ValueError, match="perfect integrator"):
        inverse_gaussian_isi(DriftDiffusionNeuron(0.1, 0.1, leak_tau_ms=20.0))
