"""Custom forces of the cleft model: walls, position restraints, native OBC2 solvent.

Energies in kJ/mol, lengths in nm. The restraint force constants are global
parameters so that the release (transmitter restraints lifted at t = 0) is a
``context.setParameter`` call, saved with every checkpoint and state.
"""

from __future__ import annotations

import numpy as np
import openmm
import openmm.app as app
from openmm.app.internal.customgbforces import GBSAOBC2Force

__all__ = [
    "TRANSMITTER_K",
    "RECEPTOR_K",
    "SIDECHAIN_K",
    "RELEASED_PARAMETERS",
    "flat_bottom_walls",
    "position_restraints",
    "set_restraint_anchors",
    "native_obc2_force",
]

TRANSMITTER_K = "k_transmitter_restraint"
RECEPTOR_K = "k_receptor_restraint"
SIDECHAIN_K = "k_receptor_sidechain_restraint"
# Restraints that hold the start configuration during equilibration and are set to
# zero at release (t = 0); the receptor backbone restraint (RECEPTOR_K) stays.
RELEASED_PARAMETERS = (TRANSMITTER_K, SIDECHAIN_K)


def flat_bottom_walls(
    atom_indices: np.ndarray,
    low_nm: np.ndarray,
    high_nm: np.ndarray,
    k_kj_per_mol_nm2: float,
) -> openmm.CustomExternalForce:
    """Flat-bottom harmonic walls: zero inside ``[low, high]`` per axis, harmonic outside.

    U = k/2 Σ_axis (max(0, q - high)² + max(0, low - q)²).

    Parameters
    ----------
    atom_indices : np.ndarray, shape=(n,), dtype=int
        Atoms the walls act on.
    low_nm, high_nm : np.ndarray, shape=(3,)
        Box edges in nm (x, y, z).
    k_kj_per_mol_nm2 : float
        Force constant.

    Returns
    -------
    openmm.CustomExternalForce
    """
    low_nm, high_nm = np.asarray(low_nm, float), np.asarray(high_nm, float)
    if low_nm.shape != (3,) or high_nm.shape != (3,) or np.any(high_nm <= low_nm):
        raise ValueError("low_nm and high_nm must be shape (3,) with high_nm > low_nm")
    if k_kj_per_mol_nm2 <= 0:
        raise ValueError(f"k_kj_per_mol_nm2 must be > 0, got {k_kj_per_mol_nm2}")
    terms = " + ".join(f"max(0, {q} - {q}_hi)^2 + max(0, {q}_lo - {q})^2" for q in ("x", "y", "z"))
    force = openmm.CustomExternalForce(f"0.5 * k_wall * ({terms})")
    force.addGlobalParameter("k_wall", float(k_kj_per_mol_nm2))
    for axis, q in enumerate(("x", "y", "z")):
        force.addGlobalParameter(f"{q}_lo", float(low_nm[axis]))
        force.addGlobalParameter(f"{q}_hi", float(high_nm[axis]))
    for index in np.asarray(atom_indices, dtype=int):
        force.addParticle(int(index), [])
    force.setName("flat_bottom_walls")
    return force


def position_restraints(
    atom_indices: np.ndarray,
    reference_nm: np.ndarray,
    k_kj_per_mol_nm2: float,
    parameter: str,
) -> openmm.CustomExternalForce:
    """Harmonic restraints U = k/2 |r - r0|² with k a named global parameter.

    Parameters
    ----------
    atom_indices : np.ndarray, shape=(n,), dtype=int
    reference_nm : np.ndarray, shape=(n, 3)
        Anchor positions in nm.
    k_kj_per_mol_nm2 : float
        Initial value of the global force constant.
    parameter : str
        Name of the global parameter holding k (``TRANSMITTER_K``, ``RECEPTOR_K`` or
        ``SIDECHAIN_K``).

    Returns
    -------
    openmm.CustomExternalForce
    """
    atom_indices = np.asarray(atom_indices, dtype=int)
    reference_nm = np.asarray(reference_nm, dtype=float)
    if reference_nm.shape != (len(atom_indices), 3):
        raise ValueError("reference_nm must have shape (len(atom_indices), 3)")
    if k_kj_per_mol_nm2 < 0:
        raise ValueError(f"k_kj_per_mol_nm2 must be >= 0, got {k_kj_per_mol_nm2}")
    force = openmm.CustomExternalForce(
        f"0.5 * {parameter} * ((x - x0)^2 + (y - y0)^2 + (z - z0)^2)"
    )
    force.addGlobalParameter(parameter, float(k_kj_per_mol_nm2))
    for name in ("x0", "y0", "z0"):
        force.addPerParticleParameter(name)
    for index, anchor in zip(atom_indices, reference_nm, strict=True):
        force.addParticle(int(index), [float(v) for v in anchor])
    force.setName(parameter)
    return force


