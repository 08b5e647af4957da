"""``synsoc inspect PATH``: look at a replica (running or finished) from the terminal."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from analysis.kinetics.events import HysteresisCutoffs
from analysis.kinetics.inspect import format_inspection, inspect_replica, plot_inspection
from synsoc.config import schema_default
from synsoc.io import save_figure

__all__ = ["register", "run_inspect"]

logger = logging.getLogger(__name__)


def register(subparsers) -> None:
    """Add the ``inspect`` subcommand."""
    parser = subparsers.add_parser(
        "inspect",
        help="summarise an MD replica directory or trajectory and plot its paths",
        description=(
            "Print frames, simulated time, atoms, transmitters bound now/ever and "
            "first-passage times so far; write a PNG+SVG of distance-vs-time traces "
            "and the x-z projection of transmitter paths."
        ),
    )
    parser.add_argument("path", type=Path, help="R/md/replica_K directory or a trajectory file")
    defaults = schema_default("kinetics")  # the whole section: one schema read
    parser.add_argument(
        "--r-on-nm",
        type=float,
        default=defaults["r_on_nm"],
        help="bind below this (nm; default %(default)s, the schema's kinetics.r_on_nm)",
    )
    parser.add_argument(
        "--r-off-nm",
        type=float,
        default=defaults["r_off_nm"],
        help="unbind above this (nm; default %(default)s, the schema's kinetics.r_off_nm)",
    )
    parser.add_argument(
        "--transmitter-atoms",
        default=",".join(defaults["transmitter_atom_names"]),
        help="comma-separated distance atoms per transmitter ('' = heavy atoms; "
        "default %(default)s)",
    )
    parser.add_argument(
        "--receptor-atoms",
        default=",".join(defaults["receptor_atom_names"]),
        help="comma-separated distance atoms per receptor ('' = heavy atoms; default %(default)s)",
    )
    parser.add_argument("--transmitter-selection", help="mdtraj selection (default: build.json)")
    parser.add_argument("--receptor-selection", help="mdtraj selection (default: build.json)")
    parser.add_argument(
        "--plot",
        type=Path,
        help="figure stem (default: inspect next to the trajectory); .png and .svg are written",
    )
    parser.set_defaults(func=run_inspect)


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def run_inspect(args: argparse.Namespace) -> int:
    """Run ``synsoc inspect``; returns the exit status."""
    cutoffs = HysteresisCutoffs(r_on_nm=args.r_on_nm, r_off_nm=args.r_off_nm)
    result = inspect_replica(
        args.path,
        cutoffs,
        transmitter_selection=args.transmitter_selection,
        receptor_selection=args.receptor_selection,
        transmitter_atom_names=_names(args.transmitter_atoms),
        receptor_atom_names=_names(args.receptor_atoms),
    )
    stem = args.plot if args.plot is not None else Path(result.trajectory).parent / "inspect"
    fig = plot_inspection(result)
    written = save_figure(fig, stem)
    print(format_inspection(result))
    print(f"figure            {written[0]}")
    return 0
