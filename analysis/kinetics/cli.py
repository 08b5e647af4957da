"""``synsoc events`` and ``synsoc fit``: the kinetics stage from the command line.

    synsoc events TRAJ... --top PDB --transmitters SEL --receptors SEL
        [--r-on-nm R_ON --r-off-nm R_OFF] -o events.parquet
    synsoc fit events.parquet [--r-on-nm R_ON --r-off-nm R_OFF] -o kinetics.json

``events`` also writes the per-frame distances and centres of mass next to the table
(``events.distances.npz``, or ``events.distances.{replica}.npz`` for several
trajectories); ``fit`` reads them (time calibration, occupancy, F/P surfaces) and
writes ``kinetics.surfaces.npz`` and ``figures/`` next to the JSON. ``fit`` applies
the cut-offs again (bound fraction, unbound MSD windows): give it the same
``--r-on-nm``/``--r-off-nm`` as ``events``. Without them the cut-offs come from
``--config``, else from the schema (``kinetics.r_on_nm``, ``kinetics.r_off_nm``).
``--r-on``/``--r-off`` are kept as aliases of the unit-suffixed names.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis.kinetics.config import KineticsConfig
from analysis.kinetics.jobs import run_fit, run_surfaces, trajectory_events
from synsoc.config import load_config, schema_default, validate_config

__all__ = ["register", "distances_sibling"]


def distances_sibling(events_path: str | Path) -> Path:
    """Default NPZ path written beside an events table."""
    events_path = Path(events_path)
    return events_path.with_name(f"{events_path.stem}.distances.npz")


def _config(args: argparse.Namespace) -> tuple[KineticsConfig, dict]:
    full = load_config(args.config) if args.config else validate_config({})
    section = dict(full["kinetics"])
    for key in ("r_on_nm", "r_off_nm"):
        if getattr(args, key, None) is not None:
            section[key] = getattr(args, key)
    full["kinetics"] = section
    return KineticsConfig.from_section(section), full


def _events(args: argparse.Namespace) -> int:
    config, _ = _config(args)
    for path in [*args.trajectories, args.top]:
        if not Path(path).is_file():
            raise FileNotFoundError(f"no such file: {path}")
    trajectory_events(
        args.trajectories,
        args.top,
        args.transmitters,
        args.receptors,
        config,
        args.output,
        distances_sibling(args.output),
    )
    return 0


def _fit(args: argparse.Namespace) -> int:
    config, full = _config(args)
    events = Path(args.events)
    if not events.is_file():
        raise FileNotFoundError(f"no such file: {events}")
    distances = [Path(p) for p in args.distances] if args.distances else []
    if not distances:
        single = distances_sibling(events)
        distances = (
            [single]
            if single.is_file()
            else sorted(
                events.parent.glob(f"{events.stem}.distances.*.npz"),
                key=lambda p: int(p.suffixes[-2].lstrip(".")),
            )
        )
    if not distances:
        raise FileNotFoundError(
            f"no distances NPZ beside {events} (written by `synsoc events`); pass --distances"
        )
    out = Path(args.output)
    surfaces = out.with_name(f"{out.stem}.surfaces.npz")
    run_surfaces(distances, config, surfaces)
    figures = Path(args.figures) if args.figures else out.parent / "figures"
    run_fit(events, distances, surfaces, config, full, out, figures)
    return 0


def _cutoff_options(parser: argparse.ArgumentParser, given_to: str, defaults: dict) -> None:
    """``--r-on-nm`` / ``--r-off-nm``: None unless given, so ``--config`` still applies."""
    for key, what in (("r_on_nm", "binding"), ("r_off_nm", "unbinding")):
        flag = key.replace("_", "-")
        parser.add_argument(
            f"--{flag}",
            f"--{flag.removesuffix('-nm')}",
            dest=key,
            type=float,
            help=(
                f"{what} cut-off (nm){given_to}; default: kinetics.{key} of --config, "
                f"else {defaults[key]}"
            ),
        )


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``events`` and ``fit`` subcommands."""
    defaults = schema_default("kinetics")  # the whole section: one schema read
    events = subparsers.add_parser("events", help="binding events from trajectories (Parquet)")
    events.add_argument(
        "trajectories", nargs="+", help="trajectory files (XTC, DCD, ...), one per replica"
    )
    events.add_argument("--top", required=True, help="topology (PDB)")
    events.add_argument(
        "--transmitters", required=True, help="mdtraj selection of transmitter distance atoms"
    )
    events.add_argument(
        "--receptors", required=True, help="mdtraj selection of receptor distance atoms"
    )
    _cutoff_options(events, "", defaults)
    events.add_argument("--config", help="synsoc YAML config (kinetics section used)")
    events.add_argument("-o", "--output", required=True, help="events Parquet file")
    events.set_defaults(func=_events)

    fit = subparsers.add_parser(
        "fit", help="censored fits, calibration, cleft bridge -> kinetics.json"
    )
    fit.add_argument("events", help="events Parquet written by `synsoc events`")
    fit.add_argument(
        "--distances", nargs="+", help="per-replica distances NPZ (default: beside events)"
    )
    _cutoff_options(fit, " given to `synsoc events`", defaults)
    fit.add_argument("--config", help="synsoc YAML config (kinetics section used)")
    fit.add_argument("--figures", help="figure directory (default: figures/ beside the output)")
    fit.add_argument("-o", "--output", required=True, help="kinetics.json")
    fit.set_defaults(func=_fit)
