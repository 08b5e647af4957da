"""Markov-state-model cross-check of the binding rates (deeptime).

The nearest-receptor distance of each transmitter is cut into states: a *bound core*
``d < r_on``, bins across the hysteresis band ``r_on <= d < r_off``, bins of the
*unbound core* ``d >= r_off`` up to a cap, and one state for ``d >= cap``. One
discrete trajectory per (replica, transmitter) gives sliding-window transition counts
at lag τ (``deeptime.markov.TransitionCountEstimator``) and a reversible
maximum-likelihood MSM (``deeptime.markov.msm.MaximumLikelihoodMSM``) on the strongly
connected set that holds the bound core. Its mean first-passage times

* unbound core → bound core, started from the stationary distribution restricted to
  the unbound core: ``1 / k_on'``;
* bound core → unbound core: ``1 / k_off``,

are an estimate independent of the event bookkeeping of
:mod:`analysis.kinetics.rates`. Both agree when the two cores are metastable (a
transmitter that crossed ``r_off`` forgets where it came from before it rebinds); a
difference points to non-exponential (e.g. fast rebinding) kinetics or too short a
lag. The implied time scales over several lags show whether the lag is long enough
(they level off once the model is Markovian).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from deeptime.markov import TransitionCountEstimator, TransitionCountModel
from deeptime.markov.msm import MarkovStateModel, MaximumLikelihoodMSM

from analysis.kinetics.events import HysteresisCutoffs
from synsoc.validation import check_int_at_least, check_positive, finite_array

__all__ = [
    "MSMBindingTimes",
    "nearest_receptor_distances",
    "distance_state_edges",
    "discretize_distances",
    "implied_timescales_ps",
    "msm_binding_times",
]

logger = logging.getLogger(__name__)

BOUND_STATE = 0
"""Index of the bound core (d < r_on) in the discretisation."""

# Default cap: this quantile of all distances, at least one hysteresis band above r_off.
_CAP_QUANTILE = 0.95
_LAG_TOLERANCE = 1e-6

_NOTE = (
    "reversible maximum-likelihood MSM (deeptime) on the nearest-receptor distance: "
    "bound core d < r_on, unbound core d >= r_off; sliding counts at the lag on the "
    "strongly connected set that holds the bound core; MFPTs start from the stationary "
    "distribution restricted to the source core. 1/mfpt_on_ps compares with k_on' and "
    "1/mfpt_off_ps with k_off of the telegraph estimate when both cores are metastable."
)


@dataclass(frozen=True)
class MSMBindingTimes:
    """Mean first-passage times between the bound and unbound cores of an MSM.

    Attributes
    ----------
    mfpt_on_ps, mfpt_off_ps : float or None
        Unbound core → bound core and bound core → unbound core (simulated ps); None
        with the reason in ``unavailable``.
    lag_ps, frame_interval_ps : float
    edges_nm : tuple of float
        State boundaries (nm): state 0 is ``d < edges_nm[0] = r_on``, state i is
        ``edges_nm[i-1] <= d < edges_nm[i]``, the last ``d >= edges_nm[-1]`` (the cap).
    first_unbound_state : int
        States from this index on form the unbound core (lower edge >= r_off).
    n_states, n_active_states : int
        States of the discretisation and of the MSM's connected set.
    n_connected_sets : int
        Strongly connected sets of the count matrix at the lag (1: connected).
    n_trajectories : int
        Discrete trajectories, one per (replica, transmitter).
    count_total, count_active : float
        Sliding-window transition counts at the lag, all and within the active set.
    implied_timescales_ps : tuple of (float, tuple of float)
        (lag in ps, slowest implied time scales in ps) per lag.
    unavailable : dict of str to str
        Why a time is None.
    note : str
        The method in one paragraph.
    """

    mfpt_on_ps: float | None
    mfpt_off_ps: float | None
    lag_ps: float
    frame_interval_ps: float
    edges_nm: tuple[float, ...]
    first_unbound_state: int
    n_states: int
    n_active_states: int
    n_connected_sets: int
    n_trajectories: int
    count_total: float
    count_active: float
    implied_timescales_ps: tuple[tuple[float, tuple[float, ...]], ...]
    unavailable: dict[str, str] = field(default_factory=dict)
    note: str = _NOTE

    @property
    def active_set_fraction(self) -> float:
        """Fraction of the transition counts inside the active set."""
        return self.count_active / self.count_total if self.count_total else 0.0

    @property
    def k_on_prime_per_ps(self) -> float | None:
        """1 / mfpt_on_ps (1/ps), pseudo-first-order binding rate."""
        return None if self.mfpt_on_ps is None else 1.0 / self.mfpt_on_ps

    @property
    def k_off_per_ps(self) -> float | None:
        """1 / mfpt_off_ps (1/ps), unbinding rate."""
        return None if self.mfpt_off_ps is None else 1.0 / self.mfpt_off_ps

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping for ``kinetics.json`` (units in the key names)."""
        return {
            "mfpt_on_ps": self.mfpt_on_ps,
            "mfpt_off_ps": self.mfpt_off_ps,
            "k_on_prime_per_ps": self.k_on_prime_per_ps,
            "k_off_per_ps": self.k_off_per_ps,
            "lag_ps": float(self.lag_ps),
            "frame_interval_ps": float(self.frame_interval_ps),
            "edges_nm": [float(e) for e in self.edges_nm],
            "first_unbound_state": int(self.first_unbound_state),
            "n_states": int(self.n_states),
            "n_active_states": int(self.n_active_states),
            "n_connected_sets": int(self.n_connected_sets),
            "n_trajectories": int(self.n_trajectories),
            "count_total": float(self.count_total),
            "count_active": float(self.count_active),
            "active_set_fraction": float(self.active_set_fraction),
            "implied_timescales_ps": [
                {"lag_ps": float(lag), "timescales_ps": [float(t) for t in scales]}
                for lag, scales in self.implied_timescales_ps
            ],
            "unavailable": dict(self.unavailable),
            "note": self.note,
        }


