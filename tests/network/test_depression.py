"""Depressing synapses: resource spent on release only, LHG self-organization, time scales.

Oracles: the resource after k presynaptic spikes, (1 - u)^k when every spike releases
and E[(1 - u)^Binomial(k, r)] = (1 - u r)^k with release probability r; the kernel
spike for spike against a slow Python reference of the documented order; the mean-field
stationary sigma of LHG synapses (``lhg_mean_field_sigma``) under slow drive.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import network_config

from network.engine import DriveSpec, Dynamics, poisson_drive_events, simulate
from network.graph import _from_edges
from network.kernel import splitmix_uniform
from network.synapses import Synapses
from network.timescales import (
    LHG_TAU_PER_NEURON,
    MIN_QUIESCENT_FRACTION,
    activity_state,
    lhg_mean_field_sigma,
    lhg_recovery_tau_ms,
    separation_of_timescales,
)

USE = 0.2
K = 10
SLOW_MS = 10.0  # slow-drive wait after quiescence; kick interval = SLOW_MS + 3 steps + duration


def z_score(estimate: float, expected: float, stderr: float) -> float:
    """(estimate - expected) / stderr, the one tolerance helper of these tests."""
    return (estimate - expected) / stderr


# --- depletion only on release ------------------------------------------------------------


def star(n_targets: int, p_transmit: float, p_release: float, efficacy: float) -> Synapses:
    """Neuron 0 -> neurons 1..n_targets (no other synapses), one-step delays."""
    src = np.zeros(n_targets, np.int64)
    graph = _from_edges(src, np.arange(1, n_targets + 1), n_targets + 1)
    m = graph.n_edges
    return Synapses(
        graph,
        np.ones(m, np.int32),
        np.full(m, p_transmit),
        np.full(m, efficacy),
        0.1,
        p_release=np.full(m, p_release),
    )


def resource_at_spike(syn: Synapses, n_spikes: int, seed: int = 7) -> np.ndarray:
    """Mean resource of neuron 0's synapses just before each of its n_spikes spikes.

    Neuron 0 is fired by drive events 20 steps apart (weight inf), tau_J = inf. The
    expected-offspring sum of spike k is sum_s p w J_s (w J_s < theta; the targets have no
    synapses), and runs with k and k + 1 drive events share their first k spikes, so the
    difference of their sums over p w M is the mean J after k spikes.
    """
    dyn = Dynamics(gain=1.0, refractory_ms=0.1, depression_use=USE, depression_tau_ms=math.inf)
    drive = DriveSpec("poisson", weight=math.inf)
    totals = [0.0]
    for k in range(1, n_spikes + 1):
        events = (np.arange(k, dtype=np.int64) * 20, np.zeros(k, np.int32))
        record = simulate(syn, dyn, drive, 20.0 * k * 0.1, rng=seed, drive_events=events)
        assert np.count_nonzero(record.neuron == 0) == k
        totals.append(record.expected_offspring)
    scale = float(np.sum(syn.p_transmit * syn.efficacy))
    return np.diff(totals) / scale


def test_every_release_spends_resource_transmitted_or_not():
    """p_release = 1, p_transmit = 0.5: J after k spikes is (1 - u)^k exactly."""
    mean_j = resource_at_spike(star(200, 0.5, 1.0, 0.01), 8)
    np.testing.assert_allclose(mean_j, (1 - USE) ** np.arange(8), rtol=1e-12)


def test_resource_spent_only_on_release():
    """p_release = 0.5: E[J after k spikes] = (1 - u/2)^k, not (1 - u p_transmit)^k."""
    m, k = 4000, 10
    mean_j = resource_at_spike(star(m, 0.25, 0.5, 0.01), k + 1)[k]
    # J = (1 - u)^B, B ~ Binomial(k, 1/2): E[J^2] = ((1 + (1 - u)^2) / 2)^k
    expected = (1 - USE / 2) ** k
    var = ((1 + (1 - USE) ** 2) / 2) ** k - expected**2
    stderr = math.sqrt(var / m)
    assert abs(z_score(mean_j, expected, stderr)) < 4, f"mean J {mean_j:.5f} vs {expected:.5f}"
    # the test can fail: depletion on transmission (p = 0.25) or on every spike is rejected
    assert abs(z_score(mean_j, (1 - USE / 4) ** k, stderr)) > 10
    assert abs(z_score(mean_j, (1 - USE) ** k, stderr)) > 10


# --- kernel vs a slow reference -------------------------------------------------------------


def mixed_network(n=60, k=6, seed=0) -> Synapses:
    """Per-synapse delays; p_transmit in {0.3, 0.6, 1}, p_release in [p_transmit, 1]."""
    rng = np.random.default_rng(seed)
    src = np.repeat(np.arange(n), k)
    graph = _from_edges(src, rng.integers(0, n, size=src.size), n)
    m = graph.n_edges
    p = rng.choice([0.3, 0.6, 1.0], size=m)
    return Synapses(
        graph,
        rng.integers(1, 6, size=m).astype(np.int32),
        p,
        rng.uniform(0.5, 1.5, size=m),
        0.1,
        p_release=np.minimum(1.0, p + rng.choice([0.0, 0.3], size=m)),
    )


def release_reference(syn: Synapses, dyn: Dynamics, drive_w, events, n_steps, seed):
    """Probabilistic model with depression, clock-driven, in the documented order.

    Replays the kernel's splitmix64 stream: a firing coin per sub-threshold arrival, one
    uniform U per (spike, synapse) with p_transmit < 1. Returns the spikes and the
    expected-offspring sum.
    """
    g = syn.graph
    n, dt = g.n_neurons, syn.dt_ms
    w = dyn.gain * syn.efficacy * dyn.threshold
    ref_until = np.zeros(n, int)
    ref_steps = max(1, round(dyn.refractory_ms / dt))
    J = np.ones(g.n_edges)
    last_spike = np.zeros(n, int)
    kernel_seq, _ = np.random.SeedSequence(seed).spawn(2)
    rng = kernel_seq.generate_state(1, dtype=np.uint64)[0]
    queue, spikes = {}, []
    offspring = 0.0

    def uniform():
        nonlocal rng
        u, state = splitmix_uniform(np.uint64(rng))
        rng = np.uint64(state)
        return u

    ev_steps, ev_neurons = events
    for t in range(n_steps):
        fired = []
        for j, v in queue.pop(t, []) + [(j, drive_w) for j in ev_neurons[ev_steps == t]]:
            if t < ref_until[j]:
                continue
            if v >= dyn.threshold or uniform() * dyn.threshold < v:
                ref_until[j] = t + ref_steps
                fired.append(j)
        for i in fired:
            spikes.append((t, i))
            decay = math.exp(-(t - last_spike[i]) * dt / dyn.depression_tau_ms)
            for s in range(g.indptr[i], g.indptr[i + 1]):
                J[s] = 1 - (1 - J[s]) * decay
                value = w[s] * J[s]
                offspring += syn.p_transmit[s] * min(1.0, value / dyn.threshold)
                draw = uniform() if syn.p_transmit[s] < 1 else 0.0
                if draw < syn.p_release[s]:
                    J[s] -= dyn.depression_use * J[s]
                if draw < syn.p_transmit[s]:
                    queue.setdefault(t + int(syn.delay_steps[s]), []).append((g.indices[s], value))
            last_spike[i] = t
    return spikes, offspring


def test_kernel_matches_release_reference():
    syn = mixed_network()
    assert np.any(syn.p_release > syn.p_transmit) and np.any(syn.p_transmit == 1)
    dyn = Dynamics(gain=0.8, refractory_ms=0.3, depression_use=0.3, depression_tau_ms=15.0)
    n_steps = 1500
    events = poisson_drive_events(60, 40.0, 0.1, 0, n_steps, rng=np.random.default_rng(4))
    record = simulate(
        syn, dyn, DriveSpec("poisson", weight=0.7), n_steps * 0.1, rng=5, drive_events=events
    )
    spikes, offspring = release_reference(syn, dyn, 0.7, events, n_steps, 5)
    assert len(spikes) > 100
    got = list(zip(record.step.tolist(), record.neuron.tolist(), strict=True))
    assert got == [(int(t), int(i)) for t, i in spikes]
    assert record.expected_offspring == pytest.approx(offspring, rel=1e-12)
    # the reference can fail: spending resource on transmission only changes the run
    no_spare = syn.replace(p_release=syn.p_transmit)
    other = simulate(
        no_spare, dyn, DriveSpec("poisson", weight=0.7), n_steps * 0.1, rng=5, drive_events=events
    )
    assert other.expected_offspring != pytest.approx(offspring, rel=1e-6)


# --- LHG self-organization ------------------------------------------------------------------


def lhg_network(n: int, sigma0: float, seed: int = 1) -> Synapses:
    """K = 10 random out-targets per neuron (duplicates dropped), one-step delays, unit
    efficacy, p_transmit = sigma0 N / M (sigma of the recovered network = sigma0), and
    every spike releases (p_release = 1), as LHG's deterministic synapses."""
    rng = np.random.default_rng(seed)
    graph = _from_edges(np.repeat(np.arange(n), K), rng.integers(0, n, size=n * K), n)
    m = graph.n_edges
    return Synapses(
        graph,
        np.ones(m, np.int32),
        np.full(m, sigma0 * n / m),
        np.ones(m),
        0.1,
        p_release=np.ones(m),
    )


