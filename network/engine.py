"""Event-driven simulation of the threshold network (numba kernel).

Work is proportional to events (spikes x out-degree + drive events), not to N x steps:
the membrane leak and the synaptic recovery are applied lazily when a neuron or synapse
is touched, pending transmissions sit in a ring buffer indexed by arrival step, and when
nothing is pending the clock jumps to the next drive event.

Speed (docs/network.md, Performance): the leak factor exp(-k dt / tau) of a gap of k
steps comes from a table computed with the kernel's own expression (bitwise equal); the
random synapse rows and neuron records of upcoming spikes are prefetched a few rows
ahead; the kernel never reallocates an array or passes one to a jitted helper (the
``_prefetch`` intrinsic emits inline code), which would make numba put atomic
reference-count updates into the per-arrival loop (that alone was ~60 % of the run
time), and returns to :func:`simulate` to flush spikes or widen the ring buffer instead.

Update order within one step t (exact and documented in docs/network.md):

1. synaptic arrivals scheduled for t, in the order they were queued (presynaptic spike
   order, then synapse order in the CSR row); then Poisson drive events of step t in
   their pre-drawn order; then the slow-drive kick, if one is due at t;
2. each arrival at neuron j: discarded if j is refractory (t < ref_until[j]); otherwise
   the homeostatic threshold is brought up to date, and
   * probabilistic model: j fires with probability min(1, v / theta_j);
   * integrate model: V_j <- V_j exp(-(t - t_j) dt / tau) + v; j fires if V_j >= theta_j;
   a firing neuron is reset (V_j = reset), refractory for ref_steps >= 1 steps (so it
   fires at most once per step and later arrivals of the step are discarded), and its
   homeostatic threshold rises by eta;
3. every neuron that fired at t sends, for each out-synapse s, a transmission with
   probability p_s, arriving at t + delay_s with value w_s J_s (J_s = 1 without
   depression); with depression J_s first recovers, J_s <- 1 - (1 - J_s) exp(-(t - t_i) dt / tau_J),
   and then loses the fraction u of its resource at every presynaptic spike (LHG).
   Without depression and with one delay per presynaptic neuron ("row mode") the spike is
   queued once and its row expanded on arrival (coin flips drawn there), as Brian2 does
   for homogeneous delays: same arrival order, ~K times fewer queue operations.

A spike is "network" caused if the firing arrival was synaptic, "drive" caused if it was
a drive event or kick; sigma_estimate = n_network / n_spikes is the measured mean
number of offspring per spike, and sigma_expected the mean over spikes of the expected
offspring sum_s p_s min(1, w_s J_s / theta_target) at the moment of the spike.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from network.synapses import Synapses

__all__ = ["Dynamics", "DriveSpec", "SpikeRecord", "simulate", "poisson_drive_events"]

log = logging.getLogger(__name__)

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_LEAK_TABLE_SIZE = 1 << 14  # precomputed leak factors for gaps below 1.6 s at dt = 0.1 ms
_AHEAD = 4  # prefetch distance, in rows (spikes) or ring entries


@intrinsic
def _prefetch(typingctx, array, index):
    """Ask the CPU to fetch element ``index`` of a C-contiguous array (flat) into cache.

    LLVM's ``llvm.prefetch`` (read, high locality, data cache): a hint with no effect on
    results. The kernel issues it a few rows ahead, so the cache misses of the random
    synapse rows and neuron records of different spikes overlap instead of queueing.

    Parameters
    ----------
    array : np.ndarray, C-contiguous
    index : int
        Flat element index (``4 * j`` for row j of an (n, 4) array).
    """

    def codegen(context, builder, signature, args):
        array_type, index_type = signature.args
        data = context.make_array(array_type)(context, builder, args[0]).data
        offset = context.cast(builder, args[1], index_type, types.intp)
        i8p, i32 = ir.IntType(8).as_pointer(), ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
        fn = builder.module.declare_intrinsic("llvm.prefetch", [i8p], fnty)
        address = builder.bitcast(builder.gep(data, [offset]), i8p)
        builder.call(fn, [address, i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return types.void(array, index), codegen


@numba.njit(cache=True)
def _uniform(rng):
    """One splitmix64 step (Steele et al. 2014): (uniform in [0, 1), next state).

    The state is a scalar passed in and out, so the kernel keeps it in a register; a
    helper that took an array would cost atomic reference-count updates per call.

    Parameters
    ----------
    rng : np.uint64
        Generator state.

    Returns
    -------
    u : float
        Uniform in [0, 1) with 53 random bits.
    rng : np.uint64
        Next state.
    """
    rng += _GOLDEN
    z = (rng ^ (rng >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)) * (1.0 / 9007199254740992.0), rng


@numba.njit(cache=True)
def _leak_factors(leak_rate, size):
    """``exp(-k * leak_rate)`` for k = 0 .. size - 1, the exact expression of the kernel.

    Parameters
    ----------
    leak_rate : float
        dt / tau (dimensionless).
    size : int

    Returns
    -------
    np.ndarray, shape=(size,), dtype=float64
        Bitwise equal to the kernel's ``math.exp(-(t - t_j) * leak_rate)`` for a gap of k
        steps (same function, same argument; compiled without fastmath).
    """
    out = np.empty(size)
    for k in range(size):
        out[k] = math.exp(-float(k) * leak_rate)
    return out


@numba.njit(cache=True)
def _kernel(
    t_start,
    t_end,
    indptr,
    indices,
    max_degree,
    delay,
    row_delay,
    row_mode,
    prob,
    certain,
    weight,
    integrate,
    reset,
    leak_factor,
    leak_rate,
    ref_steps,
    depress,
    use_u,
    recovery_rate,
    homeo,
    eta,
    homeo_down,
    theta_min,
    theta0,
    slow,
    slow_mean_steps,
    min_gap_steps,
    drive_step,
    drive_neuron,
    drive_w,
    state,
    theta_t,
    last_spike,
    J,
    ring_tgt,
    ring_val,
    ring_cnt,
    counters,
    expected,
    rng_state,
    out_step,
    out_neuron,
    spike_budget,
):
    """Steps ``[t_start, t_end)`` in the update order of the module docstring.

    Returns ``(n_out, t_next, budget_reached)``: the spikes written to ``out_step`` and
    ``out_neuron``, the first step not simulated, and whether the run stopped after the
    step in which ``spike_budget`` spikes were reached. The kernel also returns early, at a
    step boundary, when the output buffers might not hold one more step (at most one spike
    per neuron and step) or the ring buffer might not hold its transmissions
    (``counters[4]`` is then the capacity needed); calling it again from ``t_next``
    continues the same run.
    """
    n = state.shape[0]
    n_slots = ring_cnt.size
    capacity = ring_tgt.shape[1]
    pending = counters[0]
    rng = rng_state[0]
    offspring = expected[0]
    n_out = 0
    di = 0
    nd = drive_step.size
    t = t_start
    while t < t_end:
        if n_out + n > out_step.size:
            break
        slot = t % n_slots
        cnt = ring_cnt[slot]
        # ring capacity for this step's transmissions: at most one spike per arrival
        # (synaptic, drive event or kick) and per neuron
        n_drive = 0
        while di + n_drive < nd and drive_step[di + n_drive] == t:
            n_drive += 1
        max_new = min(n, cnt * (max_degree if row_mode else 1) + n_drive + 1)
        need = ring_cnt.max() + max_new * (1 if row_mode else max_degree)
        if need > capacity:
            counters[4] = need
            break
        first_spike = n_out
        # 1-2. arrivals in order: synaptic (cause 0), drive events and the kick (cause 1)
        k = 0  # next ring entry of the slot
        s = 0  # row mode: synapses [s, s_end) of the row being expanded
        s_end = 0
        kick = slow and counters[1] == t
        if row_mode:
            for q in range(cnt):
                _prefetch(indptr, ring_tgt[slot, q])
        while True:
            if s < s_end:
                syn = s
                s += 1
                if not certain and prob[syn] < 1.0:
                    u, rng = _uniform(rng)
                    if u >= prob[syn]:
                        continue
                j = indices[syn]
                v = weight[syn]
                cause = 0
            elif k < cnt:
                if row_mode:
                    if k + _AHEAD < cnt:
                        ahead = ring_tgt[slot, k + _AHEAD]
                        _prefetch(indices, indptr[ahead])
                        _prefetch(weight, indptr[ahead])
                        _prefetch(weight, indptr[ahead + 1] - 1)
                        if not certain:
                            _prefetch(prob, indptr[ahead])
                    i = ring_tgt[slot, k]
                    k += 1
                    s, s_end = indptr[i], indptr[i + 1]
                    continue
                if k + _AHEAD < cnt:
                    _prefetch(state, 4 * ring_tgt[slot, k + _AHEAD])
                j = ring_tgt[slot, k]
                v = ring_val[slot, k]
                k += 1
                cause = 0
            elif di < nd and drive_step[di] == t:
                j = drive_neuron[di]
                v = drive_w
                di += 1
                cause = 1
            elif kick:
                kick = False
                counters[1] = -1
                u, rng = _uniform(rng)
                j = min(n - 1, int(u * n))
                v = math.inf
                cause = 1
            else:
                break
            # state[j] = (V, theta, ref_until, leak_from): one 32-byte record per neuron
            if t < state[j, 2]:
                continue
            if homeo:
                state[j, 1] = max(theta_min, state[j, 1] - homeo_down * (t - theta_t[j]))
                theta_t[j] = t
            if integrate:
                leak_from = state[j, 3]
                if t > leak_from:
                    gap = t - int(leak_from)
                    if gap < leak_factor.size:
                        state[j, 0] *= leak_factor[gap]
                    else:
                        state[j, 0] *= math.exp(-(t - leak_from) * leak_rate)
                state[j, 3] = t
                state[j, 0] += v
                fire = state[j, 0] >= state[j, 1]
            else:
                fire = v >= state[j, 1]
                if not fire:
                    u, rng = _uniform(rng)
                    fire = u * state[j, 1] < v
            if fire:
                state[j, 0] = reset
                state[j, 2] = t + ref_steps
                state[j, 3] = t + ref_steps
                if homeo:
                    state[j, 1] += eta
                out_step[n_out] = t
                out_neuron[n_out] = j
                n_out += 1
                counters[2 + cause] += 1
        pending -= cnt
        ring_cnt[slot] = 0
        # 3. transmissions of the neurons that fired at t (row mode reads the row here only
        # for the expected offspring of the probabilistic model)
        reads_rows = not (row_mode and integrate)
        if reads_rows:
            for s_idx in range(first_spike, n_out):
                _prefetch(indptr, out_neuron[s_idx])
        for s_idx in range(first_spike, n_out):
            i = out_neuron[s_idx]
            if reads_rows and s_idx + _AHEAD < n_out:
                ahead = out_neuron[s_idx + _AHEAD]
                _prefetch(indices, indptr[ahead])
                _prefetch(weight, indptr[ahead])
                _prefetch(delay, indptr[ahead])
                _prefetch(prob, indptr[ahead])
            if row_mode:
                # one queue entry per spike; the row is expanded (and p drawn) on arrival
                if not integrate:
                    for s in range(indptr[i], indptr[i + 1]):
                        theta = theta0
                        if homeo:  # theta of the target at t (its decay is lazy)
                            jt = indices[s]
                            theta = max(theta_min, state[jt, 1] - homeo_down * (t - theta_t[jt]))
                        offspring += prob[s] * min(1.0, weight[s] / theta)
                if indptr[i + 1] > indptr[i]:
                    arrival = (t + row_delay[i]) % n_slots
                    ring_tgt[arrival, ring_cnt[arrival]] = i
                    ring_cnt[arrival] += 1
                    pending += 1
                continue
            if depress:
                decay = math.exp(-(t - last_spike[i]) * recovery_rate)
            for s in range(indptr[i], indptr[i + 1]):
                v = weight[s]
                if depress:
                    J[s] = 1.0 - (1.0 - J[s]) * decay
                    v *= J[s]
                    J[s] -= use_u * J[s]
                if not integrate:
                    theta = theta0
                    if homeo:  # theta of the target at t (its decay is lazy)
                        jt = indices[s]
                        theta = max(theta_min, state[jt, 1] - homeo_down * (t - theta_t[jt]))
                    offspring += prob[s] * min(1.0, v / theta)
                if not certain and prob[s] < 1.0:
                    u, rng = _uniform(rng)
                    if u >= prob[s]:
                        continue
                arrival = (t + delay[s]) % n_slots
                c = ring_cnt[arrival]
                ring_tgt[arrival, c] = indices[s]
                ring_val[arrival, c] = v
                ring_cnt[arrival] = c + 1
                pending += 1
            last_spike[i] = t
        if n_out >= spike_budget:  # safety stop (run.max_spikes): step t is complete
            counters[0] = pending
            rng_state[0] = rng
            expected[0] = offspring
            return n_out, t + 1, True
        # advance the clock: next step if anything is pending, else jump to the next event
        if pending > 0:
            t += 1
        else:
            nxt = t_end
            if di < nd:
                nxt = min(nxt, drive_step[di])
            if slow:
                if counters[1] < 0:
                    u, rng = _uniform(rng)
                    counters[1] = t + min_gap_steps + int(-math.log(1.0 - u) * slow_mean_steps)
                nxt = min(nxt, counters[1])
            t = max(t + 1, nxt)
    counters[0] = pending
    rng_state[0] = rng
    expected[0] = offspring
    return n_out, t, False


@dataclass(frozen=True)
class Dynamics:
    """Neuron and synapse dynamics of one run.

    Attributes
    ----------
    model : str
        ``probabilistic`` or ``integrate``.
    gain : float
        Weights are ``gain * efficacy * threshold`` (dimensionless gain).
    threshold, reset : float
        Firing threshold theta and reset potential (units of theta).
    leak_tau_ms : float
        Membrane time constant (integrate model).
    refractory_ms : float
        Refractory period; at least one step is enforced.
    depression_use : float or None
        LHG use fraction u (None: static synapses).
    depression_tau_ms : float
        LHG recovery time constant tau_J.
    homeostatic_target_hz : float or None
        Target rate of the threshold adaptation (None: fixed thresholds).
    homeostatic_eta : float
        Threshold increment per spike (units of theta).
    homeostatic_theta_min : float
        Lower bound of the adapted threshold (units of theta).
    """

    model: str = "probabilistic"
    gain: float = 1.0
    threshold: float = 1.0
    reset: float = 0.0
    leak_tau_ms: float = 20.0
    refractory_ms: float = 1.0
    depression_use: float | None = None
    depression_tau_ms: float = 500.0
    homeostatic_target_hz: float | None = None
    homeostatic_eta: float = 0.02
    homeostatic_theta_min: float = 0.05

    def __post_init__(self):
        if self.model not in ("probabilistic", "integrate"):
            raise ValueError(f"model must be probabilistic or integrate, got {self.model!r}")
        if self.gain < 0:
            raise ValueError(f"gain must be >= 0, got {self.gain}")
        if self.threshold <= 0 or self.leak_tau_ms <= 0 or self.depression_tau_ms <= 0:
            raise ValueError("threshold, leak_tau_ms and depression_tau_ms must be > 0")
        if self.depression_use is not None and not 0 < self.depression_use <= 1:
            raise ValueError(f"depression_use must be in (0, 1], got {self.depression_use}")


@dataclass(frozen=True)
class DriveSpec:
    """External drive: ``slow`` (kick when quiescent) or ``poisson`` (rate per neuron)."""

    mode: str = "slow"
    rate_hz: float = 1.0
    weight: float = 1.1
    slow_interval_ms: float = 5.0

    def __post_init__(self):
        if self.mode not in ("slow", "poisson"):
            raise ValueError(f"mode must be slow or poisson, got {self.mode!r}")
        if self.rate_hz <= 0 or self.weight <= 0 or self.slow_interval_ms < 0:
            raise ValueError("rate_hz and weight must be > 0, slow_interval_ms >= 0")


@dataclass(frozen=True)
class SpikeRecord:
    """Spikes of one run.

    Attributes
    ----------
    step : np.ndarray, shape=(n_spikes,), dtype=int64
        Step of each spike (time = step * dt_ms), non-decreasing.
    neuron : np.ndarray, shape=(n_spikes,), dtype=int32
    n_neurons, n_steps : int
    dt_ms : float
    n_drive_spikes, n_network_spikes : int
        Spikes caused by drive / by a synaptic arrival.
    expected_offspring : float or None
        Sum over spikes of sum_s p_s min(1, w_s J_s / theta_target) at the spike time
        (probabilistic model; None for the integrate model).
    max_delay_steps : int
    wall_s : float
        Wall-clock time of the simulation loop.
    truncated : bool
        True if the run stopped early at ``max_spikes`` (n_steps is then the steps run).
    """

    step: np.ndarray
    neuron: np.ndarray
    n_neurons: int
    n_steps: int
    dt_ms: float
    n_drive_spikes: int
    n_network_spikes: int
    expected_offspring: float | None
    max_delay_steps: int
    wall_s: float
    truncated: bool = False

    @property
    def duration_ms(self) -> float:
        """Simulated time (ms)."""
        return self.n_steps * self.dt_ms

    @property
    def sigma_estimate(self) -> float | None:
        """Measured mean offspring per spike, n_network / n_spikes (None without spikes)."""
        total = self.step.size
        return self.n_network_spikes / total if total else None

    @property
    def sigma_expected(self) -> float | None:
        """Mean expected offspring per spike in the current synaptic/threshold state.

        The branching ratio the network would have without refractory collisions: equal to
        the analytic sigma in the static regime, and the self-organized sigma with depressing
        synapses (where ``sigma_estimate`` alone is 1 - drive fraction in any steady state).
        None without spikes or for the integrate model.
        """
        total = self.step.size
        if not total or self.expected_offspring is None:
            return None
        return self.expected_offspring / total

    @property
    def rate_hz(self) -> float:
        """Mean firing rate per neuron (Hz)."""
        return self.step.size / (self.n_neurons * self.duration_ms * 1e-3)


def _row_delays(synapses: Synapses, allowed: bool) -> tuple[np.ndarray, bool]:
    """Per-neuron delay and whether every row's delay is homogeneous ("row mode").

    In row mode (no depression, one delay per presynaptic neuron) a spike is queued once
    and its row expanded on arrival, with the transmission coin flipped there: the same
    arrival order and statistics with one queue entry per spike instead of per synapse.
    """
    g = synapses.graph
    row_delay = np.ones(g.n_neurons, np.int64)
    nonempty = np.flatnonzero(g.out_degree > 0)
    if not allowed or nonempty.size == 0:
        return row_delay, False
    starts = g.indptr[nonempty]
    lo = np.minimum.reduceat(synapses.delay_steps, starts)
    hi = np.maximum.reduceat(synapses.delay_steps, starts)
    row_delay[nonempty] = lo
    return row_delay, bool(np.all(lo == hi))


def _widened(ring: np.ndarray, columns: int) -> np.ndarray:
    """Copy of a ring buffer array, shape=(n_slots, c), with ``columns`` >= c columns."""
    out = np.empty((ring.shape[0], columns), ring.dtype)
    out[:, : ring.shape[1]] = ring
    return out


def poisson_drive_events(
    n_neurons: int,
    rate_hz: float,
    dt_ms: float,
    t_start: int,
    t_end: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Pre-drawn Poisson drive events of steps ``[t_start, t_end)``.

    Each neuron receives events at ``rate_hz``; the count per (neuron, step) is Poisson
    with mean ``rate_hz * dt``, drawn as a total count and uniform (step, neuron) pairs.

    Returns
    -------
    steps : np.ndarray, shape=(n_events,), dtype=int64, sorted
    neurons : np.ndarray, shape=(n_events,), dtype=int32
    """
    if t_end < t_start or rate_hz < 0 or n_neurons < 1:
        raise ValueError("need t_end >= t_start, rate_hz >= 0, n_neurons >= 1")
    mean = n_neurons * rate_hz * 1e-3 * dt_ms * (t_end - t_start)
    count = rng.poisson(mean)
    steps = np.sort(rng.integers(t_start, t_end, size=count))
    neurons = rng.integers(0, n_neurons, size=count).astype(np.int32)
    return steps.astype(np.int64), neurons


