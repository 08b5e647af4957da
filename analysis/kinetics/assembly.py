"""Assemble ``kinetics.json``: fits per event kind, time calibration and its validity,
binding rates with units and the Markov-state-model cross-check.

The JSON layout is the contract in ``docs/contracts.md`` (schema_version 2). Fitted
families are scipy.stats names with the location fixed at 0; ``scale`` is in ps in
the ``first_passage`` / ``dwell`` / ``rebinding`` blocks (simulated time; physical
time = simulated time × ``time_scale_factor``).

Physical times exist only where they are meaningful: the time calibration must be
valid (a diffusive MSD regime, :mod:`analysis.kinetics.calibration`) and each event
kind must pass its rescaling check (:mod:`analysis.kinetics.rescaling`). Blocks that
cannot be computed carry ``{"status": "omitted", "reason": ...}`` instead of numbers.
With an events table alone (no trajectories) the calibration and the MSM are omitted
that way and the fits and simulated-time rates are still written. The cleft-to-receptor
physics (cleft transient with the calibrated D, receptors driven by k_on, k_off) is the
synapse-response stage's (``network.synapse_response``, docs/synapse.md).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
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
from analysis.kinetics.config import KineticsConfig
from analysis.kinetics.events import hysteresis_bound
from analysis.kinetics.extraction import ReplicaDistances
from analysis.kinetics.msm import msm_binding_times, nearest_receptor_distances
from analysis.kinetics.rates import (
    BindingRates,
    estimate_binding_rates,
    receptor_concentration_molar,
    smoluchowski_rate_M_per_s,
)
from analysis.kinetics.rescaling import (
    BOLTZMANN_KJ_PER_MOL_K,
    KindRescaling,
    mean_free_path_nm,
    not_rescaled,
    rescaling_checks,
)
from analysis.kinetics.survival import SurvivalFit, fit_survival
from synsoc.errors import KineticsError
from synsoc.layout import EVENT_COLUMNS, EVENT_KINDS, EVENT_RESOLUTION_COLUMN
from synsoc.validation import check_choice

__all__ = [
    "SCHEMA_VERSION",
    "MDContext",
    "md_context",
    "calibrate",
    "check_events",
    "event_sample",
    "event_resolution_ps",
    "fit_events",
    "fit_block",
    "bound_distance_std_nm",
    "KineticsAnalysis",
    "build_kinetics",
    "msm_block",
    "omitted",
]

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 2


_NO_TRAJECTORIES = "no trajectories (events table alone)"
"""Why a block that needs the distance time series is omitted."""


def omitted(reason: str) -> dict[str, str]:
    """The block written in place of one that cannot be computed."""
    return {"status": "omitted", "reason": reason}


@dataclass(frozen=True)
class MDContext:
    """What the kinetics needs to know about the simulation that made the events.

    Attributes
    ----------
    momentum_relaxation_ps : float or None
        1/γ of the Langevin thermostat (ps), when the thermostat is the only friction
        (implicit solvent). ``None`` in explicit solvent, where collisions with water
        relax the momentum faster; the Einstein relation τ_p = M D_sim / kT is used then.
    mass_amu : float or None
        Mass of one transmitter (amu).
    temperature_K : float or None
    receptor_molar : float or None
        Concentration of receptor molecules in the simulated volume (mol/L).
    walls : bool
        The transmitters move in the MD slab between flat-bottom walls (build.json
        gives its lateral size); False: free diffusion (trajectories from elsewhere).
    """

    momentum_relaxation_ps: float | None = None
    mass_amu: float | None = None
    temperature_K: float | None = None
    receptor_molar: float | None = None
    walls: bool = False

    def einstein_relaxation_ps(self, D_nm2_per_ns: float) -> float | None:
        """τ_p = M D / kT (ps) from a measured D (1 kJ/g = 1 nm²/ps²), or None."""
        if self.mass_amu is None or self.temperature_K is None:
            return None
        kT = BOLTZMANN_KJ_PER_MOL_K * self.temperature_K
        return self.mass_amu * D_nm2_per_ns / 1000.0 / kT


def _positive(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if np.isfinite(number) and number > 0 else None


def md_context(build: Mapping[str, Any] | None) -> MDContext:
    """The :class:`MDContext` of an MD stage ``build.json`` (missing keys -> None).

    The receptor concentration counts receptor molecules in the slab volume
    lateral_nm² × cleft_height_nm. In explicit solvent the thermostat friction is not
    the momentum relaxation rate (see :class:`MDContext`).
    """
    if not build:
        return MDContext()
    friction = _positive(build.get("friction_per_ps"))
    if build.get("solvent") == "explicit":
        friction = None  # water, not the thermostat, sets the momentum relaxation
    receptors = build.get("receptors")
    lateral, height = _positive(build.get("lateral_nm")), _positive(build.get("cleft_height_nm"))
    molar = None
    if isinstance(receptors, list) and receptors and lateral and height:
        molar = receptor_concentration_molar(len(receptors), lateral * lateral * height)
    return MDContext(
        momentum_relaxation_ps=None if friction is None else 1.0 / friction,
        mass_amu=_positive(build.get("transmitter_mass_amu")),
        temperature_K=_positive(build.get("temperature_K")),
        receptor_molar=molar,
        walls=lateral is not None,
    )


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
    momentum_relaxation_ps: float | None = None,
    walls: bool = True,
) -> tuple[Calibration, MSDCurve]:
    """D_sim from the MSD of transmitter centres of mass pooled over replicas.

    Replicas are truncated to the shortest one so every molecule shares the lags;
    they must share the frame interval. ``momentum_relaxation_ps`` (1/γ of the MD
    thermostat, from build.json) places the start of the diffusive window. With
    ``walls`` (the MD slab) the MSD is modelled between walls, unless a centre of mass
    crossed a periodic boundary along the MSD axes, which walls would have prevented;
    otherwise as free diffusion.

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
    positions, bound, crossed = [], [], False
    for rep in replicas:
        box = rep.box_nm[:n] if rep.box_nm.size else rep.box_nm
        positions.append(unwrap(rep.com_nm[:n], box))
        moved = (
            positions[-1][..., list(config.msd_axes)] - rep.com_nm[:n][..., list(config.msd_axes)]
        )
        crossed |= bool(np.any(np.abs(moved) > 1e-6))
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
        confined=walls and not crossed,
    )
    calibration = fit_diffusion(
        curve,
        config.D_target_nm2_per_ns,
        momentum_relaxation_ps=momentum_relaxation_ps,
        start_factor=config.msd_start_factor,
        slope_tolerance=config.msd_slope_tolerance,
        min_window_ratio=config.msd_min_window_ratio,
        max_rel_rms=config.msd_max_rel_rms,
    )
    return calibration, curve


