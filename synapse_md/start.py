"""Each replica's own start configuration: a fresh transmitter placement in the same cleft.

The build makes one cleft (receptor patch, walls, solvent box); every replica then
draws its own transmitter positions and orientations in the release zone
(:func:`synapse_md.builder.place_transmitters`, seeded by the replica's placement seed)
and is minimized and equilibrated from there, so replicas are independent releases into
the same synapse geometry. The transmitters keep their internal coordinates from the
minimized build. In explicit solvent the water molecules and ions that the new
transmitter positions would overlap are moved to the emptiest points of the box, which
are the sites the transmitters vacated; the minimization that follows removes the
remaining strain.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import openmm.app as app
from scipy.spatial import cKDTree

from synapse_md.builder import place_transmitters
from synapse_md.config import MDConfig

__all__ = [
    "ReplicaStart",
    "replica_start",
    "relocate_solvent",
    "heavy_atoms",
    "min_heavy_distance_nm",
    "SOLVENT_CLEARANCE_NM",
]

logger = logging.getLogger(__name__)

SOLVENT_CLEARANCE_NM = 0.2
"""A solvent molecule with an atom closer than this to a placed transmitter atom is moved."""
_WATER_SEPARATION_NM = 0.28  # O-O distance of liquid water: moved molecules keep it apart
_GRID_SPACING_NM = 0.05  # candidate sites for moved solvent molecules


@dataclass(frozen=True)
class ReplicaStart:
    """A replica's start configuration before minimization.

    Attributes
    ----------
    positions_nm : np.ndarray, shape=(n_atoms, 3)
        Every atom: receptors and solvent as built, transmitters newly placed, overlapping
        solvent molecules moved.
    placement_seed : int
        Seed of the transmitter placement.
    moved_solvent_molecules : int
        Water molecules and ions moved out of the new transmitter sites (0 in implicit
        solvent).
    smallest_site_clearance_nm : float
        Over the moved molecules, the smallest distance from a new site to the nearest
        atom that stayed (``inf`` when none moved).
    """

    positions_nm: np.ndarray
    placement_seed: int
    moved_solvent_molecules: int
    smallest_site_clearance_nm: float


def heavy_atoms(topology: app.Topology, indices: Sequence[int]) -> np.ndarray:
    """The non-hydrogen atoms among ``indices`` (shape=(n,), dtype=int)."""
    atoms = list(topology.atoms())
    return np.array(
        [i for i in indices if atoms[i].element is None or atoms[i].element.symbol != "H"],
        dtype=int,
    )


def min_heavy_distance_nm(
    positions_nm: np.ndarray,
    topology: app.Topology,
    first: Sequence[Sequence[int]],
    second: Sequence[Sequence[int]],
) -> float:
    """Smallest distance between a heavy atom of ``first`` and one of ``second`` molecules.

    Parameters
    ----------
    positions_nm : np.ndarray, shape=(n_atoms, 3)
    topology : openmm.app.Topology
    first, second : sequence of sequence of int
        Atom indices per molecule, e.g. the transmitters and the receptors of build.json.

    Returns
    -------
    float
        Distance in nm (no periodic images: the cleft lies inside one box).
    """
    positions_nm = np.asarray(positions_nm, dtype=float)
    a = positions_nm[heavy_atoms(topology, [i for m in first for i in m])]
    b = positions_nm[heavy_atoms(topology, [i for m in second for i in m])]
    return float(cKDTree(b).query(a)[0].min())


def _grid(box_nm: np.ndarray, spacing_nm: float) -> np.ndarray:
    counts = np.maximum(1, np.ceil(box_nm / spacing_nm).astype(int))
    axes = [(np.arange(n) + 0.5) * edge / n for n, edge in zip(counts, box_nm, strict=True)]
    return np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 3)


def _periodic_distance(points: np.ndarray, point: np.ndarray, box_nm: np.ndarray) -> np.ndarray:
    delta = points - point
    delta -= box_nm * np.round(delta / box_nm)
    return np.sqrt(np.sum(delta * delta, axis=-1))


def relocate_solvent(
    positions_nm: np.ndarray,
    solvent_molecules: Sequence[Sequence[int]],
    placed_nm: np.ndarray,
    *,
    box_nm: np.ndarray,
    clearance_nm: float = SOLVENT_CLEARANCE_NM,
) -> tuple[np.ndarray, int, float]:
    """Move the solvent molecules that overlap ``placed_nm`` to the emptiest sites of the box.

    A molecule overlaps when one of its atoms lies within ``clearance_nm`` of a placed
    atom (minimum image). Every point of a 0.05 nm grid over the periodic box is scored by
    its distance to the nearest atom that stays (everything but the overlapping
    molecules); the overlapping molecules are translated rigidly, first atom (water O, the
    ion) onto the best-scored points, taken greedily at least 0.28 nm (water O-O) apart.
    After transmitters moved, those points lie in the sites the transmitters vacated.

    Parameters
    ----------
    positions_nm : np.ndarray, shape=(n_atoms, 3)
        Every atom, with the placed atoms already at their new positions, nm.
    solvent_molecules : sequence of sequence of int
        Atom indices of each water molecule and ion.
    placed_nm : np.ndarray, shape=(n, 3)
        Positions of the newly placed atoms, nm.
    box_nm : np.ndarray, shape=(3,)
        Edges of the rectangular periodic box, nm.
    clearance_nm : float
        Overlap distance, nm.

    Returns
    -------
    positions_nm : np.ndarray, shape=(n_atoms, 3)
        A copy with the overlapping molecules moved.
    moved : int
        Number of molecules moved.
    smallest_clearance_nm : float
        Smallest score of the sites used (``inf`` when nothing moved).

    Raises
    ------
    ValueError
        The box has fewer free sites than molecules to move.
    """
    box = np.asarray(box_nm, dtype=float)
    positions = np.array(positions_nm, dtype=float)
    placed_tree = cKDTree(np.mod(placed_nm, box), boxsize=box)
    overlapping = [
        molecule
        for molecule in solvent_molecules
        if placed_tree.query(np.mod(positions[list(molecule)], box))[0].min() < clearance_nm
    ]
    if not overlapping:
        return positions, 0, float("inf")
    leaving = np.zeros(len(positions), dtype=bool)
    leaving[[i for molecule in overlapping for i in molecule]] = True
    staying = cKDTree(np.mod(positions[~leaving], box), boxsize=box)
    grid = _grid(box, _GRID_SPACING_NM)
    score = staying.query(grid)[0]
    sites: list[int] = []
    for index in np.argsort(-score, kind="stable"):
        if score[index] < _WATER_SEPARATION_NM / 2:
            break
        taken = grid[sites]
        if sites and _periodic_distance(taken, grid[index], box).min() < _WATER_SEPARATION_NM:
            continue
        sites.append(int(index))
        if len(sites) == len(overlapping):
            break
    if len(sites) < len(overlapping):
        raise ValueError(
            f"no room for {len(overlapping)} solvent molecules displaced by the transmitters "
            f"({len(sites)} free sites in the {box.tolist()} nm box): enlarge "
            "md.explicit.padding_nm or place fewer transmitters"
        )
    for molecule, site in zip(overlapping, sites, strict=True):
        atoms = list(molecule)
        positions[atoms] += grid[site] - positions[atoms[0]]
    return positions, len(overlapping), float(score[sites].min())


def replica_start(
    positions_nm: np.ndarray,
    topology: app.Topology,
    build: Mapping,
    config: MDConfig,
    *,
    placement_seed: int,
) -> ReplicaStart:
    """Place the transmitters of a built cleft anew (seeded) and clear their sites.

    Parameters
    ----------
    positions_nm : np.ndarray, shape=(n_atoms, 3)
        Minimized build positions (``R/md/system/topology.pdb``), nm.
    topology : openmm.app.Topology
    build : Mapping
        ``build.json``: ``transmitters`` and ``receptors`` (``atom_indices``),
        ``origin_nm`` and ``box_nm`` (``None`` in implicit solvent).
    config : MDConfig
    placement_seed : int
        Seed of the placement (:func:`synapse_md.simulation.replica_start_seeds`).

    Returns
    -------
    ReplicaStart
    """
    positions = np.array(positions_nm, dtype=float)
    if positions.shape != (topology.getNumAtoms(), 3):
        raise ValueError(
            f"positions_nm must have shape ({topology.getNumAtoms()}, 3), got {positions.shape}"
        )
    transmitters = [list(t["atom_indices"]) for t in build["transmitters"]]
    receptors = [list(r["atom_indices"]) for r in build["receptors"]]
    placed = place_transmitters(
        [positions[atoms] for atoms in transmitters],
        config.geometry,
        positions[[i for atoms in receptors for i in atoms]],
        rng=np.random.default_rng(placement_seed),
        origin_nm=np.asarray(build["origin_nm"], dtype=float),
    )
    for atoms, coords in zip(transmitters, placed, strict=True):
        positions[atoms] = coords
    if build.get("box_nm") is None:
        return ReplicaStart(positions, placement_seed, 0, float("inf"))
    solute = {i for atoms in transmitters + receptors for i in atoms}
    solvent = [
        [atom.index for atom in residue.atoms()]
        for residue in topology.residues()
        if next(residue.atoms()).index not in solute
    ]
    positions, moved, clearance = relocate_solvent(
        positions, solvent, np.vstack(placed), box_nm=np.asarray(build["box_nm"], dtype=float)
    )
    logger.info(
        "moved %d solvent molecules out of the new transmitter sites (site clearance >= %.3f nm)",
        moved,
        clearance,
    )
    return ReplicaStart(positions, placement_seed, moved, clearance)
