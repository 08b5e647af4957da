"""Read one MD replica with mdtraj: pair distances and transmitter centres of mass.

The per-replica product (``ReplicaDistances``) is what every later kinetics step
needs — events, F(r,t)/P(r,t) surfaces and the MSD time calibration — so the
trajectory is read once, in chunks, and saved as a small NPZ.
"""

from __future__ import annotations

import ast
import contextlib
import difflib
import logging
import os
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import mdtraj as md
import numpy as np
from mdtraj.core.selection import (
    BinaryInfixOperand,
    SelectionKeyword,
    UnaryInfixOperand,
    parse_selection,
)

from analysis.kinetics.events import group_atoms_by_molecule, pair_min_distances
from synsoc.errors import InputError, KineticsError
from synsoc.io import save_npz
from synsoc.validation import check_int_at_least

__all__ = [
    "ReplicaDistances",
    "distance_atoms",
    "select_atoms",
    "load_topology",
    "load_trajectory",
    "groups_from_build",
    "groups_from_selections",
    "read_replica",
    "save_replica_distances",
    "load_replica_distances",
]

_T = TypeVar("_T")

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
        Every atom of the molecule (or the selected ones).
    atom_names : sequence of str
        Atom names to keep (e.g. ``["OE1", "OE2"]``); empty keeps every heavy atom.

    Returns
    -------
    np.ndarray, dtype=int

    Raises
    ------
    ValueError
        If no atom of ``molecule_atoms`` qualifies.
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


# ---------------------------------------------------------------- reading with mdtraj
#
# mdtraj reports a bad file with whatever its format reader raises (OSError, RuntimeError,
# ValueError, IndexError ...) and its C readers (xdrfile) also print to the process's
# stderr. Each read below runs one mdtraj call with that C output captured and turns
# its failure into an InputError naming the file; nothing else is caught.

_MDTRAJ_READ_ERRORS = (OSError, RuntimeError, ValueError, IndexError, EOFError, KeyError)


class _NativeStderr:
    """Capture what C code writes to file descriptor 2 while the block runs."""

    def __init__(self) -> None:
        self.text = ""

    def __enter__(self) -> _NativeStderr:
        self._saved = None
        try:
            sys.stderr.flush()
            self._saved = os.dup(2)
        except (OSError, ValueError):  # no usable fd 2 (embedded interpreter): capture nothing
            return self
        self._tmp = tempfile.TemporaryFile()
        os.dup2(self._tmp.fileno(), 2)
        return self

    def __exit__(self, *exc) -> None:
        if self._saved is None:
            return
        os.dup2(self._saved, 2)
        os.close(self._saved)
        self._tmp.seek(0)
        self.text = " ".join(self._tmp.read().decode("utf-8", "replace").split())
        self._tmp.close()
        if self.text and exc[0] is None:
            logger.debug("mdtraj's reader printed: %s", self.text)


def _mdtraj_read(call: Callable[[], _T], describe: Callable[[str], str]) -> _T:
    """Run one mdtraj read; a failure becomes an InputError with ``describe(reason)``."""
    with _NativeStderr() as native:
        try:
            return call()
        except _MDTRAJ_READ_ERRORS as err:
            failure = err
    reason = " ".join(f"{type(failure).__name__}: {failure}".split())
    if native.text:
        reason += f" [{native.text}]"
    raise InputError(describe(reason)) from failure


