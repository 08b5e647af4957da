"""Stimulus-response curve of a network as Kinouchi & Copelli (2006) measure it.

The response F(h) is the stationary mean firing rate per neuron under Poisson drive of
rate h per neuron. Kinouchi & Copelli's dynamic range Delta = 10 log10(h_0.9 / h_0.1)
(analysis.criticality.response_curve) needs three things the curve must deliver:

* **stationary responses**: every drive rate first runs a discarded warm-up, the base
  ``warmup_ms`` plus, with depressing synapses, three relaxation times of the resource
  under that drive, 3 / (1 / tau_J + u r h) (the drive alone depletes a synapse at
  u r h; the network's own activity only shortens it);
* **the baseline F_0 = F(h -> 0)**: 0 for a network whose activity dies without drive,
  the spontaneous rate of a self-sustained one. It is measured, not taken from the
  weakest drive (a supercritical network that the weakest drive never ignites would
  read 0 there and inflate Delta): after every drive rate's record the drive stops
  (``simulate(drive_off_ms=...)``), and F_0 is the median over all drive rates of the
  drive-off rate, counted 0 where the activity died. A self-sustained state persists
  after (nearly) every drive; at lambda = 1 critical slowing down lets 2-5 of 13
  windows persist for 200 delays (activity dies 260-300 ms after the drive on a
  directed ER graph, N = 2000), and the median keeps F_0 = 0 there. Near lambda = 1 a
  finite network's self-sustained state is also metastable: on a clustered scale-free
  graph of N = 1500 at lambda = 1.2 it outlived 2 s after weak drive but died after 1.2 s
  when a saturating drive had synchronised it;
* **a drive range from baseline to saturation**: the rates are extended by half decades
  below the configured ones until F(h_min) - F_0 <= 5 % of the response range, and
  above until F changes by < 2 % over the last half decade (at most
  :data:`MAX_EXTENSIONS` each way; h at most 10 events per neuron and step).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from network.engine import DriveSpec, Dynamics, SpikeRecord, simulate
from network.synapses import Synapses
from network.timescales import drive_off_ms, record_activity_state

__all__ = [
    "response_curve",
    "response_warmup_ms",
    "RESPONSE_CURVE_COLUMNS",
    "MAX_EXTENSIONS",
    "SATURATION_TOLERANCE",
    "BASELINE_TOLERANCE",
]

logger = logging.getLogger(__name__)

MAX_EXTENSIONS = 8
"""Half-decade steps added at most below and above the configured drive rates."""
SATURATION_TOLERANCE = 0.02
"""Saturated when F changes by less than this fraction over the last half decade."""
BASELINE_TOLERANCE = 0.05
"""The weakest drive is close enough to h -> 0 when F(h_min) - F_0 is at most this
fraction of the response range (below the 10 % level of Delta)."""
_STEP = math.sqrt(10.0)
RESPONSE_CURVE_COLUMNS = (
    "drive_rate_hz",
    "response_rate_hz",
    "rate_after_drive_hz",
    "persists_after_drive",
    "quiescent_fraction",
    "activity_state",
    "warmup_ms",
    "baseline_hz",
)
"""Columns of a response curve (``synsoc.layout.RESPONSE_COLUMNS`` first; ``baseline_hz``
is F_0, the same in every row)."""


def response_warmup_ms(dynamics: Dynamics, synapses: Synapses, rate_hz: float, base_ms: float):
    """Discarded warm-up before measuring F(h): ``base_ms``, plus 3 resource relaxation
    times 3 / (1 / tau_J + u r h) with depressing synapses (ms)."""
    if dynamics.depression_use is None:
        return float(base_ms)
    rate_per_ms = (
        1.0 / dynamics.depression_tau_ms
        + dynamics.depression_use * synapses.mean_release_probability * rate_hz * 1e-3
    )
    return float(base_ms + 3.0 / rate_per_ms)


def response_curve(
    synapses: Synapses,
    dynamics: Dynamics,
    rates_hz: Sequence[float],
    *,
    weight: float,
    duration_ms: float,
    warmup_ms: float,
    seed_of: Callable[[float], np.random.SeedSequence],
    chunk_steps: int = 200000,
    max_spikes: int | None = None,
) -> pd.DataFrame:
    """Stationary response F(h) from baseline to saturation (see the module docstring).

    Parameters
    ----------
    synapses : Synapses
    dynamics : Dynamics
    rates_hz : sequence of float
        Configured drive rates h per neuron (Hz), > 0; extended as needed.
    weight : float
        Drive event weight (threshold units).
    duration_ms : float
        Measured time per drive rate (after its warm-up).
    warmup_ms : float
        Base warm-up per drive rate (ms), see :func:`response_warmup_ms`.
    seed_of : callable
        Drive rate (Hz) -> the SeedSequence of its run.
    chunk_steps, max_spikes
        As for :func:`network.engine.simulate`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`RESPONSE_CURVE_COLUMNS`, one row per drive rate, increasing.
    """
    rates = sorted({float(h) for h in rates_hz})
    if not rates or rates[0] <= 0:
        raise ValueError(f"rates_hz must be positive, got {list(rates_hz)}")
    h_cap = 1e4 / synapses.dt_ms  # 10 drive events per neuron and step
    drive_off = drive_off_ms(synapses)
    points: dict[float, dict] = {}

    def measure(h: float) -> dict:
        if h not in points:
            warmup = response_warmup_ms(dynamics, synapses, h, warmup_ms)
            record = simulate(
                synapses,
                dynamics,
                DriveSpec("poisson", h, weight),
                duration_ms,
                rng=seed_of(h),
                chunk_steps=chunk_steps,
                max_spikes=max_spikes,
                warmup_ms=warmup,
                drive_off_ms=drive_off,
            )
            points[h] = _row(h, record, warmup)
        return points[h]

    for h in rates:
        measure(h)
    for _ in range(MAX_EXTENSIONS):  # up to saturation
        top, below = rates[-1], rates[-2] if len(rates) > 1 else None
        f_top = measure(top)["response_rate_hz"]
        f_below = measure(below)["response_rate_hz"] if below is not None else 0.0
        if (f_top > 0 and abs(f_top - f_below) <= SATURATION_TOLERANCE * f_top) or (
            top * _STEP > h_cap * (1 + 1e-9)
        ):
            break
        rates.append(top * _STEP)
        measure(rates[-1])
    baseline = _baseline(points.values())
    for _ in range(MAX_EXTENSIONS):  # down to the baseline
        span = measure(rates[-1])["response_rate_hz"] - baseline
        if span <= 0 or measure(rates[0])["response_rate_hz"] - baseline <= (
            BASELINE_TOLERANCE * span
        ):
            break
        rates.insert(0, rates[0] / _STEP)
        measure(rates[0])
        baseline = _baseline(points.values())
    logger.info(
        "response curve: %d drive rates, %.3g-%.3g Hz, baseline %.4g Hz",
        len(rates),
        rates[0],
        rates[-1],
        baseline,
    )
    rows = [{**points[h], "baseline_hz": baseline} for h in rates]
    return pd.DataFrame(rows, columns=list(RESPONSE_CURVE_COLUMNS))


def _baseline(points) -> float:
    """F_0: the median over the drive rates of the drive-off rate, 0 where the activity
    died (a self-sustained state persists after most drives, a critical or subcritical
    network's activity only sometimes outlives the window)."""
    rates = [p["rate_after_drive_hz"] if p["persists_after_drive"] else 0.0 for p in points]
    return float(np.median(rates)) if rates else 0.0


def _row(h: float, record: SpikeRecord, warmup: float) -> dict:
    state = record_activity_state(record)
    after = None
    if record.n_spikes_after_drive is not None and record.drive_off_ms > 0:
        after = record.n_spikes_after_drive / (record.n_neurons * record.drive_off_ms * 1e-3)
    return {
        "drive_rate_hz": h,
        "response_rate_hz": record.rate_hz,
        "rate_after_drive_hz": after,
        "persists_after_drive": record.persists_after_drive,
        "quiescent_fraction": state.quiescent_fraction,
        "activity_state": state.state,
        "warmup_ms": warmup,
    }
