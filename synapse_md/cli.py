"""``synsoc md``: the MD stage without Snakemake (same package functions as the rules)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from synapse_md.jobs import run_build, run_equilibrate, run_production
from synsoc.config import load_config

__all__ = ["register", "run_md"]

logger = logging.getLogger(__name__)


def register(subparsers) -> None:
    """Add the ``md`` subcommand to the ``synsoc`` parser."""
    parser = subparsers.add_parser(
        "md",
        help="build, equilibrate and run the release replicas of the cleft MD",
        description=(
            "Writes OUT/md/system/* and OUT/md/replica_K/* as docs/contracts.md describes. "
            "Existing build/equilibration outputs are reused; a killed replica resumes "
            "from its checkpoint."
        ),
    )
    parser.add_argument("--config", required=True, type=Path, help="YAML configuration")
    parser.add_argument("--out", required=True, type=Path, help="results directory")
    parser.add_argument(
        "--replica", type=int, default=None, help="run only this replica (default: all)"
    )
    parser.add_argument("--threads", type=int, default=None, help="CPU-platform threads")
    parser.set_defaults(func=run_md)


def run_md(args: argparse.Namespace) -> int:
    """Run the MD stage for ``args``; returns the exit status."""
    config = load_config(args.config)
    replicas = config["md"]["replicas"]
    if args.replica is not None and not 0 <= args.replica < replicas:
        raise SystemExit(f"synsoc md: --replica must be in [0, {replicas}), got {args.replica}")
    system_dir = args.out / "md" / "system"
    if not (system_dir / "build.json").exists():
        run_build(config, system_dir, args.threads)
    if not (system_dir / "equilibrated.xml").exists():
        run_equilibrate(config, system_dir, args.threads)
    selected = range(replicas) if args.replica is None else [args.replica]
    for replica in selected:
        replica_dir = args.out / "md" / f"replica_{replica}"
        if (replica_dir / "replica.json").exists():
            logger.info("replica %d already complete: %s", replica, replica_dir)
            continue
        run_production(config, system_dir, replica_dir, replica, args.threads)
    return 0