def set_restraint_anchors(
    system: openmm.System, parameter: str, positions_nm: np.ndarray
) -> openmm.CustomExternalForce:
    """Move the anchors (x0, y0, z0) of restraint force ``parameter`` to ``positions_nm``.

    Every restrained atom gets its anchor at its row of ``positions_nm``; the force
    constant and the set of atoms stay. Call before creating a context, or follow with
    ``force.updateParametersInContext(context)``.

    Parameters
    ----------
    system : openmm.System
        Holds the :func:`position_restraints` force named ``parameter``.
    parameter : str
        ``TRANSMITTER_K``, ``RECEPTOR_K`` or ``SIDECHAIN_K``.
    positions_nm : np.ndarray, shape=(n_atoms, 3)
        Positions of every atom of ``system``, nm.

    Returns
    -------
    openmm.CustomExternalForce
        The updated force.
    """
    positions_nm = np.asarray(positions_nm, dtype=float)
    if positions_nm.shape != (system.getNumParticles(), 3):
        raise ValueError(
            f"positions_nm must have shape ({system.getNumParticles()}, 3), "
            f"got {positions_nm.shape}"
        )
    matches = [force for force in system.getForces() if force.getName() == parameter]
    if len(matches) != 1 or not isinstance(matches[0], openmm.CustomExternalForce):
        raise ValueError(f"system must hold one restraint force named {parameter!r}")
    force = matches[0]
    for entry in range(force.getNumParticles()):
        atom, _ = force.getParticleParameters(entry)
        force.setParticleParameters(entry, atom, [float(v) for v in positions_nm[atom]])
    return force


def native_obc2_force(
    system: openmm.System,
    topology: app.Topology,
    *,
    solvent_dielectric: float = 78.5,
    solute_dielectric: float = 1.0,
) -> openmm.GBSAOBCForce:
    """Native OBC2 generalized Born force (Amber igb=5) from the system's charges.

    Radii are mbondi2 and screening factors the Amber ones (the same parameters as
    ``implicit/obc2.xml``), but the native ``GBSAOBCForce`` runs several times faster
    than the ``CustomGBForce`` of the XML files. It has **no salt screening**
    (no Debye kappa): use ``solvent: obc2`` (the XML force with kappa) or ``gbn2`` for
    ionic-strength effects.

    Parameters
    ----------
    system : openmm.System
        Vacuum system with one ``NonbondedForce`` (charges are read from it).
    topology : openmm.app.Topology
        Topology matching ``system``.
    solvent_dielectric, solute_dielectric : float

    Returns
    -------
    openmm.GBSAOBCForce
        Not yet added to ``system``.
    """
    nonbonded = [f for f in system.getForces() if isinstance(f, openmm.NonbondedForce)]
    if len(nonbonded) != 1:
        raise ValueError(f"system must hold exactly one NonbondedForce, found {len(nonbonded)}")
    if topology.getNumAtoms() != system.getNumParticles():
        raise ValueError("topology and system have different atom counts")
    parameters = GBSAOBC2Force.getStandardParameters(topology)
    force = openmm.GBSAOBCForce()
    force.setSolventDielectric(solvent_dielectric)
    force.setSoluteDielectric(solute_dielectric)
    force.setNonbondedMethod(openmm.GBSAOBCForce.NoCutoff)
    for index in range(system.getNumParticles()):
        charge = nonbonded[0].getParticleParameters(index)[0]
        radius_nm, scale = parameters[index]
        force.addParticle(charge, float(radius_nm), float(scale))
    force.setName("obc2_native")
    return force
