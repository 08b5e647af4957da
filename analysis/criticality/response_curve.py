"""Dynamic range of a stimulus-response curve (Kinouchi & Copelli 2006, Nat. Phys. 2:348).

``F(h)`` is the mean response rate at drive rate h. With ``F_x = F_0 + x (F_max - F_0)``
(``F_0`` the response at the weakest drive, ``F_max`` at the strongest) and ``h_x`` the
drive where F reaches ``F_x``, the dynamic range is ``Delta = 10 log10(h_0.9 / h_0.1)``
in dB. Kinouchi & Copelli predict its maximum at the critical point sigma = 1.

The measured F(h) is noisy, while the model's response is non-decreasing in h, so
``F_0``, ``F_max`` and the crossings are read off the least-squares non-decreasing fit
(isotonic regression) of the measured points, interpolated log-linearly in h. A running
maximum would instead let one noisy high point at weak drive (typical of a
self-sustained supercritical network) fix ``h_0.1`` far too low and inflate Delta.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import isotonic_regression

from synsoc.validation import finite_array

__all__ = ["DynamicRange", "dynamic_range", "peak_per_regime"]

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


def dynamic_range(drive_rate_hz, response_rate_hz) -> DynamicRange:
    """Dynamic range of a response curve.

    Parameters
    ----------
    drive_rate_hz : array_like, shape=(n,)
        Positive drive rates (Hz), any order.
    response_rate_hz : array_like, shape=(n,)
        Mean response rate at each drive (Hz).

    Returns
    -------
    DynamicRange
        ``delta_db`` is None with a ``note`` when the response does not vary.
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
    f0, fmax = float(envelope[0]), float(envelope[-1])
    if fmax <= f0:
        return DynamicRange(
            None, None, None, f0, fmax, "undefined: response does not increase with drive"
        )
    levels = f0 + np.array([0.1, 0.9]) * (fmax - f0)
    # first crossing of each level on the non-decreasing fit, log-linear in h
    log_h = np.log(h)
    hx = []
    for level in levels:
        j = int(np.searchsorted(envelope, level, side="left"))
        f_lo, f_hi = envelope[j - 1], envelope[j]
        frac = (level - f_lo) / (f_hi - f_lo)
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
