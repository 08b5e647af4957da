"""Read one MD replica with mdtraj: pair distances and transmitter centres of mass.

The per-replica product (``ReplicaDistances``) is what every later kinetics step
needs — events, F(r,t)/P(r,t) surfaces and the MSD time calibration — so the
trajectory is read once, in chunks, and saved as a small NPZ.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mdtraj as md
import numpy as np

from analysis.kinetics.events import group_atoms_by_molecule, pair_min_distances
from synsoc.errors import KineticsError
from synsoc.io import save_npz
from synsoc.validation import check_int_at_least

__all__ = [
    "ReplicaDistances",
    "distance_atoms",
    "groups_from_build",
    "groups_from_selections",
    "read_replica",
    "save_replica_distances",
    "load_replica_distances",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReplicaDistances:
    """Distances and positions of one replica.

    Attributes
    ----------
    time_ps : np.ndarray, shape=(n_frames,)
        Frame times from release (ps).
    distance_nm : np.ndarray, shape=(n_frames, n_transmitters, n_receptors)
        Minimum distance of each molecule pair (nm).
    com_nm : np.ndarray, shape=(n_frames, n_transmitters, 3)
        Transmitter centres of mass (nm), as stored (not unwrapped).
    box_nm : np.ndarray, shape=(n_frames, 3) or (0, 3)
        Orthorhombic box lengths per frame (nm); empty without a unit cell.
    """

    time_ps: np.ndarray
    distance_nm: np.ndarray
    com_nm: np.ndarray
    box_nm: np.ndarray

    def __post_init__(self) -> None:
        n = self.time_ps.shape[0]
        if self.distance_nm.ndim != 3 or self.distance_nm.shape[0] != n:
            raise ValueError(
                f"distance_nm must have shape ({n}, n_tm, n_rc), got {self.distance_nm.shape}"
            )
        if self.com_nm.shape != (n, self.distance_nm.shape[1], 3):
            raise ValueError(
                f"com_nm must have shape ({n}, {self.distance_nm.shape[1]}, 3), "
                f"got {self.com_nm.shape}"
            )
        if self.box_nm.shape not in ((n, 3), (0, 3)):
            raise ValueError(f"box_nm must have shape ({n}, 3) or (0, 3), got {self.box_nm.shape}")


def distance_atoms(
    topology: md.Topology, molecule_atoms: Sequence[int], atom_names: Sequence[str]
) -> np.ndarray:
    """Atoms of one molecule used for distances: named atoms, or all heavy atoms.

    Parameters
    ----------
    topology : mdtraj.Topology
    molecule_atoms : sequence of int
        Every atom of the molecule.
    atom_names : sequence of str
        Atom names to keep (e.g. ``["OE1", "OE2"]``); empty keeps every heavy atom.

    Returns
    -------
    np.ndarray, dtype=int
    """
    atoms = [topology.atom(int(i)) for i in molecule_atoms]
    if atom_names:
        chosen = [a.index for a in atoms if a.name in set(atom_names)]
    else:
        chosen = [a.index for a in atoms if a.element is None or a.element.symbol != "H"]
    if not chosen:
        raise ValueError(
            f"atom_names {list(atom_names)} match no atom of the molecule starting at atom "
            f"{int(molecule_atoms[0])}"
        )
    return np.asarray(sorted(chosen), dtype=int)


def groups_from_build(
    build: Mapping[str, Any],
    topology: md.Topology,
    transmitter_atom_names: Sequence[str],
    receptor_atom_names: Sequence[str],
) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """Distance atoms per transmitter and receptor, and all transmitter atoms, from build.json.

    Returns
    -------
    transmitters, receptors : list of np.ndarray
        Distance atoms of each molecule.
    transmitter_molecules : list of np.ndarray
        Every atom of each transmitter (for its centre of mass).
    """
    for key in ("transmitters", "receptors"):
        if not build.get(key):
            raise ValueError(f"build.json key '{key}' is missing or empty")
    tm_all = [np.asarray(entry["atom_indices"], dtype=int) for entry in build["transmitters"]]
    rc_all = [np.asarray(entry["atom_indices"], dtype=int) for entry in build["receptors"]]
    transmitters = [distance_atoms(topology, atoms, transmitter_atom_names) for atoms in tm_all]
    receptors = [distance_atoms(topology, atoms, receptor_atom_names) for atoms in rc_all]
    return transmitters, receptors, tm_all


def groups_from_selections(
    topology: md.Topology, transmitter_selection: str, receptor_selection: str
) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """Distance atoms from mdtraj selection strings, one group per molecule.

    Returns
    -------
    transmitters, receptors, transmitter_molecules : list of np.ndarray
        As :func:`groups_from_build`; the molecule atoms are the selected atoms.
    """
    out = []
    for name, selection in (
        ("transmitters", transmitter_selection),
        ("receptors", receptor_selection),
    ):
        atoms = topology.select(selection)
        if atoms.size == 0:
            raise ValueError(f"{name} selection {selection!r} matches no atom")
        out.append(group_atoms_by_molecule(topology, atoms))
    return out[0], out[1], out[0]


def _centres_of_mass(
    xyz: np.ndarray, molecules: Sequence[np.ndarray], masses: np.ndarray
) -> np.ndarray:
    com = np.empty((xyz.shape[0], len(molecules), 3), dtype=np.float64)
    for k, atoms in enumerate(molecules):
        weights = masses[atoms] / masses[atoms].sum()
        com[:, k, :] = np.einsum("fad,a->fd", xyz[:, atoms, :], weights)
    return com


def read_replica(
    trajectory_path: str | os.PathLike,
    topology_path: str | os.PathLike,
    transmitters: Sequence[np.ndarray],
    receptors: Sequence[np.ndarray],
    transmitter_molecules: Sequence[np.ndarray],
    *,
    periodic: bool = True,
    chunk_frames: int = 2000,
) -> ReplicaDistances:
    """Read a trajectory in chunks and compute pair distances and transmitter COMs.

    Parameters
    ----------
    trajectory_path, topology_path : path-like
        Any format mdtraj reads (XTC, DCD, ...) and its topology (PDB).
    transmitters, receptors : sequence of np.ndarray
        Distance atoms of each molecule.
    transmitter_molecules : sequence of np.ndarray
        Atoms whose centre of mass tracks each transmitter.
    periodic : bool
        Minimum-image distances when the trajectory has a unit cell.
    chunk_frames : int
        Frames held in memory at once.

    Returns
    -------
    ReplicaDistances
    """
    check_int_at_least("chunk_frames", chunk_frames, 1)
    topology = md.load_topology(str(topology_path))
    masses = np.array([a.element.mass if a.element is not None else 0.0 for a in topology.atoms])
    masses[masses <= 0] = 1.0
    times, dists, coms, boxes = [], [], [], []
    for chunk in md.iterload(str(trajectory_path), top=topology, chunk=chunk_frames):
        times.append(chunk.time.astype(np.float64))
        dists.append(pair_min_distances(chunk, transmitters, receptors, periodic=periodic))
        coms.append(_centres_of_mass(chunk.xyz, transmitter_molecules, masses))
        if chunk.unitcell_lengths is not None:
            boxes.append(chunk.unitcell_lengths.astype(np.float64))
    time_ps = np.concatenate(times) if times else np.zeros(0)
    n_tm, n_rc = len(transmitters), len(receptors)
    result = ReplicaDistances(
        time_ps=time_ps,
        distance_nm=np.concatenate(dists) if dists else np.zeros((0, n_tm, n_rc), np.float32),
        com_nm=np.concatenate(coms) if coms else np.zeros((0, n_tm, 3)),
        box_nm=np.concatenate(boxes) if boxes and len(boxes) == len(times) else np.zeros((0, 3)),
    )
    logger.info(
        "%s: %d frames, %d transmitters x %d receptors", trajectory_path, len(time_ps), n_tm, n_rc
    )
    return result


def save_replica_distances(path: str | os.PathLike, data: ReplicaDistances) -> None:
    """Write a :class:`ReplicaDistances` to NPZ atomically (keys are the field names)."""
    save_npz(
        path,
        time_ps=data.time_ps,
        distance_nm=data.distance_nm,
        com_nm=data.com_nm,
        box_nm=data.box_nm,
    )


def load_replica_distances(path: str | os.PathLike) -> ReplicaDistances:
    """Read a :class:`ReplicaDistances` written by :func:`save_replica_distances`.

    Raises
    ------
    synsoc.errors.KineticsError
        A ``ValueError`` naming ``path`` when a key is missing or the arrays' shapes
        disagree.
    """
    with np.load(Path(path)) as handle:
        missing = [k for k in ("time_ps", "distance_nm", "com_nm", "box_nm") if k not in handle]
        if missing:
            raise KineticsError(f"{path}: missing keys {missing}")
        try:
            return ReplicaDistances(
                time_ps=handle["time_ps"],
                distance_nm=handle["distance_nm"],
                com_nm=handle["com_nm"],
                box_nm=handle["box_nm"],
            )
        except ValueError as err:
            raise KineticsError(f"{path}: {err}") from err
