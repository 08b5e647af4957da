"""Seeded Brownian / Langevin dynamics with analytic answers, written as mdtraj trajectories.

These generate the known-answer inputs of the kinetics tests and benchmark: point
"transmitters" (residue GLU, atom OE1) diffusing around fixed point "receptors"
(residue ARG, atom NE), saved as XTC + PDB exactly as the MD stage lays them out,
plus free Langevin particles whose diffusion coefficient is k_B T / (m γ).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import mdtraj as md
import numpy as np

__all__ = [
    "KB_KJ_PER_MOL_K",
    "PointSystem",
    "point_topology",
    "brownian_points",
    "langevin_free",
    "write_point_trajectory",
]

KB_KJ_PER_MOL_K = 0.0083144626


@dataclass(frozen=True)
class PointSystem:
    """Point transmitters and fixed receptors.

    Attributes
    ----------
    time_ps : np.ndarray, shape=(n_frames,)
    xyz_nm : np.ndarray, shape=(n_frames, n_transmitters + n_receptors, 3)
        Transmitters first, then receptors.
    n_transmitters, n_receptors : int
    box_nm : np.ndarray, shape=(3,) or None
    """

    time_ps: np.ndarray
    xyz_nm: np.ndarray
    n_transmitters: int
    n_receptors: int
    box_nm: np.ndarray | None


def point_topology(n_transmitters: int, n_receptors: int) -> md.Topology:
    """One single-atom GLU (atom OE1) per transmitter, one ARG (atom NE) per receptor."""
    if n_transmitters < 1 or n_receptors < 1:
        raise ValueError("n_transmitters and n_receptors must be >= 1")
    top = md.Topology()
    chain = top.add_chain()
    for _ in range(n_transmitters):
        top.add_atom("OE1", md.element.oxygen, top.add_residue("GLU", chain))
    for _ in range(n_receptors):
        top.add_atom("NE", md.element.nitrogen, top.add_residue("ARG", chain))
    return top


def brownian_points(
    start_nm: np.ndarray,
    receptors_nm: np.ndarray,
    D_nm2_per_ps: float,
    dt_ps: float,
    n_frames: int,
    steps_per_frame: int,
    *,
    rng: int | np.random.Generator,
    drift_nm_per_ps: np.ndarray | None = None,
    box_nm: np.ndarray | None = None,
) -> PointSystem:
    """Overdamped Brownian motion of free points: x += v dt + √(2 D dt) ξ.

    Parameters
    ----------
    start_nm : np.ndarray, shape=(n_transmitters, 3)
    receptors_nm : np.ndarray, shape=(n_receptors, 3)
        Fixed receptor positions.
    D_nm2_per_ps, dt_ps : float
    n_frames, steps_per_frame : int
        Frame 0 is the start (t = 0).
    rng : int or numpy.random.Generator
        Seed or generator of the noise (``numpy.random.default_rng(rng)``; a Generator
        is used, and advanced, as is).
    drift_nm_per_ps : np.ndarray, shape=(3,), optional
    box_nm : np.ndarray, shape=(3,), optional
        Orthorhombic box: positions are wrapped into it.

    Returns
    -------
    PointSystem
    """
    start_nm = np.asarray(start_nm, dtype=float)
    receptors_nm = np.asarray(receptors_nm, dtype=float)
    if start_nm.ndim != 2 or start_nm.shape[1] != 3:
        raise ValueError(f"start_nm must have shape (n, 3), got {start_nm.shape}")
    if receptors_nm.ndim != 2 or receptors_nm.shape[1] != 3:
        raise ValueError(f"receptors_nm must have shape (n, 3), got {receptors_nm.shape}")
    if D_nm2_per_ps <= 0 or dt_ps <= 0 or n_frames < 1 or steps_per_frame < 1:
        raise ValueError("D_nm2_per_ps, dt_ps, n_frames and steps_per_frame must be positive")
    rng = np.random.default_rng(rng)
    drift = np.zeros(3) if drift_nm_per_ps is None else np.asarray(drift_nm_per_ps, float)
    sigma = np.sqrt(2 * D_nm2_per_ps * dt_ps)
    n = start_nm.shape[0]
    frames = np.empty((n_frames, n, 3))
    x = start_nm.copy()
    frames[0] = x
    for f in range(1, n_frames):
        noise = rng.standard_normal((steps_per_frame, n, 3)).sum(axis=0) * sigma
        x = x + drift * dt_ps * steps_per_frame + noise
        frames[f] = x
    if box_nm is not None:
        frames = np.mod(frames, np.asarray(box_nm, float))
    xyz = np.concatenate(
        (frames, np.broadcast_to(receptors_nm, (n_frames,) + receptors_nm.shape)), axis=1
    )
    time = np.arange(n_frames) * dt_ps * steps_per_frame
    return PointSystem(
        time, xyz, n, receptors_nm.shape[0], None if box_nm is None else np.asarray(box_nm, float)
    )


def langevin_free(
    n_particles: int,
    mass_amu: float,
    friction_per_ps: float,
    temperature_K: float,
    dt_ps: float,
    n_frames: int,
    steps_per_frame: int,
    *,
    rng: int | np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Free 3D Langevin particles; D = k_B T / (m γ) at long times.

    BAOAB splitting with no force (half drift, exact Ornstein–Uhlenbeck velocity
    update, half drift), the scheme of OpenMM's LangevinMiddleIntegrator.

    Parameters
    ----------
    n_particles : int
    mass_amu, friction_per_ps, temperature_K, dt_ps : float
        Mass (amu), friction γ (1/ps), temperature (K) and time step (ps), all > 0.
    n_frames, steps_per_frame : int
        Frame 0 is the start (t = 0).
    rng : int or numpy.random.Generator
        Seed or generator of the noise (``numpy.random.default_rng(rng)``).

    Returns
    -------
    time_ps : np.ndarray, shape=(n_frames,)
    xyz_nm : np.ndarray, shape=(n_frames, n_particles, 3)
    """
    if min(n_particles, n_frames, steps_per_frame) < 1:
        raise ValueError("n_particles, n_frames and steps_per_frame must be >= 1")
    if min(mass_amu, friction_per_ps, temperature_K, dt_ps) <= 0:
        raise ValueError("mass_amu, friction_per_ps, temperature_K and dt_ps must be > 0")
    rng = np.random.default_rng(rng)
    kT = KB_KJ_PER_MOL_K * temperature_K
    v_scale = np.sqrt(kT / mass_amu)  # nm/ps for kJ/mol and amu
    c1 = np.exp(-friction_per_ps * dt_ps)
    c2 = np.sqrt(1 - c1**2) * v_scale
    x = np.zeros((n_particles, 3))
    v = rng.standard_normal((n_particles, 3)) * v_scale
    out = np.empty((n_frames, n_particles, 3))
    out[0] = x
    for f in range(1, n_frames):
        for _ in range(steps_per_frame):
            x += 0.5 * dt_ps * v
            v = c1 * v + c2 * rng.standard_normal(v.shape)
            x += 0.5 * dt_ps * v
        out[f] = x
    return np.arange(n_frames) * dt_ps * steps_per_frame, out


def write_point_trajectory(system: PointSystem, directory: str | os.PathLike) -> tuple[Path, Path]:
    """Write ``trajectory.xtc`` and ``topology.pdb`` (MD-stage layout) into ``directory``.

    Without a box the trajectory gets a large cubic cell (1000 nm) so XTC can store it;
    analyse such trajectories with ``periodic=False``.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    top = point_topology(system.n_transmitters, system.n_receptors)
    n = system.time_ps.size
    box = system.box_nm if system.box_nm is not None else np.full(3, 1000.0)
    traj = md.Trajectory(
        system.xyz_nm.astype(np.float32),
        top,
        time=system.time_ps,
        unitcell_lengths=np.tile(box, (n, 1)),
        unitcell_angles=np.full((n, 3), 90.0),
    )
    xtc = directory / "trajectory.xtc"
    pdb = directory / "topology.pdb"
    traj.save_xtc(str(xtc))
    traj[0].save_pdb(str(pdb))
    return xtc, pdb
