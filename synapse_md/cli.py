"""``synsoc md``: the MD stage without Snakemake (same package functions as the rules)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from synsoc.config import load_config
from synsoc.layout import ResultLayout

__all__ = ["register", "run_md"]

logger = logging.getLogger(__name__)


def register(subparsers) -> None:
    """Add the ``md`` subcommand to the ``synsoc`` parser."""
    parser = subparsers.add_parser(
        "md",
        help="build, equilibrate and run the release replicas of the cleft MD",
        description=(
            "Writes OUTPUT/md/system/* and OUTPUT/md/replica_K/* as docs/contracts.md "
            "describes. Existing build/equilibration outputs are reused; a killed replica "
            "resumes from its checkpoint."
        ),
    )
    parser.add_argument("--config", required=True, type=Path, help="YAML configuration")
    output = parser.add_mutually_exclusive_group(required=True)
    output.add_argument("-o", "--output", type=Path, help="results directory")
    # Deprecated spelling of --output (before the one-name-per-role CLI); hidden.
    output.add_argument("--out", type=Path, dest="out_deprecated", help=argparse.SUPPRESS)
    parser.add_argument(
        "--replica", type=int, default=None, help="run only this replica (default: all)"
    )
    parser.add_argument("--threads", type=int, default=None, help="CPU-platform threads")
    parser.set_defaults(func=run_md)


def run_md(args: argparse.Namespace) -> int:
    """Run the MD stage for ``args``; returns the exit status."""
    from synapse_md.jobs import run_build, run_equilibrate, run_production

    output = args.output
    if output is None:
        logger.warning("synsoc md: --out is deprecated; use -o/--output")
        output = args.out_deprecated
    config = load_config(args.config)
    replicas = config["md"]["replicas"]
    if args.replica is not None and not 0 <= args.replica < replicas:
        raise SystemExit(f"synsoc md: --replica must be in [0, {replicas}), got {args.replica}")
    layout = ResultLayout(str(output))
    build = Path(layout.md_system("build.json"))
    system_dir = build.parent
    if not build.exists():
        run_build(config, system_dir, threads=args.threads)
    if not Path(layout.md_system("equilibrated.xml")).exists():
        run_equilibrate(config, system_dir, threads=args.threads)
    selected = range(replicas) if args.replica is None else [args.replica]
    for replica in selected:
        record = Path(layout.md_replica("replica.json", replica=replica))
        if record.exists():
            logger.info("replica %d already complete: %s", replica, record.parent)
            continue
        run_production(config, system_dir, record.parent, replica, threads=args.threads)
    return 0
