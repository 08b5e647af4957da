"""``synsoc inspect PATH``: look at a replica (running or finished) from the terminal."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from analysis.kinetics.events import HysteresisCutoffs
from analysis.kinetics.inspect import format_inspection, inspect_replica, plot_inspection
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
    parser.add_argument("--r-on-nm", type=float, default=0.45, help="bind below this (nm)")
    parser.add_argument("--r-off-nm", type=float, default=0.65, help="unbind above this (nm)")
    parser.add_argument(
        "--transmitter-atoms",
        default="OE1,OE2",
        help="comma-separated distance atoms per transmitter ('' = heavy atoms)",
    )
    parser.add_argument(
        "--receptor-atoms",
        default="NE,NH1,NH2",
        help="comma-separated distance atoms per receptor ('' = heavy atoms)",
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
        args.transmitter_selection,
        args.receptor_selection,
        _names(args.transmitter_atoms),
        _names(args.receptor_atoms),
    )
    stem = args.plot if args.plot is not None else Path(result.trajectory).parent / "inspect"
    fig = plot_inspection(result)
    written = save_figure(fig, stem)
    print(format_inspection(result))
    print(f"figure            {written[0]}")
    return 0
