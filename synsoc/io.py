"""Atomic writers: a file appears complete under its final name or not at all.

Each writer writes to a temporary file in the destination directory and renames it
over the destination (``os.replace`` is atomic on POSIX within one file system), so a
killed run never leaves a truncated output that looks finished. Files get the mode an
ordinary ``open()`` gives them (``0666 & ~umask``), so results can be shared.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from synsoc.errors import InputError

__all__ = [
    "atomic_path",
    "current_umask",
    "write_text",
    "write_json",
    "write_parquet",
    "read_parquet",
    "save_npz",
    "save_figure",
]


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it to ``path`` on success.

    Parameters
    ----------
    path : path-like
        Final destination. Parent directories are created.
    suffix : str, optional
        Suffix of the temporary file (some writers infer the format from it);
        defaults to the destination's suffix.

    Yields
    ------
    pathlib.Path
        Where the caller writes. Removed if the block raises.
    """
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{final.name}.",
        suffix=final.suffix if suffix is None else suffix,
        dir=final.parent,
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        # mkstemp creates the file with mode 0600 whatever the umask; give the result
        # the mode an ordinary open() would (0666 & ~umask), so results can be shared.
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            tmp.unlink()


def current_umask() -> int:
    """The process's file-creation mask (e.g. ``0o022``), read without changing it.

    Linux reports it in ``/proc/self/status``; elsewhere it is read by setting and
    restoring it (not thread-safe for the instant in between).
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def _json_default(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot serialise {type(value).__name__} to JSON")


def write_json(path: str | os.PathLike, data: Mapping[str, Any]) -> None:
    """Write ``data`` as indented JSON atomically.

    Raises
    ------
    ValueError
        If ``data`` holds NaN or infinity (JSON has no such numbers; a result that
        needs one must say why in a string instead).
    """
    text = json.dumps(data, indent=2, sort_keys=False, default=_json_default, allow_nan=False)
    write_text(path, text + "\n")


def write_parquet(path: str | os.PathLike, frame) -> None:
    """Write a pandas DataFrame to Parquet atomically (index dropped)."""
    with atomic_path(path) as tmp:
        frame.to_parquet(tmp, index=False)


def read_parquet(path: str | os.PathLike, what: str, *, error: type[InputError] = InputError):
    """Read a Parquet table a user gave, with one-line errors naming the file.

    Parameters
    ----------
    path : path-like
        The table.
    what : str
        What the table is, for the messages (``"events"``, ``"avalanche"``).
    error : type
        The :class:`~synsoc.errors.InputError` subclass to raise.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    InputError
        ``error`` when the file is missing or is not Parquet.
    """
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise error(f"{what} table (Parquet) not found: {path}")
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError) as err:  # pyarrow's ArrowInvalid is a ValueError
        raise error(f"{path}: not a Parquet {what} table ({' '.join(str(err).split())})") from err


def save_npz(path: str | os.PathLike, **arrays: Any) -> None:
    """Save arrays to a compressed NPZ atomically (``path`` must end in ``.npz``)."""
    if Path(path).suffix != ".npz":
        raise ValueError(f"NPZ path must end in .npz: {path}")
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        np.savez_compressed(handle, **arrays)


def save_figure(fig, stem: str | os.PathLike, dpi: int = 150) -> list[Path]:
    """Save a matplotlib figure as ``stem.png`` and ``stem.svg`` atomically.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    stem : path-like
        Destination without suffix (a ``.png``/``.svg`` suffix is replaced).
    dpi : int
        Resolution of the PNG.

    Returns
    -------
    list of pathlib.Path
        The two files written.
    """
    stem = Path(stem)
    written = []
    for suffix in (".png", ".svg"):
        final = stem.with_suffix(suffix)
        with atomic_path(final) as tmp:
            fig.savefig(tmp, format=suffix[1:], dpi=dpi, bbox_inches="tight")
        written.append(final)
    return written
