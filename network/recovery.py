"""LHG recovery time set from the drive interval the network actually has.

Levina, Herrmann & Geisel (2007) hold tau_J / (N T) fixed, T the interval between drive
events (:func:`network.timescales.lhg_recovery_tau_ms`). Under slow drive a kick comes
only after the previous avalanche has ended, a quiescence gap and an exponential wait,
so T = avalanche duration + gap + wait: with synaptic delays of milliseconds the
avalanche duration is not negligible (7-11 ms measured against a nominal 3.1 ms in the
default runs), and a tau_J set from the nominal interval gives tau_J / (N T) = 0.07-0.11
instead of LHG's 0.25. The duration itself depends on tau_J (a longer recovery time
lowers the stationary sigma and shortens the avalanches), so :func:`recovery_time`
finds T by fixed-point iteration on pilot runs at their stationary state.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

import numpy as np

from network.engine import DriveSpec, Dynamics, simulate
from network.synapses import Synapses
from network.timescales import lhg_recovery_tau_ms
from synsoc.validation import check_int_at_least, check_positive

__all__ = ["RecoveryTime", "recovery_time", "MAX_PILOTS", "INTERVAL_TOLERANCE"]

logger = logging.getLogger(__name__)

MAX_PILOTS = 4
"""Pilot runs at most (each 2 tau_J warm-up + 1 tau_J measured)."""
INTERVAL_TOLERANCE = 0.05
"""The iteration stops when the measured kick interval moves by less than this fraction."""


@dataclass(frozen=True)
class RecoveryTime:
    """tau_J and the drive interval it was set from.

    Attributes
    ----------
    tau_ms : float
        tau_J = tau_per_neuron N T (ms).
    drive_interval_ms : float
        T: the mean kick interval measured in the last pilot (slow drive), or
        1 / (N rate) (Poisson drive), or the nominal interval if no pilot could measure.
    nominal_interval_ms : float
        The interval the iteration started from.
    tau_per_neuron : float
    pilots : int
        Pilot runs used (0 under Poisson drive).
    converged : bool
        The last pilot moved T by at most :data:`INTERVAL_TOLERANCE` (True without pilots).
    """

    tau_ms: float
    drive_interval_ms: float
    nominal_interval_ms: float
    tau_per_neuron: float
    pilots: int
    converged: bool

    def to_dict(self) -> dict:
        """Plain dict of the fields (JSON-ready)."""
        return dataclasses.asdict(self)


def nominal_drive_interval_ms(synapses: Synapses, drive: DriveSpec) -> float:
    """Drive interval without avalanches (ms): slow drive's mean wait plus its quiescence
    gap of (2 max_delay + 1) steps; 1 / (N rate) for Poisson drive."""
    if drive.mode == "poisson":
        return 1e3 / (synapses.graph.n_neurons * drive.rate_hz)
    return drive.slow_interval_ms + (2 * synapses.max_delay_steps + 1) * synapses.dt_ms


def recovery_time(
    synapses: Synapses,
    dynamics: Dynamics,
    drive: DriveSpec,
    tau_per_neuron: float,
    *,
    seeds: np.random.SeedSequence,
    max_spikes: int | None = None,
    chunk_steps: int = 200000,
) -> RecoveryTime:
    """tau_J = tau_per_neuron N T with T the kick interval the depressing network has.

    Slow drive: starting from the nominal interval, run a pilot at tau_J(T) (warm-up
    2 tau_J, measured over 1 tau_J), set T to its mean kick interval, and repeat until T
    moves by at most :data:`INTERVAL_TOLERANCE` or :data:`MAX_PILOTS` pilots ran. Poisson
    drive: T = 1 / (N rate), no pilot.

    Parameters
    ----------
    synapses : Synapses
    dynamics : Dynamics
        Depressing dynamics (``depression_use`` set); its ``depression_tau_ms`` is
        replaced.
    drive : DriveSpec
        The drive of the runs tau_J is for.
    tau_per_neuron : float
        tau_J / (N T), LHG's 0.25.
    seeds : np.random.SeedSequence
        Pilot k runs with ``seeds.spawn(MAX_PILOTS)[k]``.
    max_spikes, chunk_steps
        As for :func:`network.engine.simulate`.

    Returns
    -------
    RecoveryTime
    """
    check_positive("tau_per_neuron", tau_per_neuron)
    if dynamics.depression_use is None:
        raise ValueError("recovery_time needs depressing dynamics (depression_use set)")
    if max_spikes is not None:
        check_int_at_least("max_spikes", max_spikes, 1)
    n = synapses.graph.n_neurons
    nominal = nominal_drive_interval_ms(synapses, drive)
    interval, pilots, converged = nominal, 0, True
    if drive.mode == "slow":
        converged = False
        for pilots, seed in enumerate(seeds.spawn(MAX_PILOTS), start=1):
            tau = lhg_recovery_tau_ms(n, interval, tau_per_neuron)
            pilot = simulate(
                synapses,
                dataclasses.replace(dynamics, depression_tau_ms=tau),
                drive,
                tau,
                rng=seed,
                warmup_ms=2.0 * tau,
                max_spikes=max_spikes,
                chunk_steps=chunk_steps,
            )
            if pilot.truncated or pilot.kick_step.size < 2:
                logger.warning(
                    "tau_J pilot %d: %s; tau_J kept at %.4g ms (T = %.4g ms)",
                    pilots,
                    "max_spikes reached" if pilot.truncated else "fewer than 2 kicks",
                    tau,
                    interval,
                )
                break
            measured = float(np.diff(pilot.kick_step).mean() * pilot.dt_ms)
            converged = abs(measured - interval) <= INTERVAL_TOLERANCE * interval
            logger.info(
                "tau_J pilot %d: tau_J %.4g ms, kick interval %.4g ms (was %.4g ms)",
                pilots,
                tau,
                measured,
                interval,
            )
            interval = measured
            if converged:
                break
        else:
            logger.warning(
                "tau_J: the kick interval did not settle within %d pilots (%.4g ms used)",
                MAX_PILOTS,
                interval,
            )
    return RecoveryTime(
        tau_ms=lhg_recovery_tau_ms(n, interval, tau_per_neuron),
        drive_interval_ms=interval,
        nominal_interval_ms=nominal,
        tau_per_neuron=float(tau_per_neuron),
        pilots=pilots,
        converged=converged,
    )
