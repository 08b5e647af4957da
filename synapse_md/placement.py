"""Seeded random placement of rigid molecules in a box without overlaps."""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from synsoc.validation import check_positive

__all__ = ["random_rotation", "random_rotations", "place_molecules", "min_distance_nm"]

_BATCH = 256  # placement tries evaluated together (vectorised); the first that fits wins


def min_distance_nm(first: np.ndarray, second: np.ndarray) -> float:
    """Smallest distance between two point sets (brute force; molecules are small).

    Parameters
    ----------
    first, second : np.ndarray, shape=(n, 3) and (m, 3)

    Returns
    -------
    float
        ``inf`` if either set is empty.
    """
    if len(first) == 0 or len(second) == 0:
        return float("inf")
    difference = first[:, None, :] - second[None, :, :]
    return float(np.sqrt(np.min(np.einsum("ijk,ijk->ij", difference, difference))))


def random_rotations(rng: np.random.Generator, count: int) -> np.ndarray:
    """Uniformly distributed rotation matrices (normalised Gaussian quaternions).

    Parameters
    ----------
    rng : numpy.random.Generator
    count : int
        Number of matrices.

    Returns
    -------
    np.ndarray, shape=(count, 3, 3)
    """
    q = rng.normal(size=(count, 4))
    w, x, y, z = (q / np.linalg.norm(q, axis=1, keepdims=True)).T
    return np.stack(
        [
            np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)], -1),
            np.stack([2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)], -1),
            np.stack([2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)], -1),
        ],
        axis=1,
    )


def random_rotation(rng: np.random.Generator) -> np.ndarray:
    """One uniformly distributed rotation matrix, shape=(3, 3) (see :func:`random_rotations`)."""
    return random_rotations(rng, 1)[0]


def place_molecules(
    templates: list[np.ndarray],
    centre_low_nm: np.ndarray,
    centre_high_nm: np.ndarray,
    box_low_nm: np.ndarray,
    box_high_nm: np.ndarray,
    min_separation_nm: float,
    *,
    rng: np.random.Generator | int,
    max_attempts: int = 2000,
    restarts: int = 20,
    occupied_nm: np.ndarray | None = None,
    occupied_clearance_nm: float | None = None,
) -> list[np.ndarray]:
    """Place rigid molecules one by one with random orientation, rejecting overlaps.

    Parameters
    ----------
    templates : list of np.ndarray, shape=(n_atoms_i, 3)
        Molecule coordinates in nm, centred on the origin.
    centre_low_nm, centre_high_nm : np.ndarray, shape=(3,)
        Box from which molecule centres are drawn uniformly.
    box_low_nm, box_high_nm : np.ndarray, shape=(3,)
        Every atom must end inside this box.
    min_separation_nm : float
        Minimum distance between atoms of different molecules.
    rng : numpy.random.Generator or int
        Generator, or seed of a new one.
    max_attempts : int
        Tries per molecule before the whole set is redrawn (greedy placement can
        paint itself into a corner). Tries are drawn and checked in vectorised batches of
        256; the first try of a batch that fits is taken.
    restarts : int
        Redraws of the whole set before giving up.
    occupied_nm : np.ndarray, shape=(n, 3), optional
        Atoms already present that must also be avoided.
    occupied_clearance_nm : float, optional
        Minimum distance to ``occupied_nm`` atoms (default ``min_separation_nm``),
        e.g. the clearance between released transmitters and the receptors.

    Returns
    -------
    list of np.ndarray, shape=(n_atoms_i, 3)
        Placed coordinates in nm, in the order of ``templates``.

    Raises
    ------
    ValueError
        If the set cannot be placed in ``restarts`` redraws.
    """
    check_positive("min_separation_nm", min_separation_nm)
    clearance = min_separation_nm if occupied_clearance_nm is None else occupied_clearance_nm
    check_positive("occupied_clearance_nm", clearance)
    rng = np.random.default_rng(rng)
    fixed = np.zeros((0, 3)) if occupied_nm is None else np.asarray(occupied_nm, dtype=float)
    if restarts < 1 or max_attempts < 1:
        raise ValueError("restarts and max_attempts must be >= 1")
    for _ in range(restarts):
        result = _place_once(
            templates,
            centre_low_nm,
            centre_high_nm,
            box_low_nm,
            box_high_nm,
            min_separation_nm,
            rng,
            max_attempts,
            fixed,
            clearance,
        )
        if result is not None:
            return result
    raise ValueError(
        f"could not place {len(templates)} molecules ({restarts} redraws of "
        f"{max_attempts} tries each): lower the counts, enlarge the geometry or raise "
        "geometry.max_placement_attempts"
    )


def _fits(coords: np.ndarray, tree: cKDTree | None, distance_nm: float) -> np.ndarray:
    """Which candidates (shape=(n, n_atoms, 3)) keep ``distance_nm`` from the tree's atoms."""
    if tree is None:
        return np.ones(len(coords), dtype=bool)
    nearest, _ = tree.query(coords.reshape(-1, 3), distance_upper_bound=distance_nm)
    return np.all(nearest.reshape(coords.shape[:2]) >= distance_nm, axis=1)


def _first_fit(
    template, centre_low_nm, centre_high_nm, box_low_nm, box_high_nm, rng, max_attempts, checks
) -> np.ndarray | None:
    """Coordinates of the first random pose of ``template`` that fits, or None."""
    tried = 0
    while tried < max_attempts:
        size = min(_BATCH, max_attempts - tried)
        tried += size
        centres = rng.uniform(centre_low_nm, centre_high_nm, size=(size, 3))
        coords = np.einsum("bij,aj->bai", random_rotations(rng, size), template)
        coords += centres[:, None, :]
        fits = np.all((coords >= box_low_nm) & (coords <= box_high_nm), axis=(1, 2))
        for tree, distance in checks:
            fits[fits] = _fits(coords[fits], tree, distance)
        hits = np.flatnonzero(fits)
        if hits.size:
            return coords[hits[0]]
    return None


def _place_once(
    templates,
    centre_low_nm,
    centre_high_nm,
    box_low_nm,
    box_high_nm,
    min_separation_nm,
    rng,
    max_attempts,
    fixed,
    clearance,
) -> list[np.ndarray] | None:
    """One greedy pass of :func:`place_molecules`; ``None`` if a molecule found no spot."""
    fixed_tree = cKDTree(fixed) if len(fixed) else None
    placed_atoms = np.zeros((0, 3))
    result = []
    for template in templates:
        placed_tree = cKDTree(placed_atoms) if len(placed_atoms) else None
        coords = _first_fit(
            np.asarray(template, dtype=float),
            centre_low_nm,
            centre_high_nm,
            box_low_nm,
            box_high_nm,
            rng,
            max_attempts,
            [(fixed_tree, clearance), (placed_tree, min_separation_nm)],
        )
        if coords is None:
            return None
        result.append(coords)
        placed_atoms = np.vstack([placed_atoms, coords])
    return result
