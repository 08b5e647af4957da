"""Each replica's own start: seeded transmitter placement, anchors, solvent moved away."""

from __future__ import annotations

import json

import numpy as np
import openmm
import openmm.app as app
import openmm.unit as unit
import pytest
from scipy.spatial import cKDTree
from scipy.spatial.distance import cdist

from synapse_md import MDConfig, run_build, run_equilibrate
from synapse_md.forces import TRANSMITTER_K, position_restraints, set_restraint_anchors
from synapse_md.simulation import replica_seeds, replica_start_seeds
from synapse_md.start import relocate_solvent, replica_start
from synsoc.config import validate_config

from .conftest import TINY_MD


@pytest.fixture(scope="module")
def built(tmp_path_factory, tiny_config):
    """The tiny implicit build: (build.json record, minimized positions in nm, topology)."""
    system_dir = tmp_path_factory.mktemp("start") / "system"
    build = run_build(tiny_config, system_dir, threads=1)
    pdb = app.PDBFile(str(system_dir / "topology.pdb"))
    return build, pdb.getPositions(asNumpy=True).value_in_unit(unit.nanometer), pdb.topology


def _start(built, tiny_md, replica):
    build, positions, topology = built
    seed, _ = replica_start_seeds(tiny_md.seed, tiny_md.replicas, replica)
    return replica_start(positions, topology, build, tiny_md, placement_seed=seed)


def test_replica_seeds_are_four_distinct_words_independent_of_the_replica_count():
    production = replica_seeds(2026, 8, 3)
    start = replica_start_seeds(2026, 8, 3)
    assert len(set(production + start)) == 4
    assert replica_start_seeds(2026, 40, 3) == start  # adding replicas keeps replica 3
    assert replica_start_seeds(2026, 8, 4) != start
    with pytest.raises(ValueError, match=r"replica must be in \[0, 8\)"):
        replica_start_seeds(2026, 8, 8)


def test_two_replicas_place_differently_and_reproducibly(built, tiny_md):
    build, positions, _ = built
    first, second = _start(built, tiny_md, 0), _start(built, tiny_md, 1)
    np.testing.assert_array_equal(first.positions_nm, _start(built, tiny_md, 0).positions_nm)
    transmitters = [t["atom_indices"] for t in build["transmitters"]]
    receptors = [i for r in build["receptors"] for i in r["atom_indices"]]
    moved = [i for atoms in transmitters for i in atoms]
    assert not np.allclose(first.positions_nm[moved], second.positions_nm[moved], atol=0.1)
    for start in (first, second):
        # the synapse is the model: receptors stay exactly where the build put them
        np.testing.assert_array_equal(start.positions_nm[receptors], positions[receptors])
        assert start.moved_solvent_molecules == 0  # implicit solvent


def test_placement_keeps_molecules_rigid_and_respects_the_geometry(built, tiny_md):
    build, positions, _ = built
    geometry = tiny_md.geometry
    start = _start(built, tiny_md, 1)
    transmitters = [t["atom_indices"] for t in build["transmitters"]]
    receptors = positions[[i for r in build["receptors"] for i in r["atom_indices"]]]
    high = np.array([geometry.lateral_nm, geometry.lateral_nm, geometry.cleft_height_nm])
    for index, atoms in enumerate(transmitters):
        placed = start.positions_nm[atoms]
        # internal coordinates of the built transmitter (rigid rotation + translation)
        np.testing.assert_allclose(
            cdist(placed, placed), cdist(positions[atoms], positions[atoms]), atol=1e-9
        )
        centre = placed.mean(axis=0)
        assert geometry.release_z_min_nm <= centre[2] <= geometry.release_z_max_nm
        assert np.all(placed > 0) and np.all(placed < high)
        assert cdist(placed, receptors).min() >= geometry.release_clearance_nm
        for other in transmitters[index + 1 :]:
            assert cdist(placed, start.positions_nm[other]).min() >= geometry.min_separation_nm


def test_set_restraint_anchors_moves_the_minimum_of_the_restraint():
    system = openmm.System()
    for _ in range(3):
        system.addParticle(1.0)
    system.addForce(position_restraints([0, 2], np.zeros((2, 3)), 100.0, TRANSMITTER_K))
    target = np.array([[0.1, 0.2, 0.3], [5.0, 5.0, 5.0], [-0.4, 0.0, 0.7]])
    set_restraint_anchors(system, TRANSMITTER_K, target)
    context = openmm.Context(
        system, openmm.VerletIntegrator(0.001), openmm.Platform.getPlatformByName("Reference")
    )
    context.setPositions(target * unit.nanometer)
    energy = context.getState(getEnergy=True).getPotentialEnergy()
    assert energy.value_in_unit(unit.kilojoule_per_mole) == pytest.approx(0.0, abs=1e-12)
    context.setPositions((target + [0.1, 0.0, 0.0]) * unit.nanometer)
    energy = context.getState(getEnergy=True).getPotentialEnergy()
    # two restrained atoms, each 0.1 nm from its anchor: 2 x 0.5 x 100 x 0.01
    assert energy.value_in_unit(unit.kilojoule_per_mole) == pytest.approx(1.0, rel=1e-9)
    with pytest.raises(ValueError, match="k_other"):
        set_restraint_anchors(system, "k_other", target)