def event_resolution_ps(events: pd.DataFrame) -> float:
    """The time grid of an events table (ps): its largest ``resolution_ps``, 0 if absent."""
    if EVENT_RESOLUTION_COLUMN not in events.columns or events.empty:
        return 0.0
    return float(events[EVENT_RESOLUTION_COLUMN].max())


def _bound_at_release(rows: pd.DataFrame) -> np.ndarray:
    """First passages already bound in the first frame (observed, duration 0)."""
    return (
        (rows["kind"] == "first_passage").to_numpy()
        & ~rows["censored"].to_numpy(bool)
        & (rows["duration_ps"].to_numpy(float) <= 0)
    )


def event_sample(events: pd.DataFrame, kind: str) -> CensoredSample:
    """Waiting times of one event kind as a :class:`CensoredSample` (durations in ps).

    The sample carries the table's time grid (``resolution_ps``; first passages start
    exactly at release, dwells and rebindings between frames) and one cluster per
    (replica, transmitter) for the cluster bootstrap. First passages already bound at
    release (duration 0) cannot be timed and are left out; :func:`fit_events` counts them.

    Parameters
    ----------
    events : pandas.DataFrame
        An events table (columns ``synsoc.layout.EVENT_COLUMNS``).
    kind : str
        One of ``synsoc.layout.EVENT_KINDS``.

    Returns
    -------
    CensoredSample
        In table order.
    """
    check_events(events)
    check_choice("kind", kind, EVENT_KINDS)
    rows = events[events["kind"] == kind]
    rows = rows[~_bound_at_release(rows)]
    clusters = pd.MultiIndex.from_arrays([rows["replica"], rows["transmitter"]]).codes
    codes = (
        np.asarray(clusters[0], dtype=np.int64) * (int(rows["transmitter"].max()) + 1)
        + np.asarray(clusters[1], dtype=np.int64)
        if len(rows)
        else np.zeros(0, dtype=np.int64)
    )
    return CensoredSample(
        rows["duration_ps"].to_numpy(float),
        rows["censored"].to_numpy(bool),
        resolution=event_resolution_ps(events),
        exact_start=kind == "first_passage",
        clusters=codes,
    )


