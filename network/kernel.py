"""The numba kernel of the network simulation: the update rule, step by step.

Only compiled code lives here; :func:`network.engine.simulate` prepares the arrays,
draws the drive, calls :func:`advance` chunk by chunk and collects the spikes.

Work is proportional to events (spikes x out-degree + drive events), not to N x steps:
the membrane leak and the synaptic recovery are applied lazily when a neuron or synapse
is touched, pending transmissions sit in a ring buffer indexed by arrival step, and when
nothing is pending the clock jumps to the next drive event.

Speed (docs/network.md, Performance): the leak factor exp(-k dt / tau) of a gap of k
steps comes from a table computed with the kernel's own expression (bitwise equal,
:func:`leak_factors`); the random synapse rows and neuron records of upcoming spikes are
prefetched a few rows ahead; the kernel never reallocates an array or passes one to a
jitted helper (the ``_prefetch`` intrinsic emits inline code), which would make numba
put atomic reference-count updates into the per-arrival loop (that alone was ~60 % of
the run time), and returns to :func:`network.engine.simulate` to flush spikes or widen
the ring buffer instead.

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
3. every neuron i that fired at t handles each out-synapse s in CSR order:
   * with depression, J_s first recovers to the spike time,
     J_s <- 1 - (1 - J_s) exp(-(t - t_i) dt / tau_J) (t_i: the previous spike of i);
   * the expected offspring p_s min(1, w_s J_s / theta_target) is added (probabilistic
     model; J_s = 1 without depression);
   * one uniform U is drawn if p_s < 1 (none where every p_s = 1);
   * with depression the vesicle is released if U < r_s (r_s = ``release[s]`` >= p_s;
     always when p_s = 1) and a release spends the fraction u of the resource,
     J_s <- J_s - u J_s (Tsodyks & Markram 1997, PNAS 94:719; the LHG resource of
     Levina, Herrmann & Geisel 2007, Nat. Phys. 3:857, spent on release only);
   * the transmission happens if U < p_s (so it implies a release): value w_s J_s, J_s
     as before the depletion, arriving at t + delay_s.
   With r_s = p_s this is "depletion on transmission". Without depression and with one
   delay per presynaptic neuron ("row mode") the spike is queued once and its row
   expanded on arrival (coin flips drawn there), as Brian2 does for homogeneous delays:
   same arrival order, ~K times fewer queue operations.

A spike is "network" caused if the firing arrival was synaptic, "drive" caused if it was
a drive event or kick (``counters[2]`` and ``counters[3]``); ``expected[0]`` accumulates
the expected offspring sum_s p_s min(1, w_s J_s / theta_target) of every spike at the
moment of the spike (probabilistic model). The step of every slow-drive kick is written
to ``out_kick`` (at most one per step), so an avalanche can be traced to its kick, and
the parent of every spike (the spike whose transmission fired it; -1 for drive) to
``out_parent``, so avalanches can be traced as causal trees.

Random numbers come from one splitmix64 stream (:func:`splitmix_uniform`) whose state
is passed in and out through ``rng_state``.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

__all__ = ["advance", "leak_factors", "splitmix_uniform"]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
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
def splitmix_uniform(rng):
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
def leak_factors(leak_rate, size):
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
def advance(
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
    release,
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
    ring_src,
    ring_cnt,
    counters,
    expected,
    rng_state,
    out_step,
    out_neuron,
    out_parent,
    out_kick,
    spike_budget,
):
    """Steps ``[t_start, t_end)`` in the update order of the module docstring.

    Returns ``(n_out, n_kick, t_next, budget_reached)``: the spikes written to ``out_step``,
    ``out_neuron`` and ``out_parent`` (the run-wide index of the spike whose transmission
    fired it, -1 for drive events and kicks; spike k of the run has index
    ``counters[5]`` + k at entry, and ``ring_src`` carries the index of each queued
    transmission's spike), the kick steps written to ``out_kick``, the first step not
    simulated, and whether the run stopped after the step in which ``spike_budget`` spikes
    were reached. ``release`` (release probability per synapse, >= ``prob``) is read only
    with depression. The kernel also returns early, at a step boundary, when the output
    buffers might not hold one more step (at most one spike per neuron and step, one kick
    per step) or the ring buffer might not hold its transmissions
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
    n_kick = 0
    first_id = counters[5]  # run-wide index of spike 0 of this call
    di = 0
    nd = drive_step.size
    t = t_start
    while t < t_end:
        if n_out + n > out_step.size or n_kick >= out_kick.size:
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
        row_parent = -1  # row mode: the spike whose row is being expanded
        parent = -1
        kick = slow and counters[1] == t
        if row_mode:
            for q in range(cnt):
                _prefetch(indptr, ring_tgt[slot, q])
        while True:
            if s < s_end:
                syn = s
                s += 1
                if not certain and prob[syn] < 1.0:
                    u, rng = splitmix_uniform(rng)
                    if u >= prob[syn]:
                        continue
                j = indices[syn]
                v = weight[syn]
                cause = 0
                parent = row_parent
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
                    row_parent = ring_src[slot, k]
                    k += 1
                    s, s_end = indptr[i], indptr[i + 1]
                    continue
                if k + _AHEAD < cnt:
                    _prefetch(state, 4 * ring_tgt[slot, k + _AHEAD])
                j = ring_tgt[slot, k]
                v = ring_val[slot, k]
                parent = ring_src[slot, k]
                k += 1
                cause = 0
            elif di < nd and drive_step[di] == t:
                j = drive_neuron[di]
                v = drive_w
                di += 1
                cause = 1
                parent = -1
            elif kick:
                kick = False
                counters[1] = -1
                out_kick[n_kick] = t
                n_kick += 1
                u, rng = splitmix_uniform(rng)
                j = min(n - 1, int(u * n))
                v = math.inf
                cause = 1
                parent = -1
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
                    u, rng = splitmix_uniform(rng)
                    fire = u * state[j, 1] < v
            if fire:
                state[j, 0] = reset
                state[j, 2] = t + ref_steps
                state[j, 3] = t + ref_steps
                if homeo:
                    state[j, 1] += eta
                out_step[n_out] = t
                out_neuron[n_out] = j
                out_parent[n_out] = parent
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
                if depress:
                    _prefetch(release, indptr[ahead])
                    _prefetch(J, indptr[ahead])
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
                    ring_src[arrival, ring_cnt[arrival]] = first_id + s_idx
                    ring_cnt[arrival] += 1
                    pending += 1
                continue
            if depress:
                decay = math.exp(-(t - last_spike[i]) * recovery_rate)
            for s in range(indptr[i], indptr[i + 1]):
                v = weight[s]
                if depress:  # recovery to the spike time
                    J[s] = 1.0 - (1.0 - J[s]) * decay
                    v *= J[s]
                if not integrate:
                    theta = theta0
                    if homeo:  # theta of the target at t (its decay is lazy)
                        jt = indices[s]
                        theta = max(theta_min, state[jt, 1] - homeo_down * (t - theta_t[jt]))
                    offspring += prob[s] * min(1.0, v / theta)
                if not certain and prob[s] < 1.0:
                    u, rng = splitmix_uniform(rng)
                    if depress and u < release[s]:  # release spends resource
                        J[s] -= use_u * J[s]
                    if u >= prob[s]:
                        continue
                elif depress:  # p_s = 1: release and transmission are certain
                    J[s] -= use_u * J[s]
                arrival = (t + delay[s]) % n_slots
                c = ring_cnt[arrival]
                ring_tgt[arrival, c] = indices[s]
                ring_val[arrival, c] = v
                ring_src[arrival, c] = first_id + s_idx
                ring_cnt[arrival] = c + 1
                pending += 1
            last_spike[i] = t
        if n_out >= spike_budget:  # safety stop (run.max_spikes): step t is complete
            counters[0] = pending
            counters[5] += n_out
            rng_state[0] = rng
            expected[0] = offspring
            return n_out, n_kick, t + 1, True
        # advance the clock: next step if anything is pending, else jump to the next event
        if pending > 0:
            t += 1
        else:
            nxt = t_end
            if di < nd:
                nxt = min(nxt, drive_step[di])
            if slow:
                if counters[1] < 0:
                    u, rng = splitmix_uniform(rng)
                    counters[1] = t + min_gap_steps + int(-math.log(1.0 - u) * slow_mean_steps)
                nxt = min(nxt, counters[1])
            t = max(t + 1, nxt)
    counters[0] = pending
    counters[5] += n_out
    rng_state[0] = rng
    expected[0] = offspring
    return n_out, n_kick, t, False
