"""Spectral radius of the transmission matrix (network.spectral): analytic values on
regular, Erdős–Rényi and Barabási–Albert graphs, accuracy against dense eigenvalues, the
gain for a target lambda, and criticality of simulated runs at lambda = 1 (Larremore,
Shew & Restrepo 2011, Phys. Rev. Lett. 106:058101).

Which measured quantity estimates the branching ratio: the expected offspring
``s_i = sum_j A_ij`` of the spiking neuron, averaged over the network-caused spikes
(``sigma_net`` below). Spikes of a cascade visit neurons in proportion to the left Perron
vector u, so that average is ``u . s / sum(u) = lambda``. ``SpikeRecord.sigma_expected``
averages the same s_i over all spikes, the slow-drive kicks included: a kick fires a
uniformly chosen neuron (mean offspring = the mean out-strength, 0.4 on a
Barabási–Albert graph at lambda = 1), which biases it low by about (1 - 0.4) / <S> for
mean avalanche size <S> (measured 0.92 at lambda = 1 below, against sigma_net 0.966 +- 0.002).
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import network_config

from network.engine import DriveSpec, Dynamics, simulate
from network.graph import Graph, build_graph
from network.spectral import (
    gain_for_lambda,
    perron_vectors,
    spectral_radius,
    transmission_matrix,
)
from network.synapses import Synapses, analytic_sigma

DT_MS = 0.1


def gain_for_sigma(synapses: Synapses, sigma: float) -> float:
    """The old calibration (a control here): the gain whose mean out-strength
    ``analytic_sigma`` equals ``sigma`` (bisection; it is monotone in the gain)."""
    lo, hi = 0.0, 1.0 / synapses.efficacy[synapses.efficacy > 0].min()
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if analytic_sigma(synapses, mid) < sigma else (lo, mid)
    return 0.5 * (lo + hi)


def graph_of(model: str, n: int, k: float, seed: int, rewiring: float = 0.1) -> Graph:
    cfg = network_config(
        graph={"model": model, "n_neurons": n, "mean_degree": k, "rewiring_probability": rewiring}
    ).graph
    return build_graph(cfg, rng=np.random.default_rng(seed))


def uniform_synapses(graph: Graph, p: float, eps: float) -> Synapses:
    """One-step delays, the same p and efficacy on every edge."""
    m = graph.n_edges
    return Synapses(graph, np.ones(m, np.int32), np.full(m, p), np.full(m, eps), DT_MS)


def quantal_synapses(graph: Graph, seed: int) -> Synapses:
    """One-step delays, p = 0.5, efficacy Binomial(20, 0.6) / 20 (as draw_synapses)."""
    m = graph.n_edges
    eps = np.random.default_rng(seed).binomial(20, 0.6, m) / 20
    return Synapses(graph, np.ones(m, np.int32), np.full(m, 0.5), eps, DT_MS)


def out_strength(synapses: Synapses, gain: float) -> np.ndarray:
    """Expected offspring of a spike of each neuron, s = A 1, shape=(n_neurons,)."""
    return np.asarray(transmission_matrix(synapses, gain).sum(axis=1)).ravel()


def mean_field_lambda(graph: Graph, c: float) -> float:
    """<k_in k_out> / <k> c (Restrepo, Ott & Hunt 2007, Phys. Rev. E 76:056119)."""
    k_out = graph.out_degree
    k_in = np.bincount(graph.indices, minlength=graph.n_neurons)
    return float(np.mean(k_in * k_out) / np.mean(k_out) * c)


def test_input_validation():
    syn = uniform_synapses(graph_of("regular", 50, 4, 0), 0.5, 0.5)
    with pytest.raises(ValueError, match="gain"):
        spectral_radius(syn, -1.0)
    with pytest.raises(ValueError, match="method"):
        spectral_radius(syn, method="lanczos")
    with pytest.raises(ValueError, match="target"):
        gain_for_lambda(syn, 0.0)


def test_no_edges_and_no_cycle_give_exactly_zero():
    empty = Graph(np.zeros(11, np.int64), np.zeros(0, np.int32), 10)
    assert spectral_radius(uniform_synapses(empty, 0.5, 1.0)) == 0.0
    # a directed chain 0 -> 1 -> ... -> 199 is nilpotent: lambda = 0, not round-off
    chain = Graph(
        np.r_[np.arange(200), 199].astype(np.int64), np.arange(1, 200, dtype=np.int32), 200
    )
    syn = uniform_synapses(chain, 1.0, 1.0)
    assert spectral_radius(syn) == 0.0
    assert spectral_radius(uniform_synapses(graph_of("regular", 50, 4, 0), 0.5, 0.0)) == 0.0
    with pytest.raises(ValueError, match="no directed cycle"):
        perron_vectors(syn)


def test_two_neuron_loop_is_geometric_mean():
    graph = Graph(np.array([0, 1, 2]), np.array([1, 0], np.int32), 2)
    syn = Synapses(graph, np.ones(2, np.int32), np.array([0.9, 0.4]), np.array([2.0, 0.5]), DT_MS)
    # A = [[0, 0.9 min(1, 2g)], [0.4 min(1, g / 2), 0]]: lambda = sqrt(a b)
    assert spectral_radius(syn, 0.4) == pytest.approx(np.sqrt(0.9 * 0.8 * 0.4 * 0.2), rel=1e-14)
    assert spectral_radius(syn, 10.0) == pytest.approx(np.sqrt(0.9 * 0.4), rel=1e-14)


@pytest.mark.parametrize("gain", [0.3, 1.0, 2.5])  # 2.5: g eps = 1.5 saturates at 1
def test_out_regular_graph_is_exact(gain):
    """Equal row sums K c: the Perron root is exactly the row sum."""
    syn = uniform_synapses(graph_of("regular", 3000, 10, 1), 0.5, 0.6)
    expected = 10 * 0.5 * min(1.0, gain * 0.6)
    assert spectral_radius(syn, gain) == pytest.approx(expected, rel=1e-10)
    assert analytic_sigma(syn, gain) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("k", "seed"), [(4, 1), (10, 2), (20, 3)])
def test_erdos_renyi_is_k_times_c(k, seed):
    n, c = 3000, 0.5 * 0.6
    syn = uniform_synapses(graph_of("erdos_renyi", n, k, seed), 0.5, 0.6)
    lam = spectral_radius(syn, 1.0)
    # K c up to the sampling error of the mean degree (3 standard errors)
    assert abs(lam / (k * c) - 1) < 3 / np.sqrt(n * k), lam
    assert lam == pytest.approx(mean_field_lambda(syn.graph, c), rel=5e-3)


@pytest.mark.parametrize("seed", [1, 2])
def test_barabasi_albert_is_second_moment_not_mean(seed):
    """lambda ~ <k^2>/<k> c (undirected: k_in = k_out), 2.3-2.6 x the mean out-strength."""
    graph = graph_of("barabasi_albert", 5000, 10, seed)
    c = 0.5 * 0.6
    syn = uniform_synapses(graph, 0.5, 0.6)
    lam = spectral_radius(syn, 1.0)
    k = graph.out_degree
    assert lam == pytest.approx(np.mean(k**2) / np.mean(k) * c, rel=0.05)
    assert lam / analytic_sigma(syn, 1.0) > 2.2
    # the old calibration: mean out-strength sigma0 = 1 puts lambda far above 1
    quantal = quantal_synapses(graph, seed)
    gain = gain_for_sigma(quantal, 1.0)
    assert analytic_sigma(quantal, gain) == pytest.approx(1.0, rel=1e-9)
    assert spectral_radius(quantal, gain) > 2.2


def heterogeneous_synapses(n: int, seed: int) -> Synapses:
    """Random directed graph with broad p (U(0, 1)) and efficacy (U(0, 2))."""
    rng = np.random.default_rng(seed)
    graph = graph_of("erdos_renyi", n, 6, seed)
    m = graph.n_edges
    return Synapses(graph, np.ones(m, np.int32), rng.uniform(0, 1, m), rng.uniform(0, 2, m), DT_MS)


@pytest.mark.parametrize("method", ["auto", "arpack", "power"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_accuracy_against_dense_eigenvalues(method, seed):
    syn = heterogeneous_synapses(300, seed)
    gain = 0.7  # saturates min(1, g eps) on the edges with eps > 1.43
    dense = np.linalg.eigvals(transmission_matrix(syn, gain).toarray())
    expected = dense.real.max()
    assert abs(spectral_radius(syn, gain, method=method) / expected - 1) < 1e-8


@pytest.mark.parametrize("method", ["auto", "power"])
def test_periodic_matrix_picks_the_positive_root(method):
    """Bipartite undirected graph: -lambda is an eigenvalue of the same modulus."""
    rng = np.random.default_rng(5)
    half = 150
    src = rng.integers(0, half, 900)
    dst = rng.integers(half, 2 * half, 900)
    key = np.unique(np.r_[src * 2 * half + dst, dst * 2 * half + src])
    indptr = np.zeros(2 * half + 1, np.int64)
    np.cumsum(np.bincount(key // (2 * half), minlength=2 * half), out=indptr[1:])
    graph = Graph(indptr, (key % (2 * half)).astype(np.int32), 2 * half)
    m = graph.n_edges
    syn = Synapses(graph, np.ones(m, np.int32), rng.uniform(0.2, 1, m), np.ones(m), DT_MS)
    dense = np.linalg.eigvals(transmission_matrix(syn, 1.0).toarray())
    assert dense.real.min() == pytest.approx(-dense.real.max(), rel=1e-8)
    assert spectral_radius(syn, method=method) == pytest.approx(dense.real.max(), rel=1e-8)


def test_perron_vectors_and_spike_weighted_offspring():
    syn = quantal_synapses(graph_of("barabasi_albert", 2000, 10, 4), 4)
    gain = 0.3
    a = transmission_matrix(syn, gain)
    pv = perron_vectors(syn, gain)
    assert pv.eigenvalue == pytest.approx(spectral_radius(syn, gain), rel=1e-10)
    assert np.all(pv.left >= 0) and np.all(pv.right >= 0)
    assert np.abs(a.T @ pv.left - pv.eigenvalue * pv.left).max() < 1e-10 * pv.left.max()
    assert np.abs(a @ pv.right - pv.eigenvalue * pv.right).max() < 1e-10 * pv.right.max()
    s = out_strength(syn, gain)
    # spikes distributed like u have mean offspring lambda; uniform ones the mean s
    assert pv.spike_weighted_offspring(s) == pytest.approx(pv.eigenvalue, rel=1e-9)
    assert s.mean() == pytest.approx(analytic_sigma(syn, gain), rel=1e-12)
    assert pv.eigenvalue > 2 * s.mean()


def test_gain_for_lambda_round_trip():
    syn = quantal_synapses(graph_of("barabasi_albert", 2000, 10, 6), 6)
    linear = gain_for_lambda(syn, 1.0)  # g max(eps) <= 1: closed form
    assert linear * syn.efficacy.max() <= 1.0
    assert spectral_radius(syn, linear) == pytest.approx(1.0, rel=1e-10)
    saturated = spectral_radius(syn, 1e6)
    high = gain_for_lambda(syn, 0.98 * saturated)  # needs min(1, g eps) = 1 on some edges
    assert high * syn.efficacy.max() > 1.0
    assert spectral_radius(syn, high) == pytest.approx(0.98 * saturated, rel=1e-9)
    at_ceiling = gain_for_lambda(syn, saturated)
    assert spectral_radius(syn, at_ceiling) == pytest.approx(saturated, rel=1e-9)
    with pytest.raises(ValueError, match=rf"lambda=50 .* saturates at lambda={saturated:.6g}"):
        gain_for_lambda(syn, 50.0)


def avalanche_statistics(record, synapses: Synapses, gain: float) -> dict:
    """Expected offspring over network-caused spikes, its standard error, avalanches.

    Slow drive: a kick comes after 2 max_delay + 1 quiet steps, so avalanches are the
    runs of spikes separated by gaps > max_delay, each started by its kick (its first
    spike). Avalanches are independent, so the standard error is that of a ratio of
    per-avalanche sums (delta method). ``growth`` is the realized branching of late
    generations (one-step delays: generation = steps since the kick), summed over
    avalanches: ``sum_{g >= 2} n_{g+1} / sum_{g >= 2} n_g``, which tends to lambda times
    the fraction of arrivals not lost to refractoriness or to same-step collisions.
    """
    s = out_strength(synapses, gain)
    values = s[record.neuron]
    starts = np.r_[0, np.flatnonzero(np.diff(record.step) > record.max_delay_steps) + 1]
    sizes = np.diff(np.r_[starts, record.step.size])
    label = np.repeat(np.arange(starts.size), sizes)
    network = np.ones(record.step.size, bool)
    network[starts] = False
    x = np.bincount(label[network], weights=values[network], minlength=starts.size)
    n = sizes - 1.0
    sigma = x.sum() / n.sum()
    stderr = np.sqrt(np.sum((x - sigma * n) ** 2) * starts.size / (starts.size - 1)) / n.sum()
    generation = record.step - record.step[starts][label]  # one-step delays
    per_generation = np.bincount(generation).astype(float)
    return dict(
        sigma_net=sigma,
        stderr=stderr,
        sum_offspring=values.sum(),
        starts=record.step[starts],
        max_size=sizes.max(),
        network_spikes=np.bincount(record.neuron[network], minlength=record.n_neurons),
        growth=per_generation[3:].sum() / per_generation[2:-1].sum(),
    )


def run_slow(synapses: Synapses, gain: float, duration_ms: float, seed: int, max_spikes: int):
    """Static probabilistic neurons, one-step refractoriness, slow drive."""
    dynamics = Dynamics(gain=gain, refractory_ms=DT_MS)
    drive = DriveSpec("slow", slow_interval_ms=1.0)
    return simulate(synapses, dynamics, drive, duration_ms, rng=seed, max_spikes=max_spikes)


@pytest.mark.parametrize(
    ("model", "rewiring"),
    [("barabasi_albert", 0.0), ("watts_strogatz", 0.1), ("watts_strogatz", 0.5)],
)
def test_critical_at_lambda_one(model, rewiring):
    """lambda = 1: expected offspring per network spike 1 +- 0.05, avalanches terminate."""
    syn = quantal_synapses(graph_of(model, 2000, 10, 7, rewiring), 7)
    gain = gain_for_lambda(syn, 1.0)
    record = run_slow(syn, gain, 60_000.0, seed=8, max_spikes=10_000_000)
    stats = avalanche_statistics(record, syn, gain)
    # the record's expected offspring is sum_i s_i over its spikes (static synapses)
    assert stats["sum_offspring"] == pytest.approx(record.expected_offspring, rel=1e-9)
    sigma, stderr = stats["sigma_net"], stats["stderr"]
    assert abs(sigma - 1) < 0.05, f"sigma_net={sigma:.4f} +- {stderr:.4f}"
    assert stderr < 0.01
    # not saturated: every kick started one avalanche that ended; rate << 1 / refractory
    assert not record.truncated
    assert np.array_equal(stats["starts"], record.kick_step)
    assert record.kick_step.size == record.n_drive_spikes > 20_000
    assert stats["max_size"] < record.step.size / 10
    assert record.rate_hz < 0.01 * 1e3 / DT_MS
    # spikes sit where the left Perron vector puts them
    u = perron_vectors(syn, gain).left
    counts = stats["network_spikes"]
    assert counts @ u / np.linalg.norm(counts) / np.linalg.norm(u) > 0.95
    # realized branching: lambda less the same-step collisions (a few %)
    assert 0.93 < stats["growth"] < 1.01
    if model == "barabasi_albert":
        # the mean out-strength calls this network strongly subcritical
        assert analytic_sigma(syn, gain) < 0.6
        # the kicks (uniform neurons) pull the all-spike mean down
        assert record.sigma_expected < sigma - 0.02


def test_mean_out_strength_calibration_is_supercritical_on_barabasi_albert():
    """Control: sigma0 = 1 (mean out-strength 1) gives lambda > 2 and a run that saturates."""
    syn = quantal_synapses(graph_of("barabasi_albert", 2000, 10, 7), 7)
    gain = gain_for_sigma(syn, 1.0)
    assert spectral_radius(syn, gain) > 2.0
    record = run_slow(syn, gain, 2000.0, seed=8, max_spikes=1_000_000)
    stats = avalanche_statistics(record, syn, gain)
    assert record.truncated or stats["sigma_net"] > 1.05
    assert stats["sigma_net"] > 1.2
    assert record.rate_hz > 100.0  # self-sustained: no quiescence to end an avalanche


def test_refractoriness_beyond_the_round_trip_makes_lambda_one_subcritical():
    """Limit of lambda: a refractory period of 10 steps with one-step delays blocks the
    way back to the parent and around short cycles (undirected, clustered graph), so
    the realized branching drops to ~0.74 while the expected offspring per spike (a
    property of where spikes sit, blind to the targets' state) still reads ~1."""
    syn = quantal_synapses(graph_of("watts_strogatz", 2000, 10, 7, 0.1), 7)
    gain = gain_for_lambda(syn, 1.0)
    dynamics = Dynamics(gain=gain, refractory_ms=10 * DT_MS)
    drive = DriveSpec("slow", slow_interval_ms=1.0)
    record = simulate(syn, dynamics, drive, 30_000.0, rng=8, max_spikes=10_000_000)
    stats = avalanche_statistics(record, syn, gain)
    assert abs(stats["sigma_net"] - 1) < 0.01
    assert stats["growth"] < 0.85
    # delays longer than the refractory period (1.1 ms vs 1 ms) restore it
    long = syn.replace(delay_steps=np.full(syn.graph.n_edges, 11, np.int32))
    record = simulate(long, dynamics, drive, 30_000.0, rng=8, max_spikes=10_000_000)
    assert record.sigma_estimate > 0.95  # 1 - 1/<S>: avalanches 4 x longer
