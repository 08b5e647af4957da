"""Simulation of the threshold network: run parameters, drive, spike record.

:func:`simulate` turns a :class:`~network.synapses.Synapses`, the :class:`Dynamics` of a
regime and a :class:`DriveSpec` into a :class:`SpikeRecord`: it validates the input,
lays out the state arrays, draws the Poisson drive chunk by chunk and calls the numba
kernel (:func:`network.kernel.advance`, whose docstring states the exact update order)
until the run is done, flushing spikes and widening the ring buffer between calls.

A spike is "network" caused if the firing arrival was synaptic, "drive" caused if it was
a drive event or kick; sigma_estimate = n_network / n_spikes is the measured mean
number of offspring per spike, and sigma_expected the mean over spikes of the expected
offspring sum_s p_s min(1, w_s J_s / theta_target) at the moment of the spike.

Update order within a step (exact; :mod:`network.kernel` states it in full): synaptic
arrivals due at t, then Poisson drive events, then the slow kick; each arrival may fire
its neuron (refractory neurons discard it); then every neuron that fired sends along
each out-synapse s: with depression J_s recovers to t, one uniform U is drawn (if
p_transmit_s < 1), a release (U < p_release_s) spends u J_s, and a transmission
(U < p_transmit_s) delivers w_s J_s (J_s before the depletion) at t + delay_s.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from network.kernel import advance, leak_factors
from network.spike_files import SpikeArrays, SpikeFiles
from network.synapses import Synapses
from synsoc.validation import check_choice, check_int_at_least, check_positive

__all__ = ["Dynamics", "DriveSpec", "SpikeRecord", "simulate", "poisson_drive_events"]

logger = logging.getLogger(__name__)

_MAX_DRIVE_EVENTS_PER_CHUNK = 1 << 23  # ~100 MB of pre-drawn Poisson events at most
_LEAK_TABLE_SIZE = 1 << 14  # precomputed leak factors for gaps below 1.6 s at dt = 0.1 ms


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
        LHG use fraction u (None: static synapses): each vesicle release (probability
        ``Synapses.p_release`` per presynaptic spike) spends the fraction u of the
        synapse's resource J.
    depression_tau_ms : float
        LHG recovery time constant tau_J (ms); ``network.timescales.lhg_recovery_tau_ms``
        gives the value scaled with N as LHG require.
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
        check_choice("model", self.model, ("probabilistic", "integrate"))
        check_positive("gain", self.gain, allow_zero=True)
        check_positive("threshold", self.threshold)
        # inf time constants: a perfect integrator, resources that never recover
        check_positive("leak_tau_ms", self.leak_tau_ms, allow_inf=True)
        check_positive("depression_tau_ms", self.depression_tau_ms, allow_inf=True)
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
        check_choice("mode", self.mode, ("slow", "poisson"))
        check_positive("rate_hz", self.rate_hz)
        check_positive("weight", self.weight, allow_inf=True)  # inf: every event fires
        check_positive("slow_interval_ms", self.slow_interval_ms, allow_zero=True)


@dataclass(frozen=True)
class SpikeRecord:
    """Spikes of one run.

    Attributes
    ----------
    step : np.ndarray, shape=(n_spikes,), dtype=int64
        Step of each spike (time = step * dt_ms), non-decreasing.
    neuron : np.ndarray, shape=(n_spikes,), dtype=int32
    parent : np.ndarray, shape=(n_spikes,), dtype=int64
        Index (into this record) of the spike whose transmission fired each spike: -1
        for a spike fired by a drive event or kick (the root of a causal avalanche),
        -2 for one whose parent fired before the record (in the warm-up). In the
        probabilistic model a spike has exactly one cause; in the integrate model the
        parent is the last arrival, the one that pushed V over threshold, while earlier
        inputs summed below it (with 0.1 θ inputs the parent's tree supplied a median
        10 % of V at the crossing): trees there are attributions, not causes.
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
    kick_step : np.ndarray, shape=(n_kicks,), dtype=int64
        Step of every slow-drive kick, increasing (empty under Poisson drive). Each kick
        starts one avalanche, which ends when nothing is pending (before the next kick).
    drive_off_ms : float
        Simulated time after the record with the drive switched off (0: not run).
    persists_after_drive : bool or None
        Whether activity outlived the drive: transmissions still pending (or ``max_spikes``
        reached) ``drive_off_ms`` after the drive stopped. None if that was not tested
        (``drive_off_ms`` 0 or a truncated record).
    activity_after_drive_ms : float or None
        Time from the end of the drive to the last spike after it (0 if none; None if
        not tested).
    n_spikes_after_drive : int or None
        Spikes in the drive-off window (None if not tested); a self-sustained state's
        spontaneous rate is n_spikes_after_drive / (N drive_off_ms).
    spike_dir : pathlib.Path or None
        Directory whose ``.npy`` files ``step``, ``neuron``, ``parent`` and ``kick_step``
        are read-only memory maps of (``simulate(spike_dir=...)``); None: in memory.
    """

    step: np.ndarray
    neuron: np.ndarray
    parent: np.ndarray
    n_neurons: int
    n_steps: int
    dt_ms: float
    n_drive_spikes: int
    n_network_spikes: int
    expected_offspring: float | None
    max_delay_steps: int
    wall_s: float
    truncated: bool = False
    kick_step: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    drive_off_ms: float = 0.0
    persists_after_drive: bool | None = None
    activity_after_drive_ms: float | None = None
    n_spikes_after_drive: int | None = None
    spike_dir: Path | None = None

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


def _to_record_parents(parent: np.ndarray, record_first: int) -> None:
    """Turn run-wide parent indices into record indices, in place: index -
    ``record_first``; -1 (drive) stays; -2 for a parent fired before the record."""
    if record_first:
        warm = (parent >= 0) & (parent < record_first)
        parent -= record_first
        parent[parent < 0] = -1
        parent[warm] = -2


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
    *,
    rng: int | np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Pre-drawn Poisson drive events of steps ``[t_start, t_end)``.

    Each neuron receives events at ``rate_hz``; the count per (neuron, step) is Poisson
    with mean ``rate_hz * dt``, drawn as a total count and uniform (step, neuron) pairs.

    Parameters
    ----------
    n_neurons : int
    rate_hz : float
        Events per neuron and second, >= 0.
    dt_ms : float
        Time step (ms).
    t_start, t_end : int
        First step and the step after the last.
    rng : int, np.random.SeedSequence or np.random.Generator
        Source of the events (``np.random.default_rng(rng)``; a Generator is used as is).

    Returns
    -------
    steps : np.ndarray, shape=(n_events,), dtype=int64, sorted
    neurons : np.ndarray, shape=(n_events,), dtype=int32
    """
    check_int_at_least("n_neurons", n_neurons, 1)
    check_positive("rate_hz", rate_hz, allow_zero=True)
    check_positive("dt_ms", dt_ms)
    if t_end < t_start:
        raise ValueError(f"t_end must be >= t_start, got t_start={t_start}, t_end={t_end}")
    rng = np.random.default_rng(rng)
    mean = n_neurons * rate_hz * 1e-3 * dt_ms * (t_end - t_start)
    count = rng.poisson(mean)
    steps = rng.integers(t_start, t_end, size=count, dtype=np.int64)
    steps.sort()  # in place: the drive of a chunk is the largest transient of a run
    # int32 draws: the values of int64 draws (one 32-bit draw each), half the memory
    neurons = rng.integers(0, n_neurons, size=count, dtype=np.int32)
    return steps, neurons


