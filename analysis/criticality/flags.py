"""Warnings a reader must see before trusting a run's avalanche statistics.

A flag is ``{"code": str, "message": str}``; the codes are :data:`FLAG_CODES`. Figures,
``criticality.json``, the alignment table and ``summary.md`` all show the same flags.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["FLAG_CODES", "run_flags"]

FLAG_CODES = ("too_few_avalanches", "supercritical", "not_quiescent")
"""``too_few_avalanches``: fewer than ``criticality.min_avalanches``, so no exponent is
fitted. ``supercritical``: the network's activity state is self-sustained (no
quiescence, and the activity outlived the drive in the drive-off test) or the branching
ratio's 95 % interval lies above 1. ``not_quiescent``: the record was cut
at ``network.run.max_spikes`` before the drive-off test could run."""


def run_flags(
    criticality: Mapping[str, Any],
    activity_state: Mapping[str, Any] | None,
    *,
    min_avalanches: int,
) -> list[dict[str, str]]:
    """Flags of one run.

    Parameters
    ----------
    criticality : Mapping
        The run's ``criticality.json`` content (``n_avalanches``, ``branching_ratio``).
    activity_state : Mapping or None
        ``activity_state`` of the network run's ``summary.json`` (its ``state``); None
        when not known.
    min_avalanches : int
        ``criticality.min_avalanches``.

    Returns
    -------
    list of dict
        ``{"code", "message"}`` per flag raised, in :data:`FLAG_CODES` order.
    """
    flags = []
    n = int(criticality["n_avalanches"])
    if n < min_avalanches:
        flags.append(
            {
                "code": "too_few_avalanches",
                "message": f"too few avalanches: {n} < {min_avalanches} "
                "(criticality.min_avalanches); no exponent is fitted",
            }
        )
    reasons = []
    state = activity_state or {}
    # only a run that never falls quiet is judged by the drive-off test: in an avalanching
    # run, one long critical cascade can outlive the drive (critical slowing down)
    if state.get("state") == "self-sustained":
        reasons.append("activity never falls quiet and outlives the drive (drive-off test)")
    branching = criticality.get("branching_ratio") or {}
    m_ci = branching.get("multistep_regression_ci95")
    if m_ci is not None and m_ci[0] > 1.0:
        m = branching["multistep_regression"]
        reasons.append(f"branching ratio m = {m:.3g} [{m_ci[0]:.3g}, {m_ci[1]:.3g}] > 1")
    if reasons:
        flags.append({"code": "supercritical", "message": "supercritical: " + "; ".join(reasons)})
    if state.get("state") == "not quiescent":
        flags.append(
            {
                "code": "not_quiescent",
                "message": "not quiescent: the record was cut at network.run.max_spikes; "
                "its avalanches are incomplete",
            }
        )
    return flags