def fit_events(
    events: pd.DataFrame, kind: str, config: KineticsConfig, *, seed_offset: int = 0
) -> SurvivalFit:
    """Censored, interval-censored fit of one event kind (:func:`event_sample`).

    The random stream is seeded with ``config.seed + seed_offset``.
    """
    sample = event_sample(events, kind)
    return fit_survival(
        sample,
        families=config.families,
        n_bootstrap=config.n_bootstrap,
        n_gof_bootstrap=config.n_gof_bootstrap,
        rng=config.seed + seed_offset,
    )


def fit_block(fit: SurvivalFit) -> dict[str, Any]:
    """The contract's FIT object (times in simulated ps) plus the GOF statistic.

    ``mean_ps`` is the fitted family's mean (``None`` when infinite or nothing was
    fitted); ``lower_bound_mean_ps`` is the Kaplan–Meier restricted mean when some
    observations are censored (a lower bound, never reported as the mean).
    """
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


def bound_distance_std_nm(
    replicas: Sequence[ReplicaDistances], config: KineticsConfig
) -> float | None:
    """Standard deviation of the binding distance over bound pair-frames (nm), or None.

    The spread of the well the dwells escape from (:func:`rescaling_checks`).
    """
    values = [
        rep.distance_nm[hysteresis_bound(rep.distance_nm, config.cutoffs)]
        for rep in replicas
        if rep.time_ps.size
    ]
    pooled = np.concatenate(values) if values else np.zeros(0)
    return float(np.std(pooled, ddof=1)) if pooled.size >= 2 else None


@dataclass(frozen=True)
class KineticsAnalysis:
    """The kinetics result: the JSON summary and the objects the figures need.

    Attributes
    ----------
    summary : dict
        Content of ``kinetics.json``.
    fits : dict of str to SurvivalFit
        Per event kind.
    msd : MSDCurve or None
        ``None`` with an events table alone.
    calibration : Calibration or None
        ``None`` with an events table alone.
    rates : BindingRates
    """

    summary: dict[str, Any]
    fits: dict[str, SurvivalFit]
    msd: MSDCurve | None
    calibration: Calibration | None
    rates: BindingRates


