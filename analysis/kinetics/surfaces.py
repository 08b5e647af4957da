"""First-passage density F(r, t), occupation density P(r, t) and the renewal check.

For the distance d(t) of a transmitter to its nearest receptor:

* F(r, t) — density (1/ps) of the first time d reaches the bin of r (d ≤ r + h/2,
  h the bin width), over all transmitters of all replicas (released at t = 0);
  transmitters that never reach it contribute nothing, so ∫ F dt ≤ 1. Using the bin's
  upper edge puts the first-hit positions inside the bin, as the renewal relation's
  conditional P(r, t | r) assumes.
* P(r, t) — probability density (1/nm) that d lies in the bin around r at time t.
* Renewal relation for a continuous path that starts beyond r:
  P(r, t) = ∫_0^t F(r, τ) P(r, t − τ | r) dτ, with P(r, t | r) the probability density
  of being in the bin of r a lag t after being there (estimated from all time
  origins, assuming time homogeneity). The relative L2 error of the right side
  against the directly measured P is reported per r and overall (only for r below
  every initial distance, where the relation applies).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from synsoc.validation import check_int_at_least, check_positive, finite_array

__all__ = ["Surfaces", "compute_surfaces"]


@dataclass(frozen=True)
class Surfaces:
    """F(r, t), P(r, t) and the renewal check on a grid.

    Attributes
    ----------
    r_nm : np.ndarray, shape=(n_r,)
        Bin centres (nm).
    t_ps : np.ndarray, shape=(n_t,)
        Times (ps): lag k × stride × frame interval.
    F_per_ps : np.ndarray, shape=(n_r, n_t)
        First-passage density to d ≤ r + h/2.
    P_per_nm : np.ndarray, shape=(n_r, n_t)
        Occupation density of the bin of r.
    P_renewal_per_nm : np.ndarray, shape=(n_r, n_t)
        ∫ F(r, τ) P(r, t − τ | r) dτ.
    renewal_rel_error_r : np.ndarray, shape=(n_r,)
        ||P − P_renewal|| / ||P|| per r; -1 where not evaluated (r at or beyond an
        initial distance, or P identically 0).
    renewal_rel_error : float or None
        Pooled relative error over the evaluated r; ``None`` when no r qualifies.
    """

    r_nm: np.ndarray
    t_ps: np.ndarray
    F_per_ps: np.ndarray
    P_per_nm: np.ndarray
    P_renewal_per_nm: np.ndarray
    renewal_rel_error_r: np.ndarray
    renewal_rel_error: float | None


def compute_surfaces(
    nearest_nm: Sequence[np.ndarray],
    frame_ps: float,
    r_grid_nm: np.ndarray,
    *,
    n_t: int = 100,
    stride: int = 1,
) -> Surfaces:
    """F(r, t), P(r, t) and the renewal check from nearest-receptor distance series.

    Parameters
    ----------
    nearest_nm : sequence of np.ndarray, each shape=(n_frames_i, n_molecules_i)
        Distance of each transmitter to its nearest receptor, per replica; frame 0 is
        the release.
    frame_ps : float
        Frame interval (ps), the same for every replica.
    r_grid_nm : np.ndarray, shape=(n_r,)
        Equally spaced bin centres (nm).
    n_t : int
        Number of time points.
    stride : int
        Frames per time step.

    Returns
    -------
    Surfaces
    """
    if not nearest_nm:
        raise ValueError("nearest_nm is empty")
    check_positive("frame_ps", frame_ps)
    r = finite_array("r_grid_nm", r_grid_nm, ndim=1, min_size=2)
    if np.any(np.diff(r) <= 0):
        raise ValueError("r_grid_nm must be 1-D, increasing, with >= 2 points")
    width = np.diff(r)
    if not np.allclose(width, width[0], rtol=1e-6):
        raise ValueError("r_grid_nm must be equally spaced")
    check_int_at_least("n_t", n_t, 2)
    check_int_at_least("stride", stride, 1)
    h = width[0]
    edges = np.concatenate((r - h / 2, [r[-1] + h / 2]))
    series = []
    for k, d in enumerate(nearest_nm):
        d = finite_array(f"nearest_nm[{k}]", d, ndim=2)
        series.append(d[::stride])
    dt = frame_ps * stride
    t = np.arange(n_t) * dt
    n_r = r.size
    first_counts = np.zeros((n_r, n_t))
    occupancy = np.zeros((n_r, n_t))
    n_at_time = np.zeros(n_t)
    cond_same = np.zeros((n_r, n_t))
    cond_total = np.zeros((n_r, n_t))
    n_molecules = 0
    min_initial = np.inf
    for d in series:
        n_frames, n_mol = d.shape
        n_molecules += n_mol
        if n_frames == 0:
            continue
        min_initial = min(min_initial, float(d[0].min()))
        # First frame with d <= r + h/2, per r and molecule.
        reached = d[None, :, :] <= (r + h / 2)[:, None, None]
        first = np.where(reached.any(axis=1), reached.argmax(axis=1), n_frames + n_t)
        for i in range(n_r):
            hit = first[i][first[i] < n_t]
            first_counts[i] += np.bincount(hit, minlength=n_t)[:n_t]
        b = np.digitize(d, edges) - 1
        b[(b < 0) | (b >= n_r)] = -1
        m = min(n_frames, n_t)
        for k in range(m):
            row = b[k][b[k] >= 0]
            occupancy[:, k] += np.bincount(row, minlength=n_r)
        n_at_time[:m] += n_mol
        for lag in range(min(n_t, n_frames)):
            start = b[: n_frames - lag]
            end = b[lag:]
            ok = start >= 0
            cond_total[:, lag] += np.bincount(start[ok], minlength=n_r)
            cond_same[:, lag] += np.bincount(start[ok & (start == end)], minlength=n_r)
    F = first_counts / (max(n_molecules, 1) * dt)
    P = np.divide(occupancy, n_at_time * h, out=np.zeros_like(occupancy), where=n_at_time > 0)
    P_cond = np.divide(
        cond_same, cond_total * h, out=np.zeros_like(cond_same), where=cond_total > 0
    )
    P_ren = np.zeros_like(P)
    for i in range(n_r):
        P_ren[i] = np.convolve(F[i], P_cond[i])[:n_t] * dt
    err_r = np.full(n_r, -1.0)
    evaluated = (r + h / 2 < min_initial) & (np.linalg.norm(P, axis=1) > 0)
    num = np.linalg.norm(P - P_ren, axis=1)
    den = np.linalg.norm(P, axis=1)
    err_r[evaluated] = num[evaluated] / den[evaluated]
    pooled = (
        float(np.sqrt(np.sum(num[evaluated] ** 2) / np.sum(den[evaluated] ** 2)))
        if evaluated.any()
        else None
    )
    return Surfaces(r, t, F, P, P_ren, err_r, pooled)
