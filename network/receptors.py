"""Receptor kinetic schemes driven by a time-varying transmitter concentration.

A receptor is a continuous-time Markov chain (:class:`KineticScheme`): named states,
some of which conduct, and transitions whose rate is either constant (s^-1) or a
binding rate (M^-1 s^-1) multiplied by the transmitter concentration. The occupancy
row vector ``p`` obeys ``dp/dt = p Q(C(t))`` with the generator ``Q`` of
:meth:`KineticScheme.generator` (rows sum to zero).

:func:`drive_receptor` solves the chain exactly on a time grid for a given
concentration transient: the concentration is piecewise constant (the trapezoid mean
of each interval), so each interval is one matrix exponential ``expm(Q dt)``. Besides
the open fraction it gives the probability that a single receptor opens at least
once (the same chain with the open states made absorbing) and the CDF of its first
opening; :func:`n_receptor_activation_probability` and :func:`first_activation_cdf`
combine independent receptors.

Schemes: :func:`two_state_scheme` (unbound <-> bound, bound conducts) and
:func:`jonas_ampa_scheme` (Jonas, Major & Sakmann 1993, J Physiol 472:615-663).

Units: time in ms at the interface, rates in s^-1 and M^-1 s^-1 inside a scheme,
concentrations in M for :meth:`KineticScheme.generator` and in mM for
:func:`drive_receptor`.
"""

from __future__ import annotations

import functools
import logging
import math
from dataclasses import dataclass, field

import numpy as np
from scipy.linalg import expm, null_space
from threadpoolctl import ThreadpoolController

from synsoc.validation import check_int_at_least, check_positive, check_probability, finite_array

__all__ = [
    "Transition",
    "KineticScheme",
    "two_state_scheme",
    "jonas_ampa_scheme",
    "ReceptorResponse",
    "drive_receptor",
    "n_receptor_activation_probability",
    "first_activation_cdf",
]

logger = logging.getLogger(__name__)

_MS_PER_S = 1e3
_M_PER_MM = 1e-3


@dataclass(frozen=True)
class Transition:
    """One directed transition of a kinetic scheme.

    Attributes
    ----------
    source, target : str
        State names (different).
    rate : float
        Constant rate (s^-1), or with ``binding`` the second-order rate constant
        (M^-1 s^-1) that the transmitter concentration (M) multiplies.
    binding : bool
        Whether the rate is multiplied by the concentration.
    """

    source: str
    target: str
    rate: float
    binding: bool = False


@dataclass(frozen=True)
class KineticScheme:
    """A continuous-time Markov chain of one receptor.

    Attributes
    ----------
    states : tuple of str
        State names, unique, at least two.
    open_states : tuple of str
        The conducting states: a non-empty subset of ``states``.
    initial_state : str
        The state of a receptor at rest (no transmitter); must not conduct.
    transitions : tuple of Transition
        Directed transitions, at most one per ordered pair of states.
    name : str
        Label used in :meth:`ReceptorResponse.to_dict`.

    Raises
    ------
    ValueError
        Naming the field (``states``, ``open_states``, ``initial_state``,
        ``transitions[i].source`` ...) and the offending value.
    """

    states: tuple[str, ...]
    open_states: tuple[str, ...]
    initial_state: str
    transitions: tuple[Transition, ...]
    name: str = "scheme"
    _q_constant: np.ndarray = field(init=False, repr=False, compare=False)
    _q_binding: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "states", tuple(self.states))
        object.__setattr__(self, "open_states", tuple(self.open_states))
        object.__setattr__(self, "transitions", tuple(self.transitions))
        _iv_states(self.states)
        _iv_open_states(self.open_states, self.states)
        if self.initial_state not in self.states:
            raise ValueError(f"initial_state {self.initial_state!r} is not in states {self.states}")
        if self.initial_state in self.open_states:
            raise ValueError(
                f"initial_state {self.initial_state!r} conducts: a receptor at rest must be closed"
            )
        _iv_transitions(self.transitions, self.states)
        q_constant, q_binding = _rate_matrices(self.states, self.transitions)
        object.__setattr__(self, "_q_constant", q_constant)
        object.__setattr__(self, "_q_binding", q_binding)

    @property
    def n_states(self) -> int:
        """Number of states."""
        return len(self.states)

    @property
    def open_mask(self) -> np.ndarray:
        """Boolean mask of the conducting states, shape ``(n_states,)``."""
        return np.array([s in self.open_states for s in self.states])

    @property
    def initial_probability(self) -> np.ndarray:
        """Occupancy at rest: 1 in ``initial_state``, shape ``(n_states,)``."""
        p0 = np.zeros(self.n_states)
        p0[self.states.index(self.initial_state)] = 1.0
        return p0

    def generator(self, conc_M: float) -> np.ndarray:
        """Generator matrix at a transmitter concentration.

        Parameters
        ----------
        conc_M : float
            Transmitter concentration (M), finite and >= 0.

        Returns
        -------
        np.ndarray, shape=(n_states, n_states), dtype=float
            ``Q[i, j]`` is the rate (s^-1) from state i to state j (i != j); each row
            sums to zero.
        """
        check_positive("conc_M", conc_M, allow_zero=True)
        return self._q_constant + float(conc_M) * self._q_binding

    def stationary_probability(self, conc_M: float) -> np.ndarray:
        """Equilibrium occupancy at a constant concentration.

        Parameters
        ----------
        conc_M : float
            Transmitter concentration (M), finite and >= 0.

        Returns
        -------
        np.ndarray, shape=(n_states,), dtype=float
            The normalised left null vector of :meth:`generator` (``pi Q = 0``).

        Raises
        ------
        ValueError
            If the chain has no unique equilibrium at ``conc_M`` (it is reducible).
        """
        # Rescaled so that the rank decision does not depend on the size of the rates.
        q = self.generator(conc_M)
        basis = null_space((q / np.abs(q).max()).T)
        if basis.shape[1] != 1:
            raise ValueError(
                f"scheme {self.name!r} has no unique equilibrium at conc_M={conc_M!r} "
                f"({basis.shape[1]} stationary vectors)"
            )
        pi = np.abs(basis[:, 0])
        return pi / pi.sum()


