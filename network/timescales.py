"""Time scales of a driven network: LHG recovery time, drive vs avalanche, activity state.

* :func:`lhg_recovery_tau_ms`: the resource recovery time tau_J scaled with N as Levina,
  Herrmann & Geisel (2007, Nat. Phys. 3:857) require, and :func:`lhg_mean_field_sigma`,
  the stationary branching ratio it implies in mean field.
* :func:`separation_of_timescales`: mean interval between slow-drive kicks vs mean
  duration of the avalanche each kick starts.
* :func:`activity_state`: whether a (Poisson-driven) run is cut into avalanches by
  quiescence, and if not, whether its activity outlives the drive (self-sustained) or
  dies with it (overlapping cascades, drive-dominated).

Units: ms for times, steps for spike and kick times, dimensionless ratios.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import numpy as np

from synsoc.validation import check_int_at_least, check_positive

if TYPE_CHECKING:
    from network.engine import SpikeRecord
    from network.synapses import Synapses

__all__ = [
    "DRIVE_OFF_DELAYS",
    "LHG_TAU_PER_NEURON",
    "MIN_QUIESCENT_FRACTION",
    "lhg_recovery_tau_ms",
    "lhg_mean_field_sigma",
    "TimescaleSeparation",
    "separation_of_timescales",
    "ACTIVITY_STATES",
    "ActivityState",
    "activity_state",
    "record_activity_state",
    "drive_off_ms",
]

LHG_NU = 10.0
"""LHG's tau_J / (N tau): recovery time per neuron in units of the input interval tau."""
LHG_INPUT = 0.025
"""LHG's external input I_ext per drive event, in units of the threshold theta."""
LHG_TAU_PER_NEURON = LHG_NU * LHG_INPUT
"""tau_J / (N T_kick) = nu I_ext / theta = 0.25 for drive events that fire their neuron.

LHG (2007) drive one random neuron every tau with I_ext = 0.025 theta and take
tau_J = nu N tau, nu = 10 (their figures: N = 300, u = 0.2). Each neuron then receives
drive potential I_ext / (N tau) per unit time; our kicks fire their neuron (a potential
theta), so the same drive per neuron is one kick every T_kick = tau theta / I_ext and
tau_J = nu (I_ext / theta) N T_kick = 0.25 N T_kick.
"""
DRIVE_OFF_DELAYS = 200
"""Length of the drive-off test (``simulate(drive_off_ms=)``) in maximal delays: at least
200 generations. Subcritical cascades die within it: with sigma <= 0.9 and 10^6 spikes in
flight the expected extinction takes ln(10^6) / ln(1 / 0.9) = 131 generations (closer to
1, sigma = 0.95 takes 269, and such a state may still count as self-sustained)."""
MIN_QUIESCENT_FRACTION = 0.1
"""At least this fraction of quiescent steps makes a run "avalanching" (:func:`activity_state`)."""


def lhg_recovery_tau_ms(
    n_neurons: int, drive_interval_ms: float, tau_per_neuron: float = LHG_TAU_PER_NEURON
) -> float:
    """Recovery time tau_J of LHG depressing synapses, proportional to N.

    LHG (Levina, Herrmann & Geisel 2007, Nat. Phys. 3:857) take tau_J = nu N tau: with one
    drive event per interval T (network-wide), each neuron fires about once per N T / S
    (S the mean avalanche size), so a resource that recovers in tau_J sees a per-neuron
    depletion rate proportional to tau_J / (N T). Holding that ratio fixed keeps the
    stationary coupling (and sigma, :func:`lhg_mean_field_sigma`) independent of N; a
    tau_J that does not grow with N recovers fully between a neuron's spikes in a large
    network, which then stays at its supercritical sigma0.

    Parameters
    ----------
    n_neurons : int
        N.
    drive_interval_ms : float
        Mean interval T between drive events that each start an avalanche (ms): the slow
        drive's kick interval (``slow_interval_ms`` + the (2 max_delay + 1)-step gap +
        the mean avalanche duration, which with delays of milliseconds is not small;
        :func:`network.recovery.recovery_time` measures it), or 1 / (N rate) for
        Poisson events that fire their neuron.
    tau_per_neuron : float
        tau_J / (N T); :data:`LHG_TAU_PER_NEURON` = 0.25 is LHG's nu I_ext / theta.

    Returns
    -------
    float
        tau_J = tau_per_neuron * N * T (ms).
    """
    check_int_at_least("n_neurons", n_neurons, 1)
    check_positive("drive_interval_ms", drive_interval_ms)
    check_positive("tau_per_neuron", tau_per_neuron)
    return float(tau_per_neuron * n_neurons * drive_interval_ms)


