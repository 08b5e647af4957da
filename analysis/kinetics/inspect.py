"""Inspect an MD replica while it runs or after it ended: frames, time, binding so far.

``inspect_replica`` reads a replica directory (``R/md/replica_{k}/``) or a trajectory
file, finds the transmitter and receptor atom groups (from ``R/md/system/build.json``
or from mdtraj selection strings), and summarises what happened so far with the same
two-cut-off binding rule as the kinetics stage (:mod:`analysis.kinetics.events`).
``plot_inspection`` draws distance-vs-time traces and the transmitter paths projected
on the x–z plane (z is the cleft axis, presynaptic wall at z = 0).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import mdtraj as md
import numpy as np

from analysis.kinetics.events import (
    HysteresisCutoffs,
    events_from_distances,
    group_atoms_by_molecule,
    hysteresis_bound,
    pair_min_distances,
)
from analysis.kinetics.extraction import distance_atoms, load_trajectory, select_atoms
from synsoc.errors import InputError, KineticsError

__all__ = [
    "TRAJECTORY_SUFFIXES",
    "ReplicaFiles",
    "Inspection",
    "find_replica_files",
    "atom_groups",
    "inspect_trajectory",
    "inspect_replica",
    "format_inspection",
    "plot_inspection",
]

logger = logging.getLogger(__name__)

TRAJECTORY_SUFFIXES = (".xtc", ".dcd", ".nc", ".h5", ".trr")


@dataclass(frozen=True)
class ReplicaFiles:
    """Files of one replica.

    Attributes
    ----------
    trajectory : pathlib.Path
    topology : pathlib.Path
    build_json : pathlib.Path or None
        ``R/md/system/build.json`` when found (atom groups of the molecules).
    """

    trajectory: Path
    topology: Path
    build_json: Path | None


@dataclass(frozen=True)
class Inspection:
    """What a (possibly still running) replica shows so far.

    Attributes
    ----------
    trajectory : str
        Path of the trajectory read.
    n_frames, n_atoms, n_transmitters, n_receptors : int
    simulated_ps : float
        Time of the last frame (ps from release).
    time_ps : np.ndarray, shape=(n_frames,)
    distance_nm : np.ndarray, shape=(n_frames, n_transmitters)
        Distance of each transmitter to its nearest receptor (nm).
    centroid_nm : np.ndarray, shape=(n_frames, n_transmitters, 3)
        Transmitter centroids (nm).
    receptor_centroid_nm : np.ndarray, shape=(n_receptors, 3)
        Receptor centroids in the last frame (nm).
    bound_now : int
        Transmitters bound to any receptor in the last frame.
    bound_ever : int
        Transmitters bound at least once.
    first_passage_ps : tuple of float or None
        Per transmitter: release to first binding (ps); None while not yet bound.
    cutoffs : HysteresisCutoffs
    """

    trajectory: str
    n_frames: int
    n_atoms: int
    n_transmitters: int
    n_receptors: int
    simulated_ps: float
    time_ps: np.ndarray
    distance_nm: np.ndarray
    centroid_nm: np.ndarray
    receptor_centroid_nm: np.ndarray
    bound_now: int
    bound_ever: int
    first_passage_ps: tuple[float | None, ...]
    cutoffs: HysteresisCutoffs


def find_replica_files(
    path: str | os.PathLike, topology: str | os.PathLike | None = None
) -> ReplicaFiles:
    """Locate trajectory, topology and ``build.json`` of a replica.

    Parameters
    ----------
    path : path-like
        A replica directory (holding ``trajectory.*`` and ``topology.pdb``) or a
        trajectory file with ``topology.pdb`` beside it.
    topology : path-like, optional
        The topology to use instead of ``topology.pdb`` beside the trajectory.

    Returns
    -------
    ReplicaFiles

    Raises
    ------
    synsoc.errors.InputError
        If no trajectory or topology is found (the message says which and where).
    """
    path = Path(path)
    if path.is_dir():
        candidates = sorted(
            p for p in path.iterdir() if p.suffix in TRAJECTORY_SUFFIXES and p.is_file()
        )
        if not candidates:
            raise InputError(
                f"no trajectory ({', '.join(TRAJECTORY_SUFFIXES)}) in replica folder {path}"
            )
        trajectory = candidates[0]
    elif path.is_file():
        trajectory = path
    else:
        raise InputError(f"replica folder or trajectory file not found: {path}")
    if topology is not None:
        top = Path(topology)
        if not top.is_file():
            raise InputError(f"topology file not found: {top}")
    else:
        top = trajectory.parent / "topology.pdb"
        if not top.is_file():
            raise InputError(
                f"no topology for trajectory {trajectory}: expected {top} beside it; "
                "give one with --top"
            )
    build = trajectory.parent.parent / "system" / "build.json"
    return ReplicaFiles(trajectory, top, build if build.is_file() else None)


def atom_groups(
    topology: md.Topology,
    build_json: str | os.PathLike | None = None,
    *,
    transmitter_selection: str | None = None,
    receptor_selection: str | None = None,
    transmitter_atom_names: Sequence[str] = (),
    receptor_atom_names: Sequence[str] = (),
    source: str | os.PathLike = "the topology",
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Distance atoms of each transmitter and each receptor molecule.

    Selections, when given, win over ``build.json``; a selection is split into one
    group per molecule. Within each molecule the atoms named in ``*_atom_names`` are
    kept (empty: every heavy atom), as in the kinetics stage
    (:func:`analysis.kinetics.extraction.distance_atoms`).

    Parameters
    ----------
    topology : mdtraj.Topology
    build_json : path-like, optional
        The MD stage's ``build.json`` (``transmitters``/``receptors`` lists).
    transmitter_selection, receptor_selection : str, optional
        mdtraj selection strings (checked by
        :func:`analysis.kinetics.extraction.select_atoms`).
    transmitter_atom_names, receptor_atom_names : sequence of str
        Atom names used for distances (kinetics ``*_atom_names``); empty = heavy atoms.
    source : str or path-like
        The topology file, in messages.

    Returns
    -------
    transmitters, receptors : list of np.ndarray, dtype=int

    Raises
    ------
    synsoc.errors.InputError
        A selection that is invalid or matches nothing; a build.json that is not JSON,
        lacks the molecule lists or does not fit the topology; neither given.
    """
    build = None
    if build_json is not None:
        try:
            with open(build_json, encoding="utf-8") as handle:
                build = json.load(handle)
        except json.JSONDecodeError as err:
            raise KineticsError(f"{build_json}: not valid JSON ({err})") from err
    groups = []
    requested = (
        ("transmitter", transmitter_selection, transmitter_atom_names),
        ("receptor", receptor_selection, receptor_atom_names),
    )
    for kind, selection, names in requested:
        if selection is not None:
            indices = select_atoms(topology, selection, what=kind, source=source)
            molecules = group_atoms_by_molecule(topology, indices)
            origin = f"selection {selection!r}"
        elif build is not None:
            try:
                molecules = [np.asarray(e["atom_indices"], dtype=int) for e in build[f"{kind}s"]]
            except (KeyError, TypeError, ValueError) as err:
                raise KineticsError(
                    f"{build_json}: no '{kind}s' list with 'atom_indices' per molecule"
                ) from err
            if any(m.size == 0 or m.min() < 0 or m.max() >= topology.n_atoms for m in molecules):
                raise KineticsError(
                    f"{build_json}: '{kind}s' lists atoms outside the {topology.n_atoms} atoms "
                    f"of {source}: build.json and topology are not of one system"
                )
            origin = str(build_json)
        else:
            raise InputError(
                f"no build.json for {source} (expected at R/md/system/build.json): give "
                "--transmitter-selection and --receptor-selection to name the molecules"
            )
        try:
            groups.append([distance_atoms(topology, atoms, names) for atoms in molecules])
        except ValueError as err:
            raise InputError(f"{kind}s from {origin} in {source}: {err}") from err
        logger.info(
            "%ss: %d molecules from %s; %d distance atoms",
            kind,
            len(molecules),
            origin,
            sum(len(g) for g in groups[-1]),
        )
    return groups[0], groups[1]


