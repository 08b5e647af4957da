"""The built cleft: reproducible, confined, restrained, energy-conserving, platform-consistent."""

from __future__ import annotations

import dataclasses

import numpy as np
import openmm
import openmm.app as app
import openmm.unit as unit
import pytest

from synapse_md import MDConfig, build_cleft, make_integrator
from synapse_md.builder import debye_kappa_per_nm, implicit_solvent_system
from synapse_md.forces import RELEASED_PARAMETERS
from synapse_md.molecules import amber_forcefield, capped_peptide
from synapse_md.simulation import BOLTZMANN_KJ_PER_MOL_K

REFERENCE = "Reference"


def _context(system, integrator, platform="CPU"):
    properties = {"Threads": "2"} if platform == "CPU" else {}
    return openmm.Context(
        system, integrator, openmm.Platform.getPlatformByName(platform), properties
    )


@pytest.fixture(scope="module")
def minimized(tiny_cleft):
    context = _context(tiny_cleft.system, openmm.VerletIntegrator(0.001))
    context.setPositions(tiny_cleft.positions_nm * unit.nanometer)
    openmm.LocalEnergyMinimizer.minimize(context, 10.0, 300)
    return context.getState(getPositions=True).getPositions(asNumpy=True)


def test_debye_kappa_matches_openmm_formula():
    """Same κ as OpenMM's implicitSolventSaltConc (Amber: 0.73 × Debye κ, in nm⁻¹)."""
    # Hand value: 7.3 * 50.33355 * sqrt(0.15 / (78.5 * 300)) = 0.9273 nm^-1.
    assert debye_kappa_per_nm(0.15, 300.0) == pytest.approx(0.9273, abs=1e-4)
    assert debye_kappa_per_nm(0.0, 300.0) == 0.0


def test_build_is_reproducible_from_the_seed(tiny_md, tiny_cleft):
    again = build_cleft(tiny_md)
    np.testing.assert_array_equal(again.positions_nm, tiny_cleft.positions_nm)
    assert again.transmitters == tiny_cleft.transmitters


def test_build_records_molecules(tiny_cleft):
    assert len(tiny_cleft.transmitters) == 2 and len(tiny_cleft.receptors) == 1
    assert tiny_cleft.transmitter_residue == "GLU" and tiny_cleft.receptor_residue == "ARG"
    assert tiny_cleft.transmitter_mass_amu == pytest.approx(201.2, abs=0.5)
    charges = []
    nonbonded = next(
        f for f in tiny_cleft.system.getForces() if isinstance(f, openmm.NonbondedForce)
    )
    for i in tiny_cleft.transmitters[0]:
        charges.append(nonbonded.getParticleParameters(i)[0].value_in_unit(unit.elementary_charge))
    assert sum(charges) == pytest.approx(-1.0, abs=1e-6)
    # Walls and restraints break translational invariance: no centre-of-mass remover.
    forces = tiny_cleft.system.getForces()
    assert not any(isinstance(f, openmm.CMMotionRemover) for f in forces)
    assert sum(isinstance(f, openmm.GBSAOBCForce) for f in forces) == 1


