"""``synsoc criticality AVALANCHES.parquet -o DIR``: criticality analysis of one run."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from analysis.criticality.jobs import run_criticality
from analysis.criticality.tables import (
    read_avalanches,
    read_bin_counts,
    read_bin_scan,
    read_cascades,
)
from synsoc.cli import OutputGuard, add_force_option, require_file
from synsoc.config import load_config, validate_config

__all__ = ["register"]

logger = logging.getLogger(__name__)


def _run(args: argparse.Namespace) -> int:
    avalanches = require_file(args.avalanches, "avalanche table (avalanches.parquet)")
    config = (
        load_config(require_file(args.config, "configuration file"))
        if args.config
        else validate_config({})
    )
    out = Path(args.output)
    guard = OutputGuard(
        [out / "criticality.json"], [out / "figures"], force=args.force, what="-o/--output"
    )
    guard.check()
    # the inputs are read and checked before anything is written
    read_avalanches(avalanches)
    if args.spikes is not None:
        read_bin_counts(args.spikes)
    if args.cascades is not None:
        read_cascades(args.cascades)
    if args.bin_scan is not None:
        read_bin_scan(args.bin_scan)
    if args.network_summary is not None:
        require_file(args.network_summary, "network summary (summary.json)")
    with guard:
        summary = run_criticality(
            avalanches,
            out,
            config,
            spikes_path=args.spikes,
            cascades_path=args.cascades,
            bin_scan_path=args.bin_scan,
            network_summary_path=args.network_summary,
            run_label=args.label,
        )
    exps = summary["exponents"]
    if "tau" in exps:
        gamma = exps["gamma"]
        logger.info(
            "tau=%.3f alpha=%.3f gamma=%s -> %s/criticality.json",
            exps["tau"]["value"],
            exps["alpha"]["value"],
            f"{gamma['value']:.3f}" if "value" in gamma else f"undefined ({gamma['reason']})",
            out,
        )
    else:
        logger.info("exponents undefined: %s", exps["reason"])
    alignment = summary["alignment"]
    logger.info(
        "alignment with critical branching: %.2f +- %.2f (%d of %d criteria within margin)",
        alignment["score"],
        alignment["score_sd"],
        alignment["n_within_margin"],
        alignment["n_criteria"],
    )
    for flag in summary["flags"]:
        logger.warning("flag: %s", flag["message"])
    return 0


def register(subparsers) -> None:
    """Add the ``criticality`` subcommand."""
    parser = subparsers.add_parser(
        "criticality",
        help="exponents, scaling relation, shape collapse, branching ratio of avalanches",
        description=(
            "Criticality analysis of one network run's avalanches: writes "
            "OUTPUT/criticality.json and OUTPUT/figures/. A table with NaN, infinite or "
            "negative sizes, durations or times is refused (naming the file and the "
            "column) before anything is written."
        ),
    )
    parser.add_argument("avalanches", help="avalanches.parquet (network stage contract)")
    parser.add_argument(
        "-o", "--output", required=True, help="output directory (not a workflow's results/)"
    )
    parser.add_argument("--spikes", help="spikes.npz with bin_counts (branching ratio)")
    parser.add_argument(
        "--cascades", help="cascades.parquet: causal avalanches, analysed beside the binned ones"
    )
    parser.add_argument("--bin-scan", help="bin_scan.parquet: exponents at every scanned bin width")
    parser.add_argument(
        "--network-summary",
        help="the network run's summary.json: its activity state flags supercritical runs",
    )
    parser.add_argument("--config", help="configuration YAML (default: schema defaults)")
    parser.add_argument("--label", help="run label used in the JSON and for seeding")
    add_force_option(parser)
    parser.set_defaults(func=_run)
