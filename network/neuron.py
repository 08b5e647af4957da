"""A single threshold neuron with drift and noise: interspike intervals as first passages.

The network's neuron in isolation, with its input replaced by the diffusion limit of
many small inputs: ``dV = (mu - V / tau) dt + s dW`` (no leak when ``tau`` is None), spike
and reset when V >= theta, refractory period. Without leak, the interspike intervals
are first-passage times of drifted Brownian motion: inverse Gaussian with mean
``(theta - reset) / mu`` and shape ``(theta - reset)^2 / s^2`` (plus the refractory period).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np

from synsoc.validation import check_int_at_least, check_positive

__all__ = ["DriftDiffusionNeuron", "simulate_isis", "inverse_gaussian_isi"]


@dataclass(frozen=True)
class DriftDiffusionNeuron:
    """Parameters of the single noisy integrator.

    Attributes
    ----------
    drift_per_ms : float
        Mean input mu (threshold units per ms), > 0.
    noise_per_sqrt_ms : float
        Noise amplitude s (threshold units per sqrt(ms)), > 0.
    threshold, reset : float
        Firing threshold and reset potential.
    leak_tau_ms : float or None
        Membrane time constant; None for a perfect integrator.
    refractory_ms : float
        Dead time after each spike.
    """

    drift_per_ms: float
    noise_per_sqrt_ms: float
    threshold: float = 1.0
    reset: float = 0.0
    leak_tau_ms: float | None = None
    refractory_ms: float = 0.0

    def __post_init__(self):
        check_positive("drift_per_ms", self.drift_per_ms)
        check_positive("noise_per_sqrt_ms", self.noise_per_sqrt_ms)
        if self.reset >= self.threshold:
            raise ValueError(f"reset must be < threshold, got {self.reset}")
        if self.leak_tau_ms is not None:
            check_positive("leak_tau_ms", self.leak_tau_ms, allow_inf=True)
        check_positive("refractory_ms", self.refractory_ms, allow_zero=True)


@numba.njit(cache=True)
def _isis(mu, s, theta, reset, leak_rate, dt, n_isis, normals_seed):
    np.random.seed(normals_seed)  # noqa: NPY002 (numba's own generator, seeded here)
    out = np.empty(n_isis)
    sq = s * math.sqrt(dt)
    for k in range(n_isis):
        v = reset
        steps = 0
        while v < theta:
            v += (mu - v * leak_rate) * dt + sq * np.random.standard_normal()  # noqa: NPY002
            steps += 1
        out[k] = steps * dt
    return out


def simulate_isis(
    neuron: DriftDiffusionNeuron, dt_ms: float, n_isis: int, *, rng: int | np.random.Generator
) -> np.ndarray:
    """Interspike intervals by Euler-Maruyama integration.

    Parameters
    ----------
    neuron : DriftDiffusionNeuron
    dt_ms : float
        Integration step (ms); the discrete crossing overshoots theta by about
        0.5826 s sqrt(dt) (Siegmund's correction), so keep s sqrt(dt) << theta - reset.
    n_isis : int
        Number of intervals.
    rng : int or np.random.Generator
        Seed of the noise: numba's own generator is seeded with it inside the compiled
        loop; a Generator supplies that seed (one draw from it).

    Returns
    -------
    np.ndarray, shape=(n_isis,), dtype=float
        Intervals in ms, refractory period included.
    """
    check_positive("dt_ms", dt_ms)
    check_int_at_least("n_isis", n_isis, 1)
    if isinstance(rng, np.random.Generator):
        seed = int(rng.integers(2**32))
    else:
        seed = check_int_at_least("rng", rng, 0)
    leak_rate = 0.0 if neuron.leak_tau_ms is None else 1.0 / neuron.leak_tau_ms
    isis = _isis(
        neuron.drift_per_ms,
        neuron.noise_per_sqrt_ms,
        neuron.threshold,
        neuron.reset,
        leak_rate,
        dt_ms,
        n_isis,
        seed,
    )
    return isis + neuron.refractory_ms


def inverse_gaussian_isi(neuron: DriftDiffusionNeuron) -> tuple[float, float]:
    """(mean_ms, shape_ms) of the analytic ISI distribution of the perfect integrator.

    Raises
    ------
    ValueError
        If the neuron leaks (no closed form).
    """
    if neuron.leak_tau_ms is not None:
        raise ValueError("the inverse Gaussian holds for the perfect integrator (leak_tau_ms=None)")
    distance = neuron.threshold - neuron.reset
    return distance / neuron.drift_per_ms, distance**2 / neuron.noise_per_sqrt_ms**2
