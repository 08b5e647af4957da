"""Spectral radius of the transmission matrix: the branching ratio of a heterogeneous graph.

In the probabilistic model (Kinouchi & Copelli 2006, Nat. Phys. 2:348) a spike of neuron i
fires neuron j of a quiescent network with probability

    A_ij = p_ij min(1, gain eps_ij)            (edge i -> j; 0 without an edge).

The expected spikes of the next generation are ``E[n_{t+1}] = A^T n_t``, so activity grows
or decays like ``lambda^t`` with ``lambda`` the largest eigenvalue (Perron root) of the
non-negative matrix ``A``: the network is critical at ``lambda = 1`` on any graph
(Larremore, Shew & Restrepo 2011, Phys. Rev. Lett. 106:058101). The mean out-strength
``sigma = mean_i sum_j A_ij`` (:func:`network.synapses.analytic_sigma`) equals ``lambda``
only where every neuron has the same out-strength (random out-regular graphs, and
Erdős–Rényi graphs up to sampling error); on a graph with hubs it does not.

Why ``lambda`` is what a run measures: after a few generations the spikes are distributed
over the neurons like the left Perron vector ``u`` (``u^T A = lambda u^T``), not
uniformly, so the mean over spikes of the expected offspring of the spiking neuron,
``sum_i u_i s_i / sum_i u_i`` with ``s = A 1``, is exactly ``u^T A 1 / u^T 1 = lambda``
(:meth:`PerronVectors.spike_weighted_offspring`). On an undirected graph ``u_i`` grows
with the degree (``u_i ~ k_i`` in the mean-field approximation), so the spikes sit on the
hubs, whose out-strength is far above the mean: ``lambda ~ <k^2>/<k> c`` against
``sigma = <k> c`` for uniform ``c = p min(1, gain eps)`` (Restrepo, Ott & Hunt 2007,
Phys. Rev. E 76:056119). A Barabási–Albert graph with mean degree 10 has
``lambda / sigma`` = 2.2 (N = 2000), 2.5 (N = 5000), 3.8 (N = 10^5).

The estimator is the expected offspring averaged over the *network-caused* spikes.
:attr:`network.engine.SpikeRecord.sigma_expected` averages over all spikes, and under
slow drive every avalanche starts at a uniformly chosen neuron whose expected offspring
is the mean out-strength (0.44 on that graph at ``lambda = 1``): that pulls it down by
about ``(1 - 0.44) / <S>`` for mean avalanche size ``<S>``, to 0.92 where the network
spikes give 0.97 (``tests/network/test_spectral.py``).

Where ``lambda = 1`` is not exactly critical (linear theory of a quiescent network):

* collisions: a neuron fires at most once per step, however many arrivals it gets; the
  realized late-generation branching at ``lambda = 1`` is 0.95 (Barabási–Albert, mean
  degree 10), 0.96 (Watts–Strogatz), 0.99 (Erdős–Rényi), N = 2000;
* a localized Perron vector (few hubs, low mean degree): the hubs saturate first, and
  the network spikes read 0.92 on a Barabási–Albert graph of mean degree 4 (Goltsev et
  al. 2012, Phys. Rev. Lett. 109:128702, on localized epidemics);
* refractoriness longer than the round trip over an edge (more refractory steps than
  2 delays): the way back to the parent, and around short cycles, is blocked, and an
  undirected graph needs the non-backtracking matrix instead (Karrer, Newman &
  Zdeborová 2014, Phys. Rev. Lett. 113:208702); with one-step delays and a 1 ms
  refractory period a Watts–Strogatz graph at ``lambda = 1`` branches at 0.74. The
  default delays (>= 1 ms axonal) exceed the default refractory period, and there it
  branches at 0.96 again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy import optimize
from scipy.sparse import csgraph
from scipy.sparse import linalg as sla

from network.synapses import Synapses
from synsoc.validation import check_choice, check_positive

__all__ = [
    "PerronVectors",
    "transmission_matrix",
    "spectral_radius",
    "perron_vectors",
    "gain_for_lambda",
]

logger = logging.getLogger(__name__)

_METHODS = ("auto", "arpack", "power", "dense")
_DENSE_MAX = 100  # "auto" solves matrices up to this size densely
_POWER_MAXITER = 100_000
_ARPACK_MAXITER = 3000  # Arnoldi restarts before the power fallback


@dataclass(frozen=True)
class PerronVectors:
    """Perron root and left/right Perron vectors of a transmission matrix.

    Attributes
    ----------
    eigenvalue : float
        The spectral radius ``lambda`` (dimensionless, >= 0).
    left : np.ndarray, shape=(n_neurons,), dtype=float64
        ``u >= 0`` with ``u^T A = lambda u^T``, ``sum(u) = 1``: the stationary share of the
        spikes each neuron emits in a (near-)critical cascade.
    right : np.ndarray, shape=(n_neurons,), dtype=float64
        ``v >= 0`` with ``A v = lambda v``, ``sum(v) = 1``: the relative size of the cascade
        a spike of each neuron starts (its reproductive value).
    """

    eigenvalue: float
    left: np.ndarray
    right: np.ndarray

    def spike_weighted_offspring(self, out_strength: np.ndarray) -> float:
        """Mean of ``out_strength`` over spikes distributed like ``left`` (equals lambda)."""
        return float(self.left @ out_strength / self.left.sum())


def _edge_values(synapses: Synapses, gain: float) -> np.ndarray:
    """``p_ij min(1, gain eps_ij)`` per edge, shape=(n_edges,), aligned with the CSR."""
    return synapses.p_transmit * np.minimum(1.0, gain * synapses.efficacy)


def _csr(synapses: Synapses, values: np.ndarray) -> sp.csr_matrix:
    g = synapses.graph
    return sp.csr_matrix((values, g.indices, g.indptr), shape=(g.n_neurons, g.n_neurons))


def transmission_matrix(synapses: Synapses, gain: float) -> sp.csr_matrix:
    """Matrix of firing probabilities ``A[i, j] = p_ij min(1, gain eps_ij)`` of edge i -> j.

    The probability that a spike of i fires j in a quiescent network (probabilistic neuron
    model, static synapses, initial threshold); row sums are the expected offspring of a
    spike of each neuron (:func:`network.synapses.analytic_sigma` is their mean).

    Parameters
    ----------
    synapses : Synapses
    gain : float
        Dimensionless gain (>= 0); the weight is ``gain * eps * theta``.

    Returns
    -------
    scipy.sparse.csr_matrix, shape=(n_neurons, n_neurons), dtype=float64
        Rows are presynaptic, columns postsynaptic neurons; the graph's sparsity pattern
        (explicit zeros where ``p_ij`` or ``eps_ij`` is 0).
    """
    check_positive("gain", gain, allow_zero=True)
    return _csr(synapses, _edge_values(synapses, gain))


def _has_cycle(a: sp.csr_matrix) -> bool:
    """True if the positive entries of ``a`` contain a directed cycle (else lambda = 0).

    A matrix without self loops has a positive spectral radius exactly when one of its
    strongly connected components has two or more nodes.
    """
    a = a.copy()
    a.eliminate_zeros()
    if a.nnz == 0:
        return False
    if np.any(a.diagonal() > 0):
        return True
    _, labels = csgraph.connected_components(a, directed=True, connection="strong")
    return bool(np.bincount(labels).max() > 1)


def _start_vector(n: int) -> np.ndarray:
    """Deterministic positive start vector (overlaps every non-negative eigenvector)."""
    return np.random.default_rng(0).uniform(0.5, 1.5, n)


class _NotPerronError(RuntimeError):
    """ARPACK returned a complex or negative value where the Perron root belongs."""


def _arpack(a: sp.csr_matrix, rtol: float, v0: np.ndarray) -> tuple[float, np.ndarray]:
    """Eigenpair of largest real part (the Perron root of a non-negative matrix), ARPACK."""
    values, vectors = sla.eigs(a, k=1, which="LR", tol=rtol, v0=v0, maxiter=_ARPACK_MAXITER)
    value, vector = values[0], vectors[:, 0]
    scale = abs(value) + np.finfo(float).tiny
    if abs(value.imag) > 1e3 * rtol * scale or value.real < -1e3 * rtol * scale:
        raise _NotPerronError(f"ARPACK returned {value}, not a non-negative real Perron root")
    return max(0.0, float(value.real)), _nonnegative(vector)


def _nonnegative(vector: np.ndarray) -> np.ndarray:
    """Real, sign-fixed eigenvector normalized to sum 1 (round-off negatives clipped)."""
    vector = np.real(vector * np.exp(-1j * np.angle(vector[np.argmax(np.abs(vector))])))
    vector = np.clip(vector, 0.0, None)
    return vector / vector.sum()


def _power(a: sp.csr_matrix, rtol: float, v0: np.ndarray) -> tuple[float, np.ndarray]:
    """Power iteration on ``A + c I`` (c = mean row sum), stopped at relative change rtol.

    The shift makes a periodic (e.g. bipartite) matrix converge. For ``x >= 0`` with
    ``sum(x) = 1`` the estimate is ``sum(A x)``; the iteration stops when it changes by
    less than ``rtol`` relative in 3 successive steps, and raises RuntimeError after
    100 000 steps.
    """
    shift = float(a.sum()) / a.shape[0]
    x = v0 / v0.sum()
    previous, calm = np.inf, 0
    for _ in range(_POWER_MAXITER):
        y = a @ x + shift * x
        estimate = y.sum()  # (lambda + shift) for the Perron vector
        x = y / estimate
        calm = calm + 1 if abs(estimate - previous) <= rtol * estimate else 0
        if calm >= 3:
            return max(0.0, estimate - shift), x
        previous = estimate
    raise RuntimeError(
        f"power iteration did not reach rtol={rtol:g} in {_POWER_MAXITER} steps "
        f"(last estimate {previous - shift:.12g})"
    )


def _perron(
    a: sp.csr_matrix, rtol: float, method: str, v0: np.ndarray | None = None
) -> tuple[float, np.ndarray | None]:
    """Perron root of the non-negative matrix ``a`` and its right eigenvector (or None)."""
    n = a.shape[0]
    if not _has_cycle(a):
        return 0.0, None  # nilpotent: every eigenvalue is 0 (exact, no defective round-off)
    if method == "dense" or (method == "auto" and n <= _DENSE_MAX):
        values, vectors = np.linalg.eig(a.toarray())
        top = int(np.argmax(values.real))
        return max(0.0, float(values[top].real)), _nonnegative(vectors[:, top])
    v0 = _start_vector(n) if v0 is None else np.maximum(v0, 1e-3 * v0.max())
    if method == "power":
        return _power(a, rtol, v0)
    try:
        return _arpack(a, rtol, v0)
    except (sla.ArpackNoConvergence, sla.ArpackError, _NotPerronError) as err:
        if method == "arpack":
            raise
        logger.warning("ARPACK failed (%s); falling back to power iteration", err)
        return _power(a, rtol, v0)


def spectral_radius(
    synapses: Synapses, gain: float = 1.0, *, rtol: float = 1e-12, method: str = "auto"
) -> float:
    """Largest eigenvalue ``lambda`` of the transmission matrix (its Perron root).

    ``lambda = 1`` is the critical point of the probabilistic model on any graph
    (Larremore, Shew & Restrepo 2011, Phys. Rev. Lett. 106:058101); see the module
    docstring for why a run's expected offspring per network-caused spike measures
    ``lambda`` and not the mean out-strength, and where ``lambda = 1`` is not critical.

    Parameters
    ----------
    synapses : Synapses
    gain : float
        Dimensionless gain (>= 0).
    rtol : float
        Relative tolerance: ARPACK's (residual ``|A v - lambda v| <= rtol |lambda|``) or the
        power iteration's (relative change of the estimate).
    method : {"auto", "arpack", "power", "dense"}
        ``auto``: dense ``numpy.linalg.eig`` up to 100 neurons, else ARPACK
        (``scipy.sparse.linalg.eigs(k=1, which="LR")``: for a non-negative matrix the
        Perron root is the eigenvalue of largest real part) with power iteration as the
        fallback where ARPACK does not converge or returns a complex value. The others
        force one solver.

    Returns
    -------
    float
        ``lambda >= 0``; exactly 0 for a graph without edges or without a directed cycle
        of positive entries (a nilpotent matrix).

    Notes
    -----
    Accuracy: against dense ``numpy.linalg.eigvals`` on heterogeneous 300-neuron matrices
    ARPACK agrees to ~1e-14 and the power iteration to ~3e-12 relative (tested < 1e-8,
    ``tests/network/test_spectral.py``); the ARPACK error is the residual times the
    eigenvalue's condition number ``|u| |v| / (u . v)``, which is moderate for the Perron
    root of a connected graph. Cost (2 shared cores): 10^5 synapses 0.015 s, 10^6
    synapses (N = 10^5) 0.14 s Erdős–Rényi, 0.18 s Barabási–Albert, 0.30 s
    Watts–Strogatz. The power fallback converges like ``(|lambda_2| + c) / (lambda + c)``
    per step: 0.13-1.2 s on the same graphs, slower where the gap is small.
    """
    check_positive("gain", gain, allow_zero=True)
    check_positive("rtol", rtol)
    check_choice("method", method, _METHODS)
    return _perron(transmission_matrix(synapses, gain), rtol, method)[0]


def perron_vectors(synapses: Synapses, gain: float = 1.0, *, rtol: float = 1e-12) -> PerronVectors:
    """Perron root with its left and right eigenvectors (ARPACK on ``A`` and ``A^T``).

    Parameters
    ----------
    synapses : Synapses
    gain : float
        Dimensionless gain (>= 0).
    rtol : float
        Relative tolerance of each eigen-solve.

    Returns
    -------
    PerronVectors
        For an irreducible matrix (strongly connected graph of positive entries) both
        vectors are unique and positive; otherwise one non-negative choice.

    Raises
    ------
    ValueError
        If the matrix has no directed cycle (lambda = 0: no Perron vector to speak of).
    """
    a = transmission_matrix(synapses, gain)
    check_positive("rtol", rtol)
    value, right = _perron(a, rtol, "auto")
    if right is None:
        raise ValueError("the transmission matrix has no directed cycle: lambda = 0")
    _, left = _perron(a.T.tocsr(), rtol, "auto")
    return PerronVectors(value, left, right)


def gain_for_lambda(synapses: Synapses, target: float, *, rtol: float = 1e-10) -> float:
    """Gain g with ``spectral_radius(synapses, g) == target``.

    ``lambda(g)`` is continuous and non-decreasing (the Perron root is monotone in the
    entries). While ``g max(eps) <= 1`` nothing saturates and ``lambda(g) = g lambda_lin``
    with ``lambda_lin`` the Perron root of ``p_ij eps_ij``: then ``g = target / lambda_lin``
    exactly (one eigen-solve). Otherwise that g is a lower bound (``min(1, g eps) <=
    g eps``), ``1 / min(eps > 0)`` an upper one, and Brent's bracketed root finder
    (safeguarded bisection) solves between them to relative ``rtol`` in g.

    Parameters
    ----------
    synapses : Synapses
    target : float
        Spectral radius to reach, > 0 (1 = critical).
    rtol : float
        Relative tolerance of the gain.

    Returns
    -------
    float
        A gain with ``lambda(gain) = target`` (unique unless ``lambda`` is flat there,
        i.e. the edges that carry the Perron vector are all saturated).

    Raises
    ------
    ValueError
        If the matrix has no directed cycle (lambda = 0 at every gain), or ``target``
        exceeds the saturated ``lambda`` (gain -> inf: ``min(1, gain eps) = 1`` on every
        edge with eps > 0), naming both.
    """
    check_positive("target", target)
    check_positive("rtol", rtol)
    positive = synapses.efficacy > 0
    saturated = _perron(_csr(synapses, synapses.p_transmit * positive), 1e-12, "auto")[0]
    if saturated == 0.0:
        raise ValueError(
            f"target lambda={target:g} is not reachable: the transmission matrix has no "
            "directed cycle (an acyclic graph, or no synapse with p_transmit > 0 and "
            "efficacy > 0 on any cycle), so lambda = 0 at every gain"
        )
    if target > saturated * (1.0 + 1e-9):
        raise ValueError(
            f"target lambda={target:g} is not reachable: the network saturates at "
            f"lambda={saturated:.6g} (gain -> inf, min(1, gain eps) = 1; raise "
            "graph.mean_degree or synapses.release_probability)"
        )
    linear, vector = _perron(_csr(synapses, synapses.p_transmit * synapses.efficacy), 1e-12, "auto")
    low = target / linear
    if low * synapses.efficacy.max() <= 1.0:
        return low
    high = 1.0 / synapses.efficacy[positive].min()

    def excess(gain: float) -> float:
        nonlocal vector  # warm start of the next solve
        value, vector = _perron(transmission_matrix(synapses, gain), 1e-12, "auto", vector)
        return value - target

    if excess(high) <= 0:  # target within round-off of the saturated lambda
        return high
    gain = optimize.brentq(excess, low, high, xtol=rtol * low, rtol=max(rtol, 4e-16))
    logger.info("gain %.6g for lambda = %g (linear lambda %.6g at gain 1)", gain, target, linear)
    return gain
