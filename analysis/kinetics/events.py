"""Binding events from transmitter–receptor distances with a two-cut-off (hysteresis) rule.

A (transmitter, receptor) pair becomes *bound* when its distance drops below ``r_on``
and *unbound* only when it rises above ``r_off > r_on``; in between it keeps its
previous state, so thermal flicker around one cut-off is not counted as events.
Every pair starts unbound at release (t = 0, frame 0) unless frame 0 is already
below ``r_on``.

Events (one tidy table, durations in ps):

* ``first_passage`` — release (t = 0) to the first binding of the transmitter to any
  receptor; ``receptor`` is the receptor it bound (``-1`` and ``censored`` when the
  run ended first).
* ``dwell`` — one bound interval of one pair; ``censored`` when still bound at the end.
* ``rebinding`` — from the transmitter leaving its last bound receptor (bound to none)
  to its next binding to any receptor; ``censored`` when the run ended first.

Distances come from one ``mdtraj.compute_distances`` call over all atom pairs (laid
out in equal-size blocks by :func:`atom_pairs_for_groups`), reduced to the minimum per
molecule pair along the block axis.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import mdtraj as md
import numpy as np
import pandas as pd

from analysis.kinetics.calibration import frame_interval_ps
from synsoc.layout import EVENT_RESOLUTION_COLUMN
from synsoc.validation import check_positive, finite_array

__all__ = [
    "HysteresisCutoffs",
    "atom_pairs_for_groups",
    "group_atoms_by_molecule",
    "pair_min_distances",
    "hysteresis_bound",
    "events_from_distances",
    "empty_events",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class HysteresisCutoffs:
    """Two distance cut-offs of the binding rule.

    Attributes
    ----------
    r_on_nm : float
        Bind when the distance drops below this (nm).
    r_off_nm : float
        Unbind when the distance rises above this (nm); must exceed ``r_on_nm``.
    """

    r_on_nm: float
    r_off_nm: float

    def __post_init__(self) -> None:
        check_positive("r_on_nm", self.r_on_nm)
        if not np.isfinite(self.r_off_nm) or self.r_off_nm <= self.r_on_nm:
            raise ValueError(
                f"r_off_nm must be finite and > r_on_nm={self.r_on_nm}, got {self.r_off_nm}"
            )


def group_atoms_by_molecule(topology: md.Topology, atom_indices: np.ndarray) -> list[np.ndarray]:
    """Split selected atoms into one group per molecule (bonded component).

    Parameters
    ----------
    topology : mdtraj.Topology
    atom_indices : np.ndarray, shape=(n_atoms,), dtype=int
        Selected atoms (e.g. from ``topology.select``).

    Returns
    -------
    list of np.ndarray
        Sorted atom indices per molecule that holds at least one selected atom,
        ordered by their first atom.
    """
    atom_indices = finite_array("atom_indices", atom_indices, ndim=1, dtype=int)
    molecule_of = np.empty(topology.n_atoms, dtype=int)
    for number, molecule in enumerate(topology.find_molecules()):
        molecule_of[[atom.index for atom in molecule]] = number
    groups: dict[int, list[int]] = {}
    for index in np.unique(atom_indices):
        groups.setdefault(int(molecule_of[index]), []).append(int(index))
    ordered = sorted(groups.values(), key=lambda atoms: atoms[0])
    return [np.asarray(atoms, dtype=int) for atoms in ordered]


def atom_pairs_for_groups(
    transmitters: Sequence[np.ndarray], receptors: Sequence[np.ndarray]
) -> tuple[np.ndarray, int]:
    """Atom pairs of every (transmitter, receptor) molecule pair, in equal-size blocks.

    Parameters
    ----------
    transmitters, receptors : sequence of np.ndarray, dtype=int
        Atom indices of each molecule (non-empty).

    Returns
    -------
    pairs : np.ndarray, shape=(block * n_transmitters * n_receptors, 2), dtype=int
        Row j * n_pairs + k holds the j-th atom pair of molecule pair
        k = transmitter * n_receptors + receptor (atom-pair index slowest, so the
        minimum over a molecule pair reduces contiguous rows of molecule pairs).
        Molecule pairs with fewer atom pairs repeat their first one, which leaves
        the minimum unchanged.
    block : int
        Atom pairs per molecule pair (the largest count).
    """
    if len(transmitters) == 0:
        raise ValueError("transmitters must hold at least one atom group")
    if len(receptors) == 0:
        raise ValueError("receptors must hold at least one atom group")
    for name, groups in (("transmitters", transmitters), ("receptors", receptors)):
        if any(len(group) == 0 for group in groups):
            raise ValueError(f"{name} holds an empty atom group")
    block = max(len(t) for t in transmitters) * max(len(r) for r in receptors)
    blocks = []
    for tm_atoms in transmitters:
        for rc_atoms in receptors:
            grid = np.stack(np.meshgrid(tm_atoms, rc_atoms, indexing="ij"), axis=-1).reshape(-1, 2)
            pad = np.repeat(grid[:1], block - len(grid), axis=0)
            blocks.append(np.concatenate((grid, pad)))
    return np.stack(blocks, axis=1).reshape(-1, 2).astype(int), block


def pair_min_distances(
    trajectory: md.Trajectory,
    transmitters: Sequence[np.ndarray],
    receptors: Sequence[np.ndarray],
    *,
    periodic: bool = True,
) -> np.ndarray:
    """Minimum atom–atom distance of every (transmitter, receptor) molecule pair per frame.

    Parameters
    ----------
    trajectory : mdtraj.Trajectory
    transmitters, receptors : sequence of np.ndarray, dtype=int
        Atom indices of each molecule's distance atoms.
    periodic : bool
        Minimum-image distances when the trajectory has a unit cell.

    Returns
    -------
    np.ndarray, shape=(n_frames, n_transmitters, n_receptors), dtype=float32
        Distances in nm.
    """
    pairs, block = atom_pairs_for_groups(transmitters, receptors)
    distances = md.compute_distances(trajectory, pairs, periodic=periodic)
    n_tm, n_rc = len(transmitters), len(receptors)
    reduced = distances.reshape(trajectory.n_frames, block, n_tm * n_rc).min(axis=1)
    return reduced.reshape(trajectory.n_frames, n_tm, n_rc)


def hysteresis_bound(distance_nm: np.ndarray, cutoffs: HysteresisCutoffs) -> np.ndarray:
    """Bound state of each series under the two-cut-off rule.

    Parameters
    ----------
    distance_nm : np.ndarray, shape=(n_frames, ...)
        Distance series along axis 0 (nm); any trailing shape (pairs).
    cutoffs : HysteresisCutoffs

    Returns
    -------
    np.ndarray, shape=distance_nm.shape, dtype=bool
        True while bound. The state before frame 0 is unbound.
    """
    distance_nm = np.asarray(distance_nm)
    if not np.issubdtype(distance_nm.dtype, np.floating):
        distance_nm = distance_nm.astype(float)
    if distance_nm.ndim < 1:
        raise ValueError("distance_nm must have a frame axis")
    if not np.all(np.isfinite(distance_nm)):
        raise ValueError("distance_nm holds NaN or infinite values")
    shape = distance_nm.shape
    n_frames = shape[0]
    bound = np.zeros(shape, dtype=bool)
    if distance_nm.size == 0:
        return bound
    # A pair is bound from a frame below r_on to the end of that run of "near" frames
    # (d <= r_off): leaving the run means d > r_off (unbinding), and binding needs a
    # frame below r_on, which lies inside a near run. Near frames are sparse, so work
    # on their flat indices in series-major order.
    series = distance_nm.reshape(n_frames, -1).T
    near_idx = np.flatnonzero(series <= cutoffs.r_off_nm)
    if near_idx.size == 0:
        return bound
    below = series.ravel()[near_idx] < cutoffs.r_on_nm
    new_run = np.ones(near_idx.size, dtype=bool)
    new_run[1:] = (np.diff(near_idx) != 1) | (near_idx[1:] % n_frames == 0)
    run_id = np.cumsum(new_run) - 1
    below_count = np.cumsum(below)
    before_run = (below_count - below)[new_run]
    seen_below = below_count - before_run[run_id] > 0
    flat = np.zeros(series.size, dtype=bool)
    flat[near_idx[seen_below]] = True
    return flat.reshape(series.shape).T.reshape(shape)


def _runs(state: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs of True in every column of ``state`` (frames, series).

    Returns
    -------
    series, start, end : np.ndarray, dtype=int
        One entry per run, ordered by series then start; ``end`` is exclusive.
    """
    n_frames, n_series = state.shape
    padded = np.zeros((n_series, n_frames + 2), dtype=np.int8)
    padded[:, 1:-1] = state.T
    change = np.diff(padded, axis=1)
    series, start = np.nonzero(change == 1)
    _, end = np.nonzero(change == -1)
    return series, start, end


