"""``synsoc network``: the whole network stage from the command line.

``synsoc network --kinetics kinetics.json --config FILE -o DIR`` writes, under DIR (the
``R/network`` directory of docs/contracts.md), graph.graphml, every sweep run, every
response curve and the three reference models, at the paths ``synsoc.layout`` gives them,
after the synapse response (synapse/synapse_response.json and its figure) they are built on.

Give DIR of its own (``-o network_cli``): a DIR inside a Snakemake workflow's results
(``results/network`` after ``snakemake``) is refused, since overwriting those outputs
makes Snakemake rerun everything downstream; --force writes there anyway. Inputs and
outputs are checked before the first simulation; a failing run removes what it wrote.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from network.config import NetworkConfig
from network.jobs import (
    run_graph,
    run_reference,
    run_response,
    run_sweep_point,
    run_synapse_response,
)
from synsoc.cli import OutputGuard, add_force_option, require_file
from synsoc.config import load_config
from synsoc.errors import ConfigError
from synsoc.layout import REFERENCE_MODELS, ResultLayout

__all__ = ["register", "run_stage", "stage_outputs", "SYNAPSE_RESPONSE_FILES"]

SYNAPSE_RESPONSE_FILES = (
    "synapse_response.json",
    "synapse_response.png",
    "synapse_response.svg",
)
"""The synapse response files under R/network/synapse (the JSON first)."""


def stage_outputs(cfg: NetworkConfig, outdir: str | os.PathLike) -> tuple[list[Path], list[Path]]:
    """Files and folders :func:`run_stage` writes under ``outdir``.

    Returns
    -------
    files : list of pathlib.Path
        The synapse response (JSON and figure), graph.graphml and the response curves.
    folders : list of pathlib.Path
        One per sweep run and per reference model.
    """
    layout = ResultLayout(".")
    stage = Path(layout.network(""))

    def place(path: str) -> Path:
        """A layout path of the stage (``./network/...``), placed under ``outdir``."""
        return Path(outdir) / Path(path).relative_to(stage)

    files = [place(layout.network_synapse(name)) for name in SYNAPSE_RESPONSE_FILES]
    files.append(place(layout.network("graph.graphml")))
    folders = []
    for regime in cfg.sweep.regimes:
        for control in cfg.sweep.control_values:
            folders.append(place(layout.network_run("", regime=regime, control=control)))
            files.append(place(layout.network_response(regime=regime, control=control)))
    for model in REFERENCE_MODELS:
        folders.append(place(layout.network_reference("", model=model)))
    return files, folders


def run_stage(
    config: Mapping[str, Any], kinetics_path: str | os.PathLike | None, outdir: str | os.PathLike
) -> None:
    """Run every network job of a validated configuration into ``outdir``.

    Parameters
    ----------
    config : Mapping
        Full validated configuration (its ``network`` section is used; the whole of it
        is hashed into the provenance).
    kinetics_path : path-like or None
        kinetics.json (may be None with ``synapses.source: literature``).
    outdir : path-like
        Destination, e.g. ``results/network``: the tree ``ResultLayout`` puts under
        ``R/network`` (graph.graphml, runs/, response/, reference/) is written here.
    """
    cfg = NetworkConfig.from_section(config["network"])
    layout = ResultLayout(".")
    stage = Path(layout.network(""))

    def place(path: str) -> Path:
        """A layout path of the stage (``./network/...``), placed under ``outdir``."""
        return Path(outdir) / Path(path).relative_to(stage)

    synapse = place(layout.network_synapse(SYNAPSE_RESPONSE_FILES[0]))
    synapse.parent.mkdir(parents=True, exist_ok=True)
    run_synapse_response(cfg, kinetics_path, synapse, config=config)
    run_graph(cfg, synapse, place(layout.network("graph.graphml")))
    for regime in cfg.sweep.regimes:
        for control in cfg.sweep.control_values:
            run_dir = place(layout.network_run("", regime=regime, control=control))
            run_sweep_point(cfg, synapse, regime, control, run_dir, config=config)
            response = place(layout.network_response(regime=regime, control=control))
            run_response(cfg, synapse, regime, control, response)
    for model in REFERENCE_MODELS:
        reference_dir = place(layout.network_reference("", model=model))
        run_reference(cfg, synapse, model, reference_dir, config=config)


def _main(args: argparse.Namespace) -> int:
    config = load_config(require_file(args.config, "configuration file"))
    if args.kinetics is None and config["network"]["synapses"]["source"] == "kinetics":
        raise ConfigError(
            "--kinetics is required when network.synapses.source is 'kinetics' "
            f"(configuration {args.config})"
        )
    if args.kinetics is not None:
        require_file(args.kinetics, "kinetics file (kinetics.json of `synsoc fit`)")
    files, folders = stage_outputs(NetworkConfig.from_section(config["network"]), args.output)
    # a bad kinetics or graph file raises an InputError: synsoc.cli prints it, exit 2;
    # the guard removes what the failed run wrote
    with OutputGuard(files, folders, force=args.force, what="-o/--output"):
        run_stage(config, args.kinetics, args.output)
    return 0


def register(subparsers) -> None:
    """Add the ``network`` subcommand to the ``synsoc`` parser."""
    parser = subparsers.add_parser(
        "network",
        help="simulate the threshold network (sweep, response curves, reference models)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--kinetics",
        help=(
            "kinetics.json of the kinetics stage; required unless the config sets "
            "network.synapses.source: literature"
        ),
    )
    parser.add_argument("--config", required=True, help="configuration YAML file")
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        help="output directory (the R/network tree); not a workflow's results/network",
    )
    add_force_option(parser)
    parser.set_defaults(func=_main)
