"""Right-censored waiting times as one type: :class:`CensoredSample`.

Every fitting function of the kinetics stage (Kaplan–Meier, censored MLE, bootstrap,
goodness of fit) takes one ``CensoredSample`` instead of a loose ``(durations,
censored)`` pair, so the pair is validated once, where it is made.

Why not ``scipy.stats.CensoredData``: it regroups the data by kind of censoring (the
original order is lost, and the nonparametric bootstrap resamples observations by
their position, so the same seed would draw other observations), keeps its arrays in
private attributes, accepts negative times and left/interval censoring this stage
never has. :meth:`CensoredSample.to_censored_data` converts for scipy's own tools
(``scipy.stats.ecdf``, ``rv_continuous.fit``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from synsoc.validation import finite_array

__all__ = ["CensoredSample"]


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

    Attributes
    ----------
    durations : np.ndarray, shape=(n,), dtype=float
        Read-only copy of the waiting times, in the order given.
    censored : np.ndarray, shape=(n,), dtype=bool
        Read-only censoring flags.

    Raises
    ------
    ValueError
        Naming ``durations`` (not 1-D, NaN, inf, negative) or ``censored`` (other
        shape, values other than booleans).

    Examples
    --------
    >>> sample = CensoredSample([1.0, 2.5, 4.0], [False, False, True])
    >>> sample.n_events, sample.n_censored, sample.n_observed
    (3, 1, 2)
    """

    durations: np.ndarray
    censored: np.ndarray | None = None

    def __post_init__(self) -> None:
        t = np.array(finite_array("durations", self.durations, ndim=1), dtype=float)
        if np.any(t < 0):
            raise ValueError(f"durations must be >= 0, got minimum {t.min()!r}")
        if self.censored is None:
            c = np.zeros(t.shape, dtype=bool)
        else:
            c = np.array(self.censored)
            if c.shape != t.shape:
                raise ValueError(
                    f"censored must have the shape of durations {t.shape}, got {c.shape}"
                )
            if c.dtype != bool:
                if not np.all(np.isin(c, (0, 1))):
                    raise ValueError("censored must hold booleans")
                c = c.astype(bool)
        t.flags.writeable = False
        c.flags.writeable = False
        object.__setattr__(self, "durations", t)
        object.__setattr__(self, "censored", c)

    def __len__(self) -> int:
        return int(self.durations.size)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CensoredSample):
            return NotImplemented
        return np.array_equal(self.durations, other.durations) and np.array_equal(
            self.censored, other.censored
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
        """The same sample as ``scipy.stats.CensoredData(uncensored=..., right=...)``."""
        return stats.CensoredData(
            uncensored=self.durations[self.observed], right=self.durations[self.censored]
        )