def lhg_mean_field_sigma(
    sigma0: float,
    use_fraction: float,
    tau_per_neuron: float = LHG_TAU_PER_NEURON,
    release_probability: float = 1.0,
) -> float:
    """Stationary branching ratio of depressing synapses under slow drive (mean field).

    With sigma = sigma0 J (efficacies w_s J_s below threshold), avalanches of mean size
    1 / (1 - sigma) started every T, and each presynaptic spike spending u J with
    probability r (release), the stationary resource solves
    (1 - J) / tau_J = u r J (1 / (1 - sigma)) / (N T), i.e. with a = u r tau_J / (N T)

        (sigma0 - sigma) (1 - sigma) = a sigma,

    whose root below 1 is returned. sigma -> 1 - a / (sigma0 - 1) for small a: the
    self-organized state approaches criticality from below (LHG 2007). Valid while one
    avalanche depletes little (mean size << N / u), i.e. a >> (sigma0 - 1) / N.

    Parameters
    ----------
    sigma0 : float
        Branching ratio of the fully recovered network, > 0.
    use_fraction : float
        u, in (0, 1].
    tau_per_neuron : float
        tau_J / (N T).
    release_probability : float
        r, probability that a presynaptic spike releases (spends resource), in (0, 1].

    Returns
    -------
    float
        Stationary sigma, in (0, min(1, sigma0)).
    """
    check_positive("sigma0", sigma0)
    check_positive("tau_per_neuron", tau_per_neuron)
    for name, value in (
        ("use_fraction", use_fraction),
        ("release_probability", release_probability),
    ):
        if not 0 < value <= 1:
            raise ValueError(f"{name} must be in (0, 1], got {value}")
    a = use_fraction * release_probability * tau_per_neuron
    b = sigma0 + 1.0 + a
    return float((b - math.sqrt(b * b - 4.0 * sigma0)) / 2.0)


@dataclass(frozen=True)
class TimescaleSeparation:
    """Drive interval vs avalanche duration of a slow-drive run.

    Attributes
    ----------
    n_avalanches : int
        Kicks followed by another kick (complete avalanches).
    mean_drive_interval_ms : float
        Mean interval between successive kicks.
    mean_avalanche_duration_ms : float
        Mean time from a kick to the last spike before the next kick, plus one step
        (0 for a kick that fired nothing).
    max_avalanche_duration_ms : float
    mean_avalanche_size : float
        Spikes per complete avalanche.
    ratio : float
        mean_drive_interval_ms / mean_avalanche_duration_ms (inf without spikes);
        separation of time scales needs ratio >> 1.
    """

    n_avalanches: int
    mean_drive_interval_ms: float
    mean_avalanche_duration_ms: float
    max_avalanche_duration_ms: float
    mean_avalanche_size: float
    ratio: float

    def to_dict(self) -> dict:
        """Plain dict of the fields (JSON-ready floats and ints)."""
        return asdict(self)


