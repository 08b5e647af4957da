"""The ``synsoc`` command line: one subcommand per stage.

Each stage registers its subcommands from its own module (``register(subparsers)``);
this dispatcher only assembles them and turns configuration errors into a one-line
message and exit status 2.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

import synsoc
from synsoc.errors import InputError

__all__ = ["main", "build_parser"]

_COMMAND_MODULES = (
    "synapse_md.cli",
    "analysis.kinetics.cli",
    "network.cli",
    "analysis.criticality.cli",
    "analysis.kinetics.inspect_cli",
)


def build_parser() -> argparse.ArgumentParser:
    """Parser with every stage's subcommands registered."""
    parser = argparse.ArgumentParser(
        prog="synsoc",
        description="Synaptic MD -> first-passage kinetics -> threshold network -> criticality.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument("--version", action="version", version=f"synsoc {synsoc.__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in _COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``synsoc`` console script."""
    args = build_parser().parse_args(argv)
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
