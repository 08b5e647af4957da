"""Build the synaptic-cleft system: molecules, solvent model, walls and restraints.

Coordinates of the cleft: presynaptic wall at z = 0, postsynaptic wall at
z = cleft_height_nm, lateral walls at x, y in [0, lateral_nm] (all shifted by
``origin_nm`` in explicit solvent, where the slab sits inside a periodic water box).
Chains 0 .. n_transmitters-1 are the transmitters, the following chains the receptors.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import openmm
import openmm.app as app
import openmm.unit as unit

from synapse_md.config import GeometryConfig, MDConfig
from synapse_md.forces import (
    RECEPTOR_K,
    SIDECHAIN_K,
    TRANSMITTER_K,
    flat_bottom_walls,
    native_obc2_force,
    position_restraints,
)
from synapse_md.molecules import amber_forcefield, capped_peptide, seeded_python_random
from synapse_md.placement import min_distance_nm, place_molecules

__all__ = [
    "CleftSystem",
    "build_cleft",
    "place_transmitters",
    "implicit_solvent_system",
    "debye_kappa_per_nm",
    "BACKBONE_ATOMS",
]

logger = logging.getLogger(__name__)

BACKBONE_ATOMS = ("N", "CA", "C")
_CAPS = ("ACE", "NME")
_GRID_JITTER_NM = 0.25  # lateral freedom of a receptor around its grid point
_TRIES_PER_MOLECULE = 5000  # transmitter placement tries before the set is redrawn
_WALL_SKIN_NM = 0.05  # placed atoms stay this far inside the walls
_RELEASE_LATERAL_MARGIN_NM = 0.3  # transmitter centres this far from the lateral walls


@dataclass(frozen=True)
class CleftSystem:
    """A built (not yet minimized) cleft system.

    Attributes
    ----------
    system : openmm.System
    topology : openmm.app.Topology
    positions_nm : np.ndarray, shape=(n_atoms, 3)
    transmitters, receptors : tuple of tuple of int
        Atom indices of each transmitter / receptor molecule.
    transmitter_residue, receptor_residue : str
        Residue name of the first non-cap residue (e.g. ``GLU``, ``ARG``).
    origin_nm : np.ndarray, shape=(3,)
        Position of the cleft corner (0, 0, 0) in system coordinates.
    box_nm : np.ndarray, shape=(3,) or None
        Periodic box edges (explicit solvent) or ``None``.
    transmitter_mass_amu : float
        Mass of one transmitter molecule (HMR keeps molecular masses).
    """

    system: openmm.System
    topology: app.Topology
    positions_nm: np.ndarray
    transmitters: tuple[tuple[int, ...], ...]
    receptors: tuple[tuple[int, ...], ...]
    transmitter_residue: str
    receptor_residue: str
    origin_nm: np.ndarray
    box_nm: np.ndarray | None
    transmitter_mass_amu: float


def debye_kappa_per_nm(
    salt_molar: float, temperature_K: float, *, dielectric: float = 78.5
) -> float:
    """GB salt-screening parameter κ in nm⁻¹, Amber/OpenMM convention.

    κ = 0.73 × 50.33355 √(I / (ε T)) Å⁻¹: the Debye–Hückel κ times Amber's 0.73
    ion-exclusion factor, exactly what OpenMM's ``implicitSolventSaltConc`` computes
    (``amberprmtopfile.py``; XML force fields accept only ``implicitSolventKappa``).
    0.15 M, 300 K, ε = 78.5 -> 0.927 nm⁻¹ (the bare Debye κ would be 1.27 nm⁻¹).

    Parameters
    ----------
    salt_molar : float
        Ionic strength in mol/L (>= 0).
    temperature_K : float
        Temperature in K (> 0).
    dielectric : float
        Solvent dielectric constant (> 0).
    """
    if salt_molar < 0 or temperature_K <= 0 or dielectric <= 0:
        raise ValueError(
            "salt_molar must be >= 0, temperature_K and dielectric > 0, got "
            f"{salt_molar}, {temperature_K}, {dielectric}"
        )
    return 0.73 * 10.0 * 50.33355 * math.sqrt(salt_molar / (dielectric * temperature_K))


def _align_planar(positions_nm: np.ndarray) -> np.ndarray:
    """Rotate a centred molecule so that its long axis lies along x."""
    _, _, vt = np.linalg.svd(positions_nm - positions_nm.mean(axis=0))
    rotation = vt if np.linalg.det(vt) > 0 else vt * np.array([[1], [1], [-1]])
    return positions_nm @ rotation.T


def _receptor_grid(count: int, lateral_nm: float, z_nm: float) -> np.ndarray:
    columns = math.ceil(math.sqrt(count))
    rows = math.ceil(count / columns)
    centres = [
        ((i + 0.5) * lateral_nm / columns, (j + 0.5) * lateral_nm / rows, z_nm)
        for j in range(rows)
        for i in range(columns)
    ]
    return np.array(centres[:count])


def _chain_atoms(topology: app.Topology) -> list[list[int]]:
    return [[atom.index for atom in chain.atoms()] for chain in topology.chains()]


_GB_FORCE_FIELDS = {"obc2": "implicit/obc2.xml", "gbn2": "implicit/gbn2.xml"}


def implicit_solvent_system(topology: app.Topology, config: MDConfig) -> openmm.System:
    """Non-periodic ff14SB system of ``topology`` in the implicit solvent of ``config``.

    ``implicit``: native ``GBSAOBCForce`` (OBC2 parameters, no salt screening);
    ``obc2`` / ``gbn2``: the ``CustomGBForce`` of ``implicit/obc2.xml`` / ``gbn2.xml`` with
    ``implicitSolventKappa`` = :func:`debye_kappa_per_nm` of ``config.salt_molar``.
    HBonds constraints, hydrogen mass ``config.hydrogen_mass_amu``, no cutoff.

    Parameters
    ----------
    topology : openmm.app.Topology
        Capped peptides only (ff14SB templates).
    config : MDConfig
        ``solvent`` must be ``implicit``, ``obc2`` or ``gbn2``.

    Returns
    -------
    openmm.System
    """
    # No CMMotionRemover: walls and position restraints pin the system to the lab frame
    # (total momentum is not conserved), the Langevin thermostat needs no drift fix, and
    # removing the centre-of-mass velocity every step would couple and slow down the free
    # transmitters (each loses ~m/M_total of its momentum per step), biasing D_sim.
    options = {
        "nonbondedMethod": app.NoCutoff,
        "constraints": app.HBonds,
        "hydrogenMass": config.hydrogen_mass_amu * unit.amu,
        "removeCMMotion": False,
    }
    if config.solvent == "implicit":
        system = amber_forcefield().createSystem(topology, **options)
        system.addForce(native_obc2_force(system, topology))
        return system
    if config.solvent not in _GB_FORCE_FIELDS:
        raise ValueError(
            f"solvent must be implicit, obc2 or gbn2 for an implicit system, got {config.solvent!r}"
        )
    kappa = debye_kappa_per_nm(config.salt_molar, config.temperature_K)
    return amber_forcefield(_GB_FORCE_FIELDS[config.solvent]).createSystem(
        topology, implicitSolventKappa=kappa / unit.nanometer, **options
    )


def _create_system(config: MDConfig, modeller: app.Modeller) -> tuple[openmm.System, object]:
    if config.solvent != "explicit":
        return implicit_solvent_system(modeller.topology, config), None
    forcefield = amber_forcefield("amber14/tip3p.xml")
    geometry, pad = config.geometry, config.explicit.padding_nm
    box = np.array(
        [
            geometry.lateral_nm + 2 * pad,
            geometry.lateral_nm + 2 * pad,
            geometry.cleft_height_nm + 2 * pad,
        ]
    )
    solute_before = np.asarray(modeller.positions.value_in_unit(unit.nanometer))
    n_solute = len(solute_before)
    with seeded_python_random(config.seed):
        modeller.addSolvent(
            forcefield,
            model="tip3p",
            boxSize=openmm.Vec3(*box) * unit.nanometer,
            ionicStrength=config.salt_molar * unit.molar,
            neutralize=True,
        )
    solute_after = np.asarray(modeller.positions.value_in_unit(unit.nanometer))[:n_solute]
    shift = (solute_after - solute_before).mean(axis=0)
    system = forcefield.createSystem(
        modeller.topology,
        nonbondedMethod=app.PME,
        nonbondedCutoff=config.explicit.cutoff_nm * unit.nanometer,
        constraints=app.HBonds,
        hydrogenMass=config.hydrogen_mass_amu * unit.amu,
        removeCMMotion=False,  # as in implicit_solvent_system
    )
    return system, (shift, box)


def place_transmitters(
    templates_nm: list[np.ndarray],
    geometry: GeometryConfig,
    receptor_nm: np.ndarray,
    *,
    rng: np.random.Generator | int,
    origin_nm: np.ndarray | None = None,
) -> list[np.ndarray]:
    """Seeded transmitter placement in the release zone, clear of the receptor patch.

    Centres are uniform in x, y in [0.3, lateral_nm - 0.3] nm and z in
    [release_z_min_nm, release_z_max_nm], orientations uniformly random; every atom stays
    0.05 nm inside the walls, ``geometry.release_clearance_nm`` from every receptor atom
    and ``geometry.min_separation_nm`` from the other transmitters; the set is redrawn
    after 5000 failed tries for one molecule, up to ``geometry.max_placement_attempts``
    tries per molecule in all. The build and every replica's start
    (:func:`synapse_md.start.replica_start`) place transmitters here.

    Parameters
    ----------
    templates_nm : list of np.ndarray, shape=(n_atoms, 3)
        Internal coordinates of each transmitter (centred on the origin), nm.
    geometry : GeometryConfig
    receptor_nm : np.ndarray, shape=(n, 3)
        Receptor atom positions in system coordinates, nm.
    rng : numpy.random.Generator or int
        Generator, or seed of a new one.
    origin_nm : np.ndarray, shape=(3,), optional
        Cleft corner (0, 0, 0) in system coordinates (``CleftSystem.origin_nm``; default 0).

    Returns
    -------
    list of np.ndarray, shape=(n_atoms, 3)
        Placed coordinates in system coordinates, nm, in the order of ``templates_nm``.

    Raises
    ------
    ValueError
        The transmitters do not fit (names the geometry keys to change).
    """
    origin = np.zeros(3) if origin_nm is None else np.asarray(origin_nm, dtype=float)
    high = np.array([geometry.lateral_nm, geometry.lateral_nm, geometry.cleft_height_nm])
    margin = _RELEASE_LATERAL_MARGIN_NM
    tries = min(_TRIES_PER_MOLECULE, geometry.max_placement_attempts)
    placed = place_molecules(
        [np.asarray(t, dtype=float) - np.mean(t, axis=0) for t in templates_nm],
        centre_low_nm=np.array([margin, margin, geometry.release_z_min_nm]),
        centre_high_nm=np.array(
            [geometry.lateral_nm - margin, geometry.lateral_nm - margin, geometry.release_z_max_nm]
        ),
        box_low_nm=np.full(3, _WALL_SKIN_NM),
        box_high_nm=high - _WALL_SKIN_NM,
        min_separation_nm=geometry.min_separation_nm,
        rng=rng,
        max_attempts=tries,
        restarts=max(1, geometry.max_placement_attempts // tries),
        occupied_nm=np.asarray(receptor_nm, dtype=float) - origin,
        occupied_clearance_nm=geometry.release_clearance_nm,
    )
    return [coords + origin for coords in placed]


def build_cleft(config: MDConfig) -> CleftSystem:
    """Build the cleft system of ``config`` (seeded placement, no downloads).

    Parameters
    ----------
    config : MDConfig

    Returns
    -------
    CleftSystem
        With walls on every solute atom, transmitter heavy-atom restraints (global parameter
        ``k_transmitter_restraint``) and restraints on the other receptor heavy atoms
        (``k_receptor_sidechain_restraint``), both lifted at release, and receptor
        backbone restraints (``k_receptor_restraint``) that stay.
    """
    if not isinstance(config, MDConfig):
        raise ValueError(f"config must be an MDConfig, got {type(config).__name__}")
    geometry = config.geometry
    rng = np.random.default_rng(np.random.SeedSequence([config.seed, 0]))
    forcefield = amber_forcefield()
    transmitter = capped_peptide(
        config.transmitter.sequence, forcefield=forcefield, seed=config.seed
    )
    receptor = capped_peptide(config.receptor.sequence, forcefield=forcefield, seed=config.seed)

    box_low = np.full(3, _WALL_SKIN_NM)
    box_high = (
        np.array([geometry.lateral_nm, geometry.lateral_nm, geometry.cleft_height_nm])
        - _WALL_SKIN_NM
    )
    receptor_coords = _place_receptors(
        _align_planar(receptor.positions_nm), config, box_low, box_high, rng
    )
    transmitter_coords = place_transmitters(
        [transmitter.positions_nm] * config.transmitter.count,
        geometry,
        np.vstack(receptor_coords),
        rng=rng,
    )

    modeller = app.Modeller(app.Topology(), [])
    for peptide, coords in [(transmitter, c) for c in transmitter_coords] + [
        (receptor, c) for c in receptor_coords
    ]:
        modeller.add(peptide.topology, coords * unit.nanometer)
    chains = _chain_atoms(modeller.topology)
    n_t = config.transmitter.count
    transmitters = tuple(tuple(chain) for chain in chains[:n_t])
    receptors = tuple(tuple(chain) for chain in chains[n_t:])

    system, explicit = _create_system(config, modeller)
    origin = np.zeros(3) if explicit is None else explicit[0]
    box = None if explicit is None else explicit[1]
    positions = np.asarray(modeller.positions.value_in_unit(unit.nanometer), dtype=float)

    atoms = list(modeller.topology.atoms())
    solute = np.array([i for chain in chains for i in chain])
    high = np.array([geometry.lateral_nm, geometry.lateral_nm, geometry.cleft_height_nm])
    system.addForce(
        flat_bottom_walls(solute, origin, origin + high, geometry.wall_k_kj_per_mol_nm2)
    )
    t_anchor = np.array(
        [i for chain in transmitters for i in chain if atoms[i].element.symbol != "H"]
    )
    system.addForce(
        position_restraints(
            t_anchor,
            positions[t_anchor],
            config.transmitter.restraint_k_kj_per_mol_nm2,
            TRANSMITTER_K,
        )
    )
    r_anchor = np.array(
        [
            i
            for chain in receptors
            for i in chain
            if atoms[i].name in BACKBONE_ATOMS and atoms[i].residue.name not in _CAPS
        ]
    )
    system.addForce(
        position_restraints(
            r_anchor, positions[r_anchor], config.receptor.restraint_k_kj_per_mol_nm2, RECEPTOR_K
        )
    )
    r_anchor_set = set(r_anchor.tolist())
    sidechains = np.array(
        [
            i
            for chain in receptors
            for i in chain
            if atoms[i].element.symbol != "H" and i not in r_anchor_set
        ]
    )
    system.addForce(
        position_restraints(
            sidechains,
            positions[sidechains],
            config.receptor.restraint_k_kj_per_mol_nm2,
            SIDECHAIN_K,
        )
    )
    mass = sum(atoms[i].element.mass.value_in_unit(unit.dalton) for i in transmitters[0])
    logger.info(
        "built %s cleft: %d atoms (%d transmitters ACE-%s-NME, %d receptors ACE-%s-NME)",
        config.solvent,
        system.getNumParticles(),
        n_t,
        config.transmitter.sequence,
        len(receptors),
        config.receptor.sequence,
    )
    return CleftSystem(
        system=system,
        topology=modeller.topology,
        positions_nm=positions,
        transmitters=transmitters,
        receptors=receptors,
        transmitter_residue=_first_residue(atoms, transmitters[0]),
        receptor_residue=_first_residue(atoms, receptors[0]),
        origin_nm=origin,
        box_nm=box,
        transmitter_mass_amu=float(mass),
    )


def _place_receptors(template, config, box_low, box_high, rng) -> list[np.ndarray]:
    """Receptors on a jittered lateral grid, long axis in-plane, random spin; no overlaps.

    Greedy placement can paint itself into a corner, so the whole patch is redrawn
    (up to ``max_placement_attempts // 50`` times) when one receptor finds no spot.
    """
    geometry = config.geometry
    centres = _receptor_grid(config.receptor.count, geometry.lateral_nm, geometry.receptor_z_nm)
    tries = 50
    for _ in range(max(1, geometry.max_placement_attempts // tries)):
        placed: list[np.ndarray] = []
        for centre in centres:
            for _ in range(tries):
                angle, spin = rng.uniform(0, 2 * np.pi, 2)
                rz = np.array(
                    [
                        [np.cos(angle), -np.sin(angle), 0],
                        [np.sin(angle), np.cos(angle), 0],
                        [0, 0, 1],
                    ]
                )
                rx = np.array(
                    [[1, 0, 0], [0, np.cos(spin), -np.sin(spin)], [0, np.sin(spin), np.cos(spin)]]
                )
                jitter = np.append(rng.uniform(-_GRID_JITTER_NM, _GRID_JITTER_NM, 2), 0.0)
                coords = template @ (rz @ rx).T + centre + jitter
                if np.any(coords < box_low) or np.any(coords > box_high):
                    continue
                if placed and min_distance_nm(coords, np.vstack(placed)) < (
                    geometry.min_separation_nm
                ):
                    continue
                placed.append(coords)
                break
            else:
                break
        if len(placed) == len(centres):
            return placed
    raise ValueError(
        f"{config.receptor.count} receptors {config.receptor.sequence} do not fit at "
        f"receptor_z_nm={geometry.receptor_z_nm} without overlaps: fewer receptors, larger "
        "lateral_nm, another receptor_z_nm or more geometry.max_placement_attempts"
    )


def _first_residue(atoms, chain) -> str:
    return next(atoms[i].residue.name for i in chain if atoms[i].residue.name not in _CAPS)
