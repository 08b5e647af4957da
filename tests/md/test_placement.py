"""Seeded random placement without overlaps and the molecule builder."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from synapse_md.molecules import capped_peptide
from synapse_md.placement import place_molecules, random_rotation, random_rotations


def test_random_rotation_is_orthonormal():
    rotation = random_rotation(np.random.default_rng(1))
    np.testing.assert_allclose(rotation @ rotation.T, np.eye(3), atol=1e-12)
    assert np.linalg.det(rotation) == pytest.approx(1.0)


def test_random_rotations_are_uniform():
    """Rotated unit vectors are uniform on the sphere: each component has mean 0 and
    variance 1/3, so the mean of 4000 has standard error sqrt(1/3/4000) = 0.0091 (5 sigma
    bound 0.046), and the mean square has standard error sqrt((1/5 - 1/9)/4000) = 0.0047
    (5 sigma bound 0.024); the batch matches the single-matrix function's convention."""
    rotations = random_rotations(np.random.default_rng(2), 4000)
    np.testing.assert_allclose(
        np.einsum("bij,bkj->bik", rotations, rotations), np.eye(3)[None].repeat(4000, 0), atol=1e-12
    )
    vectors = rotations @ np.array([0.0, 0.0, 1.0])
    assert np.abs(vectors.mean(axis=0)).max() < 0.046
    assert np.abs((vectors**2).mean(axis=0) - 1 / 3).max() < 0.024
    np.testing.assert_array_equal(
        random_rotation(np.random.default_rng(3)), random_rotations(np.random.default_rng(3), 1)[0]
    )


def test_capped_glutamate_has_amber_names_and_charge_minus_one():
    peptide = capped_peptide("E")
    residues = [r.name for r in peptide.topology.residues()]
    assert residues == ["ACE", "GLU", "NME"]
    names = {a.name for a in peptide.topology.atoms()}
    assert {"OE1", "OE2", "CA", "CH3"} <= names
    np.testing.assert_allclose(peptide.positions_nm.mean(axis=0), 0.0, atol=1e-9)


def _place(seed):
    template = capped_peptide("E").positions_nm
    return place_molecules(
        [template] * 5,
        centre_low_nm=np.array([0.5, 0.5, 0.5]),
        centre_high_nm=np.array([2.5, 2.5, 1.0]),
        box_low_nm=np.zeros(3),
        box_high_nm=np.array([3.0, 3.0, 2.0]),
        min_separation_nm=0.35,
        rng=np.random.default_rng(seed),
        occupied_nm=np.array([[1.5, 1.5, 1.9]]),
        occupied_clearance_nm=0.5,
    )


def test_placement_respects_box_separation_clearance_and_seed():
    placed = _place(3)
    for i, coords in enumerate(placed):
        assert np.all(coords >= 0) and np.all(coords <= [3.0, 3.0, 2.0])
        assert cdist(coords, [[1.5, 1.5, 1.9]]).min() >= 0.5
        for other in placed[i + 1 :]:
            assert cdist(coords, other).min() >= 0.35
    np.testing.assert_array_equal(np.vstack(placed), np.vstack(_place(3)))
    assert not np.array_equal(np.vstack(placed), np.vstack(_place(4)))


def test_impossible_placement_raises():
    template = np.zeros((1, 3))
    with pytest.raises(ValueError, match="could not place"):
        place_molecules(
            [template] * 3,
            centre_low_nm=np.zeros(3),
            centre_high_nm=np.full(3, 0.1),
            box_low_nm=np.zeros(3),
            box_high_nm=np.full(3, 0.1),
            min_separation_nm=0.35,
            rng=np.random.default_rng(0),
            max_attempts=20,
            restarts=2,
        )