def nearest_receptor_distances(distance_nm: np.ndarray) -> np.ndarray:
    """Distance of each transmitter to its nearest receptor.

    Parameters
    ----------
    distance_nm : np.ndarray, shape=(n_frames, n_transmitters, n_receptors)
        Pair distances (nm), e.g. ``ReplicaDistances.distance_nm``.

    Returns
    -------
    np.ndarray, shape=(n_frames, n_transmitters)
        Minimum over receptors (nm).
    """
    distance_nm = finite_array("distance_nm", distance_nm, ndim=3)
    if distance_nm.shape[2] == 0:
        raise ValueError("distance_nm has no receptor (shape[2] == 0)")
    return distance_nm.min(axis=2)


def distance_state_edges(
    r_on_nm: float,
    r_off_nm: float,
    *,
    cap_nm: float,
    n_states: int = 12,
    n_transition_bins: int = 4,
) -> np.ndarray:
    """State boundaries: bound core, bins across [r_on, r_off), bins up to the cap.

    Parameters
    ----------
    r_on_nm, r_off_nm : float
        Hysteresis cut-offs (nm); ``r_on_nm < r_off_nm``.
    cap_nm : float
        Upper edge of the last bin (nm, > r_off_nm); beyond it is one state.
    n_states : int
        Number of states (>= n_transition_bins + 3).
    n_transition_bins : int
        Equal bins between r_on and r_off (>= 1).

    Returns
    -------
    np.ndarray, shape=(n_states - 1,)
        Increasing edges (nm), the first r_on, then r_off at index n_transition_bins,
        the last cap_nm.
    """
    cutoffs = HysteresisCutoffs(r_on_nm=r_on_nm, r_off_nm=r_off_nm)
    check_int_at_least("n_transition_bins", n_transition_bins, 1)
    check_int_at_least("n_states", n_states, n_transition_bins + 3)
    if not np.isfinite(cap_nm) or cap_nm <= r_off_nm:
        raise ValueError(f"cap_nm must be finite and > r_off_nm={r_off_nm}, got {cap_nm}")
    band = np.linspace(cutoffs.r_on_nm, cutoffs.r_off_nm, n_transition_bins + 1)
    n_unbound_bins = n_states - 2 - n_transition_bins
    beyond = np.linspace(cutoffs.r_off_nm, cap_nm, n_unbound_bins + 1)[1:]
    return np.concatenate((band, beyond))


def discretize_distances(
    nearest_distance_nm: Sequence[np.ndarray], edges_nm: np.ndarray
) -> list[np.ndarray]:
    """One discrete trajectory per (replica, transmitter).

    Parameters
    ----------
    nearest_distance_nm : sequence of np.ndarray, shape=(n_frames, n_transmitters)
        Nearest-receptor distance series per replica (nm).
    edges_nm : np.ndarray
        From :func:`distance_state_edges`.

    Returns
    -------
    list of np.ndarray, dtype=int32
        State per frame, replica-major then transmitter order.
    """
    edges_nm = finite_array("edges_nm", edges_nm, ndim=1, min_size=1)
    if np.any(np.diff(edges_nm) <= 0):
        raise ValueError("edges_nm must be strictly increasing")
    dtrajs = []
    for k, series in enumerate(nearest_distance_nm):
        series = finite_array(f"nearest_distance_nm[{k}]", series, ndim=2)
        states = np.searchsorted(edges_nm, series, side="right").astype(np.int32)
        dtrajs.extend(np.ascontiguousarray(states[:, j]) for j in range(states.shape[1]))
    return dtrajs