def stationary_run(n: int, sigma0: float, n_kicks: int, tau_per_neuron=LHG_TAU_PER_NEURON):
    """Slow-drive run of n_kicks mean kick intervals; sigma after a discarded warm-up.

    The warm-up (first 20 %) is removed exactly: a shorter run with the same seed is a
    bitwise prefix of the long one (slow drive does not depend on chunking), so the
    difference of their expected-offspring sums and spike counts is that of the rest.
    Returns (sigma_expected after warm-up, TimescaleSeparation after warm-up, record).
    """
    syn = lhg_network(n, sigma0)
    interval_ms = SLOW_MS + 3 * 0.1
    tau = lhg_recovery_tau_ms(n, interval_ms, tau_per_neuron)
    dyn = Dynamics(refractory_ms=0.1, depression_use=USE, depression_tau_ms=tau)
    drive = DriveSpec("slow", slow_interval_ms=SLOW_MS)
    duration = n_kicks * interval_ms
    full = simulate(syn, dyn, drive, duration, rng=3, max_spikes=3_000_000)
    warm = simulate(syn, dyn, drive, 0.2 * duration, rng=3)
    assert np.array_equal(full.step[: warm.step.size], warm.step), "warm-up is not a prefix"
    sigma = (full.expected_offspring - warm.expected_offspring) / (full.step.size - warm.step.size)
    return sigma, full, warm


