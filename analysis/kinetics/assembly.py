"""Assemble ``kinetics.json``: fits per event kind, time calibration, cleft bridge, occupancy.

The JSON layout is the contract in ``docs/contracts.md`` (schema_version 1). Fitted
families are scipy.stats names with the location fixed at 0; ``scale`` is in ps in
the ``first_passage`` / ``dwell`` / ``rebinding`` blocks (simulated time) and in ms in
``cleft_first_passage`` (physical time = simulated time × ``time_scale_factor``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis.kinetics.calibration import (
    Calibration,
    MSDCurve,
    fit_diffusion,
    frame_interval_ps,
    msd_curve,
    unwrap,
)
from analysis.kinetics.censored import CensoredSample
from analysis.kinetics.cleft_bridge import CleftFPT, cleft_first_passage
from analysis.kinetics.config import KineticsConfig
from analysis.kinetics.events import hysteresis_bound
from analysis.kinetics.extraction import ReplicaDistances
from analysis.kinetics.survival import SurvivalFit, fit_survival
from synsoc.errors import KineticsError
from synsoc.layout import EVENT_COLUMNS, EVENT_KINDS
from synsoc.validation import check_choice

__all__ = [
    "SCHEMA_VERSION",
    "PS_PER_MS",
    "calibrate",
    "check_events",
    "event_sample",
    "fit_events",
    "fit_block",
    "bound_fraction",
    "KineticsAnalysis",
    "build_kinetics",
]

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
PS_PER_MS = 1e9


def check_events(events: pd.DataFrame) -> None:
    """Check an events table against the contract (``synsoc.layout.EVENT_COLUMNS``, kinds).

    Raises
    ------
    synsoc.errors.KineticsError
        A ``ValueError`` naming the missing columns or the unknown kinds.
    """
    missing = [c for c in EVENT_COLUMNS if c not in events.columns]
    if missing:
        raise KineticsError(f"events lacks columns {missing}")
    bad = set(events["kind"]) - set(EVENT_KINDS)
    if bad:
        raise KineticsError(f"events.kind holds unknown kinds {sorted(bad)}")


def calibrate(
    replicas: Sequence[ReplicaDistances],
    config: KineticsConfig,
    *,
    friction_per_ps: float | None = None,
) -> tuple[Calibration, MSDCurve]:
    """D_sim from the MSD of transmitter centres of mass pooled over replicas.

    Replicas are truncated to the shortest one so every molecule shares the lags;
    they must share the frame interval.
    ``friction_per_ps`` (the MD thermostat γ, from build.json) fixes γ in the Langevin
    fallback of :func:`analysis.kinetics.calibration.fit_diffusion`.

    Returns
    -------
    (Calibration, MSDCurve)
    """
    if not replicas:
        raise ValueError("replicas is empty")
    n = min(r.time_ps.size for r in replicas)
    if n < 3:
        raise ValueError(f"replicas: calibration needs >= 3 frames per replica, shortest has {n}")
    intervals = [
        frame_interval_ps(r.time_ps[:n], name=f"replicas[{k}].time_ps")
        for k, r in enumerate(replicas)
    ]
    if not np.allclose(intervals, intervals[0], rtol=1e-3):
        raise ValueError(f"replicas must share one frame interval, got {intervals} ps")
    positions, bound = [], []
    for rep in replicas:
        box = rep.box_nm[:n] if rep.box_nm.size else rep.box_nm
        positions.append(unwrap(rep.com_nm[:n], box))
        pair_bound = hysteresis_bound(rep.distance_nm[:n], config.cutoffs)
        bound.append(
            pair_bound.any(axis=2)
            if config.msd_unbound_only
            else np.zeros(pair_bound.shape[:2], bool)
        )
    curve = msd_curve(
        np.concatenate(positions, axis=1),
        replicas[0].time_ps[:n],
        bound=np.concatenate(bound, axis=1),
        dims=config.msd_axes,
        max_lag_fraction=config.msd_max_lag_fraction,
    )
    calibration = fit_diffusion(
        curve,
        config.D_target_nm2_per_ns,
        slope_tolerance=config.msd_slope_tolerance,
        friction_per_ps=friction_per_ps,
        min_window_ratio=config.msd_min_window_ratio,
    )
    return calibration, curve


def event_sample(events: pd.DataFrame, kind: str) -> CensoredSample:
    """Waiting times of one event kind as a :class:`CensoredSample` (durations in ps).

    Parameters
    ----------
    events : pandas.DataFrame
        An events table (columns ``synsoc.layout.EVENT_COLUMNS``).
    kind : str
        One of ``synsoc.layout.EVENT_KINDS``.

    Returns
    -------
    CensoredSample
        In table order, every row of that kind (zero durations included).
    """
    check_events(events)
    check_choice("kind", kind, EVENT_KINDS)
    rows = events[events["kind"] == kind]
    return CensoredSample(rows["duration_ps"].to_numpy(float), rows["censored"].to_numpy(bool))


def fit_events(
    events: pd.DataFrame, kind: str, config: KineticsConfig, *, seed_offset: int = 0
) -> SurvivalFit:
    """Censored fit of one event kind.

    Observed events of zero duration (already bound in the first frame) carry no
    waiting time and are excluded; the count is logged. The random stream is seeded
    with ``config.seed + seed_offset``.
    """
    sample = event_sample(events, kind)
    zero = sample.observed & (sample.durations <= 0)
    if zero.any():
        logger.info("%s: %d observed events of zero duration excluded", kind, int(zero.sum()))
        sample = CensoredSample(sample.durations[~zero], sample.censored[~zero])
    return fit_survival(
        sample,
        families=config.families,
        n_bootstrap=config.n_bootstrap,
        n_gof_bootstrap=config.n_gof_bootstrap,
        rng=config.seed + seed_offset,
    )


def fit_block(fit: SurvivalFit) -> dict[str, Any]:
    """The contract's FIT object (times in simulated ps) plus the GOF statistic."""
    best = fit.best
    lower = (
        fit.kaplan_meier.restricted_mean
        if fit.kaplan_meier is not None and fit.n_censored
        else None
    )
    return {
        "family": best.family if best else None,
        "params": dict(best.params) if best else {},
        "params_ci95": {k: list(v) for k, v in fit.params_ci95.items()},
        "mean_ps": best.mean() if best else None,
        "n_events": fit.n_events,
        "n_censored": fit.n_censored,
        "all_censored": fit.all_censored,
        "lower_bound_mean_ps": lower,
        "aic_table": fit.aic_table(),
        "ks_distance": fit.ks_distance,
        "gof_pvalue": fit.gof_pvalue,
    }


