"""Physics oracles of the network dynamics (DESIGN.md reference values).

Static probabilistic network on an Erdős–Rényi graph (Poisson offspring), one-step
delays, slow drive: each avalanche is one Galton–Watson tree, so its size follows the
Borel distribution and its duration the critical survival law.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import network_config
from scipy import special, stats

from network import (
    DriveSpec,
    Dynamics,
    Synapses,
    bin_counts,
    build_graph,
    extract_avalanches,
    simulate,
)

N_NEURONS = 100_000
K = 10


@pytest.fixture(scope="module")
def er_graph():
    """Directed Erdős–Rényi graph, N = 10^5, K = 10 (direct CSR path)."""
    cfg = network_config(graph={"n_neurons": N_NEURONS, "mean_degree": K}).graph
    return build_graph(cfg, rng=np.random.default_rng(11))


def branching_network(graph, sigma: float) -> Synapses:
    """One-step delays, p = sigma / K, unit efficacy: offspring ~ Poisson(sigma)."""
    m = graph.n_edges
    return Synapses(graph, np.ones(m, np.int32), np.full(m, sigma / K), np.ones(m), 0.1)


def avalanche_table(graph, sigma: float, duration_ms: float, seed: int):
    syn = branching_network(graph, sigma)
    record = simulate(
        syn,
        Dynamics(refractory_ms=0.1),
        DriveSpec("slow", slow_interval_ms=0.0),
        duration_ms,
        rng=seed,
    )
    return extract_avalanches(bin_counts(record.step, record.n_steps, 1), 0.1), record


def borel_pmf(n: np.ndarray, mu: float) -> np.ndarray:
    """P(S = n) = exp(-mu n) (mu n)^(n-1) / n!  (total progeny of a Poisson(mu) tree)."""
    n = np.asarray(n, dtype=float)
    return np.exp(-mu * n + (n - 1) * np.log(mu * n) - special.gammaln(n + 1))


def z_score(estimate: float, expected: float, stderr: float) -> float:
    """(estimate - expected) / stderr, the one tolerance helper of these tests."""
    return (estimate - expected) / stderr


def test_z_score_helper():
    assert z_score(5.3, 5.0, 0.1) == pytest.approx(3.0)


def test_borel_pmf_normalised_and_mean():
    n = np.arange(1, 4000)
    p = borel_pmf(n, 0.8)
    assert p.sum() == pytest.approx(1.0, abs=1e-9)
    assert (n * p).sum() == pytest.approx(1 / (1 - 0.8), rel=1e-6)


def _ks_truncated_borel(sizes: np.ndarray, mu: float, n_max: int) -> float:
    """KS p-value of sizes <= n_max against the Borel law conditioned on S <= n_max.

    The statistic is sup_n |F_emp(n) - F(n)| over the integer support; the continuous
    Kolmogorov distribution makes the p-value conservative for discrete data.
    """
    support = np.arange(1, n_max + 1)
    cdf = np.cumsum(borel_pmf(support, mu))
    cdf /= cdf[-1]
    kept = sizes[sizes <= n_max]
    ecdf = np.cumsum(np.bincount(kept, minlength=n_max + 1)[1:]) / kept.size
    return float(stats.kstwo.sf(np.abs(ecdf - cdf).max(), kept.size))


@pytest.mark.slow
def test_critical_sizes_borel_and_durations_tail(er_graph):
    aval, record = avalanche_table(er_graph, 1.0, 8_000.0, seed=3)
    sizes = aval["size"].to_numpy()
    assert len(sizes) > 4_000
    # Sizes up to 50 are unaffected by the finite N = 10^5 (refractory collisions ~ S^2 / N).
    p_value = _ks_truncated_borel(sizes, 1.0, 50)
    assert p_value > 0.01, f"Borel(1) KS p = {p_value:.3g}"
    # The test can fail: a subcritical Borel(0.8) is rejected on the same data.
    assert _ks_truncated_borel(sizes, 0.8, 50) < 1e-3
    # Duration tail: P(T >= t) ~ 2 / t for critical Poisson trees, i.e. P(T) ~ T^-2.
    durations = aval["duration_bins"].to_numpy()
    t = np.arange(8, 41)
    survival = np.array([(durations >= ti).mean() for ti in t])
    slope = np.polyfit(np.log(t), np.log(survival), 1)[0]
    assert -1.0 - 0.15 < slope < -1.0 + 0.15, (
        f"duration survival slope {slope:.3f}, want -1 (P ~ T^-2)"
    )
    assert record.sigma_expected == pytest.approx(1.0, abs=0.01)


@pytest.mark.slow
def test_subcritical_mean_size(er_graph):
    aval, record = avalanche_table(er_graph, 0.8, 30_000.0, seed=5)
    sizes = aval["size"].to_numpy()
    mean, expected = sizes.mean(), 1 / (1 - 0.8)
    assert abs(mean / expected - 1) < 0.03, f"mean size {mean:.3f}, 1/(1-sigma) = {expected}"
    z = z_score(mean, expected, sizes.std(ddof=1) / np.sqrt(sizes.size))
    assert abs(z) < 4, f"mean size z = {z:.2f}"
    assert record.sigma_estimate == pytest.approx(0.8, abs=0.02)


@pytest.mark.slow
def test_depressing_self_organises_over_tenfold_drive():
    """LHG synapses at sigma0 = 2 settle near sigma = 1 for drive h = 0.01 and 0.1 Hz."""
    cfg = network_config(graph={"n_neurons": 10_000, "mean_degree": K}).graph
    graph = build_graph(cfg, rng=np.random.default_rng(2))
    syn = branching_network(graph, 2.0)
    syn = syn.replace(p_release=np.ones(graph.n_edges))  # LHG: every spike spends resource
    dyn = Dynamics(refractory_ms=0.1, depression_use=0.2, depression_tau_ms=500.0)
    for rate in (0.01, 0.1):
        drive = DriveSpec("poisson", rate_hz=rate, weight=10.0)
        record = simulate(syn, dyn, drive, 20_000.0, rng=9)
        assert record.sigma_estimate == pytest.approx(1.0, abs=0.05)
        assert record.sigma_expected == pytest.approx(1.0, abs=0.05), f"h = {rate} Hz"
    # Without depression the same coupling stays supercritical (the test can fail).
    static = simulate(
        syn, Dynamics(refractory_ms=0.1), DriveSpec("slow", slow_interval_ms=0.0), 5.0, rng=9
    )
    assert static.sigma_expected > 1.9