def test_walls_confine_and_receptors_stay_within_rmsf(tiny_md, tiny_cleft, minimized):
    """Free transmitters never leave the slab; restrained receptor backbone atoms
    fluctuate no more than an isolated 3D harmonic oscillator, sqrt(3 kT / k)."""
    integrator = make_integrator(tiny_md, seed=3)
    context = _context(tiny_cleft.system, integrator)
    context.setPositions(minimized)
    for parameter in RELEASED_PARAMETERS:
        context.setParameter(parameter, 0.0)
    context.setVelocitiesToTemperature(tiny_md.temperature_K * unit.kelvin, 4)
    geometry = tiny_md.geometry
    receptor = np.array(tiny_cleft.receptors[0])
    restraint = next(
        f for f in tiny_cleft.system.getForces() if f.getName() == "k_receptor_restraint"
    )
    anchored = np.array(
        [restraint.getParticleParameters(i)[0] for i in range(restraint.getNumParticles())]
    )
    frames = []
    for _ in range(60):
        integrator.step(50)
        frames.append(context.getState(getPositions=True).getPositions(asNumpy=True)._value)
    frames = np.array(frames)
    solute = np.concatenate([np.array(m) for m in tiny_cleft.transmitters + tiny_cleft.receptors])
    tolerance = 0.1  # k_wall = 1e4 kJ/mol/nm^2: 0.1 nm outside costs 50 kJ/mol = 20 kT
    high = np.array([geometry.lateral_nm, geometry.lateral_nm, geometry.cleft_height_nm])
    assert frames[:, solute].min() > -tolerance
    assert np.all(frames[:, solute].max(axis=(0, 1)) < high + tolerance)
    assert set(anchored) <= set(receptor)
    rmsf = np.sqrt(np.mean(np.sum((frames[:, anchored] - frames[:, anchored].mean(0)) ** 2, -1)))
    kT = BOLTZMANN_KJ_PER_MOL_K * tiny_md.temperature_K
    bound = np.sqrt(3 * kT / tiny_md.receptor.restraint_k_kj_per_mol_nm2)
    assert 0.1 * bound < rmsf < 1.1 * bound, f"RMSF {rmsf:.3f} nm vs sqrt(3kT/k) {bound:.3f} nm"


def test_nve_energy_drift_is_small(tiny_cleft, minimized):
    """Velocity Verlet (1 fs, HBonds, HMR) on the Reference platform conserves energy."""
    integrator = openmm.VerletIntegrator(0.001)
    integrator.setConstraintTolerance(1e-8)
    context = _context(tiny_cleft.system, integrator, REFERENCE)
    context.setPositions(minimized)
    context.setVelocitiesToTemperature(300 * unit.kelvin, 11)
    energies = []
    for _ in range(20):
        integrator.step(25)
        state = context.getState(getEnergy=True)
        energies.append(
            (state.getPotentialEnergy() + state.getKineticEnergy()).value_in_unit(
                unit.kilojoule_per_mole
            )
        )
    energies = np.array(energies)
    n_atoms = tiny_cleft.system.getNumParticles()
    drift_per_atom_ps = abs(np.polyfit(np.arange(20) * 0.025, energies, 1)[0]) / n_atoms
    assert drift_per_atom_ps < 0.01, f"drift {drift_per_atom_ps:.2e} kJ/mol/ps/atom"
    assert np.ptp(energies) < 0.02 * n_atoms


def test_cpu_and_reference_forces_agree(tiny_cleft, minimized):
    forces = []
    for platform in ("CPU", REFERENCE):
        context = _context(tiny_cleft.system, openmm.VerletIntegrator(0.001), platform)
        context.setPositions(minimized)
        state = context.getState(getForces=True)
        forces.append(
            state.getForces(asNumpy=True).value_in_unit(unit.kilojoule_per_mole / unit.nanometer)
        )
    cpu, reference = forces
    relative_rms = np.sqrt(np.mean((cpu - reference) ** 2) / np.mean(reference**2))
    assert relative_rms < 1e-4, f"relative RMS force difference {relative_rms:.2e}"


def _energy_and_forces(system, positions_nm):
    context = _context(system, openmm.VerletIntegrator(0.001), REFERENCE)
    context.setPositions(positions_nm * unit.nanometer)
    state = context.getState(getEnergy=True, getForces=True)
    return (
        state.getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole),
        state.getForces(asNumpy=True).value_in_unit(unit.kilojoule_per_mole / unit.nanometer),
    )


