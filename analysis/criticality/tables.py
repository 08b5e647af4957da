"""Readers of the tables the criticality stage takes from the network stage.

Their columns are the contract of ``synsoc.layout`` (``AVALANCHE_COLUMNS``,
``RESPONSE_COLUMNS``; docs/contracts.md): a table that is missing, is no Parquet, lacks
a column or holds NaN, infinite or negative values where the contract has counts,
durations or rates is refused with the file and the column named, before any analysis
starts.
"""

from __future__ import annotations

import logging
import os
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from synsoc.errors import InputError
from synsoc.io import read_parquet
from synsoc.layout import AVALANCHE_COLUMNS, BIN_SCAN_COLUMNS, RESPONSE_COLUMNS

__all__ = [
    "read_avalanches",
    "read_cascades",
    "read_bin_scan",
    "read_response_curve",
    "read_bin_counts",
    "read_max_delay_ms",
]

logger = logging.getLogger(__name__)

# Columns holding non-negative finite numbers (counts, times, rates).
_NON_NEGATIVE = {
    "avalanche": ("avalanche_id", "start_ms", "size", "duration_bins", "duration_ms", "bin_ms"),
    "cascade": ("avalanche_id", "start_ms", "size", "duration_bins", "duration_ms"),
    "bin scan": BIN_SCAN_COLUMNS,
    "response": RESPONSE_COLUMNS,
}


def _rows(mask: np.ndarray) -> str:
    rows = np.flatnonzero(mask)
    return ", ".join(str(r) for r in rows[:5]) + (", ..." if rows.size > 5 else "")


def _check_values(path: Path, frame: pd.DataFrame, what: str) -> None:
    for column in _NON_NEGATIVE[what]:
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(values)
        if bad.any():
            raise InputError(
                f"{path}: column '{column}' holds {int(bad.sum())} NaN, infinite or "
                f"non-numeric value(s) (rows {_rows(bad)})"
            )
        negative = values < 0
        if negative.any():
            raise InputError(
                f"{path}: column '{column}' holds {int(negative.sum())} negative value(s) "
                f"(min {values.min():g}; rows {_rows(negative)})"
            )


def _read_table(path: str | os.PathLike, required: tuple[str, ...], what: str) -> pd.DataFrame:
    path = Path(path)
    frame = read_parquet(path, what)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing {what} columns {missing}")
    _check_values(path, frame, what)
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
    synsoc.errors.InputError
        A ``ValueError`` naming the file and the problem: missing, not Parquet,
        missing columns, NaN/infinite/negative ids, sizes, durations, times.
    """
    return _read_table(path, AVALANCHE_COLUMNS, "avalanche")


def read_cascades(path: str | os.PathLike) -> pd.DataFrame:
    """Read a ``cascades.parquet`` (causal avalanches: the avalanche contract with
    ``duration_bins`` and ``profile`` in generations and ``bin_ms`` NaN).

    Raises
    ------
    synsoc.errors.InputError
        Naming the file and the problem, as :func:`read_avalanches`.
    """
    return _read_table(path, AVALANCHE_COLUMNS, "cascade")


def read_bin_scan(path: str | os.PathLike) -> pd.DataFrame:
    """Read a ``bin_scan.parquet`` (columns ``synsoc.layout.BIN_SCAN_COLUMNS``: binned
    avalanches of one run at several bin widths).

    Raises
    ------
    synsoc.errors.InputError
        Naming the file and the problem, as :func:`read_avalanches`.
    """
    return _read_table(path, BIN_SCAN_COLUMNS, "bin scan")


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
    synsoc.errors.InputError
        A ``ValueError`` naming the file and the problem: missing, not Parquet,
        missing columns, NaN/infinite/negative rates.
    """
    return _read_table(path, RESPONSE_COLUMNS, "response")


def read_bin_counts(path: str | os.PathLike) -> np.ndarray:
    """Spikes per time bin from a run's ``spikes.npz`` (key ``bin_counts``).

    Parameters
    ----------
    path : path-like
        ``R/network/runs/{regime}/{control}/spikes.npz``.

    Returns
    -------
    np.ndarray, shape=(n_bins,), dtype=float
        Spikes per bin.

    Raises
    ------
    synsoc.errors.InputError
        A ``ValueError`` naming the file: missing, not an NPZ, no ``bin_counts``, or
        counts that are not a finite, non-negative 1-D array.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"spikes file (spikes.npz of the network stage) not found: {path}")
    try:
        with np.load(path) as spikes:
            if "bin_counts" not in spikes:
                raise InputError(f"{path}: no 'bin_counts' array (keys {sorted(spikes)})")
            counts = np.asarray(spikes["bin_counts"], dtype=float)
    except (OSError, ValueError, EOFError, AttributeError, zipfile.BadZipFile) as err:
        if isinstance(err, InputError):
            raise
        raise InputError(
            f"{path}: not a spikes NPZ ({type(err).__name__}: {' '.join(str(err).split())})"
        ) from err
    if counts.ndim != 1:
        raise InputError(f"{path}: 'bin_counts' must be 1-D, got shape {counts.shape}")
    bad = ~np.isfinite(counts) | (counts < 0)
    if bad.any():
        raise InputError(
            f"{path}: 'bin_counts' holds {int(bad.sum())} NaN, infinite or negative value(s) "
            f"(bins {_rows(bad)})"
        )
    return counts


def read_max_delay_ms(path: str | os.PathLike) -> float | None:
    """The maximal synaptic delay (ms) a run's ``spikes.npz`` records
    (``max_delay_steps`` x ``dt_ms``); None for a file written without it."""
    path = Path(path)
    try:
        with np.load(path) as spikes:
            if "max_delay_steps" not in spikes or "dt_ms" not in spikes:
                return None
            return float(spikes["max_delay_steps"]) * float(spikes["dt_ms"])
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
        raise InputError(
            f"{path}: not a spikes NPZ ({type(err).__name__}: {' '.join(str(err).split())})"
        ) from err