def _rates(
    events: pd.DataFrame,
    config: KineticsConfig,
    calibration: Calibration | None,
    rescaling: Mapping[str, KindRescaling],
    receptor_molar: float | None,
) -> BindingRates:
    """Telegraph rates; physical k_on / k_off only for kinds that may be rescaled."""
    search_ok = rescaling["first_passage"].rescaled and rescaling["rebinding"].rescaled
    s = calibration.time_scale_factor if calibration is not None and search_ok else None
    s_err = calibration.time_scale_factor_stderr if s is not None else None
    rates = estimate_binding_rates(
        events,
        resolution_ps=event_resolution_ps(events),
        receptor_molar=receptor_molar,
        time_scale_factor=s,
        time_scale_factor_stderr=s_err,
        n_bootstrap=config.n_bootstrap,
        rng=config.seed + len(EVENT_KINDS),
    )
    if rates.k_off_per_s is not None and not rescaling["dwell"].rescaled:
        reason = f"dwells are not rescaled to physical time: {rescaling['dwell'].criterion}"
        rates = replace(
            rates, k_off_per_s=None, unavailable={**rates.unavailable, "k_off_per_s": reason}
        )
    if s is None and rates.k_on_per_M_per_s is None and "k_on_per_M_per_s" not in rates.unavailable:
        reason = (
            "first passages are not rescaled to physical time: "
            + rescaling["first_passage"].criterion
        )
        rates = replace(rates, unavailable={**rates.unavailable, "k_on_per_M_per_s": reason})
    return rates


def msm_block(
    replicas: Sequence[ReplicaDistances], config: KineticsConfig, rates: BindingRates
) -> dict[str, Any]:
    """The deeptime Markov-state-model cross-check beside the direct (telegraph) rates.

    ``agreement`` gives, per direction, the MSM rate over the telegraph rate and whether
    the MSM rate lies inside the telegraph's 95 % CI; ``markov_check`` whether the
    slowest implied time scale has levelled off at the lag.
    """
    n = min(r.time_ps.size for r in replicas)
    frame_ps = frame_interval_ps(replicas[0].time_ps[:n])
    lag_frames = max(1, round(config.msm_lag_ps / frame_ps))
    if n <= 2 * lag_frames:
        return omitted(f"replicas of {n} frames are too short for an MSM lag of {lag_frames}")
    msm = msm_binding_times(
        [nearest_receptor_distances(r.distance_nm[:n]) for r in replicas],
        frame_ps,
        config.r_on_nm,
        config.r_off_nm,
        lag_ps=lag_frames * frame_ps,
        n_states=config.msm_n_states,
    )
    block = msm.to_dict()
    agreement = {}
    for key, rate in (
        ("k_on_prime_per_ps", rates.k_on_prime_per_ps),
        ("k_off_per_ps", rates.k_off_per_ps),
    ):
        value = block.get(key)
        if value is None or rate is None or not rate.value > 0:
            continue
        inside = None if rate.ci95 is None else bool(rate.ci95[0] <= value <= rate.ci95[1])
        agreement[key] = {"msm_over_direct": value / rate.value, "msm_inside_direct_ci95": inside}
    block["agreement"] = agreement
    block["markov_check"] = _markov_check(block["implied_timescales_ps"], block["lag_ps"])
    return block


def _markov_check(its: Sequence[Mapping[str, Any]], lag_ps: float) -> dict[str, Any]:
    """Whether the slowest implied time scale has levelled off at the MSM lag.

    A Markovian model gives the same time scale at lag τ and 2τ; a rise of more than
    10 % means the cross-check's passage times are indicative only.
    """
    slowest = {
        round(float(row["lag_ps"]), 9): row["timescales_ps"][0]
        for row in its
        if row.get("timescales_ps")
    }
    at_lag, at_double = slowest.get(round(lag_ps, 9)), slowest.get(round(2 * lag_ps, 9))
    if at_lag is None or at_double is None or not at_lag > 0:
        return {
            "relative_change": None,
            "markovian": None,
            "note": "no time scale at lag and 2 lag",
        }
    change = at_double / at_lag - 1.0
    return {
        "relative_change": change,
        "markovian": bool(abs(change) <= 0.1),
        "note": "slowest implied time scale at 2 lag over that at lag, minus 1 (<= 0.1: Markovian)",
    }