def load_topology(path: str | os.PathLike) -> md.Topology:
    """Read a topology (PDB, ...) with mdtraj; a bad file is an InputError naming it.

    Parameters
    ----------
    path : path-like

    Returns
    -------
    mdtraj.Topology

    Raises
    ------
    synsoc.errors.InputError
        If the file is missing, unreadable or holds no atoms.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"topology file not found: {path}")
    topology = _mdtraj_read(
        lambda: md.load_topology(str(path)),
        lambda reason: (
            f"topology {path} cannot be read by mdtraj ({reason}): "
            f"is it a {path.suffix.lstrip('.').upper() or 'topology'} file with atoms?"
        ),
    )
    if topology.n_atoms == 0:
        raise InputError(f"topology {path} holds no atoms")
    return topology


def _trajectory_atoms(path: Path) -> int | None:
    """Atoms per frame of a trajectory file (its first frame), or None if unreadable."""
    with _NativeStderr(), contextlib.suppress(*_MDTRAJ_READ_ERRORS, AttributeError, TypeError):
        with md.open(str(path)) as handle:
            return int(np.shape(handle.read(n_frames=1)[0])[1])
    return None


def _check_atom_count(path: Path, topology: md.Topology, topology_path: str) -> None:
    n_atoms = _trajectory_atoms(path)
    if n_atoms is not None and n_atoms != topology.n_atoms:
        raise InputError(
            f"trajectory {path} has {n_atoms} atoms per frame but topology {topology_path} "
            f"has {topology.n_atoms}: they do not describe the same system"
        )


def _iter_trajectory(
    path: str | os.PathLike,
    topology: md.Topology,
    topology_path: str | os.PathLike,
    chunk_frames: int,
) -> Iterator[md.Trajectory]:
    """Chunks of a trajectory; a missing, corrupt or mismatched file is an InputError."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"trajectory file not found: {path}")
    _check_atom_count(path, topology, str(topology_path))
    chunks = _mdtraj_read(
        lambda: iter(md.iterload(str(path), top=topology, chunk=chunk_frames)),
        lambda reason: f"trajectory {path} cannot be opened ({reason})",
    )
    frames = 0
    while True:
        chunk = _mdtraj_read(
            lambda: next(chunks, None),
            lambda reason, frames=frames: (
                f"trajectory {path} is truncated or corrupt"
                + (f" after frame {frames - 1}" if frames else "")
                + f" ({reason})"
            ),
        )
        if chunk is None:
            return
        frames += chunk.n_frames
        yield chunk


def load_trajectory(
    path: str | os.PathLike, topology_path: str | os.PathLike, *, chunk_frames: int = 2000
) -> md.Trajectory:
    """Read a whole trajectory with its topology; bad files are InputErrors naming them.

    Parameters
    ----------
    path : path-like
        Trajectory (XTC, DCD, ...).
    topology_path : path-like
        Its topology (PDB); must have as many atoms as each frame.
    chunk_frames : int
        Frames read at once.

    Returns
    -------
    mdtraj.Trajectory

    Raises
    ------
    synsoc.errors.InputError
        Missing, unreadable, truncated or corrupt file; atom counts that differ; no frame.
    """
    topology = load_topology(topology_path)
    chunks = list(_iter_trajectory(path, topology, topology_path, chunk_frames))
    if not chunks:
        raise InputError(f"trajectory {path} holds no frames")
    return chunks[0] if len(chunks) == 1 else md.join(chunks, check_topology=False)


# ------------------------------------------------------------------------ selections

_KEYWORDS = frozenset(
    [
        *SelectionKeyword.keyword_aliases,
        *(k.strip() for k in BinaryInfixOperand.keyword_aliases if k.isalpha()),
        *(k.strip() for k in UnaryInfixOperand.keyword_aliases if k.strip().isalpha()),
        "to",
        "of",
        "within",
    ]
)
"""Words of mdtraj's selection grammar (keywords, operators) — never an atom or residue name."""

_STRING_ATTRIBUTES: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "atom.name": ("atom name", lambda atom: atom.name),
    "atom.residue.name": ("residue name", lambda atom: atom.residue.name),
    "atom.element.symbol": (
        "element",
        lambda atom: None if atom.element is None else atom.element.symbol,
    ),
    "atom.residue.code": ("residue code", lambda atom: atom.residue.code),
    "atom.segment_id": ("segment id", lambda atom: atom.segment_id),
}


