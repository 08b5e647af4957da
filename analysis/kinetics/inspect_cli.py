"""``synsoc inspect PATH``: look at a replica (running or finished) from the terminal."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from analysis.kinetics.events import HysteresisCutoffs
from analysis.kinetics.inspect import (
    find_replica_files,
    format_inspection,
    inspect_replica,
    plot_inspection,
)
from synsoc.cli import OutputGuard
from synsoc.config import schema_default
from synsoc.errors import ConfigError
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
            "and the x-z projection of transmitter paths (not a workflow output: written "
            "beside the trajectory even inside a workflow's results). Molecules come from "
            "R/md/system/build.json, or from the two selections (required for a trajectory "
            "outside the MD layout); the log says how many atoms each picked."
        ),
    )
    parser.add_argument("path", type=Path, help="R/md/replica_K directory or a trajectory file")
    parser.add_argument(
        "--top", type=Path, help="topology (PDB) (default: topology.pdb beside the trajectory)"
    )
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
    try:
        cutoffs = HysteresisCutoffs(r_on_nm=args.r_on_nm, r_off_nm=args.r_off_nm)
    except ValueError as err:
        raise ConfigError(f"--r-on-nm/--r-off-nm: {err}") from err
    files = find_replica_files(args.path, args.top)
    stem = args.plot if args.plot is not None else files.trajectory.parent / "inspect"
    # the figure is no workflow output: written even inside a workflow's results
    guard = OutputGuard(
        [stem.with_suffix(".png"), stem.with_suffix(".svg")], force=True, what="--plot"
    )
    guard.check()
    result = inspect_replica(
        args.path,
        cutoffs,
        topology=args.top,
        transmitter_selection=args.transmitter_selection,
        receptor_selection=args.receptor_selection,
        transmitter_atom_names=_names(args.transmitter_atoms),
        receptor_atom_names=_names(args.receptor_atoms),
    )
    with guard:
        written = save_figure(plot_inspection(result), stem)
    print(format_inspection(result))
    print(f"figure            {written[0]}")
    return 0
