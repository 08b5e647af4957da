"""The prologue every Snakemake job script in ``workflow/scripts/`` starts with.

``smk = start_job(snakemake)`` sends the log of every logger to the rule's ``log:``
file and records which rule, wildcards and threads the job runs with, so each script
stays a few lines of wiring: the prologue, one typed config, one ``jobs.run_*`` call.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["LOG_FORMAT", "log_to_file", "start_job", "workflow_watch"]

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


def _stat_fields(pid: int) -> list[str] | None:
    """Fields of ``/proc/<pid>/stat`` after the command name, or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def _cmdline(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace")


def workflow_watch(marker: str = "snakemake") -> Callable[[], bool]:
    """A check that the workflow process that started this job is still running.

    Killing Snakemake with SIGKILL leaves its running jobs behind (orphans that keep
    writing while a restarted workflow writes the same outputs). Long jobs call the
    returned function between chunks of work and stop when it says False.

    The watched process is the outermost ancestor whose command line contains
    ``marker`` (the Snakemake process the user started; under SLURM the job step's
    Snakemake), identified by process id and start time, so a recycled process id is
    not mistaken for it.

    Parameters
    ----------
    marker : str
        Text identifying the workflow process in an ancestor's command line.

    Returns
    -------
    callable
        ``alive() -> bool``; always True where ``/proc`` is unavailable or no ancestor
        matches (a job started by hand).
    """
    watched = None
    pid = os.getppid()
    while pid > 1:
        fields = _stat_fields(pid)
        if fields is None:
            break
        if marker in _cmdline(pid):
            watched = (pid, fields[19])  # field 22 of stat: start time in clock ticks
        pid = int(fields[1])  # field 4: parent pid
    if watched is None:
        return lambda: True
    logger.info("watching workflow process %d: this job stops if it ends", watched[0])

    def alive() -> bool:
        fields = _stat_fields(watched[0])
        return fields is not None and fields[19] == watched[1] and fields[0] != "Z"

    return alive