def _literal_lists(selection: str) -> Iterator[tuple[str, list[str]]]:
    """``(attribute, [values])`` of each ``keyword value ...`` test of a selection."""
    tree = parse_selection(selection).astnode
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Compare) and len(node.ops) == 1):
            continue
        attribute = ast.unparse(node.left)
        if attribute not in _STRING_ATTRIBUTES or not isinstance(node.ops[0], ast.In | ast.Eq):
            continue
        values = node.comparators[0]
        elements = values.elts if isinstance(values, ast.List | ast.Tuple) else [values]
        # a number among names ("name OE1 resid 2") is one more misread word: kept as text
        words = [str(e.value) for e in elements if isinstance(e, ast.Constant)]
        if words:
            yield attribute, words


def _keyword_like(word: str) -> str | None:
    """The selection keyword ``word`` is, or a near miss of it (``andd``), else None.

    Case-sensitive like mdtraj's grammar (``NE``, an arginine atom, is no ``ne``); near
    misses are looked for only for words of three letters or more, among keywords of
    three letters or more and ``or``.
    """
    if word in _KEYWORDS:
        return word
    if len(word) < 3:
        return None
    targets = [k for k in _KEYWORDS if len(k) >= 3 or k == "or"]
    close = difflib.get_close_matches(word, targets, n=1, cutoff=0.75)
    return close[0] if close else None


def _lint_selection(
    topology: md.Topology, selection: str, what: str, source: str
) -> list[tuple[str, list[str]]]:
    """Refuse words mdtraj silently reads as names; return the names absent from the topology.

    mdtraj reads every word after ``name``/``resname``/... up to the next operator as
    one more value, so ``"resname GLU andd name OE1"`` means residue names GLU, andd,
    name, OE1. A value that is no such name in the topology and is (or resembles) a
    selection keyword is refused.

    Returns
    -------
    list of (str, list of str)
        ``(label, absent values)`` per name test with values no atom has.
    """
    absent_all = []
    for attribute, values in _literal_lists(selection):
        label, get = _STRING_ATTRIBUTES[attribute]
        present = {get(atom) for atom in topology.atoms}
        absent = [v for v in values if v not in present]
        keywordish = [(v, k) for v in absent if (k := _keyword_like(v)) is not None]
        if keywordish:
            hints = ", ".join(
                f"{v!r} is the keyword {k!r}" if v == k else f"{v!r} looks like {k!r}"
                for v, k in keywordish
            )
            raise InputError(
                f"{what} selection {selection!r} in {source}: mdtraj reads "
                f"{' '.join(values)!r} as {label}s, and {hints} (no {label} of {source}); "
                "check the spelling and the operators (and, or, not)"
            )
        if absent:
            absent_all.append((label, absent))
    return absent_all


def select_atoms(
    topology: md.Topology,
    selection: str,
    *,
    what: str = "atom",
    source: str | os.PathLike = "the topology",
) -> np.ndarray:
    """Atoms of an mdtraj selection, refusing syntax errors, typos and empty results.

    Parameters
    ----------
    topology : mdtraj.Topology
    selection : str
        mdtraj selection (``"resname GLU and name OE1 OE2"``).
    what : str
        Role of the selection in messages (``"transmitter"``).
    source : str or path-like
        The topology file, in messages.

    Returns
    -------
    np.ndarray, shape=(n_selected,), dtype=int
        Atom indices, sorted; never empty.

    Raises
    ------
    synsoc.errors.InputError
        A selection mdtraj cannot parse; one whose name list holds a selection keyword
        or a near miss of one (``andd``: mdtraj reads it as a residue name); one that
        matches no atom.
    """
    source = str(source)
    try:
        atoms = topology.select(selection)
    except (ValueError, SyntaxError) as err:
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(
            f"{what} selection {selection!r} is not valid mdtraj selection syntax: {reason}"
        ) from err
    absent = _lint_selection(topology, selection, what, source)
    if atoms.size == 0:
        names = sorted({residue.name for residue in topology.residues})
        shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
        raise InputError(
            f"{what} selection {selection!r} matches no atom of {source} "
            f"({topology.n_atoms} atoms; residue names there: {shown})"
        )
    for label, values in absent:
        logger.warning(
            "%s selection %r: no atom of %s has the %s %s (the selection picked %d atoms "
            "through its other terms)",
            what,
            selection,
            source,
            label,
            ", ".join(repr(v) for v in values),
            atoms.size,
        )
    return np.asarray(atoms, dtype=int)


