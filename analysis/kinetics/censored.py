"""Right-censored waiting times as one type: :class:`CensoredSample`.

Every fitting function of the kinetics stage (Kaplan–Meier, censored MLE, bootstrap,
goodness of fit) takes one ``CensoredSample`` instead of a loose ``(durations,
censored)`` pair, so the sample is validated once, where it is made. Besides the
durations and censoring flags it carries how they were recorded (the frame interval
``resolution`` and whether each interval starts at a known time) and, optionally,
cluster labels of dependent observations (the cluster bootstrap resamples those).

Recording model and likelihoods
-------------------------------
Trajectories are saved every frame interval Δ (``resolution``), so a duration is known
only on the grid kΔ. Let T be the true duration, with density f, CDF F, survival
S = 1 - F, and write G(t) = ∫_0^t F(s) ds (so G'' = f, G(0) = 0).

*Exact start* (``exact_start=True``; first passage from a release at t = 0 on a
frame): the event is recorded at the first frame at or after it, so a recorded
duration d = kΔ (k >= 1) means T ∈ ((k - 1)Δ, kΔ] and

    P(observed d) = F(d) - F(d - Δ).

A censored d (the last frame, event not yet seen) means T > d: likelihood S(d).

*Discretised start* (``exact_start=False``; dwells and rebinding times: the event
begins at an unknown time in the frame interval before its first frame and ends in the
interval before its first frame in the next state). With the start a uniform phase U
before the first frame, frames at the start frame j onwards, the true start is
(j - U)Δ and the end (j - U)Δ + T; the recorded duration is the number of frames in
the state times Δ, k = ceil(T/Δ - U), so T = kΔ + (V - U)Δ with U, V iid U(0, 1)
given k: the recorded value smears T with a triangular kernel of half-width Δ. Then

    P(k | T) = Λ(T/Δ - k),  Λ(x) = max(1 - |x|, 0)  (the triangle),
    P(k) = E[Λ(T/Δ - k)] = ∫ f(t) Λ(t/Δ - k) dt
         = [G((k+1)Δ) - 2 G(kΔ) + G((k-1)Δ)] / Δ,

by integrating by parts twice (G'' = f, Λ piecewise linear with kinks at k - 1, k,
k + 1 of slopes ±1/Δ). A censored d (still in the state at the last frame, d = time
from the first to the last frame) means T > d + UΔ:

    P(censored d) = ∫_0^1 S(d + uΔ) du = (1/Δ) ∫_d^{d+Δ} S(s) ds
                  = 1 - [G(d + Δ) - G(d)] / Δ.

An event with k = 0 (begun and ended between two frames) is never seen, so the
recorded sample is the events with T > UΔ, of probability
P_rec = (1/Δ) ∫_0^Δ S(s) ds (the censored formula at d = 0); each recorded event's
likelihood, observed or censored, is divided by P_rec (conditioning on being recorded,
a truncation). Its size: 3.7 % of Lévy(scale = 1) events at Δ = 0.4 are lost.
The recorded duration has survival P(D > kΔ) = P(T > kΔ + UΔ): the censored formula
at d = kΔ (for an exact start, S(kΔ)); the goodness of fit compares the Kaplan–Meier
curve of the recorded durations with this law.

Limits of the model: the phase U is uniform (frames are not synchronised with the
events), and a lost short event is dropped on its own; in an events table a missed
short unbinding also merges the two dwells around it, which no per-event likelihood
can undo.

Why not ``scipy.stats.CensoredData``: it regroups the data by kind of censoring (the
original order is lost, and the nonparametric bootstrap resamples observations by
their position, so the same seed would draw other observations), keeps its arrays in
private attributes, accepts negative times and left/interval censoring this stage
never has, and has no notion of a discretised start. :meth:`CensoredSample.to_censored_data`
converts for scipy's own tools (``scipy.stats.ecdf``, ``rv_continuous.fit``).
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass

import numpy as np
from scipy import stats

from synsoc.validation import check_positive, finite_array

__all__ = ["CensoredSample"]

_GRID_TOLERANCE = 1e-3
"""Largest distance from the grid accepted, as a fraction of ``resolution``."""
_FLOAT32_ULPS = 4
"""Float32 spacings of a duration accepted on top (durations read from XTC times)."""


@dataclass(frozen=True, eq=False)
class CensoredSample:
    """Waiting times, each either observed or right-censored (a lower bound).

    Parameters
    ----------
    durations : array_like, shape=(n,)
        Waiting times, finite and >= 0 (any time unit; the events table uses ps).
    censored : array_like of bool, shape=(n,), optional
        True where the run ended before the event (the duration is a lower bound).
        Omitted: every duration is observed. 0/1 integers are accepted.
    resolution : float
        Time grid Δ of the durations (frame interval, same unit), >= 0. 0: exact times.
        With Δ > 0 every duration must be a multiple of Δ within 1e-3 Δ plus four
        float32 spacings of the duration (it is then snapped exactly onto the grid),
        and observed durations must be >= Δ (the module docstring gives the likelihood).
    exact_start : bool
        True when each interval starts at a known time on the grid (first passage from a
        release at t = 0); False when its start lies somewhere in the frame interval
        before its first frame (dwells, rebinding). Used only when ``resolution > 0``.
    clusters : array_like of int, shape=(n,), optional
        Labels of dependent observations, e.g. one per (replica, transmitter); the
        cluster bootstrap resamples whole clusters. Omitted: every observation is its
        own cluster.

    Attributes
    ----------
    durations : np.ndarray, shape=(n,), dtype=float
        Read-only copy of the waiting times, in the order given (snapped to the grid).
    censored : np.ndarray, shape=(n,), dtype=bool
        Read-only censoring flags.
    resolution : float
    exact_start : bool
    clusters : np.ndarray, shape=(n,), dtype=int64, or None
        Read-only copy of the labels.

    Raises
    ------
    ValueError
        Naming ``durations`` (not 1-D, NaN, inf, negative, off the grid, observed and
        shorter than one frame), ``censored`` (other shape, values other than booleans),
        ``resolution`` (negative, NaN, inf), ``exact_start`` (not a bool) or ``clusters``
        (other shape, not integers), with the offending value.

    Examples
    --------
    >>> sample = CensoredSample([1.0, 2.5, 4.0], [False, False, True])
    >>> sample.n_events, sample.n_censored, sample.n_observed
    (3, 1, 2)
    >>> CensoredSample([0.4, 1.2000001], resolution=0.4).durations.tolist()
    [0.4, 1.2000000000000002]
    """

    durations: np.ndarray
    censored: np.ndarray | None = None
    _: KW_ONLY
    resolution: float = 0.0
    exact_start: bool = True
    clusters: np.ndarray | None = None

    def __post_init__(self) -> None:
        t = np.array(finite_array("durations", self.durations, ndim=1), dtype=float)
        if np.any(t < 0):
            raise ValueError(f"durations must be >= 0, got minimum {t.min()!r}")
        c = _iv_censored(self.censored, t.shape)
        resolution = check_positive("resolution", self.resolution, allow_zero=True)
        if not isinstance(self.exact_start, bool | np.bool_):
            raise ValueError(f"exact_start must be a bool, got {self.exact_start!r}")
        if resolution > 0:
            t = _snap_to_grid(t, c, resolution)
        clusters = _iv_clusters(self.clusters, t.shape)
        for array in (t, c, clusters):
            if array is not None:
                array.flags.writeable = False
        object.__setattr__(self, "durations", t)
        object.__setattr__(self, "censored", c)
        object.__setattr__(self, "resolution", resolution)
        object.__setattr__(self, "exact_start", bool(self.exact_start))
        object.__setattr__(self, "clusters", clusters)

    def __len__(self) -> int:
        return int(self.durations.size)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CensoredSample):
            return NotImplemented
        same_clusters = (self.clusters is None and other.clusters is None) or (
            self.clusters is not None
            and other.clusters is not None
            and np.array_equal(self.clusters, other.clusters)
        )
        return (
            np.array_equal(self.durations, other.durations)
            and np.array_equal(self.censored, other.censored)
            and self.resolution == other.resolution
            and self.exact_start == other.exact_start
            and same_clusters
        )

    __hash__ = None  # mutable-looking array content: no hashing

    @property
    def observed(self) -> np.ndarray:
        """Mask of the observed (uncensored) durations, shape (n,)."""
        return ~self.censored

    @property
    def n_events(self) -> int:
        """Number of observations, censored ones included (``n_events`` of ``kinetics.json``)."""
        return len(self)

    @property
    def n_censored(self) -> int:
        """Number of censored observations."""
        return int(self.censored.sum())

    @property
    def n_observed(self) -> int:
        """Number of observed (uncensored) events."""
        return len(self) - self.n_censored

    @property
    def all_censored(self) -> bool:
        """True when there is at least one observation and every one is censored."""
        return len(self) > 0 and bool(self.censored.all())

    def to_censored_data(self) -> stats.CensoredData:
        """The durations as ``scipy.stats.CensoredData(uncensored=..., right=...)``.

        Exact times: ``resolution``, ``exact_start`` and ``clusters`` are not carried.
        """
        return stats.CensoredData(
            uncensored=self.durations[self.observed], right=self.durations[self.censored]
        )


def _iv_censored(censored, shape: tuple[int, ...]) -> np.ndarray:
    """Censoring flags as a bool array of ``shape`` (all False when omitted)."""
    if censored is None:
        return np.zeros(shape, dtype=bool)
    c = np.array(censored)
    if c.shape != shape:
        raise ValueError(f"censored must have the shape of durations {shape}, got {c.shape}")
    if c.dtype != bool:
        if not np.all(np.isin(c, (0, 1))):
            raise ValueError("censored must hold booleans")
        c = c.astype(bool)
    return c


def _iv_clusters(clusters, shape: tuple[int, ...]) -> np.ndarray | None:
    """Cluster labels as an int64 array of ``shape``, or None."""
    if clusters is None:
        return None
    labels = np.array(clusters)
    if labels.shape != shape:
        raise ValueError(f"clusters must have the shape of durations {shape}, got {labels.shape}")
    if labels.size and labels.dtype.kind not in "iu":
        raise ValueError(f"clusters must hold integer labels, got dtype {labels.dtype}")
    return labels.astype(np.int64)


def _snap_to_grid(t: np.ndarray, censored: np.ndarray, resolution: float) -> np.ndarray:
    """Durations moved exactly onto multiples of ``resolution`` (checked close to them)."""
    steps = np.rint(t / resolution)
    tolerance = _GRID_TOLERANCE * resolution + _FLOAT32_ULPS * np.spacing(t.astype(np.float32))
    off = np.abs(t - steps * resolution) > tolerance
    if off.any():
        i = int(np.flatnonzero(off)[0])
        raise ValueError(
            f"durations must be multiples of resolution {resolution!r} (within "
            f"{_GRID_TOLERANCE:g} of it plus float32 rounding), got {float(t[i])!r} at index {i} "
            f"({int(off.sum())} off the grid)"
        )
    short = ~censored & (steps < 1)
    if short.any():
        i = int(np.flatnonzero(short)[0])
        raise ValueError(
            f"durations: observed durations must be >= resolution {resolution!r} (one frame), "
            f"got {float(t[i])!r} at index {i}"
        )
    return steps * resolution