def separation_of_timescales(
    spike_steps: np.ndarray, kick_steps: np.ndarray, dt_ms: float
) -> TimescaleSeparation:
    """Mean interval between kicks vs mean duration of the avalanches they start.

    Under slow drive a kick comes only when nothing is pending, so every spike between
    kick k and kick k + 1 descends from kick k: avalanche k is causal, no binning is
    involved. The avalanche after the last kick may be cut by the end of the run and is
    left out.

    Parameters
    ----------
    spike_steps : np.ndarray, shape=(n_spikes,), dtype=int
        Spike steps, non-decreasing (``SpikeRecord.step``).
    kick_steps : np.ndarray, shape=(n_kicks,), dtype=int
        Kick steps, increasing (``SpikeRecord.kick_step``), at least two.
    dt_ms : float
        Time step (ms).

    Returns
    -------
    TimescaleSeparation
    """
    spikes = np.asarray(spike_steps, dtype=np.int64)
    kicks = np.asarray(kick_steps, dtype=np.int64)
    check_positive("dt_ms", dt_ms)
    if spikes.ndim != 1 or kicks.ndim != 1:
        raise ValueError("spike_steps and kick_steps must be one-dimensional")
    if kicks.size < 2 or np.any(np.diff(kicks) <= 0):
        raise ValueError(f"kick_steps must hold >= 2 increasing steps, got {kicks.size} steps")
    if np.any(np.diff(spikes) < 0):
        raise ValueError("spike_steps must be non-decreasing")
    start, nxt = kicks[:-1], kicks[1:]
    first = np.searchsorted(spikes, start, side="left")
    end = np.searchsorted(spikes, nxt, side="left")  # spikes [first, end) belong to kick k
    size = end - first
    last = spikes[np.maximum(end - 1, 0)] if spikes.size else np.zeros_like(start)
    duration_steps = np.where(size > 0, last - start + 1, 0)
    mean_duration = float(duration_steps.mean() * dt_ms)
    interval = float(np.diff(kicks).mean() * dt_ms)
    return TimescaleSeparation(
        n_avalanches=int(start.size),
        mean_drive_interval_ms=interval,
        mean_avalanche_duration_ms=mean_duration,
        max_avalanche_duration_ms=float(duration_steps.max() * dt_ms),
        mean_avalanche_size=float(size.mean()),
        ratio=interval / mean_duration if mean_duration > 0 else math.inf,
    )


ACTIVITY_STATES = (
    "avalanching",
    "self-sustained",
    "overlapping cascades",
    "drive-dominated",
    "not quiescent",
)
"""Labels of :func:`activity_state`."""


@dataclass(frozen=True)
class ActivityState:
    """Avalanching, self-sustained, overlapping cascades or drive-dominated activity.

    Attributes
    ----------
    state : str
        One of :data:`ACTIVITY_STATES`. ``"avalanching"``: the network falls quiet (no
        spike for longer than the maximal delay, so nothing is pending) for at least
        ``min_quiescent_fraction`` of the run. Otherwise the drive-off test decides:
        ``"self-sustained"`` if the activity outlives the drive, else
        ``"overlapping cascades"`` when most spikes are network caused (cascades that
        die out, overlapping because the drive is fast) or ``"drive-dominated"`` when
        most are drive caused; ``"not quiescent"`` when the drive-off test was not run.
    reason : str
        Which criterion decided.
    quiescent_fraction : float
        Fraction of the steps from the first to the last spike in which the network is
        quiescent: the parts of the gaps between successive spikes beyond
        ``quiescence_steps`` (1 with fewer than two active steps).
    min_quiescent_fraction : float
        The criterion used (:data:`MIN_QUIESCENT_FRACTION`).
    n_quiescent_gaps : int
        Gaps longer than ``quiescence_steps``: cascades that ended.
    network_fraction : float or None
        Network-caused spikes / all spikes (``SpikeRecord.sigma_estimate``).
    persists_after_drive : bool or None
        Whether activity outlived the drive (``SpikeRecord.persists_after_drive``).
    mean_spikes_per_step : float
    """

    state: str
    reason: str
    quiescent_fraction: float
    min_quiescent_fraction: float
    n_quiescent_gaps: int
    network_fraction: float | None
    persists_after_drive: bool | None
    mean_spikes_per_step: float

    def to_dict(self) -> dict:
        """Plain dict of the fields (JSON-ready)."""
        return asdict(self)


