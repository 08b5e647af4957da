"""``synsoc network``: the whole network stage from the command line.

``synsoc network --kinetics kinetics.json --config FILE -o DIR`` writes, under DIR (the
``R/network`` directory of docs/contracts.md), graph.graphml, every sweep run, every
response curve and the three reference models.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from network.config import REFERENCE_MODELS, NetworkConfig
from network.jobs import run_graph, run_reference, run_response, run_sweep_point
from synsoc.config import load_config
from synsoc.errors import ConfigError, GraphFileError, KineticsError

__all__ = ["register", "run_stage"]

log = logging.getLogger(__name__)


def run_stage(config: dict, kinetics_path: str | None, outdir: str | Path) -> None:
    """Run every network job of a validated configuration into ``outdir``.

    Parameters
    ----------
    config : dict
        Full validated configuration (its ``network`` section is used; the whole of it
        is hashed into the provenance).
    kinetics_path : str or None
        kinetics.json (may be None with ``synapses.source: literature``).
    outdir : path-like
        Destination, e.g. ``results/network``.
    """
    cfg = NetworkConfig.from_section(config["network"])
    out = Path(outdir)
    run_graph(cfg, kinetics_path, out / "graph.graphml")
    for regime in cfg.sweep.regimes:
        for value in cfg.sweep.control_values:
            run_sweep_point(
                cfg, kinetics_path, regime, value, out / "runs" / regime / f"{value:g}", config
            )
            run_response(
                cfg, kinetics_path, regime, value, out / "response" / regime / f"{value:g}.parquet"
            )
    for model in REFERENCE_MODELS:
        run_reference(cfg, kinetics_path, model, out / "reference" / model, config)


def _main(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    if args.kinetics is None and config["network"]["synapses"]["source"] == "kinetics":
        raise ConfigError(
            "--kinetics is required when network.synapses.source is 'kinetics' "
            f"(configuration {args.config})"
        )
    try:
        run_stage(config, args.kinetics, args.output)
    except (KineticsError, GraphFileError) as err:
        # bad input files: one-line message and exit status 2 from synsoc.cli
        raise ConfigError(str(err)) from err
    return 0


def register(subparsers) -> None:
    """Add the ``network`` subcommand to the ``synsoc`` parser."""
    parser = subparsers.add_parser(
        "network",
        help="simulate the threshold network (sweep, response curves, reference models)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--kinetics", help="kinetics.json of the kinetics stage")
    parser.add_argument("--config", required=True, help="configuration YAML file")
    parser.add_argument("-o", "--output", required=True, help="output directory (R/network)")
    parser.set_defaults(func=_main)