def simulate(
    synapses: Synapses,
    dynamics: Dynamics,
    drive: DriveSpec,
    duration_ms: float,
    *,
    rng: int | np.random.SeedSequence | np.random.Generator,
    chunk_steps: int = 200000,
    drive_events: tuple[np.ndarray, np.ndarray] | None = None,
    max_spikes: int | None = None,
    warmup_ms: float = 0.0,
    drive_off_ms: float = 0.0,
    spike_dir: str | os.PathLike | None = None,
) -> SpikeRecord:
    """Run the network for ``warmup_ms + duration_ms`` and return the spikes after the
    warm-up; optionally test whether the activity outlives the drive.

    Parameters
    ----------
    synapses : Synapses
    dynamics : Dynamics
    drive : DriveSpec
    duration_ms : float
        Simulated time (ms); ``round(duration_ms / dt)`` steps.
    rng : int, np.random.SeedSequence or np.random.Generator
        Seed of the run: the SeedSequence of ``np.random.default_rng(rng)`` spawns the
        (kernel, drive) streams, so equal seeds give bitwise equal runs; a Generator
        spawns fresh streams at every call (its draws are not used, its seed sequence
        is).
    chunk_steps : int
        Steps per kernel call; progress (steps/s, ETA) is logged after each. The Poisson
        drive is drawn per chunk, so with drawn Poisson drive the value is part of the seed
        (slow drive and ``drive_events`` runs do not depend on it); chunks are shortened
        so that at most 2^23 drive events (~100 MB) are drawn at once.
    drive_events : (steps, neurons), optional
        Pre-drawn Poisson drive events (sorted steps), replacing the drawn ones.
    max_spikes : int, optional
        Safety stop: the run ends after the step in which this many spikes are reached
        (a supercritical network would otherwise fill the memory); the record then covers
        the steps simulated and says ``truncated`` (a run stopped inside its warm-up keeps
        the warm-up in its record).
    warmup_ms : float
        Simulated first and discarded (``round(warmup_ms / dt)`` steps): the state
        (potentials, thresholds, synaptic resources, pending transmissions) carries on,
        the record (spikes, kicks, counters, expected offspring) starts after it, with
        steps counted from its end. Lets self-organizing regimes reach their stationary
        state before they are measured.
    drive_off_ms : float
        After the record, the drive stops and the network runs on for this long (not
        recorded as spikes; it ends early once nothing is pending): whether anything is
        still pending at its end is ``persists_after_drive``, the test that tells a
        self-sustained state from cascades that only overlap because the drive is fast.
    spike_dir : path-like, optional
        Stream the record to this directory instead of keeping it in memory: each kernel
        call's spikes are appended to ``step.npy``, ``neuron.npy``, ``parent.npy`` and
        ``kick_step.npy`` (:class:`network.spike_files.SpikeFiles`; published atomically
        when the run ends, an existing directory replaced), and the record's arrays are
        read-only memory maps of those files. Memory then stays O(synapses + neurons)
        whatever the run's length; the arrays are bitwise those of the in-memory record.

    Returns
    -------
    SpikeRecord
        With ``spike_dir`` set to the directory its arrays are mapped from, if any.
    """
    check_positive("duration_ms", duration_ms)
    check_positive("warmup_ms", warmup_ms, allow_zero=True)
    check_positive("drive_off_ms", drive_off_ms, allow_zero=True)
    check_int_at_least("chunk_steps", chunk_steps, 1)
    if max_spikes is not None:
        check_int_at_least("max_spikes", max_spikes, 1)
    g = synapses.graph
    n, dt = g.n_neurons, synapses.dt_ms
    warm_steps = int(round(warmup_ms / dt))
    n_steps = warm_steps + int(round(duration_ms / dt))
    # default_rng keeps a SeedSequence (the same object) and returns a Generator as is
    kernel_seq, drive_seq = np.random.default_rng(rng).bit_generator.seed_seq.spawn(2)
    drive_rng = np.random.default_rng(drive_seq)
    rng_state = kernel_seq.generate_state(1, dtype=np.uint64)

    theta0 = dynamics.threshold
    weight = dynamics.gain * synapses.efficacy * theta0
    max_delay = synapses.max_delay_steps
    max_degree = int(g.out_degree.max()) if n else 0
    n_slots = max_delay + 1
    cap = max(16, int(4 * g.n_edges / max(n, 1)))
    ring_tgt = np.empty((n_slots, cap), np.int32)
    ring_val = np.empty((n_slots, cap), np.float64)
    ring_src = np.empty((n_slots, cap), np.int64)
    ring_cnt = np.zeros(n_slots, np.int64)
    # pending, next kick, n_net, n_drive, ring capacity needed, spikes so far (run-wide)
    counters = np.array([0, -1, 0, 0, 0, 0], np.int64)
    expected = np.zeros(1)  # sum over spikes of the expected offspring (probabilistic model)
    state = np.zeros((n, 4))  # V, theta, ref_until, leak_from (steps, exact in float64)
    state[:, 1] = theta0
    theta_t = np.zeros(n, np.int64)
    last_spike = np.zeros(n, np.int64)
    J = np.ones(g.n_edges if dynamics.depression_use is not None else 0)  # LHG resources
    ref_steps = max(1, int(round(dynamics.refractory_ms / dt)))
    leak_rate = dt / dynamics.leak_tau_ms
    leak_factor = leak_factors(leak_rate, _LEAK_TABLE_SIZE)
    row_delay, row_mode = _row_delays(synapses, dynamics.depression_use is None)
    certain = bool(np.all(synapses.p_transmit >= 1.0))  # no transmission coin to flip
    depress = dynamics.depression_use is not None
    homeo = dynamics.homeostatic_target_hz is not None
    eta = dynamics.homeostatic_eta * theta0
    homeo_down = eta * (dynamics.homeostatic_target_hz or 0.0) * 1e-3 * dt
    slow = drive.mode == "slow"
    out_step = np.empty(max(1 << 16, 4 * n), np.int64)  # flushed after every kernel call
    out_neuron = np.empty(out_step.size, np.int32)
    out_parent = np.empty(out_step.size, np.int64)
    out_kick = np.empty(1 << 16 if drive.mode == "slow" else 1, np.int64)
    sink = SpikeArrays() if spike_dir is None else SpikeFiles(spike_dir)
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
    rings = [ring_tgt, ring_val, ring_src]

    def run_to(t, t1, slow_now, d_steps, d_neurons, spike_budget, keep):
        """Advance from step t to t1 (or the spike budget); returns (t, spikes, reached).

        ``keep(n_out, n_kick)`` takes the spikes and kicks of each kernel call from the
        output buffers before the next call overwrites them.
        """
        n_new = 0
        while t < t1:  # the kernel returns early when its buffers might overflow
            if counters[4] > rings[0].shape[1]:
                rings[:] = [_widened(ring, 2 * int(counters[4])) for ring in rings]
            first = np.searchsorted(d_steps, t)
            n_out, n_kick, t, budget_reached = advance(
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
                synapses.p_release,
                dt / dynamics.depression_tau_ms,
                homeo,
                eta,
                homeo_down,
                dynamics.homeostatic_theta_min * theta0,
                theta0,
                slow_now,
                drive.slow_interval_ms / dt,
                2 * max_delay + 1,
                d_steps[first:],
                d_neurons[first:],
                drive.weight * theta0,
                state,
                theta_t,
                last_spike,
                J,
                rings[0],
                rings[1],
                rings[2],
                ring_cnt,
                counters,
                expected,
                rng_state,
                out_step,
                out_neuron,
                out_parent,
                out_kick,
                spike_budget - n_new,
            )
            keep(n_out, n_kick)
            n_new += n_out
            if budget_reached:
                return t, n_new, True
        return t, n_new, False

    n_total = 0
    # run-wide index of the record's first spike, step the record's steps count from
    # (both stay 0 if max_spikes stops the run inside the warm-up: the record is the warm-up)
    record_first, record_step = 0, 0

    def record(n_out, n_kick):
        """Hand one kernel call's spikes to the sink, in record indices and steps (the
        output buffers are converted in place: the next kernel call overwrites them)."""
        out_step[:n_out] -= record_step
        out_kick[:n_kick] -= record_step
        _to_record_parents(out_parent[:n_out], record_first)
        sink.append(
            step=out_step[:n_out],
            neuron=out_neuron[:n_out],
            parent=out_parent[:n_out],
            kick_step=out_kick[:n_kick],
        )

    with sink:  # an exception removes a streamed record's partial files
        truncated = False
        start = time.perf_counter()
        if not slow and drive_events is None:  # bound the drive events drawn per chunk
            per_step = n * drive.rate_hz * 1e-3 * dt
            chunk_steps = max(
                1, min(chunk_steps, int(_MAX_DRIVE_EVENTS_PER_CHUNK / max(per_step, 1e-12)))
            )
        # chunks end at the warm-up's end too, where the record is restarted
        edges = sorted({*range(0, n_steps, chunk_steps), warm_steps} - {n_steps}) + [n_steps]
        for t0, t1 in zip(edges[:-1], edges[1:], strict=True):
            if slow:
                d_steps, d_neurons = empty
            elif drive_events is not None:
                lo, hi = np.searchsorted(all_steps, [t0, t1])
                d_steps, d_neurons = all_steps[lo:hi], all_neurons[lo:hi]
            else:
                d_steps, d_neurons = poisson_drive_events(
                    n, drive.rate_hz, dt, t0, t1, rng=drive_rng
                )
            t, n_new, _ = run_to(t0, t1, slow, d_steps, d_neurons, budget - n_total, record)
            del d_steps, d_neurons  # free this chunk's drive before the next one is drawn
            n_total += n_new
            if t < t1:
                logger.warning(
                    "stopped at step %d of %d: %d spikes reached max_spikes=%d",
                    t,
                    n_steps,
                    n_total,
                    budget,
                )
                n_steps = t
                truncated = True
                break
            if t1 == warm_steps:  # the warm-up ends: keep the state, restart the record
                sink.restart()
                record_first, record_step = int(counters[5]), warm_steps
                counters[2:4] = 0
                expected[0] = 0.0
                n_total = 0
            elapsed = time.perf_counter() - start
            rate = t1 / elapsed if elapsed > 0 else float("inf")
            logger.info(
                "step %d/%d (%.1f%%), %.3g steps/s, %d spikes, ETA %.1f s",
                t1,
                n_steps,
                100.0 * t1 / n_steps,
                rate,
                n_total,
                (n_steps - t1) / rate,
            )
        if n_steps <= warm_steps:  # max_spikes inside the warm-up: the record is the warm-up
            logger.warning("max_spikes reached during the warm-up: the record includes it")
            warm_steps = 0
        arrays = sink.finish()
    n_drive, n_network, offspring = int(counters[3]), int(counters[2]), float(expected[0])
    persists, after_ms, n_after = None, None, None
    off_steps = int(round(drive_off_ms / dt))
    if off_steps and not truncated:  # the drive stops; does the activity go on?
        last = [n_steps - 1]  # step of the last spike after the drive (none: 0 ms)

        def last_step(n_out, n_kick):
            if n_out:
                last[0] = int(out_step[n_out - 1])

        _, n_after, reached = run_to(n_steps, n_steps + off_steps, False, *empty, budget, last_step)
        persists = bool(reached or counters[0] > 0)
        after_ms = float((last[0] - n_steps + 1) * dt)
        logger.info(
            "drive off for %.4g ms: %d spikes, last %.4g ms after the drive; %s",
            drive_off_ms,
            n_after,
            after_ms,
            "activity persists" if persists else "activity died out",
        )
    return SpikeRecord(
        step=arrays["step"],
        neuron=arrays["neuron"],
        parent=arrays["parent"],
        n_neurons=n,
        n_steps=n_steps - warm_steps,
        dt_ms=dt,
        n_drive_spikes=n_drive,
        n_network_spikes=n_network,
        expected_offspring=offspring if dynamics.model == "probabilistic" else None,
        max_delay_steps=max_delay,
        wall_s=time.perf_counter() - start,
        truncated=truncated,
        kick_step=arrays["kick_step"],
        drive_off_ms=off_steps * dt,
        persists_after_drive=persists,
        activity_after_drive_ms=after_ms,
        n_spikes_after_drive=n_after,
        spike_dir=None if spike_dir is None else Path(spike_dir),
    )
