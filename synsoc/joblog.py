"""Logging set-up shared by the Snakemake job scripts in ``workflow/scripts/``."""

from __future__ import annotations

import logging
import os

__all__ = ["LOG_FORMAT", "log_to_file"]

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_to_file(path: str | os.PathLike) -> None:
    """Send INFO and above of every logger to ``path`` (the rule's ``log:`` file).

    Parameters
    ----------
    path : path-like
        Log file; Snakemake creates its directory before the job starts.
    """
    logging.basicConfig(filename=os.fspath(path), level=logging.INFO, format=LOG_FORMAT)