def build_kinetics(
    events: pd.DataFrame,
    replicas: Sequence[ReplicaDistances] | None,
    config: KineticsConfig,
    provenance: Mapping[str, Any],
    *,
    md: MDContext | None = None,
) -> KineticsAnalysis:
    """Everything of ``kinetics.json``.

    Parameters
    ----------
    events : pandas.DataFrame
        All events (columns ``EVENT_COLUMNS``, optionally ``resolution_ps``).
    replicas : sequence of ReplicaDistances or None
        Per-replica distances and centres of mass (calibration, Kramers check, MSM).
        ``None`` or empty: an events table alone; the calibration and the MSM are
        omitted (and say so).
    config : KineticsConfig
    provenance : Mapping
        ``synsoc.provenance.provenance(config)``.
    md : MDContext, optional
        Friction, transmitter mass, temperature and receptor concentration of the
        simulation (:func:`md_context` of build.json); missing values switch off what
        needs them, with the reason in the JSON.

    Returns
    -------
    KineticsAnalysis
        ``summary`` is JSON-ready; see ``docs/contracts.md``.
    """
    check_events(events)
    md = md or MDContext()
    replicas = list(replicas or [])
    fits = {
        kind: fit_events(events, kind, config, seed_offset=i) for i, kind in enumerate(EVENT_KINDS)
    }
    fp_rows = events[events["kind"] == "first_passage"]
    n_at_release = int(_bound_at_release(fp_rows).sum())
    if n_at_release:
        logger.warning(
            "%d transmitter(s) already bound at release (frame 0): not timed, left out of the "
            "first-passage fit",
            n_at_release,
        )
    blocks = {kind: fit_block(fits[kind]) for kind in EVENT_KINDS}
    blocks["first_passage"]["n_bound_at_release"] = n_at_release
    calibration = curve = None
    if replicas:
        calibration, curve = calibrate(
            replicas, config, momentum_relaxation_ps=md.momentum_relaxation_ps, walls=md.walls
        )
        tau_p, tau_source = md.momentum_relaxation_ps, "thermostat 1/gamma"
        if tau_p is None and calibration.valid:
            tau_p = md.einstein_relaxation_ps(calibration.D_sim_nm2_per_ns)
            tau_source = "Einstein relation M D_sim / kT"
        checks = rescaling_checks(
            calibration_valid=calibration.valid,
            momentum_relaxation_ps=tau_p,
            mass_amu=md.mass_amu,
            temperature_K=md.temperature_K,
            capture_radius_nm=config.r_on_nm,
            bound_distance_std_nm=bound_distance_std_nm(replicas, config),
            max_bias=config.max_rescaling_bias,
        )
        calibration_block = calibration.to_dict()
        calibration_block["msd_dims"] = config.msd_dims
        if tau_p and md.mass_amu and md.temperature_K:
            calibration_block["mean_free_path_nm"] = mean_free_path_nm(
                tau_p, md.mass_amu, md.temperature_K
            )
            calibration_block["momentum_relaxation_source"] = tau_source
        calibration_block["rescaling"] = {k: c.to_dict() for k, c in checks.items()}
    else:
        checks = not_rescaled(_NO_TRAJECTORIES)
        calibration_block = omitted(f"{_NO_TRAJECTORIES}: no MSD to calibrate time with")
    rates = _rates(events, config, calibration, checks, md.receptor_molar)
    result = {
        "schema_version": SCHEMA_VERSION,
        **blocks,
        "time_calibration": calibration_block,
        "msm": msm_block(replicas, config, rates)
        if replicas
        else omitted(f"{_NO_TRAJECTORIES}: the MSM needs the distance time series"),
        "binding_rates": {
            **rates.to_dict(),
            "smoluchowski_reference_M_per_s": smoluchowski_rate_M_per_s(
                config.D_target_nm2_per_ns, config.r_on_nm
            ),
            "smoluchowski_reference_note": (
                "diffusion-limited 4 pi D a N_A of one absorbing sphere, D = D_target, a = r_on"
            ),
        },
        "simulated_ps_total": float(sum(r.time_ps[-1] for r in replicas if r.time_ps.size)),
        "provenance": dict(provenance),
    }
    return KineticsAnalysis(result, fits, curve, calibration, rates)
