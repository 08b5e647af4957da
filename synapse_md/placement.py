"""Seeded random placement of rigid molecules in a box without overlaps."""

from __future__ import annotations

import numpy as np

from synsoc.validation import check_positive

__all__ = ["random_rotation", "place_molecules", "min_distance_nm"]


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


def random_rotation(rng: np.random.Generator) -> np.ndarray:
    """Uniformly distributed rotation matrix (normalised Gaussian quaternion).

    Parameters
    ----------
    rng : numpy.random.Generator

    Returns
    -------
    np.ndarray, shape=(3, 3)
    """
    q = rng.normal(size=4)
    w, x, y, z = q / np.linalg.norm(q)
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
            [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
            [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
        ]
    )


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
        paint itself into a corner).
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
    placed_atoms = np.zeros((0, 3))
    result = []
    for template in templates:
        for _ in range(max_attempts):
            centre = rng.uniform(centre_low_nm, centre_high_nm)
            coords = template @ random_rotation(rng).T + centre
            if np.any(coords < box_low_nm) or np.any(coords > box_high_nm):
                continue
            if min_distance_nm(coords, fixed) < clearance:
                continue
            if min_distance_nm(coords, placed_atoms) < min_separation_nm:
                continue
            break
        else:
            return None
        result.append(coords)
        placed_atoms = np.vstack([placed_atoms, coords])
    return result
