"""Free Langevin particles: D = kT / (m gamma) from the project's integrator (within 5 %)."""

from __future__ import annotations

import numpy as np
import openmm
import openmm.unit as unit
import pytest

from synapse_md import MDConfig
from synapse_md.simulation import BOLTZMANN_KJ_PER_MOL_K, make_integrator


def langevin_msd_nm2(t_ps, kT, mass, gamma):
    """Exact 3D MSD of a free Langevin particle started in equilibrium:
    <dr^2>(t) = 6 kT / (m gamma^2) (gamma t - 1 + exp(-gamma t))."""
    return 6 * kT / (mass * gamma**2) * (gamma * t_ps - 1 + np.exp(-gamma * t_ps))


def test_free_particle_diffusion_coefficient():
    n, mass, gamma, temperature = 1000, 20.0, 2.0, 300.0
    config = MDConfig.from_section(
        {"friction_per_ps": gamma, "timestep_fs": 4.0, "temperature_K": temperature}
    )
    system = openmm.System()
    for _ in range(n):
        system.addParticle(mass)
    integrator = make_integrator(config, seed=12345)
    context = openmm.Context(
        system, integrator, openmm.Platform.getPlatformByName("CPU"), {"Threads": "1"}
    )
    rng = np.random.default_rng(5)
    context.setPositions(rng.uniform(0, 5, (n, 3)) * unit.nanometer)
    context.setVelocitiesToTemperature(temperature * unit.kelvin, 99)
    lag_ps, windows = 10.0, 12
    steps = round(lag_ps / config.timestep_ps)
    frames = [context.getState(getPositions=True).getPositions(asNumpy=True)._value]
    for _ in range(windows):
        integrator.step(steps)
        frames.append(context.getState(getPositions=True).getPositions(asNumpy=True)._value)
    frames = np.array(frames)
    msd = np.mean(np.sum((frames[1:] - frames[:-1]) ** 2, axis=-1))
    kT = BOLTZMANN_KJ_PER_MOL_K * temperature
    expected = langevin_msd_nm2(lag_ps, kT, mass, gamma)
    d_sim = msd / (6 * (lag_ps - (1 - np.exp(-gamma * lag_ps)) / gamma))
    d_theory = kT / (mass * gamma)
    assert msd == pytest.approx(expected, rel=0.05)
    assert d_sim == pytest.approx(d_theory, rel=0.05), (
        f"D_sim={d_sim:.4f}, kT/(m gamma)={d_theory:.4f}"
    )
