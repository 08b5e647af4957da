"""Causal avalanches: the engine's parent of every spike, its trees, and binned avalanches
that do not split them.

Oracle: on a graph where every neuron has K out-synapses transmitting with p = sigma / K
(certain firing, refractoriness shorter than any delay), a kick's tree is a Galton-Watson
tree with Binomial(K, p) offspring as long as no two branches hit the same neuron; its
total progeny then follows the Otter-Dwass law P(S = n) = P(Binomial(n K, p) = n - 1) / n,
with mean 1 / (1 - sigma). N = 20000 keeps collisions rare (trees of a few hundred spikes
in 20000 neurons).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from network.avalanches import (
    auto_bin_steps,
    bin_counts,
    bin_scan,
    causal_avalanches,
    extract_avalanches,
)
from network.engine import DriveSpec, Dynamics, simulate
from network.graph import _from_edges
from network.synapses import Synapses

N, K = 20_000, 10


def branching_network(sigma: float, seed: int = 4) -> Synapses:
    """K random out-synapses per neuron, p = sigma / K, unit efficacy, delays 0.5-2 ms."""
    rng = np.random.default_rng(seed)
    graph = _from_edges(np.repeat(np.arange(N), K), rng.integers(0, N, size=N * K), N)
    m = graph.n_edges
    delays = rng.integers(5, 21, size=m).astype(np.int32)
    return Synapses(graph, delays, np.full(m, sigma / K), np.ones(m), 0.1)


def slow_run(sigma: float, duration_ms: float):
    syn = branching_network(sigma)
    drive = DriveSpec("slow", slow_interval_ms=1.0)
    return simulate(syn, Dynamics(refractory_ms=0.1), drive, duration_ms, rng=11)


def cascades_of(record):
    return causal_avalanches(
        record.step, record.parent, record.dt_ms, record.n_steps, record.max_delay_steps
    )


def test_parents_are_earlier_spikes_through_a_synapse():
    syn = branching_network(0.9)
    record = simulate(
        syn, Dynamics(refractory_ms=0.1), DriveSpec("poisson", rate_hz=2.0), 200.0, rng=3
    )
    child = np.flatnonzero(record.parent >= 0)
    parent = record.parent[child]
    assert child.size > 1000 and np.all(parent < child)
    # the parent's neuron has a synapse to the child's neuron with exactly that delay
    g = syn.graph
    for c, p in zip(child[:500], parent[:500], strict=True):
        row = slice(g.indptr[record.neuron[p]], g.indptr[record.neuron[p] + 1])
        targets, delays = g.indices[row], syn.delay_steps[row]
        lag = record.step[c] - record.step[p]
        assert np.any((targets == record.neuron[c]) & (delays == lag))
    drive_caused = np.count_nonzero(record.parent == -1)
    assert drive_caused == record.n_drive_spikes and child.size == record.n_network_spikes


@pytest.mark.parametrize("sigma", [0.8, 1.0])
def test_one_kick_is_one_causal_avalanche_with_the_galton_watson_progeny_law(sigma):
    record = slow_run(sigma, 30_000.0 if sigma < 1 else 60_000.0)
    cascades = cascades_of(record)
    # every complete kick is one tree (the last one may still run at the end)
    assert record.kick_step.size - 1 <= len(cascades) <= record.kick_step.size
    assert np.array_equal(cascades["start_ms"], record.kick_step[: len(cascades)] * 0.1)
    assert cascades["size"].sum() <= record.step.size
    sizes = cascades["size"].to_numpy()
    n = np.arange(1, 6)
    law = stats.binom.pmf(n - 1, n * K, sigma / K) / n  # Otter-Dwass
    observed = np.array([np.mean(sizes == k) for k in n])
    stderr = np.sqrt(law * (1 - law) / sizes.size)
    assert np.all(np.abs(observed - law) < 4 * stderr), (observed, law)
    if sigma < 1:
        mean = 1 / (1 - sigma)
        assert sizes.mean() == pytest.approx(mean, rel=0.03)
    # generations: a tree of one spike has one generation; profiles sum to the size
    assert np.all(cascades["duration_bins"] >= 1)
    assert all(p.sum() == s for p, s in zip(cascades["profile"], sizes, strict=True))


def test_the_maximal_delay_bin_does_not_split_cascades_and_narrow_bins_do():
    record = slow_run(0.8, 10_000.0)
    cascades = cascades_of(record)
    width = auto_bin_steps(record.max_delay_steps)
    binned = extract_avalanches(bin_counts(record.step, record.n_steps, width), width * 0.1)
    # slow drive: kicks come 2 max_delay + 1 steps after quiescence, so bins of one
    # maximal delay neither split nor merge cascades
    assert len(binned) == len(cascades)
    assert np.array_equal(binned["size"].to_numpy(), cascades["size"].to_numpy())
    scan = bin_scan(record.step, record.n_steps, 0.1, record.max_delay_steps)
    counts = scan.groupby("bin_steps").size()
    assert counts[width] == len(binned)
    # 0.2 ms bins are far below the 0.5-2 ms delays: cascades fall apart; 8 ms bins are
    # longer than the ~5 ms quiet gap before a kick: cascades merge
    narrow, wide = counts.index.min(), counts.index.max()
    assert narrow < width and counts[narrow] > 2 * len(cascades)
    assert wide > width and counts[wide] < len(cascades) / 2


def test_warm_up_parents_and_unfinished_trees_are_left_out():
    syn = branching_network(0.95)
    drive = DriveSpec("slow", slow_interval_ms=1.0)
    record = simulate(syn, Dynamics(refractory_ms=0.1), drive, 500.0, rng=5, warmup_ms=37.3)
    carried = record.parent == -2
    cascades = cascades_of(record)
    roots = np.flatnonzero(record.parent == -1)
    assert len(cascades) <= roots.size
    assert cascades["size"].sum() <= record.step.size - carried.sum()
    assert np.all(cascades["start_ms"].to_numpy() >= 0)
    with pytest.raises(ValueError, match="parent"):
        causal_avalanches(np.array([0, 1]), np.array([1, -1]), 0.1, 10, 1)