def _lag_frames(lag_ps: float, frame_interval_ps: float, name: str) -> int:
    check_positive(name, lag_ps)
    frames = round(lag_ps / frame_interval_ps)
    if frames < 1 or abs(frames * frame_interval_ps - lag_ps) > _LAG_TOLERANCE * lag_ps:
        raise ValueError(
            f"{name} must be a whole number (>= 1) of frame intervals "
            f"({frame_interval_ps:g} ps), got {lag_ps!r}"
        )
    return frames


def _count_model(dtrajs: list[np.ndarray], lag: int, n_states: int) -> TransitionCountModel:
    longest = max(len(d) for d in dtrajs)
    if longest <= lag:
        raise ValueError(
            f"lag of {lag} frames is not shorter than the longest trajectory ({longest})"
        )
    estimator = TransitionCountEstimator(lagtime=lag, count_mode="sliding", n_states=n_states)
    return estimator.fit_fetch(dtrajs)


def _reversible_msm(counts: TransitionCountModel, states: np.ndarray) -> MarkovStateModel:
    return MaximumLikelihoodMSM(reversible=True).fit_fetch(counts.submodel(states))


def implied_timescales_ps(
    dtrajs: Sequence[np.ndarray],
    lags_frames: Sequence[int],
    frame_interval_ps: float,
    *,
    n_states: int,
    n_timescales: int = 3,
) -> tuple[tuple[float, tuple[float, ...]], ...]:
    """Slowest implied time scales of reversible MSMs over several lags.

    Each lag uses the largest strongly connected set of its count matrix.

    Parameters
    ----------
    dtrajs : sequence of np.ndarray, dtype=int
        Discrete trajectories (states 0 .. n_states - 1).
    lags_frames : sequence of int
        Lags in frames (each >= 1 and shorter than the longest trajectory).
    frame_interval_ps : float
        Time between frames (ps).
    n_states : int
        Number of states of the discretisation.
    n_timescales : int
        Time scales kept per lag (fewer when the connected set is small).

    Returns
    -------
    tuple of (float, tuple of float)
        (lag in ps, time scales in ps, slowest first) per lag.
    """
    check_positive("frame_interval_ps", frame_interval_ps)
    check_int_at_least("n_timescales", n_timescales, 1)
    dtrajs = list(dtrajs)
    if not dtrajs:
        raise ValueError("dtrajs is empty")
    result = []
    for lag in lags_frames:
        check_int_at_least("lags_frames entry", lag, 1)
        counts = _count_model(dtrajs, int(lag), n_states)
        largest = counts.connected_sets(directed=True)[0]
        if largest.size < 2:
            scales: tuple[float, ...] = ()
        else:
            msm = _reversible_msm(counts, largest)
            k = min(n_timescales, largest.size - 1)
            scales = tuple(float(t) * frame_interval_ps for t in msm.timescales(k))
        result.append((float(lag) * frame_interval_ps, scales))
    return tuple(result)


