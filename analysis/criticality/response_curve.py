"""Dynamic range of a stimulus-response curve (Kinouchi & Copelli 2006, Nat. Phys. 2:348).

``F(h)`` is the mean response rate at drive rate h. With ``F_x = F_0 + x (F_max - F_0)``
(``F_0`` the response without drive, ``F_max`` at saturation) and ``h_x`` the drive
where F reaches ``F_x``, the dynamic range is ``Delta = 10 log10(h_0.9 / h_0.1)`` in dB.
Kinouchi & Copelli predict its maximum at the critical point sigma = 1 (lambda = 1 on
heterogeneous graphs, Larremore, Shew & Restrepo 2011).

``F_0`` is the baseline F(h -> 0): 0 when activity dies without drive, the spontaneous
rate of a self-sustained state (measured by the network stage's drive-off test). Given
it, Delta is defined only when the curve spans the range it measures: the weakest drive
must lie below the 10 % level and the strongest must saturate (the last two points
within :data:`SATURATION_TOLERANCE`); otherwise the note says which end is missing.
Without a baseline (older response curves) ``F_0`` is the response at the weakest
drive.

The measured F(h) is noisy, while the model's response is non-decreasing in h, so
``F_0``, ``F_max`` and the crossings are read off the least-squares non-decreasing fit
(isotonic regression) of the measured points, interpolated log-linearly in h. A running
maximum would instead let one noisy high point at weak drive (typical of a
self-sustained supercritical network) fix ``h_0.1`` far too low and inflate Delta.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import isotonic_regression

from synsoc.validation import finite_array

__all__ = ["DynamicRange", "dynamic_range", "peak_per_regime", "SATURATION_TOLERANCE"]

SATURATION_TOLERANCE = 0.05
"""The strongest drive saturates when the fitted response rose by less than this fraction
over the last drive step."""

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DynamicRange:
    """Dynamic range of one response curve.

    Attributes
    ----------
    delta_db : float or None
        ``10 log10(h_0.9 / h_0.1)``; None when undefined (see ``note``).
    h10_hz, h90_hz : float or None
        Drive rates reaching 10 % and 90 % of the response range (Hz).
    f0_hz, fmax_hz : float
        Response at the weakest and strongest drive (Hz).
    note : str
        Why ``delta_db`` is undefined, or ``"ok"``.
    """

    delta_db: float | None
    h10_hz: float | None
    h90_hz: float | None
    f0_hz: float
    fmax_hz: float
    note: str

    def as_dict(self) -> dict:
        """JSON-ready dictionary."""
        return {
            "delta_db": self.delta_db,
            "h10_hz": self.h10_hz,
            "h90_hz": self.h90_hz,
            "f0_hz": self.f0_hz,
            "fmax_hz": self.fmax_hz,
            "note": self.note,
        }


def dynamic_range(drive_rate_hz, response_rate_hz, *, baseline_hz=None) -> DynamicRange:
    """Dynamic range of a response curve.

    Parameters
    ----------
    drive_rate_hz : array_like, shape=(n,)
        Positive drive rates (Hz), any order.
    response_rate_hz : array_like, shape=(n,)
        Mean response rate at each drive (Hz).
    baseline_hz : float, optional
        F_0 = F(h -> 0) (Hz, >= 0); None takes the response at the weakest drive.

    Returns
    -------
    DynamicRange
        ``delta_db`` is None with a ``note`` when the response does not vary or (with a
        baseline) the drive range misses the 10 % level or saturation.
    """
    h = finite_array("drive_rate_hz", drive_rate_hz, ndim=1)
    f = finite_array("response_rate_hz", response_rate_hz, ndim=None)
    if h.shape != f.shape:
        raise ValueError("drive_rate_hz and response_rate_hz must be 1-D of equal length")
    if h.size < 3:
        raise ValueError(f"drive_rate_hz: need >= 3 drive values, got {h.size}")
    if np.any(h <= 0):
        raise ValueError("drive_rate_hz must be positive (log scale)")
    order = np.argsort(h)
    h, f = h[order], f[order]
    envelope = isotonic_regression(f).x
    fmax = float(envelope[-1])
    f0 = float(envelope[0]) if baseline_hz is None else float(baseline_hz)
    if baseline_hz is not None and not (math.isfinite(f0) and f0 >= 0):
        raise ValueError(f"baseline_hz must be finite and >= 0, got {baseline_hz}")

    def undefined(note: str) -> DynamicRange:
        return DynamicRange(None, None, None, f0, fmax, f"undefined: {note}")

    if fmax <= f0:
        return undefined("response does not increase with drive")
    if baseline_hz is not None:
        if envelope[0] - f0 > 0.1 * (fmax - f0):
            return undefined("the weakest drive is above the 10 % level (extend the drive down)")
        if envelope[-1] - envelope[-2] > SATURATION_TOLERANCE * fmax:
            return undefined("the strongest drive does not saturate (extend the drive up)")
    levels = f0 + np.array([0.1, 0.9]) * (fmax - f0)
    # first crossing of each level on the non-decreasing fit, log-linear in h
    log_h = np.log(h)
    hx = []
    for level in levels:
        j = max(1, int(np.searchsorted(envelope, level, side="left")))
        f_lo, f_hi = envelope[j - 1], envelope[j]
        frac = (level - f_lo) / (f_hi - f_lo) if f_hi > f_lo else 0.0
        hx.append(float(np.exp(log_h[j - 1] + frac * (log_h[j] - log_h[j - 1]))))
    return DynamicRange(10.0 * np.log10(hx[1] / hx[0]), hx[0], hx[1], f0, fmax, "ok")


def peak_per_regime(rows: Iterable[Mapping[str, Any]]) -> dict[str, dict]:
    """Control value of the largest dynamic range in each regime.

    Parameters
    ----------
    rows : iterable of Mapping
        One per response curve, each with ``regime``, ``control_value`` and
        ``delta_db`` (float, or None when undefined).

    Returns
    -------
    dict of str to dict
        Regime (first-seen order) -> ``{"control_value", "control_label", "delta_db"}`` of
        its peak, or
        ``{"status": "undefined", "reason": ...}`` when no curve had a defined range.
    """
    rows = list(rows)
    peaks = {}
    for regime in dict.fromkeys(r["regime"] for r in rows):
        defined = [r for r in rows if r["regime"] == regime and r["delta_db"] is not None]
        best = max(defined, key=lambda r: r["delta_db"]) if defined else None
        peaks[regime] = (
            {
                "control_value": best["control_value"],
                "control_label": best.get("control_label"),
                "delta_db": best["delta_db"],
            }
            if defined
            else {"status": "undefined", "reason": "no curve had a defined range"}
        )
    return peaks