def empty_events() -> pd.DataFrame:
    """An events table with the contract's columns and dtypes and no rows.

    The columns are ``synsoc.layout.EVENT_COLUMNS``, in that order, then
    ``synsoc.layout.EVENT_RESOLUTION_COLUMN``.
    """
    return pd.DataFrame(
        {
            "replica": pd.Series(dtype="int64"),
            "transmitter": pd.Series(dtype="int64"),
            "receptor": pd.Series(dtype="int64"),
            "kind": pd.Series(dtype="str"),
            "start_ps": pd.Series(dtype="float64"),
            "duration_ps": pd.Series(dtype="float64"),
            "censored": pd.Series(dtype="bool"),
            EVENT_RESOLUTION_COLUMN: pd.Series(dtype="float64"),
        }
    )


def _dwell_events(bound: np.ndarray, time_ext: np.ndarray) -> tuple[np.ndarray, ...]:
    """Columns (transmitter, receptor, kind, start, duration, censored) of every dwell."""
    n_frames, n_tm, n_rc = bound.shape
    pair, start, end = _runs(bound.reshape(n_frames, n_tm * n_rc))
    return (
        pair // n_rc,
        pair % n_rc,
        np.full(pair.size, "dwell"),
        time_ext[start],
        time_ext[end] - time_ext[start],
        end == n_frames,
    )