def _default_its_lags(lag: int, longest: int) -> list[int]:
    """Lags around the chosen one: lag/4 ... 4 lag, within the trajectory length."""
    candidates = {max(1, lag // 4), max(1, lag // 2), lag, 2 * lag, 4 * lag}
    return sorted(c for c in candidates if c < longest)


def _cores_missing_reason(histogram: np.ndarray, first_unbound: int) -> str | None:
    if histogram[BOUND_STATE] == 0:
        return "no frame with d < r_on: no binding observed"
    if histogram[first_unbound:].sum() == 0:
        return "no frame with d >= r_off: no transmitter was ever unbound"
    return None


def msm_binding_times(
    nearest_distance_nm: Sequence[np.ndarray],
    frame_interval_ps: float,
    r_on_nm: float,
    r_off_nm: float,
    *,
    lag_ps: float,
    its_lags_ps: Sequence[float] | None = None,
    n_states: int = 12,
    n_transition_bins: int = 4,
    cap_nm: float | None = None,
) -> MSMBindingTimes:
    """Binding and unbinding mean first-passage times from a reversible MSM.

    Parameters
    ----------
    nearest_distance_nm : sequence of np.ndarray, shape=(n_frames, n_transmitters)
        Nearest-receptor distance per replica (nm); see
        :func:`nearest_receptor_distances`.
    frame_interval_ps : float
        Time between frames (ps), the same for every replica.
    r_on_nm, r_off_nm : float
        Hysteresis cut-offs (nm): bound core d < r_on, unbound core d >= r_off.
    lag_ps : float
        MSM lag (ps), a whole number of frames.
    its_lags_ps : sequence of float or None
        Lags (ps) of the implied-time-scale check; None: lag/4, lag/2, lag, 2 lag,
        4 lag (those shorter than the longest trajectory).
    n_states, n_transition_bins : int
        Discretisation (:func:`distance_state_edges`). The band between the cut-offs
        holds the barrier, where coarse bins make the model non-Markovian: in a 1D
        double well (tests) 2 band bins gave a slowest implied time scale 7 % short at
        a lag of 1 ps, 4 bins 3 %.
    cap_nm : float or None
        Upper edge of the last distance bin (nm); None: the 95th percentile of all
        distances, at least r_off + (r_off - r_on).

    Returns
    -------
    MSMBindingTimes

    Notes
    -----
    The MSM resolves a first passage only at multiples of the lag, so its MFPTs
    exceed the continuous-time ones by about ``lag / 2 * (1 + k_back / k)`` (exact for
    a two-state process); choose a lag short against the MFPTs but long enough for the
    implied time scales to level off.
    """
    check_positive("frame_interval_ps", frame_interval_ps)
    lag = _lag_frames(lag_ps, frame_interval_ps, "lag_ps")
    series = [
        finite_array(f"nearest_distance_nm[{k}]", s, ndim=2)
        for k, s in enumerate(nearest_distance_nm)
    ]
    if not series or all(s.size == 0 for s in series):
        raise ValueError("nearest_distance_nm holds no distances")
    if cap_nm is None:
        pooled = np.concatenate([s.ravel() for s in series])
        cap_nm = max(float(np.quantile(pooled, _CAP_QUANTILE)), 2 * r_off_nm - r_on_nm)
    edges = distance_state_edges(
        r_on_nm, r_off_nm, cap_nm=cap_nm, n_states=n_states, n_transition_bins=n_transition_bins
    )
    first_unbound = n_transition_bins + 1
    dtrajs = discretize_distances(series, edges)
    counts = _count_model(dtrajs, lag, n_states)
    sets = counts.connected_sets(directed=True)
    active = next((s for s in sets if BOUND_STATE in s), sets[0])
    unavailable: dict[str, str] = {}
    reason = _cores_missing_reason(
        np.bincount(np.concatenate(dtrajs), minlength=n_states), first_unbound
    )
    if reason is None and not np.any(active >= first_unbound):
        reason = (
            f"bound core not strongly connected to the unbound core at lag {lag_ps:g} ps "
            f"({len(sets)} connected sets): no binding-unbinding round trip observed"
        )
    mfpt_on = mfpt_off = None
    if reason is None:
        msm = _reversible_msm(counts, active)
        symbols = msm.count_model.state_symbols
        bound = np.flatnonzero(symbols == BOUND_STATE)
        unbound = np.flatnonzero(symbols >= first_unbound)
        mfpt_on = float(msm.mfpt(unbound, bound)) * frame_interval_ps
        mfpt_off = float(msm.mfpt(bound, unbound)) * frame_interval_ps
    else:
        unavailable["mfpt_on_ps"] = unavailable["mfpt_off_ps"] = reason
        logger.warning("MSM binding times unavailable: %s", reason)
    longest = max(len(d) for d in dtrajs)
    its_lags = (
        _default_its_lags(lag, longest)
        if its_lags_ps is None
        else [_lag_frames(t, frame_interval_ps, "its_lags_ps entry") for t in its_lags_ps]
    )
    count_matrix = counts.count_matrix
    return MSMBindingTimes(
        mfpt_on_ps=mfpt_on,
        mfpt_off_ps=mfpt_off,
        lag_ps=lag * frame_interval_ps,
        frame_interval_ps=float(frame_interval_ps),
        edges_nm=tuple(float(e) for e in edges),
        first_unbound_state=first_unbound,
        n_states=n_states,
        n_active_states=int(active.size),
        n_connected_sets=len(sets),
        n_trajectories=len(dtrajs),
        count_total=float(count_matrix.sum()),
        count_active=float(count_matrix[np.ix_(active, active)].sum()),
        implied_timescales_ps=implied_timescales_ps(
            dtrajs, its_lags, frame_interval_ps, n_states=n_states
        ),
        unavailable=unavailable,
    )