@pytest.mark.parametrize("sigma0", [1.5, 2.0, 3.0, 4.0])
def test_lhg_self_organises_below_one_at_mean_field_sigma(sigma0):
    """N = 1000, tau_J = 0.25 N T: sigma_expected 0.92-1.00 for sigma0 = 1.5-4 (mean field
    0.921-0.984); the avalanche-size sigma 1 - 1/<S> matches the mean field within 0.01."""
    sigma, full, warm = stationary_run(1000, sigma0, 20_000)
    assert not full.truncated
    expected = lhg_mean_field_sigma(sigma0, USE)
    assert 0.9 < sigma < 1.02, f"sigma0 = {sigma0}: stationary sigma {sigma:.4f}"
    assert abs(sigma - expected) < 0.02, f"sigma {sigma:.4f}, mean field {expected:.4f}"
    sep = separation_of_timescales(full.step, full.kick_step[warm.kick_step.size :], 0.1)
    sigma_size = 1 - 1 / sep.mean_avalanche_size
    assert abs(sigma_size - expected) < 0.01, f"1 - 1/<S> = {sigma_size:.4f} vs {expected:.4f}"
    assert sep.ratio > 10, f"drive interval / avalanche duration {sep.ratio:.1f}"


def test_lhg_recovery_not_scaled_with_n_stays_supercritical():
    """The control can fail: tau_J = 0.25 T (no factor N) lets every synapse recover
    between its neuron's spikes; sigma0 = 2 then runs away into self-sustained activity."""
    n = 1000
    syn = lhg_network(n, 2.0)
    tau = lhg_recovery_tau_ms(1, SLOW_MS + 0.3)
    dyn = Dynamics(refractory_ms=0.1, depression_use=USE, depression_tau_ms=tau)
    drive = DriveSpec("slow", slow_interval_ms=SLOW_MS)
    record = simulate(syn, dyn, drive, 20_000 * (SLOW_MS + 0.3), rng=3, max_spikes=300_000)
    assert record.truncated and record.kick_step.size < 50
    assert record.sigma_expected > 1.03, f"sigma_expected {record.sigma_expected:.4f}"
    state = activity_state(record.step, record.n_steps, 1)
    # the record was cut at max_spikes: no quiescence, and no drive-off test to call it more
    assert state.state == "not quiescent" and record.persists_after_drive is None, state