def test_relocate_solvent_moves_overlapping_molecules_into_the_vacated_site():
    """A lattice 'solvent' (0.3 nm spacing) with one molecule-sized hole: solvent under the
    newly placed atoms goes into the hole, nothing is left within the clearance."""
    box = np.full(3, 2.4)
    axis = (np.arange(8) + 0.5) * 0.3
    lattice = np.stack(np.meshgrid(axis, axis, axis, indexing="ij"), -1).reshape(-1, 3)
    hole_centre, new_centre = np.array([0.6, 0.6, 0.6]), np.array([1.65, 1.65, 1.65])
    solvent = lattice[np.linalg.norm(lattice - hole_centre, axis=1) > 0.35]
    placed = new_centre + np.array([[0.0, 0.0, 0.0], [0.1, 0.0, 0.0]])
    positions = np.vstack([placed, solvent])
    molecules = [[i] for i in range(len(placed), len(positions))]
    moved_positions, moved, clearance = relocate_solvent(
        positions, molecules, placed, box_nm=box, clearance_nm=0.25
    )
    overlapping = cdist(solvent, placed).min(axis=1) < 0.25
    assert moved == overlapping.sum() == 2  # the lattice point under each placed atom
    new_solvent = moved_positions[len(placed) :]
    assert cdist(new_solvent, placed).min() >= 0.25
    # the moved molecules sit in the hole, not on top of other solvent
    went = new_solvent[overlapping]
    assert np.linalg.norm(went - hole_centre, axis=1).max() < 0.35
    assert clearance >= 0.14
    nearest_other = cKDTree(new_solvent).query(went, k=2)[0][:, 1]
    assert nearest_other.min() >= 0.28 - 1e-9
    np.testing.assert_array_equal(moved_positions[: len(placed)], placed)


def _molecules_closest_approach_nm(context: openmm.Context, positions_nm, box_nm) -> float:
    """Smallest minimum-image distance between atoms of different molecules."""
    owner = np.empty(len(positions_nm), dtype=int)
    for index, molecule in enumerate(context.getMolecules()):
        owner[list(molecule)] = index
    tree = cKDTree(np.mod(positions_nm, box_nm), boxsize=box_nm)
    pairs = tree.query_pairs(0.3, output_type="ndarray")
    pairs = pairs[owner[pairs[:, 0]] != owner[pairs[:, 1]]]
    delta = positions_nm[pairs[:, 0]] - positions_nm[pairs[:, 1]]
    delta -= box_nm * np.round(delta / box_nm)
    return float(np.sqrt(np.sum(delta**2, axis=1)).min())


def test_explicit_solvent_replica_start_minimizes_without_clashes(tmp_path):
    """Explicit solvent: water overlapping the new transmitter sites is moved; after the
    replica's minimization the energy is finite and close to the build's and no atom sits
    closer than 0.1 nm to an atom of another molecule (H-bonded pairs are >= 0.15 nm)."""
    md = {
        **TINY_MD,
        "solvent": "explicit",
        "salt_molar": 0.15,
        "replicas": 1,
        "minimize_max_iterations": 50,
        "equilibration_ps": 0.0,
        "explicit": {"padding_nm": 0.4},
        "geometry": {**TINY_MD["geometry"], "lateral_nm": 2.0},
    }
    config = validate_config({"md": md})
    system_dir, replica_dir = tmp_path / "system", tmp_path / "replica_0"
    build = run_build(config, system_dir, threads=1)
    state = run_equilibrate(config, system_dir, replica_dir, 0, threads=1)
    assert (replica_dir / "equilibrated.xml").exists()
    energy = state.getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole)
    # a left-over clash (two atoms 0.1 nm apart) would cost > 1e5 kJ/mol
    assert np.isfinite(energy) and energy < 0.95 * build["minimized_energy_kj_per_mol"] < 0
    system = openmm.XmlSerializer.deserialize((system_dir / "system.xml").read_text())
    context = openmm.Context(
        system, openmm.VerletIntegrator(0.001), openmm.Platform.getPlatformByName("Reference")
    )
    positions = state.getPositions(asNumpy=True).value_in_unit(unit.nanometer)
    box = np.asarray(build["box_nm"])
    assert _molecules_closest_approach_nm(context, positions, box) > 0.1
    pdb = app.PDBFile(str(system_dir / "topology.pdb"))
    typed = MDConfig.from_section(config["md"])
    start = replica_start(
        pdb.getPositions(asNumpy=True).value_in_unit(unit.nanometer),
        pdb.topology,
        json.loads((system_dir / "build.json").read_text()),
        typed,
        placement_seed=replica_start_seeds(typed.seed, typed.replicas, 0)[0],
    )
    assert start.moved_solvent_molecules > 0