def simulate(
    synapses: Synapses,
    dynamics: Dynamics,
    drive: DriveSpec,
    duration_ms: float,
    seed: int | np.random.SeedSequence,
    chunk_steps: int = 200000,
    drive_events: tuple[np.ndarray, np.ndarray] | None = None,
    max_spikes: int | None = None,
) -> SpikeRecord:
    """Run the network for ``duration_ms`` and return its spikes.

    Parameters
    ----------
    synapses : Synapses
    dynamics : Dynamics
    drive : DriveSpec
    duration_ms : float
        Simulated time (ms); ``round(duration_ms / dt)`` steps.
    seed : int or np.random.SeedSequence
        Spawns (kernel RNG, drive RNG); equal seeds give bitwise equal runs.
    chunk_steps : int
        Steps per kernel call; progress (steps/s, ETA) is logged after each. The Poisson
        drive is drawn per chunk, so with drawn Poisson drive the value is part of the seed
        (slow drive and ``drive_events`` runs do not depend on it).
    drive_events : (steps, neurons), optional
        Pre-drawn Poisson drive events (sorted steps), replacing the drawn ones.
    max_spikes : int, optional
        Safety stop: the run ends after the step in which this many spikes are reached
        (a supercritical network would otherwise fill the memory); the record then covers
        the steps simulated and says ``truncated``.

    Returns
    -------
    SpikeRecord
    """
    if duration_ms <= 0:
        raise ValueError(f"duration_ms must be > 0, got {duration_ms}")
    if chunk_steps < 1:
        raise ValueError(f"chunk_steps must be >= 1, got {chunk_steps}")
    if max_spikes is not None and max_spikes < 1:
        raise ValueError(f"max_spikes must be >= 1, got {max_spikes}")
    g = synapses.graph
    n, dt = g.n_neurons, synapses.dt_ms
    n_steps = int(round(duration_ms / dt))
    seq = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    kernel_seq, drive_seq = seq.spawn(2)
    drive_rng = np.random.default_rng(drive_seq)
    rng_state = kernel_seq.generate_state(1, dtype=np.uint64)

    theta0 = dynamics.threshold
    weight = dynamics.gain * synapses.efficacy * theta0
    max_delay = int(synapses.delay_steps.max()) if g.n_edges else 1
    max_degree = int(g.out_degree.max()) if n else 0
    n_slots = max_delay + 1
    cap = max(16, int(4 * g.n_edges / max(n, 1)))
    ring_tgt = np.empty((n_slots, cap), np.int32)
    ring_val = np.empty((n_slots, cap), np.float64)
    ring_cnt = np.zeros(n_slots, np.int64)
    # pending, next kick, n_net, n_drive, ring capacity needed
    counters = np.array([0, -1, 0, 0, 0], np.int64)
    expected = np.zeros(1)  # sum over spikes of the expected offspring (probabilistic model)
    state = np.zeros((n, 4))  # V, theta, ref_until, leak_from (steps, exact in float64)
    state[:, 1] = theta0
    theta_t = np.zeros(n, np.int64)
    last_spike = np.zeros(n, np.int64)
    J = np.ones(g.n_edges if dynamics.depression_use is not None else 0)  # LHG resources
    ref_steps = max(1, int(round(dynamics.refractory_ms / dt)))
    leak_rate = dt / dynamics.leak_tau_ms
    leak_factor = _leak_factors(leak_rate, _LEAK_TABLE_SIZE)
    row_delay, row_mode = _row_delays(synapses, dynamics.depression_use is None)
    certain = bool(np.all(synapses.p_transmit >= 1.0))  # no transmission coin to flip
    depress = dynamics.depression_use is not None
    homeo = dynamics.homeostatic_target_hz is not None
    eta = dynamics.homeostatic_eta * theta0
    homeo_down = eta * (dynamics.homeostatic_target_hz or 0.0) * 1e-3 * dt
    slow = drive.mode == "slow"
    out_step = np.empty(max(1 << 16, 4 * n), np.int64)  # flushed after every kernel call
    out_neuron = np.empty(out_step.size, np.int32)
    steps_parts, neuron_parts = [], []
    empty = (np.empty(0, np.int64), np.empty(0, np.int32))
    if drive_events is not None:
        all_steps = np.asarray(drive_events[0], np.int64)
        all_neurons = np.asarray(drive_events[1], np.int32)
        bad_neuron = all_neurons.size and (all_neurons.min() < 0 or all_neurons.max() >= n)
        if all_steps.shape != all_neurons.shape or np.any(np.diff(all_steps) < 0) or bad_neuron:
            raise ValueError(
                "drive_events must be (steps, neurons) of equal length, steps sorted, "
                "neurons in [0, n_neurons)"
            )
    budget = np.iinfo(np.int64).max if max_spikes is None else int(max_spikes)
    n_total = 0
    truncated = False
    start = time.perf_counter()
    for t0 in range(0, n_steps, chunk_steps):
        t1 = min(n_steps, t0 + chunk_steps)
        if slow:
            d_steps, d_neurons = empty
        elif drive_events is not None:
            lo, hi = np.searchsorted(all_steps, [t0, t1])
            d_steps, d_neurons = all_steps[lo:hi], all_neurons[lo:hi]
        else:
            d_steps, d_neurons = poisson_drive_events(n, drive.rate_hz, dt, t0, t1, drive_rng)
        t = t0
        while t < t1:  # the kernel returns early when its buffers might overflow
            if counters[4] > ring_tgt.shape[1]:
                ring_tgt = _widened(ring_tgt, 2 * int(counters[4]))
                ring_val = _widened(ring_val, 2 * int(counters[4]))
            first = np.searchsorted(d_steps, t)
            n_out, t, budget_reached = _kernel(
                t,
                t1,
                g.indptr,
                g.indices,
                max_degree,
                synapses.delay_steps,
                row_delay,
                row_mode,
                synapses.p_transmit,
                certain,
                weight,
                dynamics.model == "integrate",
                dynamics.reset * theta0,
                leak_factor,
                leak_rate,
                ref_steps,
                depress,
                dynamics.depression_use or 0.0,
                dt / dynamics.depression_tau_ms,
                homeo,
                eta,
                homeo_down,
                dynamics.homeostatic_theta_min * theta0,
                theta0,
                slow,
                drive.slow_interval_ms / dt,
                2 * max_delay + 1,
                d_steps[first:],
                d_neurons[first:],
                drive.weight * theta0,
                state,
                theta_t,
                last_spike,
                J,
                ring_tgt,
                ring_val,
                ring_cnt,
                counters,
                expected,
                rng_state,
                out_step,
                out_neuron,
                budget - n_total,
            )
            steps_parts.append(out_step[:n_out].copy())
            neuron_parts.append(out_neuron[:n_out].copy())
            n_total += n_out
            if budget_reached:
                break
        if t < t1:
            log.warning(
                "stopped at step %d of %d: %d spikes reached max_spikes=%d",
                t,
                n_steps,
                n_total,
                budget,
            )
            n_steps = t
            truncated = True
            break
        elapsed = time.perf_counter() - start
        rate = t1 / elapsed if elapsed > 0 else float("inf")
        log.info(
            "step %d/%d (%.1f%%), %.3g steps/s, %d spikes, ETA %.1f s",
            t1,
            n_steps,
            100.0 * t1 / n_steps,
            rate,
            n_total,
            (n_steps - t1) / rate,
        )
    wall = time.perf_counter() - start
    return SpikeRecord(
        step=np.concatenate(steps_parts),
        neuron=np.concatenate(neuron_parts),
        n_neurons=n,
        n_steps=n_steps,
        dt_ms=dt,
        n_drive_spikes=int(counters[3]),
        n_network_spikes=int(counters[2]),
        expected_offspring=float(expected[0]) if dynamics.model == "probabilistic" else None,
        max_delay_steps=max_delay,
        wall_s=wall,
        truncated=truncated,
    )