def _transmitter_events(bound: np.ndarray, time_ext: np.ndarray) -> tuple[np.ndarray, ...]:
    """Columns of the first-passage and rebinding events of every transmitter."""
    n_frames, n_tm, _ = bound.shape
    tm, start, end = _runs(bound.any(axis=2))
    # First passage: the first run of each transmitter; censored if it has none.
    first = np.ones(tm.size, dtype=bool)
    first[1:] = tm[1:] != tm[:-1]
    never = np.setdiff1d(np.arange(n_tm), tm[first])
    fp_tm = np.concatenate((tm[first], never))
    fp_receptor = np.concatenate(
        (bound[start[first], tm[first]].argmax(axis=1), -np.ones_like(never))
    )
    fp_duration = np.concatenate((time_ext[start[first]], np.full(never.size, time_ext[-1])))
    fp_censored = np.concatenate((np.zeros(first.sum(), bool), np.ones(never.size, bool)))
    # Rebinding: from the end of a run to the next run of the same transmitter; the
    # last run of a transmitter, if it ends before the run does, gives a censored one.
    last = np.ones(tm.size, dtype=bool)
    last[:-1] = tm[1:] != tm[:-1]
    nxt = np.flatnonzero(~last) + 1
    rb_from = np.concatenate((np.flatnonzero(~last), np.flatnonzero(last & (end < n_frames))))
    rb_tm = tm[rb_from]
    closed = np.arange(rb_from.size) < nxt.size
    rb_receptor = np.full(rb_from.size, -1)
    rb_receptor[closed] = bound[start[nxt], tm[nxt]].argmax(axis=1)
    rb_stop = np.full(rb_from.size, time_ext[-1])
    rb_stop[closed] = time_ext[start[nxt]]
    rb_start = time_ext[end[rb_from]]
    kinds = np.array(["first_passage"] * fp_tm.size + ["rebinding"] * rb_tm.size)
    return (
        np.concatenate((fp_tm, rb_tm)),
        np.concatenate((fp_receptor, rb_receptor)),
        kinds,
        np.concatenate((np.zeros(fp_tm.size), rb_start)),
        np.concatenate((fp_duration, rb_stop - rb_start)),
        np.concatenate((fp_censored, ~closed)),
    )


