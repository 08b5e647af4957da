"""Readers of the tables the criticality stage takes from the network stage.

Their columns are the contract of ``synsoc.layout`` (``AVALANCHE_COLUMNS``,
``RESPONSE_COLUMNS``; docs/contracts.md): a table that lacks one is refused with the
file and the missing columns named, before any analysis starts.
"""

from __future__ import annotations

import logging
import os

import pandas as pd

from synsoc.layout import AVALANCHE_COLUMNS, RESPONSE_COLUMNS

__all__ = ["read_avalanches", "read_response_curve"]

logger = logging.getLogger(__name__)


def _read_table(path: str | os.PathLike, required: tuple[str, ...], what: str) -> pd.DataFrame:
    frame = pd.read_parquet(path)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing {what} columns {missing}")
    return frame


def read_avalanches(path: str | os.PathLike) -> pd.DataFrame:
    """Read an ``avalanches.parquet`` and check it has every contract column.

    Parameters
    ----------
    path : path-like
        ``R/network/runs/{regime}/{control}/avalanches.parquet`` or a reference model's.

    Returns
    -------
    pandas.DataFrame
        One row per avalanche; columns include ``synsoc.layout.AVALANCHE_COLUMNS``
        (``size`` in spikes, ``duration_bins`` in bins, ``profile`` spikes per bin).

    Raises
    ------
    ValueError
        Naming the file and the missing columns.
    """
    return _read_table(path, AVALANCHE_COLUMNS, "avalanche")


def read_response_curve(path: str | os.PathLike) -> pd.DataFrame:
    """Read a response curve ``R/network/response/{regime}/{control}.parquet``.

    Parameters
    ----------
    path : path-like

    Returns
    -------
    pandas.DataFrame
        Columns include ``synsoc.layout.RESPONSE_COLUMNS``: ``drive_rate_hz`` (Hz) and
        ``response_rate_hz`` (Hz), one row per drive rate.

    Raises
    ------
    ValueError
        Naming the file and the missing columns.
    """
    return _read_table(path, RESPONSE_COLUMNS, "response")
