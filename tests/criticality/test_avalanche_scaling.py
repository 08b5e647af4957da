"""Critical Galton–Watson avalanches: mean-field exponents and the crackling relation."""

import numpy as np
import pytest
from scipy import special

from analysis.criticality import (
    avalanche_scaling,
    fit_gamma,
    fit_gamma_log_binned,
    galton_watson_avalanches,
    mean_size_per_duration,
)


@pytest.fixture(scope="module")
def critical_tree_avalanches():
    return galton_watson_avalanches(
        100_000, 1.0, rng=np.random.default_rng(5), max_generations=5000
    )


def test_critical_galton_watson_exponents(critical_tree_avalanches):
    frame = critical_tree_avalanches
    result = avalanche_scaling(
        frame["size"].to_numpy(), frame["duration_bins"].to_numpy(), n_bootstrap=30, rng=1
    )
    assert abs(result.size_fit.alpha - 1.5) < 0.05, result.size_fit
    assert abs(result.duration_fit.alpha - 2.0) < 0.1, result.duration_fit
    assert abs(result.gamma - 2.0) < 0.1, result.gamma
    assert result.relation_holds, result.ci95["gamma_difference"]


def test_borel_size_distribution_and_subcritical_mean():
    """Poisson(m) offspring: P(S=n) = e^(-mn) (mn)^(n-1) / n!, <S> = 1 / (1 - m)."""
    m = 0.5
    frame = galton_watson_avalanches(40_000, m, rng=np.random.default_rng(6))
    sizes = frame["size"].to_numpy()
    n = np.arange(1, 6)
    borel = np.exp(-m * n + (n - 1) * np.log(m * n) - special.gammaln(n + 1))
    observed = np.array([np.mean(sizes == k) for k in n])
    sd = np.sqrt(borel * (1 - borel) / sizes.size)
    assert np.all(np.abs(observed - borel) < 4 * sd), (observed, borel)
    se = sizes.std() / np.sqrt(sizes.size)
    assert abs(sizes.mean() - 1 / (1 - m)) < 4 * se


def test_mean_size_per_duration_and_gamma_on_exact_power():
    durations = np.repeat(np.arange(1, 51), 10)
    sizes = 3.0 * durations**1.7
    t, mean_s, counts = mean_size_per_duration(sizes, durations)
    assert np.all(counts == 10) and np.allclose(mean_s, 3.0 * t**1.7)
    gamma, window = fit_gamma(sizes, durations, t_min=2, min_count=5, decades=1.0)
    assert gamma == pytest.approx(1.7) and window == (5, 50)


def test_gamma_needs_enough_durations():
    with pytest.raises(ValueError, match="needs >= 2 durations"):
        fit_gamma(np.array([1, 2, 3]), np.array([1, 1, 1]), t_min=1, min_count=2)


def test_sparse_durations_fall_back_to_log_bins(monkeypatch):
    """P(T >= t) = 10/t, 400 avalanches: no duration from T = 40 on holds 5 avalanches,
    log bins of width 10^0.1 do, and recover gamma."""
    rng = np.random.default_rng(9)
    durations = np.floor(10.0 / rng.uniform(size=400)).astype(int)
    sizes = np.round(2.0 * durations**1.5 * rng.uniform(0.9, 1.1, durations.size))
    with pytest.raises(ValueError, match="needs >= 2 durations"):
        fit_gamma(sizes, durations, t_min=40, min_count=5)
    gamma, window = fit_gamma_log_binned(sizes, durations, t_min=40, min_count=5)
    assert gamma == pytest.approx(1.5, abs=0.05) and window[0] >= 40

    def too_sparse(*args, **kwargs):
        raise ValueError("<S>(T) fit needs >= 2 durations (forced)")

    # avalanche_scaling falls back to the log-binned fit, for the estimate and bootstrap
    monkeypatch.setattr("analysis.criticality.scaling.fit_gamma", too_sparse)
    result = avalanche_scaling(sizes, durations, n_bootstrap=5, rng=0, min_count=5)
    summary = result.as_dict()
    assert summary["gamma"]["method"] == "log-binned durations"
    assert result.gamma == pytest.approx(1.5, abs=0.05)
    lo, hi = summary["gamma"]["ci95"]
    assert lo <= result.gamma + 1e-9 and result.gamma - 1e-9 <= hi


def test_log_binned_gamma_on_exact_power():
    durations = np.arange(10, 1001)
    sizes = 3.0 * durations**1.7
    gamma, window = fit_gamma_log_binned(sizes, durations, t_min=10, min_count=1)
    assert gamma == pytest.approx(1.7, abs=0.01)
    assert window == (10, 1000)


def test_gamma_undefined_keeps_tau_and_alpha():
    """Two avalanches per duration class only at T = 1: no <S>(T) fit either way."""
    rng = np.random.default_rng(9)
    durations = np.concatenate([np.ones(300, dtype=int), [40, 300]])
    sizes = durations + rng.integers(0, 3, durations.size)
    result = avalanche_scaling(sizes, durations, n_bootstrap=3, rng=0, min_tail=2, min_count=5)
    summary = result.as_dict()
    assert result.gamma is None and result.relation_holds is None
    assert summary["gamma"]["status"] == "undefined"
    assert "log-binned" in summary["scaling_relation"]["reason"]
    assert summary["tau"]["value"] > 1


def test_bootstrap_drops_resamples_whose_tail_collapses():
    """Few distinct large durations: some resamples cannot be fit and are dropped."""
    rng = np.random.default_rng(10)
    durations = np.concatenate([rng.integers(1, 5, 400), [8, 8, 9, 11, 13, 18, 27]])
    sizes = durations * 2
    result = avalanche_scaling(sizes, durations, n_bootstrap=40, rng=3, min_tail=2)
    assert 2 <= result.n_bootstrap <= 40
    assert result.ci95["tau"][0] <= result.size_fit.alpha <= result.ci95["tau"][1] + 1e-9