def bound_fraction(replicas: Sequence[ReplicaDistances], config: KineticsConfig) -> float:
    """Fraction of receptor-frames with at least one transmitter bound (hysteresis rule)."""
    bound_frames = 0
    total = 0
    for rep in replicas:
        if rep.time_ps.size == 0:
            continue
        receptor_bound = hysteresis_bound(rep.distance_nm, config.cutoffs).any(axis=1)
        bound_frames += int(receptor_bound.sum())
        total += receptor_bound.size
    if total == 0:
        raise ValueError("replicas hold no frames")
    return bound_frames / total


def _near_field_ms(fit: SurvivalFit, s: float) -> tuple[str, dict[str, float], str]:
    """Near-field first-passage law in physical ms (scale × s / PS_PER_MS)."""
    if fit.best is not None:
        params = dict(fit.best.params)
        params["scale"] = params["scale"] * s / PS_PER_MS
        return fit.best.family, params, "fit"
    if fit.kaplan_meier is None:
        raise ValueError("events: no first-passage events to bridge to the cleft scale")
    mean = fit.kaplan_meier.restricted_mean * s / PS_PER_MS
    logger.warning("no binding observed: near field taken as exponential with the lower-bound mean")
    return "expon", {"scale": mean}, "lower_bound_exponential"