def _centroids(trajectory: md.Trajectory, groups: Sequence[np.ndarray]) -> np.ndarray:
    return np.stack([trajectory.xyz[:, group, :].mean(axis=1) for group in groups], axis=1)


def inspect_trajectory(
    trajectory: md.Trajectory,
    transmitters: Sequence[np.ndarray],
    receptors: Sequence[np.ndarray],
    cutoffs: HysteresisCutoffs,
    *,
    source: str = "",
) -> Inspection:
    """Summarise binding in a trajectory so far.

    Parameters
    ----------
    trajectory : mdtraj.Trajectory
        Frame times in ps from release.
    transmitters, receptors : sequence of np.ndarray, dtype=int
        Atom indices per molecule.
    cutoffs : HysteresisCutoffs
        Binding below ``r_on_nm``, unbinding above ``r_off_nm``.
    source : str
        Path recorded in the result.

    Returns
    -------
    Inspection
    """
    if trajectory.n_frames == 0:
        raise ValueError("trajectory has no frames")
    if len(transmitters) == 0 or len(receptors) == 0:
        raise ValueError("transmitters and receptors must each hold at least one group")
    pair_nm = pair_min_distances(trajectory, transmitters, receptors)
    time_ps = np.asarray(trajectory.time, dtype=float)
    bound = hysteresis_bound(pair_nm, cutoffs).any(axis=2)
    events = events_from_distances(pair_nm, time_ps, cutoffs)
    fpt = events[events["kind"] == "first_passage"].sort_values("transmitter")
    first_passage = tuple(
        None if row.censored else float(row.duration_ps) for row in fpt.itertuples()
    )
    return Inspection(
        trajectory=source,
        n_frames=int(trajectory.n_frames),
        n_atoms=int(trajectory.n_atoms),
        n_transmitters=len(transmitters),
        n_receptors=len(receptors),
        simulated_ps=float(time_ps[-1]),
        time_ps=time_ps,
        distance_nm=pair_nm.min(axis=2).astype(float),
        centroid_nm=_centroids(trajectory, transmitters).astype(float),
        receptor_centroid_nm=_centroids(trajectory[-1], receptors)[0].astype(float),
        bound_now=int(bound[-1].sum()),
        bound_ever=int(bound.any(axis=0).sum()),
        first_passage_ps=first_passage,
        cutoffs=cutoffs,
    )


