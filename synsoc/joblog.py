"""The prologue every Snakemake job script in ``workflow/scripts/`` starts with.

``smk = start_job(snakemake)`` sends the log of every logger to the rule's ``log:``
file and records which rule, wildcards and threads the job runs with, so each script
stays a few lines of wiring: the prologue, one typed config, one ``jobs.run_*`` call.
"""

from __future__ import annotations

import logging
import os
from typing import Any

__all__ = ["LOG_FORMAT", "log_to_file", "start_job"]

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

logger = logging.getLogger(__name__)


def log_to_file(path: str | os.PathLike) -> None:
    """Send INFO and above of every logger to ``path`` (the rule's ``log:`` file).

    Parameters
    ----------
    path : path-like
        Log file; Snakemake creates its directory before the job starts.
    """
    logging.basicConfig(filename=os.fspath(path), level=logging.INFO, format=LOG_FORMAT)


def start_job(smk: Any) -> Any:
    """Set up a Snakemake job script: logging to its log file, a first log line.

    Parameters
    ----------
    smk : snakemake.script.Snakemake
        The ``snakemake`` object Snakemake injects into a ``script:``.

    Returns
    -------
    snakemake.script.Snakemake
        ``smk`` itself, so a script reads ``smk = start_job(snakemake)``.
    """
    log_to_file(smk.log[0])
    wildcards = {key: value for key, value in smk.wildcards.items()}
    logger.info("rule %s, wildcards %s, threads %s", smk.rule, wildcards, smk.threads)
    return smk