def test_lhg_sigma_converges_to_mean_field_as_n_grows():
    """sigma0 = 3: |sigma_expected - mean field| shrinks with N (measured 0.028, 0.0085,
    0.0010 at N = 250, 1000, 4000). |sigma - 1| does not shrink at a fixed tau_J / (N T):
    the mean-field sigma (0.976) does not depend on N."""
    expected = lhg_mean_field_sigma(3.0, USE)
    gaps = [abs(stationary_run(n, 3.0, 20_000)[0] - expected) for n in (250, 1000, 4000)]
    assert gaps[0] > gaps[1] > gaps[2], f"|sigma - mean field| at N = 250, 1000, 4000: {gaps}"
    assert gaps[2] < 0.006


def test_mean_field_sigma_limits():
    assert lhg_mean_field_sigma(2.0, USE) == pytest.approx((3.05 - math.sqrt(3.05**2 - 8)) / 2)
    # a -> 0: sigma -> 1 - a / (sigma0 - 1); a subcritical sigma0 stays below sigma0
    assert 1 - lhg_mean_field_sigma(3.0, 0.01, 0.01) == pytest.approx(1e-4 / 2, rel=1e-3)
    assert lhg_mean_field_sigma(0.5, USE) < 0.5
    assert lhg_recovery_tau_ms(1000, 10.3) == pytest.approx(0.25 * 1000 * 10.3)
    with pytest.raises(ValueError, match="use_fraction"):
        lhg_mean_field_sigma(2.0, 0.0)
    with pytest.raises(ValueError, match="n_neurons"):
        lhg_recovery_tau_ms(0, 1.0)


# --- time scales and activity state --------------------------------------------------------


def test_separation_of_timescales_hand_computed():
    spikes = np.array([10, 11, 13, 40, 41, 90])
    kicks = np.array([10, 40, 70, 90])
    sep = separation_of_timescales(spikes, kicks, 0.5)
    # avalanches: [10, 11, 13] -> 4 steps, [40, 41] -> 2 steps, none after 70 -> 0
    assert sep.n_avalanches == 3
    assert sep.mean_drive_interval_ms == pytest.approx((30 + 30 + 20) / 3 * 0.5)
    assert sep.mean_avalanche_duration_ms == pytest.approx((4 + 2 + 0) / 3 * 0.5)
    assert sep.mean_avalanche_size == pytest.approx(5 / 3)
    assert sep.max_avalanche_duration_ms == pytest.approx(2.0)
    assert sep.to_dict()["ratio"] == pytest.approx(sep.mean_drive_interval_ms / 1.0)
    with pytest.raises(ValueError, match="kick_steps"):
        separation_of_timescales(spikes, np.array([3]), 0.1)


def test_kick_steps_recorded_one_per_drive_spike():
    syn = lhg_network(500, 0.8)
    record = simulate(syn, Dynamics(refractory_ms=0.1), DriveSpec("slow"), 2000.0, rng=2)
    kicks = record.kick_step
    assert kicks.size == record.n_drive_spikes > 100
    assert np.all(np.diff(kicks) >= 3)  # at least 2 max_delay + 1 steps apart
    assert np.all(np.isin(kicks, record.step))
    none = simulate(syn, Dynamics(), DriveSpec("poisson", rate_hz=5.0), 20.0, rng=2)
    assert none.kick_step.size == 0