def test_obc2_without_salt_is_the_native_obc2_cleft(tiny_md, tiny_cleft):
    """solvent obc2 at kappa = 0 is the same model as the native force (same cleft)."""
    obc2 = build_cleft(dataclasses.replace(tiny_md, solvent="obc2", salt_molar=0.0))
    np.testing.assert_array_equal(obc2.positions_nm, tiny_cleft.positions_nm)
    assert not any(isinstance(f, openmm.GBSAOBCForce) for f in obc2.system.getForces())
    e_native, f_native = _energy_and_forces(tiny_cleft.system, tiny_cleft.positions_nm)
    e_obc2, f_obc2 = _energy_and_forces(obc2.system, obc2.positions_nm)
    # Same radii, scales, offset and surface term in double precision: round-off only
    # (measured 1e-4 kJ/mol of 1300 on the E-R pair).
    assert e_obc2 == pytest.approx(e_native, rel=1e-6, abs=1e-2)
    rms = np.sqrt(np.mean((f_obc2 - f_native) ** 2) / np.mean(f_native**2))
    assert rms < 1e-5, f"relative RMS force difference {rms:.2e}"


@pytest.mark.parametrize("solvent", ["obc2", "gbn2"])
def test_salt_screening_weakens_the_attraction_of_opposite_charges(solvent):
    """Capped E (-1) and R (+1) side by side: the interaction energy E(d) - E(50 nm) stays
    attractive at 0.15 M but is weaker than without salt, and the more so the larger the
    distance (Debye-Hueckel: the Coulomb tail is multiplied by exp(-kappa d))."""
    forcefield = amber_forcefield()
    glutamate = capped_peptide("E", forcefield=forcefield)
    arginine = capped_peptide("R", forcefield=forcefield)
    modeller = app.Modeller(glutamate.topology, glutamate.positions_nm * unit.nanometer)
    modeller.add(arginine.topology, arginine.positions_nm * unit.nanometer)

    def interaction(salt_molar, distance_nm):
        config = MDConfig.from_section({"solvent": solvent, "salt_molar": salt_molar})
        system = implicit_solvent_system(modeller.topology, config)

        def energy(d):
            shifted = arginine.positions_nm + np.array([d, 0.0, 0.0])
            return _energy_and_forces(system, np.vstack([glutamate.positions_nm, shifted]))[0]

        return energy(distance_nm) - energy(50.0)

    distances = (1.5, 2.0, 3.0)
    plain = np.array([interaction(0.0, d) for d in distances])
    salty = np.array([interaction(0.15, d) for d in distances])
    assert np.all(plain < salty) and np.all(salty < 0), (plain, salty)
    screening = salty / plain
    assert np.all(np.diff(screening) < 0), screening


@pytest.mark.parametrize("solvent", ["obc2", "gbn2", "explicit"])
def test_other_solvents_build_and_run(solvent):
    config = MDConfig.from_section(
        {
            "solvent": solvent,
            "salt_molar": 0.15,
            "geometry": {
                "lateral_nm": 2.0,
                "cleft_height_nm": 2.4,
                "release_z_max_nm": 0.8,
                "receptor_z_nm": 1.7,
            },
            "transmitter": {"sequence": "E", "count": 1, "restraint_k_kj_per_mol_nm2": 1000.0},
            "receptor": {"sequence": "R", "count": 1, "restraint_k_kj_per_mol_nm2": 1000.0},
        }
    )
    cleft = build_cleft(config)
    if solvent == "explicit":
        assert cleft.system.usesPeriodicBoundaryConditions()
        assert cleft.system.getNumParticles() > 500
    integrator = make_integrator(config, seed=1)
    context = _context(cleft.system, integrator)
    context.setPositions(cleft.positions_nm * unit.nanometer)
    if cleft.box_nm is not None:
        context.setPeriodicBoxVectors(*np.diag(cleft.box_nm) * unit.nanometer)
    openmm.LocalEnergyMinimizer.minimize(context, 10.0, 100)
    integrator.step(10)
    state = context.getState(getEnergy=True, getPositions=True)
    assert np.isfinite(state.getPotentialEnergy().value_in_unit(unit.kilojoule_per_mole))
    assert np.all(np.isfinite(state.getPositions(asNumpy=True)._value))