def _cleft_block(cleft: CleftFPT, source: str) -> dict[str, Any]:
    return {
        "family": cleft.family,
        "params": cleft.params,
        "mean_ms": cleft.mean_ms,
        "median_ms": cleft.median_ms,
        "cleft_width_nm": cleft.cleft_width_nm,
        "D_nm2_per_ns": cleft.D_nm2_per_ns,
        "cdf_t_ms": cleft.cdf_t_ms.tolist(),
        "cdf": cleft.cdf.tolist(),
        "near_field_source": source,
    }


@dataclass(frozen=True)
class KineticsAnalysis:
    """The kinetics result: the JSON summary and the objects the figures need.

    Attributes
    ----------
    summary : dict
        Content of ``kinetics.json``.
    fits : dict of str to SurvivalFit
        Per event kind.
    msd : MSDCurve
    calibration : Calibration
    """

    summary: dict[str, Any]
    fits: dict[str, SurvivalFit]
    msd: MSDCurve
    calibration: Calibration


def build_kinetics(
    events: pd.DataFrame,
    replicas: Sequence[ReplicaDistances],
    config: KineticsConfig,
    provenance: Mapping[str, Any],
    *,
    friction_per_ps: float | None = None,
) -> KineticsAnalysis:
    """Everything of ``kinetics.json``.

    Parameters
    ----------
    events : pandas.DataFrame
        All events (columns ``EVENT_COLUMNS``).
    replicas : sequence of ReplicaDistances
        Per-replica distances and centres of mass (for calibration and occupancy).
    config : KineticsConfig
    provenance : Mapping
        ``synsoc.provenance.provenance(config)``.
    friction_per_ps : float, optional
        MD thermostat friction (1/ps) for the calibration's Langevin fallback.

    Returns
    -------
    KineticsAnalysis
        ``summary`` is JSON-ready; see ``docs/contracts.md``.
    """
    check_events(events)
    calibration, curve = calibrate(replicas, config, friction_per_ps=friction_per_ps)
    s = calibration.time_scale_factor
    fits = {
        kind: fit_events(events, kind, config, seed_offset=i) for i, kind in enumerate(EVENT_KINDS)
    }
    family, params_ms, source = _near_field_ms(fits["first_passage"], s)
    cleft = cleft_first_passage(
        family, params_ms, config.cleft_width_nm, config.D_target_nm2_per_ns, rng=config.seed
    )
    probability = float(
        np.interp(config.release_window_ms, cleft.cdf_t_ms, cleft.cdf, right=cleft.cdf[-1])
    )
    dwell = fits["dwell"]
    if dwell.best is not None and dwell.best.mean() is not None:
        mean_dwell_ps = dwell.best.mean()
    elif dwell.kaplan_meier is not None:
        mean_dwell_ps = dwell.kaplan_meier.restricted_mean
    else:
        logger.warning("no dwell observed: receptor_occupancy.mean_dwell_ms set to 0")
        mean_dwell_ps = 0.0
    result = {
        "schema_version": SCHEMA_VERSION,
        **{kind: fit_block(fits[kind]) for kind in EVENT_KINDS},
        "time_calibration": {
            "D_sim_nm2_per_ns": calibration.D_sim_nm2_per_ns,
            "D_sim_stderr_nm2_per_ns": calibration.D_sim_stderr_nm2_per_ns,
            "D_target_nm2_per_ns": calibration.D_target_nm2_per_ns,
            "time_scale_factor": s,
            "fit_window_ps": list(calibration.fit_window_ps),
            "n_molecules": calibration.n_molecules,
            "msd_dims": config.msd_dims,
            "method": calibration.method,
            "friction_per_ps": calibration.friction_per_ps,
        },
        "cleft_first_passage": _cleft_block(cleft, source),
        "release_binding_probability": {
            "window_ms": config.release_window_ms,
            "probability": probability,
        },
        "receptor_occupancy": {
            "mean_dwell_ms": mean_dwell_ps * s / PS_PER_MS,
            "bound_fraction": bound_fraction(replicas, config),
        },
        "simulated_ps_total": float(sum(r.time_ps[-1] for r in replicas if r.time_ps.size)),
        "provenance": dict(provenance),
    }
    return KineticsAnalysis(result, fits, curve, calibration)
