"""The ``synsoc`` command line: one subcommand per stage, plus ``synsoc config``.

Each stage registers its subcommands from its own module (``register(subparsers)``),
named here by string and imported when the parser is built, so the core imports no
stage at module level. This dispatcher assembles them, owns ``synsoc config`` (check a
configuration file; print it with every schema default filled in) and the one error
path of every subcommand:

- an expected failure (an :class:`~synsoc.errors.InputError`, a missing or unwritable
  file, a bad argument) prints ONE line, ``synsoc COMMAND: error: MESSAGE``, on stderr
  and exits with status 2; ``synsoc --debug COMMAND ...`` shows the traceback instead;
- anything else is a bug and keeps its traceback.

The helpers the stage command modules share live here too: :func:`require_file` (an
input that must exist, named by its kind), :func:`add_force_option` and
:class:`OutputGuard` (outputs checked before any work — writable, not a Snakemake
workflow's recorded output — and removed again when the command fails, so a failing
command leaves nothing behind).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import importlib
import logging
import os
import shutil
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import yaml

import synsoc
from synsoc.config import load_config, validate_config
from synsoc.errors import InputError

__all__ = [
    "main",
    "build_parser",
    "one_line",
    "require_file",
    "add_force_option",
    "snakemake_outputs",
    "OutputGuard",
    "FORCE_HELP",
]

logger = logging.getLogger(__name__)

_COMMAND_MODULES = (
    "synapse_md.cli",
    "analysis.kinetics.cli",
    "network.cli",
    "analysis.criticality.cli",
    "analysis.kinetics.inspect_cli",
)

EXIT_INPUT_ERROR = 2
"""Exit status of every expected failure (bad input, missing or unwritable file)."""

# OSError kinds that are the user's doing (a path that is missing, a directory where a
# file belongs, no permission), not a bug: one line, no traceback.
_USER_OS_ERRORS = (
    FileNotFoundError,
    FileExistsError,
    IsADirectoryError,
    NotADirectoryError,
    PermissionError,
)

FORCE_HELP = (
    "write even where a Snakemake workflow keeps its results. Without it, an output "
    "inside a results folder of a Snakemake working directory above it (a folder "
    "holding '.snakemake/'; its results folders are its top-level folders holding "
    "outputs recorded in .snakemake/metadata, e.g. results/) is refused"
)


def one_line(message: str) -> str:
    """``message`` on one line: its lines stripped and joined with ``"; "``.

    Parameters
    ----------
    message : str
        An error message, possibly with several lines (a configuration with several
        violations, a parser's pointer line).

    Returns
    -------
    str
    """
    parts = [part.strip() for part in str(message).splitlines()]
    return "; ".join(part for part in parts if part)


def _os_error_message(err: OSError) -> str:
    """``strerror: filename`` of an OSError (``[Errno 2] ...`` spelled out), on one line."""
    if err.filename is not None and err.strerror:
        target = f" -> {err.filename2}" if err.filename2 is not None else ""
        return f"{err.strerror}: {err.filename}{target}"
    return one_line(str(err))


def require_file(path: str | os.PathLike, kind: str) -> Path:
    """An input file that must exist, checked before any work.

    Parameters
    ----------
    path : path-like
    kind : str
        What the file is, for the message (``"events table (Parquet)"``).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    synsoc.errors.InputError
        ``"{kind} not found: {path}"``, or naming a directory given for a file.
    """
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{kind} {path} is a directory, not a file")
    if not path.is_file():
        raise InputError(f"{kind} not found: {path}")
    if not os.access(path, os.R_OK):
        raise InputError(f"{kind} {path} is not readable (permission denied)")
    return path


def add_force_option(parser: argparse.ArgumentParser, extra: str = "") -> None:
    """Add ``--force`` (write into a Snakemake workflow's results anyway) to ``parser``."""
    parser.add_argument("--force", action="store_true", help=FORCE_HELP + extra)


def _snakemake_records(workdir: Path) -> Iterator[Path]:
    """Paths of the outputs recorded in ``workdir/.snakemake/metadata``, as recorded.

    Snakemake names each record after the output path it made (relative to its working
    directory, or absolute), urlsafe-base64 encoded; an encoding longer than a file
    name is split into folders whose names start with ``@``.
    """
    metadata = workdir / ".snakemake" / "metadata"
    for folder, _, files in os.walk(metadata):
        relative = Path(folder).relative_to(metadata)
        prefix = "".join(part.removeprefix("@") for part in relative.parts)
        for name in files:
            try:
                yield Path(base64.urlsafe_b64decode(prefix + name).decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                continue  # not a record (a temporary file of a running Snakemake)


def _results_folders(workdir: Path) -> set[Path]:
    """Top-level folders of ``workdir`` that hold outputs its Snakemake workflow recorded."""
    folders = set()
    for record in _snakemake_records(workdir):
        absolute = Path(os.path.abspath(workdir / record))
        try:
            relative = absolute.relative_to(workdir)
        except ValueError:
            continue  # written outside the working directory: not found by walking up
        if len(relative.parts) > 1:
            folders.add(workdir / relative.parts[0])
        else:
            folders.add(absolute)  # a file at the top level protects only itself
    return folders


def snakemake_outputs(paths: Iterable[str | os.PathLike]) -> list[tuple[Path, Path]]:
    """Which of ``paths`` lie where a Snakemake workflow keeps its results.

    The rule: walking up from a path, a folder holding ``.snakemake/metadata`` is a
    Snakemake working directory; its *results folders* are its top-level folders that
    hold at least one output recorded there (``results/``, ``results_tiny/``: Snakemake
    keeps one record per file a rule wrote). A path that is a results folder or lies
    inside one is managed by that workflow; writing there would overwrite its outputs
    or mix with them.

    Parameters
    ----------
    paths : iterable of path-like
        Files or folders a command is about to write.

    Returns
    -------
    list of (pathlib.Path, pathlib.Path)
        ``(path, workdir)`` for each managed path; empty when none is.
    """
    found = []
    cache: dict[Path, set[Path]] = {}
    for path in paths:
        target = Path(os.path.abspath(path))
        for workdir in target.parents:
            if not (workdir / ".snakemake" / "metadata").is_dir():
                continue
            if workdir not in cache:
                cache[workdir] = _results_folders(workdir)
            if any(f == target or f in target.parents for f in cache[workdir]):
                found.append((Path(path), workdir))
                break
    return found


def _nearest_existing(path: Path) -> Path:
    """``path`` itself or its closest ancestor that exists."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path(path.anchor or ".")


class OutputGuard:
    """The outputs of one command: checked before any work, removed if the command fails.

    On entry every output must be writable (its closest existing ancestor a writable
    folder; a folder where a file is expected is refused) and — unless ``force`` — not a
    Snakemake workflow's output (:func:`snakemake_outputs`). On an exception every
    output that did not exist before is removed (with the folders created for it), and
    files that appeared inside an output folder that existed before are removed, so a
    failing command leaves nothing behind; the exception propagates.

    Parameters
    ----------
    files : iterable of path-like
        Files the command writes.
    folders : iterable of path-like
        Folders the command writes into (everything that appears in them is its own).
    force : bool
        Skip the Snakemake check (``--force``).
    what : str
        Names the option in messages (``"-o/--output"``).

    Raises
    ------
    synsoc.errors.InputError
        On entry, naming the output and the problem.
    """

    def __init__(
        self,
        files: Iterable[str | os.PathLike] = (),
        folders: Iterable[str | os.PathLike] = (),
        *,
        force: bool = False,
        what: str = "output",
    ) -> None:
        self.files = [Path(p) for p in files]
        self.folders = [Path(p) for p in folders]
        self.force = force
        self.what = what
        self._created: list[Path] = []
        self._before: dict[Path, set[Path]] = {}

    def check(self) -> None:
        """Refuse unwritable outputs and (without ``force``) Snakemake-managed ones."""
        for path in [*self.files, *self.folders]:
            is_file = path in self.files
            if is_file and path.is_dir():
                raise InputError(f"{self.what} {path} is a directory; give a file path")
            if not is_file and path.exists() and not path.is_dir():
                raise InputError(f"{self.what} {path} is a file; give a folder")
            anchor = _nearest_existing(path.parent if is_file else path)
            if not anchor.is_dir():
                raise InputError(f"cannot write {path}: {anchor} is not a folder")
            if not os.access(anchor, os.W_OK | os.X_OK):
                raise InputError(f"cannot write {path}: folder {anchor} is not writable")
            if is_file and path.exists() and not os.access(path, os.W_OK):
                raise InputError(f"cannot write {path}: the file is read-only")
        if self.force:
            return
        for path, workdir in snakemake_outputs([*self.files, *self.folders]):
            raise InputError(
                f"{self.what} {path} lies in the results of the Snakemake workflow in "
                f"{workdir} (outputs recorded in {workdir / '.snakemake'}); write elsewhere, "
                "or pass --force to write there anyway (Snakemake then reruns what depends "
                "on what changed)"
            )

    def __enter__(self) -> OutputGuard:
        self.check()
        for path in [*self.files, *self.folders]:
            if path.exists():
                if path.is_dir():
                    self._before[path] = set(path.rglob("*"))
                continue
            # the topmost folder this output will create, or the output itself
            top = path
            for parent in path.parents:
                if parent.exists():
                    break
                top = parent
            self._created.append(top)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            return
        for top in self._created:
            with contextlib.suppress(FileNotFoundError):
                if top.is_dir() and not top.is_symlink():
                    shutil.rmtree(top)
                else:
                    top.unlink()
        for folder, before in self._before.items():
            appeared = sorted(set(folder.rglob("*")) - before, key=lambda p: -len(p.parts))
            for path in appeared:
                with contextlib.suppress(OSError):
                    path.rmdir() if path.is_dir() and not path.is_symlink() else path.unlink()
        if self._created or self._before:
            logger.debug("removed the outputs of the failed command")


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


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line, like every other error."""

    def error(self, message: str):
        sys.stderr.write(f"{self.prog}: error: {one_line(message)} (see '{self.prog} --help')\n")
        sys.exit(EXIT_INPUT_ERROR)


_DEBUG_HELP = "show the traceback of an error instead of the one-line message (and debug logs)"


def build_parser() -> argparse.ArgumentParser:
    """Parser with every stage's subcommands registered."""
    parser = _Parser(
        prog="synsoc",
        description="Synaptic MD -> first-passage kinetics -> threshold network -> criticality.",
        epilog=(
            "An expected failure (missing, corrupt or mismatched input, an empty selection, "
            "an unwritable output, invalid values) prints one line 'synsoc COMMAND: error: "
            "...' naming the file and the problem, exits with status 2 and leaves no "
            "partial output; --debug shows the traceback."
        ),
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument("-q", "--quiet", action="store_true", help="log warnings and errors only")
    parser.add_argument("--debug", action="store_true", help=_DEBUG_HELP)
    parser.add_argument("--version", action="version", version=f"synsoc {synsoc.__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _register_config(subparsers)
    for module_name in _COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    for sub in subparsers.choices.values():
        # `synsoc fit ... --debug` works as well as `synsoc --debug fit ...`
        sub.add_argument(
            "--debug", action="store_true", default=argparse.SUPPRESS, help=_DEBUG_HELP
        )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``synsoc`` console script.

    Returns
    -------
    int
        0 on success, 2 on an expected failure (one line on stderr), 130 when
        interrupted.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "config" and not (args.file or args.show):
        parser.error("synsoc config: give a FILE to check, or --show for the defaults")
    if args.debug or args.verbose:
        level = logging.DEBUG
    else:
        level = logging.WARNING if args.quiet else logging.INFO
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    prefix = f"synsoc {args.command}: error:"
    try:
        return int(args.func(args) or 0)
    except InputError as err:
        if args.debug:
            raise
        message = one_line(str(err))
    except _USER_OS_ERRORS as err:
        if args.debug:
            raise
        message = _os_error_message(err)
    except KeyboardInterrupt:
        if args.debug:
            raise
        print(f"synsoc {args.command}: interrupted", file=sys.stderr)
        return 130
    print(f"{prefix} {message}", file=sys.stderr)
    return EXIT_INPUT_ERROR


if __name__ == "__main__":
    sys.exit(main())
