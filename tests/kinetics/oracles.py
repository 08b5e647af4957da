"""Analytic oracles and samplers shared by the kinetics tests."""

import numpy as np
from scipy import special

from analysis.kinetics import CensoredSample


def zscore(observed, expected, stderr):
    """(observed - expected) / stderr, with a readable message for asserts."""
    z = (observed - expected) / stderr
    return z, f"observed {observed:.5g}, expected {expected:.5g} +- {stderr:.3g} (z = {z:.2f})"


def first_passage_1d(x0, D, v, dt, t_max, n, rng):
    """First-passage times of 1D Brownian walkers with drift -v toward an absorbing plane at 0.

    Uses the Brownian-bridge crossing probability exp(-x_n x_{n+1} / (D dt)) so a
    coarse step does not miss crossings. Returns a CensoredSample, censored at t_max.
    """
    x = np.full(n, float(x0))
    alive = np.ones(n, bool)
    times = np.full(n, float(t_max))
    sigma = np.sqrt(2 * D * dt)
    for step in range(1, int(round(t_max / dt)) + 1):
        idx = np.flatnonzero(alive)
        if idx.size == 0:
            break
        old = x[idx]
        new = old - v * dt + sigma * rng.standard_normal(idx.size)
        crossed = new <= 0
        bridge = rng.random(idx.size) < np.exp(-np.clip(old * new, 0, None) / (D * dt))
        hit = crossed | bridge
        times[idx[hit]] = step * dt
        alive[idx[hit]] = False
        x[idx] = new
    return CensoredSample(times, alive)


def sphere_hit_probability(a, r0, D, t):
    """P(3D walker from r0 hits an absorbing sphere of radius a by time t)."""
    return a / r0 * special.erfc((r0 - a) / np.sqrt(4 * D * t))