def _on_grid(time_ps: np.ndarray) -> np.ndarray:
    """Equally spaced times rebuilt in float64 as t0 + k Δ (XTC stores float32 times,
    whose differences late in a long run miss the frame grid by more than 1e-3 Δ);
    unequally spaced times are returned unchanged."""
    if time_ps.size < 3:
        return time_ps
    try:
        dt = frame_interval_ps(time_ps)
    except ValueError:
        return time_ps
    return time_ps[0] + np.arange(time_ps.size) * dt


def events_from_distances(
    distance_nm: np.ndarray,
    time_ps: np.ndarray,
    cutoffs: HysteresisCutoffs,
    *,
    replica: int = 0,
) -> pd.DataFrame:
    """Turn per-frame pair distances into first-passage, dwell and rebinding events.

    Parameters
    ----------
    distance_nm : np.ndarray, shape=(n_frames, n_transmitters, n_receptors)
        Distances in nm.
    time_ps : np.ndarray, shape=(n_frames,)
        Frame times in ps from release (t = 0), strictly increasing.
    cutoffs : HysteresisCutoffs
    replica : int
        Written to the ``replica`` column.

    Returns
    -------
    pandas.DataFrame
        Columns ``synsoc.layout.EVENT_COLUMNS`` and ``resolution_ps`` (the largest frame
        spacing: starts and ends are known only to that grid); durations and starts in
        ps. A first passage starts exactly at release (t = 0) and is recorded at the
        first bound frame; a dwell or rebinding starts and ends between frames and is
        recorded from its first to its last frame. A censored event's duration is the
        time it was observed (a lower bound); a first passage already bound at frame 0
        has duration 0 (it cannot be timed).
    """
    distance_nm = np.asarray(distance_nm)
    time_ps = np.asarray(time_ps, dtype=float)
    if distance_nm.ndim != 3:
        raise ValueError(
            "distance_nm must have shape (frames, transmitters, receptors), "
            f"got {distance_nm.shape}"
        )
    if time_ps.shape != (distance_nm.shape[0],):
        raise ValueError(f"time_ps must have shape ({distance_nm.shape[0]},), got {time_ps.shape}")
    if not np.all(np.isfinite(time_ps)) or np.any(time_ps < 0):
        raise ValueError("time_ps must be finite and >= 0")
    if np.any(np.diff(time_ps) <= 0):
        raise ValueError("time_ps must be strictly increasing")
    n_frames, n_tm, n_rc = distance_nm.shape
    if n_frames == 0 or n_tm == 0 or n_rc == 0:
        return empty_events()
    time_ps = _on_grid(time_ps)
    bound = hysteresis_bound(distance_nm, cutoffs)
    # time_ext[n_frames] is the end of the run: a run ending there is censored.
    time_ext = np.append(time_ps, time_ps[-1])
    columns = list(
        zip(_dwell_events(bound, time_ext), _transmitter_events(bound, time_ext), strict=True)
    )
    tm, rc, kind, start, duration, censored = (np.concatenate(c) for c in columns)
    frame = pd.DataFrame(
        {
            "replica": np.full(tm.size, replica, dtype=np.int64),
            "transmitter": tm.astype(np.int64),
            "receptor": rc.astype(np.int64),
            "kind": kind.astype(object),
            "start_ps": start.astype(np.float64),
            "duration_ps": duration.astype(np.float64),
            "censored": censored.astype(bool),
            EVENT_RESOLUTION_COLUMN: np.full(
                tm.size, float(np.diff(time_ps).max()) if n_frames > 1 else 0.0
            ),
        }
    )
    is_fp = kind == "first_passage"
    logger.info(
        "replica %d: %d first passages (%d censored), %d dwells, %d rebindings",
        replica,
        int(is_fp.sum()),
        int((is_fp & censored).sum()),
        int((kind == "dwell").sum()),
        int((kind == "rebinding").sum()),
    )
    return frame
