"""``synsoc criticality AVALANCHES.parquet -o DIR``: criticality analysis of one run."""

from __future__ import annotations

import argparse
import logging

from analysis.criticality.jobs import run_criticality
from synsoc.config import load_config, validate_config

__all__ = ["register"]

logger = logging.getLogger(__name__)


def _run(args: argparse.Namespace) -> int:
    config = load_config(args.config) if args.config else validate_config({})
    summary = run_criticality(
        args.avalanches, args.output, config, spikes_path=args.spikes, run_label=args.label
    )
    exps = summary["exponents"]
    if "tau" in exps:
        gamma = exps["gamma"]
        logger.info(
            "tau=%.3f alpha=%.3f gamma=%s -> %s/criticality.json",
            exps["tau"]["value"],
            exps["alpha"]["value"],
            f"{gamma['value']:.3f}" if "value" in gamma else f"undefined ({gamma['reason']})",
            args.output,
        )
    else:
        logger.info("exponents undefined: %s", exps["reason"])
    return 0


def register(subparsers) -> None:
    """Add the ``criticality`` subcommand."""
    parser = subparsers.add_parser(
        "criticality",
        help="exponents, scaling relation, shape collapse, branching ratio of avalanches",
        description="Criticality analysis of one network run's avalanches.",
    )
    parser.add_argument("avalanches", help="avalanches.parquet (network stage contract)")
    parser.add_argument("-o", "--output", required=True, help="output directory")
    parser.add_argument("--spikes", help="spikes.npz with bin_counts (branching ratio)")
    parser.add_argument("--config", help="configuration YAML (default: schema defaults)")
    parser.add_argument("--label", help="run label used in the JSON and for seeding")
    parser.set_defaults(func=_run)
