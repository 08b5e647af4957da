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

Distances come from one ``mdtraj.compute_distances`` call over all atom pairs,
reduced to the minimum per molecule pair with ``np.minimum.reduceat``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import mdtraj as md
import numpy as np
import pandas as pd

__all__ = [
    "EVENT_COLUMNS",
    "EVENT_KINDS",
    "HysteresisCutoffs",
    "atom_pairs_for_groups",
    "group_atoms_by_molecule",
    "pair_min_distances",
    "hysteresis_bound",
    "events_from_distances",
    "empty_events",
]

logger = logging.getLogger(__name__)

EVENT_KINDS = ("first_passage", "dwell", "rebinding")
EVENT_COLUMNS = (
    "replica",
    "transmitter",
    "receptor",
    "kind",
    "start_ps",
    "duration_ps",
    "censored",
)


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
        if not np.isfinite(self.r_on_nm) or self.r_on_nm <= 0:
            raise ValueError(f"r_on_nm must be a positive finite number, got {self.r_on_nm}")
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
    atom_indices = np.asarray(atom_indices, dtype=int)
    if atom_indices.ndim != 1:
        raise ValueError(f"atom_indices must be 1-D, got shape {atom_indices.shape}")
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
) -> tuple[np.ndarray, np.ndarray]:
    """All atom pairs between every transmitter group and every receptor group.

    Parameters
    ----------
    transmitters, receptors : sequence of np.ndarray, dtype=int
        Atom indices of each molecule (non-empty).

    Returns
    -------
    pairs : np.ndarray, shape=(n_atom_pairs, 2), dtype=int
        Pairs ordered by (transmitter, receptor) molecule pair, contiguous per pair.
    offsets : np.ndarray, shape=(n_transmitters * n_receptors,), dtype=int
        Start of each molecule pair's block in ``pairs`` (for ``np.minimum.reduceat``).
    """
    if len(transmitters) == 0:
        raise ValueError("transmitters must hold at least one atom group")
    if len(receptors) == 0:
        raise ValueError("receptors must hold at least one atom group")
    for name, groups in (("transmitters", transmitters), ("receptors", receptors)):
        if any(len(group) == 0 for group in groups):
            raise ValueError(f"{name} holds an empty atom group")
    blocks = []
    offsets = []
    start = 0
    for tm_atoms in transmitters:
        for rc_atoms in receptors:
            grid = np.stack(np.meshgrid(tm_atoms, rc_atoms, indexing="ij"), axis=-1).reshape(-1, 2)
            blocks.append(grid)
            offsets.append(start)
            start += len(grid)
    return np.concatenate(blocks).astype(int), np.asarray(offsets, dtype=int)


def pair_min_distances(
    trajectory: md.Trajectory,
    transmitters: Sequence[np.ndarray],
    receptors: Sequence[np.ndarray],
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
    pairs, offsets = atom_pairs_for_groups(transmitters, receptors)
    distances = md.compute_distances(trajectory, pairs, periodic=periodic)
    reduced = np.minimum.reduceat(distances, offsets, axis=1)
    return reduced.reshape(trajectory.n_frames, len(transmitters), len(receptors))


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


def _runs(state: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) frames of the True runs of a 1-D boolean series."""
    padded = np.concatenate(([False], state, [False])).astype(np.int8)
    change = np.diff(padded)
    return np.flatnonzero(change == 1), np.flatnonzero(change == -1)


def empty_events() -> pd.DataFrame:
    """An events table with the contract's columns and dtypes and no rows."""
    return pd.DataFrame(
        {
            "replica": pd.Series(dtype="int64"),
            "transmitter": pd.Series(dtype="int64"),
            "receptor": pd.Series(dtype="int64"),
            "kind": pd.Series(dtype="str"),
            "start_ps": pd.Series(dtype="float64"),
            "duration_ps": pd.Series(dtype="float64"),
            "censored": pd.Series(dtype="bool"),
        }
    )


def _transmitter_events(bound: np.ndarray, time_ps: np.ndarray, tm: int, replica: int) -> list:
    """First-passage and rebinding rows of one transmitter; ``bound`` shape (frames, receptors)."""
    n_frames = bound.shape[0]
    t_end = time_ps[-1]
    starts, ends = _runs(bound.any(axis=1))
    if len(starts) == 0:
        return [(replica, tm, -1, "first_passage", 0.0, t_end, True)]
    rows = [
        (
            replica,
            tm,
            int(np.argmax(bound[starts[0]])),
            "first_passage",
            0.0,
            time_ps[starts[0]],
            False,
        )
    ]
    for k, end in enumerate(ends):
        if end == n_frames:
            break
        if k + 1 < len(starts):
            nxt = starts[k + 1]
            gap = time_ps[nxt] - time_ps[end]
            rows.append(
                (replica, tm, int(np.argmax(bound[nxt])), "rebinding", time_ps[end], gap, False)
            )
        else:
            rows.append((replica, tm, -1, "rebinding", time_ps[end], t_end - time_ps[end], True))
    return rows


def events_from_distances(
    distance_nm: np.ndarray,
    time_ps: np.ndarray,
    cutoffs: HysteresisCutoffs,
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
        Columns ``EVENT_COLUMNS``; durations and starts in ps. A censored event's
        duration is the time it was observed (a lower bound).
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
    bound = hysteresis_bound(distance_nm, cutoffs)
    t_end = time_ps[-1]
    rows: list[tuple] = []
    for tm, rc in np.argwhere(bound.any(axis=0)):
        starts, ends = _runs(bound[:, tm, rc])
        for start, end in zip(starts, ends, strict=True):
            censored = end == n_frames
            stop = t_end if censored else time_ps[end]
            rows.append((replica, tm, rc, "dwell", time_ps[start], stop - time_ps[start], censored))
    for tm in range(n_tm):
        rows.extend(_transmitter_events(bound[:, tm, :], time_ps, tm, replica))
    if not rows:
        return empty_events()
    frame = pd.DataFrame(rows, columns=list(EVENT_COLUMNS))
    frame = frame.astype(
        {
            "replica": "int64",
            "transmitter": "int64",
            "receptor": "int64",
            "start_ps": "float64",
            "duration_ps": "float64",
            "censored": "bool",
        }
    )
    logger.info(
        "replica %d: %d first passages (%d censored), %d dwells, %d rebindings",
        replica,
        int((frame.kind == "first_passage").sum()),
        int(((frame.kind == "first_passage") & frame.censored).sum()),
        int((frame.kind == "dwell").sum()),
        int((frame.kind == "rebinding").sum()),
    )
    return frame
