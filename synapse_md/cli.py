"""``synsoc md``: the MD stage without Snakemake (same package functions as the rules)."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from synsoc.cli import OutputGuard, add_force_option, require_file
from synsoc.config import load_config, variant_md, variant_names
from synsoc.errors import InputError
from synsoc.layout import ResultLayout

__all__ = ["register", "run_md", "check_reuse"]

logger = logging.getLogger(__name__)


def register(subparsers) -> None:
    """Add the ``md`` subcommand to the ``synsoc`` parser."""
    parser = subparsers.add_parser(
        "md",
        help="build, equilibrate and run the release replicas of the cleft MD",
        description=(
            "Writes OUTPUT/md/system/* (the shared build) and OUTPUT/md/replica_K/* (each "
            "replica's own transmitter placement and equilibration, then its release run) as "
            "docs/contracts.md describes. Existing build/equilibration outputs and finished "
            "replicas are reused only when they were made with the same md configuration (the "
            "config_hash in build.json and replica.json); otherwise the command stops "
            "(--force reuses them anyway). A killed replica resumes from its checkpoint. "
            "Use an OUTPUT of its own, not a Snakemake workflow's results/."
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
    parser.add_argument(
        "--variant",
        default=None,
        help="molecular variant of md.variants to run (required when the config has variants)",
    )
    add_force_option(
        parser,
        "; also reuses a system or replicas made with another configuration (config hash)",
    )
    parser.set_defaults(func=run_md)


def _recorded_hash(record: Path) -> str | None:
    """``provenance.config_hash`` of an MD JSON record (None when it has none)."""
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"{record}: not valid JSON ({err}); delete the folder to rebuild") from err
    provenance = data.get("provenance") if isinstance(data, dict) else None
    value = provenance.get("config_hash") if isinstance(provenance, dict) else None
    return value if isinstance(value, str) else None


def check_reuse(record: Path, expected: str, config_path: Path, *, force: bool = False) -> None:
    """Refuse to reuse the folder of ``record`` if it was made with another configuration.

    Parameters
    ----------
    record : pathlib.Path
        ``build.json`` or ``replica.json`` of an existing output folder.
    expected : str
        :func:`synapse_md.jobs.md_config_hash` of the configuration in use.
    config_path : pathlib.Path
        The configuration file, named in the message.
    force : bool
        Log a warning instead of refusing.

    Raises
    ------
    synsoc.errors.InputError
        Naming the folder, the recorded hash and the expected one.
    """
    recorded = _recorded_hash(record)
    if recorded == expected:
        return
    shown = "no config hash" if recorded is None else f"config hash {recorded[:12]}"
    message = (
        f"{record.parent} was made with another md configuration ({shown} in {record.name}; "
        f"{config_path} gives {expected[:12]})"
    )
    if force:
        logger.warning("%s; reused anyway (--force)", message)
        return
    raise InputError(f"{message}: use another -o/--output, or --force to reuse it")


def run_md(args: argparse.Namespace) -> int:
    """Run the MD stage for ``args``; returns the exit status."""
    from synapse_md.jobs import md_config_hash, run_build, run_equilibrate, run_production

    output = args.output
    if output is None:
        logger.warning("synsoc md: --out is deprecated; use -o/--output")
        output = args.out_deprecated
    config = load_config(require_file(args.config, "configuration file"))
    variants = variant_names(config)
    if variants and args.variant is None:
        raise InputError(f"{args.config} defines md.variants {variants}: choose one with --variant")
    if args.variant is not None:
        config = {**config, "md": variant_md(config, args.variant, source=str(args.config))}
    replicas = config["md"]["replicas"]
    if args.replica is not None and not 0 <= args.replica < replicas:
        raise InputError(
            f"--replica must be in [0, {replicas}) (md.replicas of {args.config}), "
            f"got {args.replica}"
        )
    if args.threads is not None and args.threads < 1:
        raise InputError(f"--threads must be >= 1, got {args.threads}")
    layout = ResultLayout(str(output))
    build = Path(layout.md_system("build.json"))
    system_dir = build.parent
    selected = range(replicas) if args.replica is None else [args.replica]
    records = [Path(layout.md_replica("replica.json", replica=k)) for k in selected]
    # no clean-up on failure here: a killed or failed replica resumes from its checkpoint
    OutputGuard(
        folders=[system_dir, *(r.parent for r in records)], force=args.force, what="-o/--output"
    ).check()
    expected = md_config_hash(config)
    for record in [build, *records]:
        if record.exists():
            check_reuse(record, expected, args.config, force=args.force)
    if not build.exists():
        run_build(config, system_dir, threads=args.threads)
    for replica, record in zip(selected, records, strict=True):
        if record.exists():
            logger.info("replica %d already complete: %s", replica, record.parent)
            continue
        if not (record.parent / "equilibrated.xml").exists():
            run_equilibrate(config, system_dir, record.parent, replica, threads=args.threads)
        run_production(config, system_dir, record.parent, replica, threads=args.threads)
    return 0
