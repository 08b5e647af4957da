"""``synsoc events`` and ``synsoc fit``: the kinetics stage from the command line.

    synsoc events TRAJ... --top PDB [--build build.json | --transmitters SEL --receptors SEL]
        [--transmitter-atoms NAMES --receptor-atoms NAMES] [--r-on-nm R_ON --r-off-nm R_OFF]
        -o events.parquet
    synsoc fit events.parquet [--r-on-nm R_ON --r-off-nm R_OFF] [--build build.json]
        [--receptor-molar C] -o kinetics.json

``events`` selects the atoms the workflow does: the molecules of ``build.json`` (given
with ``--build``, or found at ``../system/build.json`` beside an MD replica's topology)
or of two mdtraj selections, and within each molecule the distance atoms named by
``kinetics.transmitter_atom_names`` / ``kinetics.receptor_atom_names`` (OE1, OE2 of
glutamate; NE, NH1, NH2, NZ, NE2, ND2: the side-chain N of arginine, lysine, glutamine,
asparagine), so one replica gives the same events from the command line and from the
rules. It logs how many atoms and molecules each selection
picked. It also writes the per-frame distances and centres of mass next to the table
(``events.distances.npz``, or ``events.distances.{replica}.npz`` for several
trajectories); ``fit`` reads them (time calibration, MSM, F/P surfaces) and
writes ``kinetics.surfaces.npz`` and the figures folder ``kinetics.figures/`` next to
the JSON; without them (events from another engine or an experiment) it fits the
table alone and says what it omitted. ``fit`` applies the cut-offs again (unbound
MSD windows, the bound-well spread, the MSM states): give it the same
``--r-on-nm``/``--r-off-nm`` as ``events``. Without them the cut-offs come from
``--config``, else from the schema (``kinetics.r_on_nm``, ``kinetics.r_off_nm``).
``--r-on``/``--r-off`` are kept as aliases of the unit-suffixed names.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from analysis.kinetics.config import KineticsConfig
from analysis.kinetics.jobs import (
    distance_path,
    read_events,
    read_fit_inputs,
    run_fit,
    run_surfaces,
    trajectory_events,
)
from synsoc.cli import OutputGuard, add_force_option, require_file
from synsoc.config import load_config, schema_default, validate_config
from synsoc.errors import ConfigError, InputError

__all__ = ["register", "distances_sibling", "figures_sibling"]

logger = logging.getLogger(__name__)


def distances_sibling(events_path: str | Path) -> Path:
    """Default NPZ path written beside an events table."""
    events_path = Path(events_path)
    return events_path.with_name(f"{events_path.stem}.distances.npz")


def figures_sibling(output: str | Path) -> Path:
    """Default figure folder of ``synsoc fit -o OUTPUT``: ``OUTPUT-stem.figures/`` beside it."""
    output = Path(output)
    return output.with_name(f"{output.stem}.figures")


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def _config(args: argparse.Namespace) -> tuple[KineticsConfig, dict]:
    full = (
        load_config(require_file(args.config, "configuration file"))
        if args.config
        else (validate_config({}))
    )
    section = dict(full["kinetics"])
    for key in ("r_on_nm", "r_off_nm"):
        if getattr(args, key, None) is not None:
            section[key] = getattr(args, key)
    for key in ("transmitter_atom_names", "receptor_atom_names"):
        if getattr(args, key, None) is not None:
            section[key] = _names(getattr(args, key))
    full["kinetics"] = section
    source = "command line" + (f" and {args.config}" if args.config else "")
    try:
        return KineticsConfig.from_section(section, source=source), full
    except ConfigError:
        raise
    except ValueError as err:  # cross-field checks (r_off_nm > r_on_nm) of the dataclasses
        raise ConfigError(f"{source}: {err}") from err


def _events(args: argparse.Namespace) -> int:
    for path in args.trajectories:
        require_file(path, "trajectory file")
    top = require_file(args.top, "topology file")
    if (args.transmitters is None) != (args.receptors is None):
        raise InputError("give both --transmitters and --receptors, or neither (build.json)")
    build = None
    if args.transmitters is None:
        build = Path(args.build) if args.build else top.parent.parent / "system" / "build.json"
        if not build.is_file():
            raise InputError(
                f"build record not found: {build}; give --build build.json (written by "
                "`synsoc md`) or --transmitters and --receptors selections"
            )
    elif args.build:
        raise InputError("--build and --transmitters/--receptors exclude each other")
    config, _ = _config(args)
    output = Path(args.output)
    n = len(args.trajectories)
    distances = [distance_path(distances_sibling(output), k, n) for k in range(n)]
    with OutputGuard([output, *distances], force=args.force, what="-o/--output"):
        events = trajectory_events(
            args.trajectories,
            top,
            args.transmitters,
            args.receptors,
            config,
            output,
            distances_sibling(output),
            build_json=build,
        )
    logger.info("%d events -> %s (distances: %s)", len(events), output, distances[0].name)
    return 0


def _distance_files(args: argparse.Namespace, events: Path) -> list[Path]:
    if args.distances:
        return [
            require_file(p, "distances file (NPZ written by `synsoc events`)")
            for p in args.distances
        ]
    single = distances_sibling(events)
    if single.is_file():
        return [single]
    several = sorted(
        (
            p
            for p in events.parent.glob(f"{events.stem}.distances.*.npz")
            if p.suffixes[-2].lstrip(".").isdigit()
        ),
        key=lambda p: int(p.suffixes[-2].lstrip(".")),
    )
    return several


def _fit(args: argparse.Namespace) -> int:
    events = require_file(args.events, "events table (Parquet)")
    config, full = _config(args)
    distances = _distance_files(args, events)
    build = require_file(args.build, "build record (build.json)") if args.build else None
    if args.receptor_molar is not None and not args.receptor_molar > 0:
        raise InputError(f"--receptor-molar must be > 0, got {args.receptor_molar}")
    out = Path(args.output)
    surfaces = out.with_name(f"{out.stem}.surfaces.npz") if distances else None
    figures = Path(args.figures) if args.figures else figures_sibling(out)
    guard = OutputGuard(
        [out, *([surfaces] if surfaces else [])], [figures], force=args.force, what="-o/--output"
    )
    guard.check()
    # every input is read and checked before the first output is written
    if distances:
        read_fit_inputs(events, distances)
    else:
        read_events(events, for_fit=True)
        logger.warning(
            "no distances beside %s: fitting the events table alone (time calibration, "
            "surfaces and MSM omitted)",
            events,
        )
    with guard:
        if distances:
            run_surfaces(distances, config, surfaces)
        run_fit(
            events,
            distances,
            surfaces,
            config,
            full,
            out,
            figures,
            build_json=build,
            receptor_molar=args.receptor_molar,
        )
    logger.info("kinetics -> %s; figures -> %s/", out, figures)
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
    tm_names = ",".join(defaults["transmitter_atom_names"])
    rc_names = ",".join(defaults["receptor_atom_names"])
    events = subparsers.add_parser(
        "events",
        help="binding events from trajectories (Parquet)",
        description=(
            "Binding events of each trajectory, with the atoms the workflow uses. Molecules: "
            "from --build build.json (default: ../system/build.json beside an MD replica's "
            "topology, as `synsoc md` lays it out), or from --transmitters/--receptors "
            "mdtraj selections (every molecule holding a selected atom). Distance atoms "
            f"within each molecule: the (selected) atoms named by --transmitter-atoms "
            f"(default {tm_names}) and --receptor-atoms (default {rc_names}), the "
            "kinetics.*_atom_names of --config or the schema. The log says how many atoms "
            "and molecules each selection picked; a selection that matches nothing, or "
            "whose name list holds a misspelt keyword ('resname GLU andd name OE1'), is "
            "refused."
        ),
    )
    events.add_argument(
        "trajectories", nargs="+", help="trajectory files (XTC, DCD, ...), one per replica"
    )
    events.add_argument("--top", required=True, help="topology (PDB) of every trajectory")
    events.add_argument(
        "--build",
        help="build.json of the MD stage naming the molecules (default: "
        "TOP/../../system/build.json, i.e. R/md/system/build.json for R/md/replica_K/topology.pdb)",
    )
    events.add_argument(
        "--transmitters",
        help="mdtraj selection of the transmitter molecules (instead of build.json), "
        "e.g. 'resname GLU'",
    )
    events.add_argument(
        "--receptors",
        help="mdtraj selection of the receptor molecules (instead of build.json), "
        "e.g. 'resname ARG'",
    )
    events.add_argument(
        "--transmitter-atoms",
        dest="transmitter_atom_names",
        help="comma-separated distance atoms of a transmitter ('' = every selected heavy "
        f"atom); default: kinetics.transmitter_atom_names of --config, else {tm_names}",
    )
    events.add_argument(
        "--receptor-atoms",
        dest="receptor_atom_names",
        help="comma-separated distance atoms of a receptor ('' = every selected heavy atom); "
        f"default: kinetics.receptor_atom_names of --config, else {rc_names}",
    )
    _cutoff_options(events, "", defaults)
    events.add_argument("--config", help="synsoc YAML config (kinetics section used)")
    events.add_argument(
        "-o",
        "--output",
        required=True,
        help="events Parquet file; the distances NPZ goes beside it",
    )
    add_force_option(events)
    events.set_defaults(func=_events)

    fit = subparsers.add_parser(
        "fit",
        help="censored fits, rates, calibration, MSM cross-check -> kinetics.json",
        description=(
            "Fits the waiting times of an events table, estimates binding rates, calibrates "
            "simulated time and cross-checks the rates with a Markov-state model (the last "
            "two need the distances NPZ of `synsoc events`; without them the table is "
            "fitted alone). Writes OUTPUT, "
            "OUTPUT-stem.surfaces.npz and the figures "
            "in OUTPUT-stem.figures/ beside it (e.g. kinetics.json, kinetics.surfaces.npz, "
            "kinetics.figures/); every input is checked before anything is written, and "
            "nothing is left behind when the command fails."
        ),
    )
    fit.add_argument(
        "events",
        help="events Parquet (written by `synsoc events`, or from another engine or an "
        "experiment with the columns of docs/contracts.md)",
    )
    fit.add_argument(
        "--distances",
        nargs="+",
        help="per-replica distances NPZ (default: beside events; none found: the events "
        "table is fitted alone, without time calibration, surfaces or MSM)",
    )
    fit.add_argument(
        "--build",
        help="build.json of the MD stage (friction, transmitter mass and receptor "
        "concentration for the rescaling checks and k_on in M^-1 s^-1)",
    )
    fit.add_argument(
        "--receptor-molar",
        type=float,
        help="receptor concentration of the simulation or experiment (mol/L), for k_on "
        "and K_d in molar units when there is no build.json",
    )
    _cutoff_options(fit, " given to `synsoc events`", defaults)
    fit.add_argument("--config", help="synsoc YAML config (kinetics section used)")
    fit.add_argument(
        "--figures", help="figure folder (default: OUTPUT-stem.figures/ beside the output)"
    )
    fit.add_argument("-o", "--output", required=True, help="kinetics.json")
    add_force_option(fit)
    fit.set_defaults(func=_fit)