def _iv_states(states: tuple) -> None:
    if len(states) < 2:
        raise ValueError(f"states must name at least 2 states, got {states!r}")
    for s in states:
        if not isinstance(s, str) or not s:
            raise ValueError(f"states must be non-empty strings, got {s!r}")
    duplicates = sorted({s for s in states if states.count(s) > 1})
    if duplicates:
        raise ValueError(f"states must be unique, repeated: {duplicates}")


def _iv_open_states(open_states: tuple, states: tuple) -> None:
    if not open_states:
        raise ValueError("open_states must name at least one conducting state, got ()")
    unknown = [s for s in open_states if s not in states]
    if unknown:
        raise ValueError(f"open_states {unknown} are not in states {states}")


def _iv_transitions(transitions: tuple, states: tuple) -> None:
    if not transitions:
        raise ValueError("transitions must not be empty")
    seen = set()
    for i, tr in enumerate(transitions):
        if not isinstance(tr, Transition):
            raise ValueError(f"transitions[{i}] must be a Transition, got {tr!r}")
        for role in ("source", "target"):
            if getattr(tr, role) not in states:
                raise ValueError(
                    f"transitions[{i}].{role} {getattr(tr, role)!r} is not in states {states}"
                )
        if tr.source == tr.target:
            raise ValueError(f"transitions[{i}] goes from {tr.source!r} to itself")
        unit = "M^-1 s^-1" if tr.binding else "s^-1"
        check_positive(f"transitions[{i}].rate ({tr.source}->{tr.target}, {unit})", tr.rate)
        if (tr.source, tr.target) in seen:
            raise ValueError(f"transitions[{i}] repeats {tr.source}->{tr.target}")
        seen.add((tr.source, tr.target))