def _whole_molecules(topology: md.Topology, groups: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Every atom of the molecule (bonded component) holding each group's first atom."""
    molecule_of = {}
    for molecule in topology.find_molecules():
        atoms = np.asarray(sorted(atom.index for atom in molecule), dtype=int)
        for atom in molecule:
            molecule_of[atom.index] = atoms
    return [molecule_of[int(group[0])] for group in groups]


def _names(names: Sequence[str], topology: md.Topology, distance) -> str:
    """The requested names that were found (a list may name atoms of other residues)."""
    if not names:
        return "every heavy atom"
    found = {topology.atom(int(i)).name for atoms in distance for i in atoms}
    return ", ".join(name for name in names if name in found)


def groups_from_build(
    build: Mapping[str, Any],
    topology: md.Topology,
    transmitter_atom_names: Sequence[str],
    receptor_atom_names: Sequence[str],
    *,
    source: str | os.PathLike = "build.json",
) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """Distance atoms per transmitter and receptor, and all transmitter atoms, from build.json.

    Parameters
    ----------
    build : Mapping
        The MD stage's ``build.json`` (``transmitters``/``receptors``: ``atom_indices``
        of each molecule).
    topology : mdtraj.Topology
    transmitter_atom_names, receptor_atom_names : sequence of str
        Distance atoms within each molecule (empty: every heavy atom).
    source : str or path-like
        The build.json file, in messages.

    Returns
    -------
    transmitters, receptors : list of np.ndarray
        Distance atoms of each molecule.
    transmitter_molecules : list of np.ndarray
        Every atom of each transmitter (for its centre of mass).

    Raises
    ------
    synsoc.errors.KineticsError
        A missing or empty list, an atom index outside the topology, or a molecule
        without the named atoms; the message names ``source``.
    """
    groups = {}
    for key, names in (
        ("transmitters", transmitter_atom_names),
        ("receptors", receptor_atom_names),
    ):
        if not build.get(key):
            raise KineticsError(f"{source}: key '{key}' is missing or empty")
        try:
            molecules = [np.asarray(entry["atom_indices"], dtype=int) for entry in build[key]]
        except (KeyError, TypeError, ValueError) as err:
            raise KineticsError(f"{source}: '{key}' entries need a list 'atom_indices'") from err
        for atoms in molecules:
            if atoms.size == 0 or atoms.min() < 0 or atoms.max() >= topology.n_atoms:
                raise KineticsError(
                    f"{source}: '{key}' lists atom indices outside the topology's "
                    f"{topology.n_atoms} atoms: build.json and topology are not of one system"
                )
        try:
            distance = [distance_atoms(topology, atoms, names) for atoms in molecules]
        except ValueError as err:
            role = key.removesuffix("s")
            raise KineticsError(
                f"{source}: {key}: {err}; set the distance atom names (kinetics.{role}_atom_names"
                f", --{role}-atoms)"
            ) from err
        logger.info(
            "%s: %d molecules from %s; %d distance atoms (%s)",
            key,
            len(molecules),
            source,
            sum(len(d) for d in distance),
            _names(names, topology, distance),
        )
        groups[key] = (distance, molecules)
    return groups["transmitters"][0], groups["receptors"][0], groups["transmitters"][1]


def groups_from_selections(
    topology: md.Topology,
    transmitter_selection: str,
    receptor_selection: str,
    *,
    transmitter_atom_names: Sequence[str] = (),
    receptor_atom_names: Sequence[str] = (),
    source: str | os.PathLike = "the topology",
) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """Distance atoms from mdtraj selection strings, one group per molecule.

    A selection picks molecules: every molecule (bonded component) holding a selected
    atom. Within each, the distance atoms are the selected atoms named in
    ``*_atom_names`` (empty: every selected heavy atom), so ``"resname GLU"`` with the
    workflow's names (``OE1``, ``OE2``) gives the atoms the workflow uses
    (:func:`groups_from_build`). A transmitter's centre of mass is over its whole molecule.

    Parameters
    ----------
    topology : mdtraj.Topology
    transmitter_selection, receptor_selection : str
        mdtraj selections (checked by :func:`select_atoms`).
    transmitter_atom_names, receptor_atom_names : sequence of str
        Distance atom names (empty: every selected heavy atom).
    source : str or path-like
        The topology file, in messages.

    Returns
    -------
    transmitters, receptors, transmitter_molecules : list of np.ndarray
        As :func:`groups_from_build`.

    Raises
    ------
    synsoc.errors.InputError
        A selection that is invalid, looks misspelt or matches nothing, or a selected
        molecule without the named atoms.
    """
    out = {}
    for what, selection, names in (
        ("transmitter", transmitter_selection, transmitter_atom_names),
        ("receptor", receptor_selection, receptor_atom_names),
    ):
        atoms = select_atoms(topology, selection, what=what, source=source)
        selected = group_atoms_by_molecule(topology, atoms)
        distance = []
        for group in selected:
            try:
                distance.append(distance_atoms(topology, group, names))
            except ValueError as err:
                raise InputError(
                    f"{what} selection {selection!r} in {source} picks the molecule starting at "
                    f"atom {int(group[0])} ({topology.atom(int(group[0])).residue}), which has "
                    f"no selected atom named {', '.join(names) or '(heavy)'}; adjust the "
                    f"selection or the {what} atom names"
                ) from err
        logger.info(
            "%ss: selection %r picked %d atoms in %d molecules of %s; %d distance atoms (%s)",
            what,
            selection,
            atoms.size,
            len(selected),
            source,
            sum(len(d) for d in distance),
            _names(names, topology, distance),
        )
        out[what] = (distance, selected)
    transmitters, selected = out["transmitter"]
    return transmitters, out["receptor"][0], _whole_molecules(topology, selected)


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

    Raises
    ------
    synsoc.errors.InputError
        A missing, unreadable, truncated or corrupt file, or a trajectory whose atom
        count differs from the topology's (the message names the file).
    """
    check_int_at_least("chunk_frames", chunk_frames, 1)
    topology = load_topology(topology_path)
    masses = np.array([a.element.mass if a.element is not None else 0.0 for a in topology.atoms])
    masses[masses <= 0] = 1.0
    times, dists, coms, boxes = [], [], [], []
    for chunk in _iter_trajectory(trajectory_path, topology, topology_path, chunk_frames):
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
        A ``ValueError`` naming ``path`` when the file is missing or no NPZ, a key is
        missing, the arrays' shapes disagree or they hold NaN.
    """
    path = Path(path)
    if not path.is_file():
        raise KineticsError(f"distances file (NPZ written by `synsoc events`) not found: {path}")
    try:
        handle = np.load(path)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
        raise KineticsError(
            f"{path}: not a distances NPZ written by `synsoc events` ({type(err).__name__}: "
            f"{' '.join(str(err).split())})"
        ) from err
    if not isinstance(handle, np.lib.npyio.NpzFile):
        raise KineticsError(f"{path}: a single .npy array, not a distances NPZ")
    with handle:
        missing = [k for k in ("time_ps", "distance_nm", "com_nm", "box_nm") if k not in handle]
        if missing:
            raise KineticsError(f"{path}: missing keys {missing}")
        try:
            data = ReplicaDistances(
                time_ps=handle["time_ps"],
                distance_nm=handle["distance_nm"],
                com_nm=handle["com_nm"],
                box_nm=handle["box_nm"],
            )
        except (ValueError, zipfile.BadZipFile, OSError) as err:
            raise KineticsError(f"{path}: {err}") from err
    for key in ("time_ps", "distance_nm", "com_nm"):
        if not np.all(np.isfinite(getattr(data, key))):
            raise KineticsError(f"{path}: '{key}' holds NaN or infinite values")
    return data
