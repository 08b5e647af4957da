# ruff: noqa: NPY002  (numba-compiled loops seed the legacy global stream; no Generator there)
"""Langevin and overdamped reference simulations for the time-calibration oracles.

Numba-compiled single-particle loops (BAOAB splitting: half drift, exact
Ornstein–Uhlenbeck velocity update, half drift), seeded, in units where lengths are nm,
times ps and ``vth2`` = kT/M in nm²/ps². Used by tests/kinetics/test_langevin_oracles.py.
"""

from __future__ import annotations

import numba
import numpy as np

VTH2_GLUTAMATE = 0.0083144626 * 300.0 / 230.0
"""kT/M (nm²/ps²) of a 230 amu transmitter at 300 K."""


@numba.njit(cache=True)
def _sphere_first_passage(gamma, vth2, a, r0, big_r, dt, n, seed):
    np.random.seed(seed)
    c1 = np.exp(-gamma * dt)
    c2 = np.sqrt((1.0 - c1 * c1) * vth2)
    times = np.empty(n)
    for i in range(n):
        x = np.array([r0, 0.0, 0.0])
        v = np.sqrt(vth2) * np.random.standard_normal(3)
        t = 0.0
        while True:
            x += 0.5 * dt * v
            for k in range(3):
                v[k] = c1 * v[k] + c2 * np.random.standard_normal()
            x += 0.5 * dt * v
            t += dt
            r = np.sqrt(x[0] ** 2 + x[1] ** 2 + x[2] ** 2)
            if r <= a:
                times[i] = t
                break
            if r > big_r:  # specular reflection at the outer sphere
                normal = x / r
                x -= 2.0 * (r - big_r) * normal
                v -= 2.0 * (v[0] * normal[0] + v[1] * normal[1] + v[2] * normal[2]) * normal
    return times


def sphere_first_passage_ps(
    gamma: float,
    *,
    a: float,
    r0: float,
    big_r: float,
    n: int,
    seed: int,
    vth2: float = VTH2_GLUTAMATE,
) -> np.ndarray:
    """Langevin first-passage times (ps) from |x| = r0 to an absorbing sphere of radius a
    inside a reflecting sphere of radius big_r (nm); dt = 0.1/γ."""
    return _sphere_first_passage(gamma, vth2, a, r0, big_r, 0.1 / gamma, n, seed)


def overdamped_sphere_mfpt_ps(D: float, *, a: float, r0: float, big_r: float) -> float:
    """Exact overdamped mean first-passage time (ps) for the same geometry (D in nm²/ps).

    T(r) = (1/D) [(R³/3)(1/a − 1/r) − (r² − a²)/6] solves D ∇²T = −1 with T(a) = 0 and
    T'(R) = 0.
    """
    return ((big_r**3 / 3.0) * (1.0 / a - 1.0 / r0) - (r0**2 - a**2) / 6.0) / D


@numba.njit(cache=True)
def _wall_kick(x, v, width, k_wall, half_dt):
    """Velocity kick of flat-bottom harmonic walls at 0 and ``width`` (force per mass)."""
    for k in range(3):
        if x[k] < 0.0:
            v[k] -= half_dt * k_wall * x[k]
        elif x[k] > width:
            v[k] -= half_dt * k_wall * (x[k] - width)


@numba.njit(cache=True)
def _box_walk(gamma, vth2, width, k_wall, dt, steps_per_frame, n_frames, n, seed):
    np.random.seed(seed)
    c1 = np.exp(-gamma * dt)
    c2 = np.sqrt((1.0 - c1 * c1) * vth2)
    out = np.empty((n_frames, n, 3))
    for i in range(n):
        x = np.random.uniform(0.0, width, 3)
        v = np.sqrt(vth2) * np.random.standard_normal(3)
        for f in range(n_frames):
            out[f, i] = x
            for _ in range(steps_per_frame):
                _wall_kick(x, v, width, k_wall, 0.5 * dt)
                x += 0.5 * dt * v
                for k in range(3):
                    v[k] = c1 * v[k] + c2 * np.random.standard_normal()
                x += 0.5 * dt * v
                _wall_kick(x, v, width, k_wall, 0.5 * dt)
    return out


def box_trajectories_nm(
    gamma: float,
    *,
    width: float,
    n: int,
    n_frames: int,
    frame_ps: float,
    seed: int,
    vth2: float = VTH2_GLUTAMATE,
    wall_k_per_ps2: float = 2000.0,
) -> np.ndarray:
    """Positions (n_frames, n, 3) of free Langevin particles between flat-bottom walls
    at 0 and ``width`` on every axis (wall constant per unit mass, 1/ps²), uniform start."""
    steps = max(1, int(round(frame_ps / min(0.1 / gamma, 0.004))))
    return _box_walk(gamma, vth2, width, wall_k_per_ps2, frame_ps / steps, steps, n_frames, n, seed)


@numba.njit(cache=True)
def _well_escape(gamma, barrier, x_abs, dt, n, seed):
    np.random.seed(seed)
    c1 = np.exp(-gamma * dt)
    c2 = np.sqrt(1.0 - c1 * c1)
    times = np.empty(n)
    for i in range(n):
        x = 0.0
        v = np.random.standard_normal()
        t = 0.0
        while x < x_abs:
            v += 0.5 * dt * (-6.0 * barrier * (x - x * x))
            x += 0.5 * dt * v
            v = c1 * v + c2 * np.random.standard_normal()
            x += 0.5 * dt * v
            v += 0.5 * dt * (-6.0 * barrier * (x - x * x))
            t += dt
        times[i] = t
    return times


def well_escape_times(gamma: float, *, barrier_kT: float, n: int, seed: int) -> np.ndarray:
    """Langevin escape times from the well of U(x) = ΔU (3x² − 2x³) (minimum 0, barrier
    ΔU at x = 1), absorbed at x = 1.5; units kT = M = 1, so ω_well = ω_barrier = √(6ΔU)."""
    omega = np.sqrt(6.0 * barrier_kT)
    dt = min(0.05 / gamma, 0.02 / omega)
    return _well_escape(gamma, barrier_kT, 1.5, dt, n, seed)


def overdamped_well_mfpt(D: float, *, barrier_kT: float) -> float:
    """Exact Smoluchowski mean first-passage time from 0 to 1.5 in the same potential:
    T = (1/D) ∫_0^1.5 dy e^{U(y)} ∫_{-∞}^y dz e^{−U(z)} (kT = 1)."""
    z = np.linspace(-3.0, 1.5, 200001)
    u = barrier_kT * (3 * z**2 - 2 * z**3)
    inner = np.concatenate(
        ([0.0], np.cumsum(0.5 * (np.exp(-u[1:]) + np.exp(-u[:-1])) * np.diff(z)))
    )
    outer = np.exp(u) * inner
    keep = z >= 0.0
    zz, oo = z[keep], outer[keep]
    return float(np.sum(0.5 * (oo[1:] + oo[:-1]) * np.diff(zz)) / D)
