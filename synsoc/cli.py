"""The ``synsoc`` command line: one subcommand per stage, plus ``synsoc config``.

Each stage registers its subcommands from its own module (``register(subparsers)``),
named here by string and imported when the parser is built, so the core imports no
stage at module level. This dispatcher assembles them, owns ``synsoc config`` (check a
configuration file; print it with every schema default filled in) and turns any
:class:`~synsoc.errors.InputError` into a one-line message and exit status 2.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

import yaml

import synsoc
from synsoc.config import load_config, validate_config
from synsoc.errors import InputError

__all__ = ["main", "build_parser"]

_COMMAND_MODULES = (
    "synapse_md.cli",
    "analysis.kinetics.cli",
    "network.cli",
    "analysis.criticality.cli",
    "analysis.kinetics.inspect_cli",
)


def _config(args: argparse.Namespace) -> int:
    config = load_config(args.file) if args.file else validate_config({}, source="defaults")
    if args.show:
        sys.stdout.write(yaml.safe_dump(config, sort_keys=False))
    else:
        print(f"{args.file}: valid synsoc configuration")
    return 0


def _register_config(subparsers) -> None:
    parser = subparsers.add_parser(
        "config",
        help="check a configuration file, or print it with every default filled in",
        description=(
            "Validate a configuration against synsoc's schemas (the same check Snakemake "
            "runs before any job). With --show, print the completed configuration as YAML; "
            "without FILE, the defaults."
        ),
    )
    parser.add_argument("file", nargs="?", help="configuration YAML (e.g. config/config.yaml)")
    parser.add_argument(
        "--show", action="store_true", help="print the configuration with defaults filled in"
    )
    parser.set_defaults(func=_config)


def build_parser() -> argparse.ArgumentParser:
    """Parser with every stage's subcommands registered."""
    parser = argparse.ArgumentParser(
        prog="synsoc",
        description="Synaptic MD -> first-passage kinetics -> threshold network -> criticality.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument("--version", action="version", version=f"synsoc {synsoc.__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _register_config(subparsers)
    for module_name in _COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``synsoc`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "config" and not (args.file or args.show):
        parser.error("synsoc config: give a FILE to check, or --show for the defaults")
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.func(args) or 0)
    except (InputError, FileNotFoundError) as err:
        print(f"synsoc {args.command}: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