def activity_state(
    steps: np.ndarray,
    n_steps: int,
    quiescence_steps: int,
    *,
    network_fraction: float | None = None,
    persists_after_drive: bool | None = None,
    min_quiescent_fraction: float = MIN_QUIESCENT_FRACTION,
) -> ActivityState:
    """Classify a run: do its cascades end (avalanching), and if not, does the activity
    carry itself?

    A spike at step t sends transmissions that all arrive by t + max_delay; so when no
    spike follows for more than ``quiescence_steps`` = max_delay steps, nothing is
    pending and the cascade is over. Avalanches (cascades separated by quiescence, the
    separation of time scales of slow-drive criticality) exist only if such quiet
    stretches take a real part of the run: at least ``min_quiescent_fraction`` (0.1). The
    criterion is causal and does not depend on a bin width: a network of synchronous
    waves (empty bins between waves, transmissions pending across them) is not
    avalanching.

    Without quiescence the fraction of network-caused spikes cannot tell a
    self-sustained state from a subcritical one under fast drive: in any steady state
    it is 1 - (drive spikes / spikes), about λ for subcritical cascades that overlap.
    What tells them apart is what happens when the drive stops
    (``SpikeRecord.persists_after_drive``, :func:`network.engine.simulate`'s
    ``drive_off_ms``): self-sustained activity goes on, overlapping cascades die out.

    Parameters
    ----------
    steps : np.ndarray, shape=(n_spikes,), dtype=int
        Spike steps in [0, n_steps), non-decreasing.
    n_steps : int
        Steps simulated (>= 1).
    quiescence_steps : int
        The maximal synaptic delay (steps, >= 1).
    network_fraction : float, optional
        Network-caused fraction of the spikes, in [0, 1] (None: counted as network
        caused).
    persists_after_drive : bool, optional
        Outcome of the drive-off test; None if it was not run.
    min_quiescent_fraction : float
        Criterion, in (0, 1).

    Returns
    -------
    ActivityState
    """
    check_int_at_least("n_steps", n_steps, 1)
    check_int_at_least("quiescence_steps", quiescence_steps, 1)
    if not 0 < min_quiescent_fraction < 1:
        raise ValueError(f"min_quiescent_fraction must be in (0, 1), got {min_quiescent_fraction}")
    if network_fraction is not None and not 0 <= network_fraction <= 1:
        raise ValueError(f"network_fraction must be in [0, 1], got {network_fraction}")
    steps = np.asarray(steps, dtype=np.int64)
    if steps.size and (steps.min() < 0 or steps.max() >= n_steps):
        raise ValueError(f"steps must lie in [0, n_steps={n_steps})")
    if np.any(np.diff(steps) < 0):
        raise ValueError("steps must be non-decreasing")
    active = np.unique(steps)
    if active.size > 1:
        # empty steps between successive active steps; the first quiescence_steps of each
        # gap may still carry pending transmissions, the rest is quiet. Measured over the
        # span from the first to the last spike (the silence before the first drive event
        # and after the end is the run's edge, not its state).
        gaps = np.diff(active) - 1
        quiet = np.maximum(gaps - quiescence_steps, 0).sum()
        quiescent_fraction = float(quiet / (active[-1] - active[0] + 1))
        n_gaps = int(np.count_nonzero(gaps > quiescence_steps))
    else:
        quiescent_fraction, n_gaps = 1.0, 0
    network_caused = network_fraction is None or network_fraction >= 0.5
    if quiescent_fraction >= min_quiescent_fraction:
        state, reason = "avalanching", "cascades end: the network is quiescent between them"
    elif persists_after_drive is None:
        state, reason = "not quiescent", "no quiescence; the drive-off test was not run"
    elif persists_after_drive:
        state, reason = "self-sustained", "no quiescence, and activity outlives the drive"
    elif network_caused:
        state = "overlapping cascades"
        reason = "no quiescence, most spikes network caused, activity dies with the drive"
    else:
        state, reason = "drive-dominated", "no quiescence, most spikes drive caused"
    return ActivityState(
        state=state,
        reason=reason,
        quiescent_fraction=quiescent_fraction,
        min_quiescent_fraction=float(min_quiescent_fraction),
        n_quiescent_gaps=n_gaps,
        network_fraction=network_fraction,
        persists_after_drive=persists_after_drive,
        mean_spikes_per_step=float(steps.size / n_steps),
    )


def record_activity_state(record: SpikeRecord) -> ActivityState:
    """:func:`activity_state` of a ``SpikeRecord``: its spikes, maximal delay,
    network-caused fraction and drive-off test."""
    return activity_state(
        record.step,
        record.n_steps,
        record.max_delay_steps,
        network_fraction=record.sigma_estimate,
        persists_after_drive=record.persists_after_drive,
    )


def drive_off_ms(synapses: Synapses) -> float:
    """Length of the drive-off test after a run: :data:`DRIVE_OFF_DELAYS` maximal delays
    (ms)."""
    return DRIVE_OFF_DELAYS * synapses.max_delay_steps * synapses.dt_ms