def inspect_replica(
    path: str | os.PathLike,
    cutoffs: HysteresisCutoffs,
    *,
    topology: str | os.PathLike | None = None,
    transmitter_selection: str | None = None,
    receptor_selection: str | None = None,
    transmitter_atom_names: Sequence[str] = (),
    receptor_atom_names: Sequence[str] = (),
) -> Inspection:
    """Load a replica directory or trajectory file and inspect it.

    Parameters
    ----------
    path : path-like
        Replica directory or trajectory file (see :func:`find_replica_files`).
    cutoffs : HysteresisCutoffs
    topology : path-like, optional
        Topology instead of ``topology.pdb`` beside the trajectory.
    transmitter_selection, receptor_selection : str, optional
        mdtraj selections overriding ``build.json``.
    transmitter_atom_names, receptor_atom_names : sequence of str
        Distance atoms per molecule (empty: heavy atoms).

    Returns
    -------
    Inspection

    Raises
    ------
    synsoc.errors.InputError
        Missing, corrupt or mismatched files, selections that match nothing (the
        message names the file).
    """
    files = find_replica_files(path, topology)
    logger.info("reading %s with topology %s", files.trajectory, files.topology)
    trajectory = load_trajectory(files.trajectory, files.topology)
    transmitters, receptors = atom_groups(
        trajectory.topology,
        files.build_json,
        transmitter_selection=transmitter_selection,
        receptor_selection=receptor_selection,
        transmitter_atom_names=transmitter_atom_names,
        receptor_atom_names=receptor_atom_names,
        source=files.topology,
    )
    return inspect_trajectory(
        trajectory, transmitters, receptors, cutoffs, source=str(files.trajectory)
    )


def format_inspection(result: Inspection) -> str:
    """Plain-text report of an :class:`Inspection` for a terminal."""
    fpt = [f"{value:.1f}" if value is not None else "-" for value in result.first_passage_ps]
    lines = [
        f"trajectory        {result.trajectory}",
        f"frames            {result.n_frames}",
        f"simulated time    {result.simulated_ps:.1f} ps ({result.simulated_ps / 1000:.3f} ns)",
        f"atoms             {result.n_atoms}",
        f"transmitters      {result.n_transmitters}   receptors {result.n_receptors}",
        f"bound now         {result.bound_now} / {result.n_transmitters}",
        f"bound ever        {result.bound_ever} / {result.n_transmitters}",
        f"cut-offs          bind < {result.cutoffs.r_on_nm:g} nm, unbind > "
        f"{result.cutoffs.r_off_nm:g} nm",
        f"first passage ps  {' '.join(fpt)}   (- = not yet bound)",
    ]
    return "\n".join(lines)


def plot_inspection(result: Inspection):
    """Distance-vs-time traces and x–z transmitter paths.

    Parameters
    ----------
    result : Inspection

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_d, ax_p) = plt.subplots(1, 2, figsize=(11, 4.2))
    colors = plt.cm.viridis(np.linspace(0, 0.9, max(result.n_transmitters, 1)))
    for tm in range(result.n_transmitters):
        ax_d.plot(
            result.time_ps,
            result.distance_nm[:, tm],
            color=colors[tm],
            lw=1,
            label=f"transmitter {tm}",
        )
        path = result.centroid_nm[:, tm, :]
        ax_p.plot(path[:, 0], path[:, 2], color=colors[tm], lw=0.8)
        ax_p.plot(path[0, 0], path[0, 2], "o", color=colors[tm], ms=4)
        ax_p.plot(path[-1, 0], path[-1, 2], "s", color=colors[tm], ms=4)
    ax_d.axhline(result.cutoffs.r_on_nm, color="k", ls="--", lw=0.8, label="r_on")
    ax_d.axhline(result.cutoffs.r_off_nm, color="k", ls=":", lw=0.8, label="r_off")
    ax_d.set_xlabel("time since release (ps)")
    ax_d.set_ylabel("distance to nearest receptor (nm)")
    ax_d.set_title("transmitter–receptor distance")
    if result.n_transmitters <= 8:
        ax_d.legend(fontsize=7, loc="upper right")
    rc = result.receptor_centroid_nm
    ax_p.plot(rc[:, 0], rc[:, 2], "X", color="crimson", ms=9, label="receptors")
    ax_p.set_xlabel("x (nm)")
    ax_p.set_ylabel("z, across the cleft (nm)")
    ax_p.set_title("transmitter paths (o start, ■ now)")
    ax_p.legend(fontsize=7, loc="best")
    fig.suptitle(Path(result.trajectory).name or "trajectory", fontsize=9)
    fig.tight_layout()
    return fig