@pytest.mark.parametrize("rate_per_step", [0.02, 0.2])
def test_quiescent_fraction_of_a_poisson_process(rate_per_step):
    """Independent Poisson spikes, q = 10 steps: the time beyond q after each active step
    is quiescent; for active steps of probability p = 1 - e^-r the expected fraction is
    (1 - p)^(q+1) (exact for the discrete process, binomial z < 4)."""
    rng = np.random.default_rng(11)
    n_steps, q = 400_000, 10
    counts = rng.poisson(rate_per_step, size=n_steps)
    steps = np.repeat(np.arange(n_steps), counts)
    state = activity_state(steps, n_steps, q, network_fraction=0.0, persists_after_drive=False)
    p = 1 - math.exp(-rate_per_step)
    expected = (1 - p) ** (q + 1)
    # a step is quiescent iff it and the q before it are empty: correlated over q + 1
    stderr = math.sqrt(expected * (1 - expected) * (2 * q + 1) / n_steps)
    assert abs(z_score(state.quiescent_fraction, expected, stderr)) < 4
    want = "avalanching" if expected >= MIN_QUIESCENT_FRACTION else "drive-dominated"
    assert state.state == want and state.network_fraction == 0.0


def test_activity_state_of_a_real_avalanching_run():
    sigma, full, warm = stationary_run(1000, 2.0, 2_000)
    state = activity_state(
        full.step, full.n_steps, full.max_delay_steps, network_fraction=full.sigma_estimate
    )
    assert state.state == "avalanching" and state.quiescent_fraction > 0.5, state
    # slow drive: every kick waits for quiescence, so every avalanche ends in a gap
    assert state.n_quiescent_gaps >= full.kick_step.size - 1


def test_activity_state_input_validation():
    with pytest.raises(ValueError, match="n_steps"):
        activity_state(np.array([5]), 5, 1)
    with pytest.raises(ValueError, match="quiescence_steps"):
        activity_state(np.array([1]), 5, 0)
    with pytest.raises(ValueError, match="network_fraction"):
        activity_state(np.array([1]), 5, 1, network_fraction=1.5)
    assert activity_state(np.array([], np.int64), 5, 1).state == "avalanching"


def _poisson_driven(p_transmit, rate_hz):
    """N = 500, K = 10, unit efficacy, 1 ms delays and refractoriness, Poisson drive."""
    from network.graph import build_graph

    graph = build_graph(network_config(graph={"n_neurons": 500, "mean_degree": 10}).graph, rng=2)
    m = graph.n_edges
    syn = Synapses(graph, np.full(m, 10, np.int32), np.full(m, p_transmit), np.ones(m), 0.1)
    drive = DriveSpec("poisson", rate_hz=rate_hz)
    record = simulate(syn, Dynamics(refractory_ms=1.0), drive, 200.0, rng=3, drive_off_ms=200.0)
    return record, activity_state(
        record.step,
        record.n_steps,
        record.max_delay_steps,
        network_fraction=record.sigma_estimate,
        persists_after_drive=record.persists_after_drive,
    )


def test_synchronous_waves_are_self_sustained_not_avalanching():
    """lambda = 3: the network fires in synchronous waves one delay apart. Bins of one
    step are mostly empty between the waves (the old empty-bin criterion called this
    avalanching), but transmissions are pending across every gap: no quiescence."""
    record, state = _poisson_driven(0.3, 0.1)
    assert record.rate_hz > 100  # saturated
    empty_bins = 1 - np.unique(record.step).size / record.n_steps
    assert empty_bins > 0.5
    assert state.state == "self-sustained" and state.quiescent_fraction < 0.01, state
    assert record.persists_after_drive and record.activity_after_drive_ms > 190.0


