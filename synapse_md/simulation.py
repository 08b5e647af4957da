"""Integrator, context, seeds and the numerical checks shared by every MD stage."""

from __future__ import annotations

import logging

import numpy as np
import openmm
import openmm.unit as unit

from synapse_md.config import MDConfig
from synapse_md.platforms import PlatformChoice

__all__ = [
    "SimulationBlowUp",
    "replica_seeds",
    "replica_start_seeds",
    "stage_seed",
    "make_integrator",
    "make_context",
    "degrees_of_freedom",
    "temperature_K",
    "check_finite",
    "BLOWUP_CAUSES",
]

logger = logging.getLogger(__name__)

BOLTZMANN_KJ_PER_MOL_K = unit.MOLAR_GAS_CONSTANT_R.value_in_unit(
    unit.kilojoule_per_mole / unit.kelvin
)
BLOWUP_CAUSES = (
    "likely causes: time step too large for the hydrogen mass (timestep_fs / hydrogen_mass_amu), "
    "overlapping atoms at the start (min_separation_nm, minimization), or walls/restraints "
    "too stiff for the time step (wall_k_kj_per_mol_nm2, restraint_k_kj_per_mol_nm2)"
)
_MAX_SEED = 2**31 - 1


class SimulationBlowUp(RuntimeError):
    """Non-finite coordinates or energies; the message names replica, step and causes."""


def _to_openmm_seed(value: int) -> int:
    # OpenMM treats seed 0 as "choose one at random": map into [1, 2^31 - 1).
    return int(value) % (_MAX_SEED - 1) + 1


def _replica_words(seed: int, replicas: int, replica: int) -> np.ndarray:
    """The 4 seed words of replica ``replica``: SeedSequence(seed).spawn(replicas)[replica]."""
    if not 0 <= replica < replicas:
        raise ValueError(f"replica must be in [0, {replicas}), got {replica}")
    # spawn(n)[k] is SeedSequence(seed, spawn_key=(k,)) for every n > k, and
    # generate_state(n) starts with generate_state(m) for m < n: a replica's seeds depend
    # on neither the number of replicas nor on how many words are drawn.
    return np.random.SeedSequence(seed).spawn(replicas)[replica].generate_state(4)


def replica_seeds(seed: int, replicas: int, replica: int) -> tuple[int, int]:
    """Velocity and integrator seeds of one replica's production.

    Replica ``k`` uses words 0 and 1 of
    ``SeedSequence(seed).spawn(replicas)[k].generate_state(4)``, mapped to OpenMM's
    positive 31-bit seeds (words 2 and 3: :func:`replica_start_seeds`).

    Returns
    -------
    tuple of int
        ``(velocity_seed, integrator_seed)``.
    """
    words = _replica_words(seed, replicas, replica)
    return _to_openmm_seed(words[0]), _to_openmm_seed(words[1])


def replica_start_seeds(seed: int, replicas: int, replica: int) -> tuple[int, int]:
    """Placement and equilibration seeds of one replica's start configuration.

    Words 2 and 3 of ``SeedSequence(seed).spawn(replicas)[k].generate_state(4)`` (words 0
    and 1 are the production seeds of :func:`replica_seeds`), mapped to positive 31-bit
    seeds: the placement seed seeds ``numpy.random.default_rng`` for the replica's
    transmitter positions and orientations, the equilibration seed its equilibration
    velocities and Langevin noise.

    Returns
    -------
    tuple of int
        ``(placement_seed, equilibration_seed)``.
    """
    words = _replica_words(seed, replicas, replica)
    return _to_openmm_seed(words[2]), _to_openmm_seed(words[3])


def stage_seed(seed: int, stage: int) -> int:
    """Seed of a shared (non-replica) stage: 1 = the build's minimization context."""
    return _to_openmm_seed(np.random.SeedSequence([seed, stage]).generate_state(1)[0])


def make_integrator(config: MDConfig, seed: int) -> openmm.LangevinMiddleIntegrator:
    """LangevinMiddleIntegrator at the configured temperature, friction and time step."""
    integrator = openmm.LangevinMiddleIntegrator(
        config.temperature_K * unit.kelvin,
        config.friction_per_ps / unit.picosecond,
        config.timestep_ps * unit.picosecond,
    )
    integrator.setRandomNumberSeed(int(seed))
    return integrator


def make_context(
    system: openmm.System, integrator: openmm.Integrator, platform: PlatformChoice
) -> openmm.Context:
    """Context on the chosen platform with its properties."""
    return openmm.Context(
        system, integrator, openmm.Platform.getPlatformByName(platform.name), platform.properties
    )


def degrees_of_freedom(system: openmm.System) -> int:
    """3 N (massive particles) - constraints - 3 if a CMMotionRemover is present."""
    massive = sum(
        1
        for i in range(system.getNumParticles())
        if system.getParticleMass(i).value_in_unit(unit.dalton) > 0
    )
    dof = 3 * massive - system.getNumConstraints()
    if any(isinstance(force, openmm.CMMotionRemover) for force in system.getForces()):
        dof -= 3
    return dof


def temperature_K(kinetic_kj_per_mol: float, dof: int) -> float:
    """Instantaneous temperature T = 2 KE / (dof k_B)."""
    if dof < 1:
        raise ValueError(f"dof must be >= 1, got {dof}")
    return 2.0 * kinetic_kj_per_mol / (dof * BOLTZMANN_KJ_PER_MOL_K)


def check_finite(positions_nm: np.ndarray, energy_kj_per_mol: float, where: str, step: int) -> None:
    """Raise :class:`SimulationBlowUp` if coordinates or the energy are not finite.

    Parameters
    ----------
    positions_nm : np.ndarray, shape=(n_atoms, 3)
    energy_kj_per_mol : float
    where : str
        Who is running, e.g. ``"replica 3"``.
    step : int
        MD step of the state.
    """
    if not np.all(np.isfinite(positions_nm)) or not np.isfinite(energy_kj_per_mol):
        raise SimulationBlowUp(
            f"{where}: non-finite coordinates or energy at step {step}; {BLOWUP_CAUSES}"
        )