def _rate_matrices(states: tuple, transitions: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Constant (s^-1) and binding (M^-1 s^-1) parts of the generator, rows summing to 0."""
    n = len(states)
    q_constant, q_binding = np.zeros((n, n)), np.zeros((n, n))
    for tr in transitions:
        q = q_binding if tr.binding else q_constant
        q[states.index(tr.source), states.index(tr.target)] = float(tr.rate)
    for q in (q_constant, q_binding):
        q[np.diag_indices(n)] = -q.sum(axis=1)
    return q_constant, q_binding


def two_state_scheme(k_on_per_M_per_s: float, k_off_per_s: float) -> KineticScheme:
    """Unbound <-> bound, the bound state conducts.

    Parameters
    ----------
    k_on_per_M_per_s : float
        Binding rate constant (M^-1 s^-1), > 0.
    k_off_per_s : float
        Unbinding rate (s^-1), > 0.

    Returns
    -------
    KineticScheme
        States ``("unbound", "bound")``, open ``("bound",)``, at rest unbound.
    """
    check_positive("k_on_per_M_per_s", k_on_per_M_per_s)
    check_positive("k_off_per_s", k_off_per_s)
    return KineticScheme(
        states=("unbound", "bound"),
        open_states=("bound",),
        initial_state="unbound",
        transitions=(
            Transition("unbound", "bound", k_on_per_M_per_s, binding=True),
            Transition("bound", "unbound", k_off_per_s),
        ),
        name="two_state",
    )


def jonas_ampa_scheme() -> KineticScheme:
    """AMPA receptor of CA3 pyramidal cells, Jonas, Major & Sakmann 1993.

    The seven-state scheme of Jonas P, Major G, Sakmann B (1993) J Physiol
    472:615-663 (rat hippocampal slices, 22 degC), fitted to glutamate responses of
    patches from CA3 pyramidal cells::

        C0 --k1 C--> C1 --k2 C--> C2 --alpha--> O
           <--k-1--     <--k-2--     <--beta---
                     |  ^         |  ^          |  ^
                 a1  v  | b1   a2 v  | b2    a3 v  | b3
                     C3 --k3 C--> C4 --a4----> C5
                        <--k-3--     <--b4----

    C0 unbound, C1 / C2 one / two glutamates bound and closed, O open (doubly bound),
    C3, C4, C5 desensitised (singly bound, doubly bound, doubly bound reached from O).

    ======================  ==================  ==========================
    transition              rate                unit
    ======================  ==================  ==========================
    C0 -> C1 (k1)           4.59e6              M^-1 s^-1 (x concentration)
    C1 -> C0 (k-1)          4.26e3              s^-1
    C1 -> C2 (k2)           28.4e6              M^-1 s^-1 (x concentration)
    C2 -> C1 (k-2)          3.26e3              s^-1
    C2 -> O (alpha)         4.24e3              s^-1
    O -> C2 (beta)          900                 s^-1
    C1 -> C3 (alpha1)       2.89e3              s^-1
    C3 -> C1 (beta1)        39.2                s^-1
    C2 -> C4 (alpha2)       172                 s^-1
    C4 -> C2 (beta2)        0.727               s^-1
    O -> C5 (alpha3)        17.7                s^-1
    C5 -> O (beta3)         4.0                 s^-1
    C3 -> C4 (k3)           1.27e6              M^-1 s^-1 (x concentration)
    C4 -> C3 (k-3)          45.7                s^-1
    C4 -> C5 (alpha4)       16.8                s^-1
    C5 -> C4 (beta4)        190.4               s^-1
    ======================  ==================  ==========================

    The paper itself was not readable here; the values are those of two independent
    public implementations that cite it and agree to every digit: the NEURON mechanism
    ``AMPA_markov_syn`` (rates in ms^-1 and mM^-1 ms^-1, transitions named as above)
    and a GENESIS ``GENsynpores`` AMPA channel attributed to the same rates via Stevens
    et al. 2003. Both cycles (C1-C2-C4-C3 and C2-O-C5-C4) satisfy detailed balance to
    the rounding of the published constants (products of rates agree to < 1 %).

    Returns
    -------
    KineticScheme
        States ``("C0", "C1", "C2", "O", "C3", "C4", "C5")``, open ``("O",)``, at rest
        ``"C0"``.
    """
    t = Transition
    return KineticScheme(
        states=("C0", "C1", "C2", "O", "C3", "C4", "C5"),
        open_states=("O",),
        initial_state="C0",
        transitions=(
            t("C0", "C1", 4.59e6, binding=True),
            t("C1", "C0", 4.26e3),
            t("C1", "C2", 28.4e6, binding=True),
            t("C2", "C1", 3.26e3),
            t("C2", "O", 4.24e3),
            t("O", "C2", 900.0),
            t("C1", "C3", 2.89e3),
            t("C3", "C1", 39.2),
            t("C2", "C4", 172.0),
            t("C4", "C2", 0.727),
            t("O", "C5", 17.7),
            t("C5", "O", 4.0),
            t("C3", "C4", 1.27e6, binding=True),
            t("C4", "C3", 45.7),
            t("C4", "C5", 16.8),
            t("C5", "C4", 190.4),
        ),
        name="jonas_major_sakmann_1993_ampa",
    )


@dataclass(frozen=True)
class ReceptorResponse:
    """The response of one receptor (or the mean of many) to a transmitter transient.

    Attributes
    ----------
    t_ms : np.ndarray, shape=(n_t,), dtype=float
        Increasing times (ms), first > 0; the receptor is at rest at t = 0.
    state_probability : np.ndarray, shape=(n_t, n_states), dtype=float
        Occupancy of each state at each time; rows sum to 1.
    open_fraction : np.ndarray, shape=(n_t,), dtype=float
        Probability that a receptor conducts at each time.
    cumulative_open_ms : np.ndarray, shape=(n_t,), dtype=float
        Expected open time of a receptor from 0 to each time (ms), exact for the
        piecewise-constant concentration.
    first_open_cdf : np.ndarray, shape=(n_t,), dtype=float
        Probability that a receptor has opened at least once by each time.
    states : tuple of str
        State names (columns of ``state_probability``).
    scheme_name : str
        Name of the scheme.
    """

    t_ms: np.ndarray
    state_probability: np.ndarray
    open_fraction: np.ndarray
    cumulative_open_ms: np.ndarray
    first_open_cdf: np.ndarray
    states: tuple[str, ...]
    scheme_name: str

    @property
    def p_ever_open(self) -> float:
        """Probability that a single receptor opens at least once during the transient."""
        return float(self.first_open_cdf[-1])

    @property
    def peak_open_fraction(self) -> float:
        """Largest open fraction on the grid."""
        return float(self.open_fraction.max())

    @property
    def time_to_peak_ms(self) -> float:
        """Grid time of the largest open fraction (ms)."""
        return float(self.t_ms[np.argmax(self.open_fraction)])

    @property
    def open_integral_ms(self) -> float:
        """Integral of the open fraction from 0 to the last time (ms)."""
        return float(self.cumulative_open_ms[-1])

    def to_dict(self) -> dict:
        """JSON-ready scalars, units in the key names."""
        return {
            "scheme": self.scheme_name,
            "n_states": len(self.states),
            "t_end_ms": float(self.t_ms[-1]),
            "peak_open_fraction": self.peak_open_fraction,
            "time_to_peak_ms": self.time_to_peak_ms,
            "open_integral_ms": self.open_integral_ms,
            "p_ever_open": self.p_ever_open,
        }


def _iv_transient(t_ms, conc_mM) -> tuple[np.ndarray, np.ndarray]:
    t = finite_array("t_ms", t_ms, ndim=1, min_size=1)
    c = finite_array("conc_mM", conc_mM, ndim=1, min_size=1)
    if c.shape != t.shape:
        raise ValueError(f"conc_mM must have the shape of t_ms {t.shape}, got {c.shape}")
    if t[0] <= 0:
        raise ValueError(f"t_ms must start after 0 (the receptor is at rest at 0), got {t[0]!r}")
    if np.any(np.diff(t) <= 0):
        i = int(np.argmax(np.diff(t) <= 0))
        raise ValueError(f"t_ms must increase strictly, t_ms[{i + 1}]={t[i + 1]!r} <= {t[i]!r}")
    if np.any(c < 0):
        raise ValueError(f"conc_mM must be >= 0, got min {c.min()!r}")
    return t, c


@functools.cache
def _blas_threads() -> ThreadpoolController:
    """Controller of the BLAS thread pools loaded (numpy's and scipy's OpenBLAS)."""
    return ThreadpoolController()


def _propagators(scheme: KineticScheme, dt_s: np.ndarray, conc_M: np.ndarray):
    """Per interval: ``expm(Q dt)``, ``int_0^dt expm(Q s) ds @ open_mask`` (s), and
    ``expm(Q' dt)`` of the chain whose open states are absorbing (rows of ``Q'`` zeroed).

    One exponential of the bordered matrix ``[[Q, m], [0, 0]] dt`` holds ``expm(Q dt)``
    top-left and the integral of ``expm(Q s) m`` in its last column (Van Loan 1978, IEEE
    Trans Autom Control 23:395).
    """
    n = scheme.n_states
    q = (scheme._q_constant + conc_M[:, None, None] * scheme._q_binding) * dt_s[:, None, None]
    bordered = np.zeros((dt_s.size, n + 1, n + 1))
    bordered[:, :n, :n] = q
    bordered[:, :n, n] = scheme.open_mask * dt_s[:, None]
    q_absorbing = q.copy()
    q_absorbing[:, scheme.open_mask, :] = 0.0
    # One BLAS thread: waking OpenBLAS threads for each 8 x 8 product made a 200-point
    # solve 5-100x slower on a busy 2-core machine.
    with _blas_threads().limit(limits=1, user_api="blas"):
        e = expm(bordered)
        e_absorbing = expm(q_absorbing)
    return e[:, :n, :n], e[:, :n, n], e_absorbing


def drive_receptor(scheme: KineticScheme, t_ms, conc_mM) -> ReceptorResponse:
    """Solve a kinetic scheme exactly for a transmitter concentration transient.

    The receptor sits in ``scheme.initial_state`` at t = 0. The concentration is
    ``conc_mM[0]`` on (0, t_ms[0]] and the trapezoid mean
    ``(conc_mM[i-1] + conc_mM[i]) / 2`` on (t_ms[i-1], t_ms[i]]; on each interval the
    chain is solved with the matrix exponential of its generator.

    Parameters
    ----------
    scheme : KineticScheme
        The receptor.
    t_ms : array_like, shape=(n_t,)
        Strictly increasing times (ms), first > 0 (e.g. log-spaced from 1e-4 ms).
    conc_mM : array_like, shape=(n_t,)
        Transmitter concentration at those times (mM), >= 0.

    Returns
    -------
    ReceptorResponse
        Occupancies, open fraction, cumulative open time and first-opening CDF.

    Raises
    ------
    ValueError
        Naming ``t_ms`` or ``conc_mM`` and the offending value.
    """
    t, c = _iv_transient(t_ms, conc_mM)
    dt_s = np.diff(t, prepend=0.0) / _MS_PER_S
    conc_M = np.concatenate([c[:1], 0.5 * (c[:-1] + c[1:])]) * _M_PER_MM
    step, open_time, step_absorbing = _propagators(scheme, dt_s, conc_M)

    mask = scheme.open_mask
    p = scheme.initial_probability
    p_absorbing = p.copy()
    occupancy = np.empty((t.size, scheme.n_states))
    open_time_s = np.empty(t.size)
    first_open = np.empty(t.size)
    total_s = 0.0
    for i in range(t.size):
        total_s += float(p @ open_time[i])
        p = p @ step[i]
        p_absorbing = p_absorbing @ step_absorbing[i]
        occupancy[i], open_time_s[i], first_open[i] = p, total_s, p_absorbing[mask].sum()
    # expm round-off can leave -1e-17 where a state is empty; the sums are not touched.
    occupancy = np.clip(occupancy, 0.0, None)
    first_open = np.maximum.accumulate(np.clip(first_open, 0.0, 1.0))
    return ReceptorResponse(
        t_ms=t,
        state_probability=occupancy,
        open_fraction=occupancy[:, mask].sum(axis=1),
        cumulative_open_ms=np.maximum.accumulate(np.clip(open_time_s, 0.0, None)) * _MS_PER_S,
        first_open_cdf=first_open,
        states=scheme.states,
        scheme_name=scheme.name,
    )


def n_receptor_activation_probability(p_ever_open: float, n_receptors: int) -> float:
    """Probability that at least one of n independent receptors opens.

    Parameters
    ----------
    p_ever_open : float
        Probability that one receptor opens during the transient, in [0, 1].
    n_receptors : int
        Number of receptors exposed to the same transient, >= 1.

    Returns
    -------
    float
        ``1 - (1 - p_ever_open) ** n_receptors`` (computed with ``log1p`` so that a
        small p keeps its precision).
    """
    check_probability("p_ever_open", p_ever_open)
    check_int_at_least("n_receptors", n_receptors, 1)
    if p_ever_open == 1:
        return 1.0
    return float(-math.expm1(n_receptors * math.log1p(-p_ever_open)))


def first_activation_cdf(first_open_cdf, n_receptors: int) -> np.ndarray:
    """CDF of the first opening among n independent receptors.

    Parameters
    ----------
    first_open_cdf : array_like, shape=(n_t,)
        First-opening CDF of one receptor: values in [0, 1], non-decreasing.
    n_receptors : int
        Number of receptors, >= 1.

    Returns
    -------
    np.ndarray, shape=(n_t,), dtype=float
        ``1 - (1 - first_open_cdf) ** n_receptors``.
    """
    f = finite_array("first_open_cdf", first_open_cdf, ndim=1, min_size=1)
    check_int_at_least("n_receptors", n_receptors, 1)
    if np.any((f < 0) | (f > 1)):
        raise ValueError(f"first_open_cdf must lie in [0, 1], got [{f.min()!r}, {f.max()!r}]")
    if np.any(np.diff(f) < 0):
        raise ValueError("first_open_cdf must be non-decreasing")
    with np.errstate(divide="ignore"):
        return -np.expm1(n_receptors * np.log1p(-f))