def test_fast_drive_on_weak_synapses_is_drive_dominated():
    """lambda = 0.05 under 50 Hz per neuron: spikes overlap because the drive is fast,
    not because activity sustains itself."""
    record, state = _poisson_driven(0.005, 50.0)
    assert record.sigma_estimate < 0.1
    assert state.state == "drive-dominated", state
    slow = _poisson_driven(0.005, 0.05)[1]
    assert slow.state == "avalanching", slow


def test_warmup_keeps_the_state_and_restarts_the_record():
    """A run of warm-up W + D equals the last D of one long run: same kernel stream,
    same state carried over; the record's steps, kicks and counters start after W."""
    from network.graph import build_graph

    graph = build_graph(network_config(graph={"n_neurons": 400, "mean_degree": 8}).graph, rng=1)
    m = graph.n_edges
    syn = Synapses(graph, np.ones(m, np.int32), np.full(m, 0.2), np.ones(m), 0.1)
    dyn = Dynamics(refractory_ms=0.1, depression_use=0.2, depression_tau_ms=200.0)
    drive = DriveSpec("slow", slow_interval_ms=2.0)
    whole = simulate(syn, dyn, drive, 300.0, rng=5, chunk_steps=700)
    late = simulate(syn, dyn, drive, 200.0, rng=5, chunk_steps=700, warmup_ms=100.0)
    after = whole.step >= 1000
    np.testing.assert_array_equal(late.step, whole.step[after] - 1000)
    np.testing.assert_array_equal(late.neuron, whole.neuron[after])
    np.testing.assert_array_equal(late.kick_step, whole.kick_step[whole.kick_step >= 1000] - 1000)
    assert late.n_steps == 2000 and late.duration_ms == pytest.approx(200.0)
    assert late.n_drive_spikes + late.n_network_spikes == late.step.size
    assert late.sigma_expected != whole.sigma_expected  # the warm-up's spikes are left out


@pytest.mark.parametrize("lam", [0.6, 0.9])
def test_subcritical_cascades_under_fast_drive_overlap_but_do_not_sustain(lam):
    """lambda = 0.6 and 0.9 (p = lambda / K) under 20 Hz per neuron: no quiescence and
    most spikes network caused, as in a self-sustained state (the network fraction is
    about lambda), but the activity dies within the drive-off test: overlapping cascades,
    not self-sustained (the label the network fraction alone gave before)."""
    record, state = _poisson_driven(lam / K, 20.0)
    assert state.quiescent_fraction < MIN_QUIESCENT_FRACTION
    assert state.network_fraction > 0.5
    assert state.state == "overlapping cascades", state
    assert record.persists_after_drive is False
    # extinction of sigma = lambda cascades from a few hundred spikes in flight: tens of
    # generations of 1 ms, well inside the 200 ms test
    assert 0 < record.activity_after_drive_ms < 100.0


def test_drive_off_test_leaves_the_record_unchanged():
    """The drive-off test runs after the record: the spikes, counters and kicks are those
    of the same run without it."""
    syn = lhg_network(300, 0.9)
    for drive in (DriveSpec("slow", slow_interval_ms=1.0), DriveSpec("poisson", rate_hz=30.0)):
        plain = simulate(syn, Dynamics(refractory_ms=0.1), drive, 300.0, rng=8)
        tested = simulate(syn, Dynamics(refractory_ms=0.1), drive, 300.0, rng=8, drive_off_ms=50)
        assert np.array_equal(plain.step, tested.step)
        assert np.array_equal(plain.kick_step, tested.kick_step)
        assert plain.expected_offspring == tested.expected_offspring
        assert plain.n_network_spikes == tested.n_network_spikes
        assert plain.persists_after_drive is None and tested.persists_after_drive is False
        assert tested.drive_off_ms == 50.0


def test_activity_state_without_drive_off_test_says_so():
    steps = np.arange(100)  # one spike per step: no quiescence
    state = activity_state(steps, 100, 2, network_fraction=0.9)
    assert state.state == "not quiescent" and "not run" in state.reason
    assert activity_state(steps, 100, 2, persists_after_drive=True).state == "self-sustained"
