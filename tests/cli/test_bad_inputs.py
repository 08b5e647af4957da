"""Bad inputs for every ``synsoc`` subcommand: one line, no traceback, nothing left behind.

Each case runs the console entry point in-process (``synsoc.cli.main``) with file
descriptor 2 captured (``capfd``: also what C readers such as mdtraj's xdrfile print)
and asserts: exit status 2, exactly one line on stderr, of the form
``synsoc COMMAND: error: ...``, no traceback, the offending file named, and no file
created or changed under the inputs or the output location.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from synsoc.cli import main
from synsoc.errors import InputError

_spec = importlib.util.spec_from_file_location(
    "cli_fixtures", Path(__file__).resolve().parent / "cli_fixtures.py"
)
fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fixtures)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    return root, fixtures.build_corpus(root)


# (id, argv with {name} placeholders for corpus files and {out} for a fresh output
#  folder, text the message must hold — the file name among it)
CASES = [
    # ---------------------------------------------------------------- synsoc config
    (
        "config-missing",
        ["config", "{out}/none.yaml"],
        ["configuration file not found", "none.yaml"],
    ),
    ("config-not-yaml", ["config", "{config_not_yaml}"], ["not valid YAML", "broken.yaml"]),
    ("config-invalid", ["config", "{config_bad}"], ["md.solvent", "md.replicas", "config.yaml"]),
    # -------------------------------------------------------------------- synsoc md
    (
        "md-config-missing",
        ["md", "--config", "{out}/nope.yaml", "-o", "{out}/R"],
        ["configuration file not found", "nope.yaml"],
    ),
    (
        "md-config-invalid",
        ["md", "--config", "{config_bad}", "-o", "{out}/R"],
        ["md.solvent", "config.yaml"],
    ),
    (
        "md-replica-range",
        ["md", "--config", "{config}", "-o", "{out}/R", "--replica", "5"],
        ["--replica must be in [0, 2)", "config.yaml"],
    ),
    (
        "md-unwritable",
        ["md", "--config", "{config}", "-o", "{a_file}/R"],
        ["cannot write", "a_file.txt", "is not a folder"],
    ),
    (
        "md-snakemake-results",
        ["md", "--config", "{config}", "-o", "{workdir}/results"],
        ["results of the Snakemake workflow", "wd", "--force"],
    ),
    # ---------------------------------------------------------------- synsoc events
    (
        "events-trajectory-missing",
        ["events", "{out}/none.xtc", "--top", "{pdb}", "-o", "{out}/e.parquet"],
        ["trajectory file not found", "none.xtc"],
    ),
    (
        "events-topology-missing",
        ["events", "{xtc}", "--top", "{out}/none.pdb", "-o", "{out}/e.parquet"],
        ["topology file not found", "none.pdb"],
    ),
    (
        "events-truncated-xtc",
        ["events", "{truncated}", "--top", "{pdb}", "--build", "{build}", "-o", "{out}/e.parquet"],
        ["truncated.xtc", "truncated or corrupt", "xdrfile error"],
    ),
    (
        "events-atom-count",
        ["events", "{xtc}", "--top", "{small_pdb}", "--transmitters", "resname GLU"]
        + ["--receptors", "resname ARG", "-o", "{out}/e.parquet"],
        ["trajectory.xtc has 16 atoms", "five_atoms.pdb has 5"],
    ),
    (
        "events-not-pdb",
        ["events", "{xtc}", "--top", "{not_pdb}", "--transmitters", "resname GLU"]
        + ["--receptors", "resname ARG", "-o", "{out}/e.parquet"],
        ["topology", "notes.pdb", "cannot be read"],
    ),
    (
        "events-empty-selection",
        ["events", "{xtc}", "--top", "{pdb}", "--transmitters", "resname GLX"]
        + ["--receptors", "resname ARG", "-o", "{out}/e.parquet"],
        ["'resname GLX' matches no atom", "topology.pdb", "GLU"],
    ),
    (
        "events-selection-typo",
        ["events", "{xtc}", "--top", "{pdb}", "--transmitters", "resname GLU andd name OE1"]
        + ["--receptors", "resname ARG", "-o", "{out}/e.parquet"],
        ["'andd' looks like 'and'", "residue names", "topology.pdb"],
    ),
    (
        "events-selection-syntax",
        ["events", "{xtc}", "--top", "{pdb}", "--transmitters", "resnam GLU"]
        + ["--receptors", "resname ARG", "-o", "{out}/e.parquet"],
        ["'resnam GLU' is not valid mdtraj selection syntax"],
    ),
    (
        "events-one-selection",
        ["events", "{xtc}", "--top", "{pdb}", "--transmitters", "resname GLU"]
        + ["-o", "{out}/e.parquet"],
        ["--transmitters and --receptors"],
    ),
    (
        "events-no-build",
        ["events", "{no_build}/trajectory.xtc", "--top", "{no_build}/topology.pdb"]
        + ["-o", "{out}/e.parquet"],
        ["build record not found", "build.json", "--transmitters"],
    ),
    (
        "events-bad-atom-names",
        ["events", "{xtc}", "--top", "{pdb}", "--transmitter-atoms", "CA"]
        + ["-o", "{out}/e.parquet"],
        ["build.json", "['CA'] match no atom"],
    ),
    (
        "events-unwritable",
        ["events", "{xtc}", "--top", "{pdb}", "-o", "{a_file}/e.parquet"],
        ["cannot write", "a_file.txt"],
    ),
    (
        "events-output-is-folder",
        ["events", "{xtc}", "--top", "{pdb}", "-o", "{out}"],
        ["is a directory; give a file path"],
    ),
    (
        "events-snakemake-results",
        ["events", "{xtc}", "--top", "{pdb}", "-o", "{workdir}/results/kinetics/e.parquet"],
        ["results of the Snakemake workflow", "e.parquet"],
    ),
    (
        "events-bad-cutoffs",
        ["events", "{xtc}", "--top", "{pdb}", "--r-on-nm", "0.7", "--r-off-nm", "0.5"]
        + ["-o", "{out}/e.parquet"],
        ["r_off_nm must be", "command line"],
    ),
    # ------------------------------------------------------------------- synsoc fit
    (
        "fit-events-missing",
        ["fit", "{out}/none.parquet", "-o", "{out}/k.json"],
        ["events table", "not found", "none.parquet"],
    ),
    (
        "fit-not-parquet",
        ["fit", "{not_parquet}", "--distances", "{distances}", "-o", "{out}/k.json"],
        ["table.parquet", "not a Parquet events table"],
    ),
    (
        "fit-empty-events",
        ["fit", "{events_empty}", "--distances", "{distances}", "-o", "{out}/k.json"],
        ["events_empty.parquet", "empty"],
    ),
    (
        "fit-nan-duration",
        ["fit", "{events_nan}", "--distances", "{distances}", "-o", "{out}/k.json"],
        ["events_nan.parquet", "'duration_ps'", "NaN"],
    ),
    (
        "fit-negative-duration",
        ["fit", "{events_negative}", "--distances", "{distances}", "-o", "{out}/k.json"],
        ["events_negative.parquet", "'duration_ps'", "below 0"],
    ),
    (
        "fit-missing-column",
        ["fit", "{events_no_kind}", "--distances", "{distances}", "-o", "{out}/k.json"],
        ["events_no_kind.parquet", "kind"],
    ),
    (
        "fit-distances-missing",
        ["fit", "{events}", "--distances", "{out}/none.npz", "-o", "{out}/k.json"],
        ["distances file", "none.npz"],
    ),
    (
        "fit-distances-corrupt",
        ["fit", "{events}", "--distances", "{bad_npz}", "-o", "{out}/k.json"],
        ["distances.npz", "not a distances NPZ"],
    ),
    (
        "fit-distances-short",
        ["fit", "{events}", "--distances", "{short_npz}", "-o", "{out}/k.json"],
        ["short.distances.npz", "1 frame"],
    ),
    (
        "fit-events-alone-with-nan",
        ["fit", "{events_nan}", "-o", "{out}/k.json"],
        ["events_nan.parquet", "duration_ps", "NaN"],
    ),
    (
        "fit-unwritable",
        ["fit", "{events}", "-o", "{a_file}/k.json"],
        ["cannot write", "a_file.txt"],
    ),
    (
        "fit-snakemake-results",
        ["fit", "{events}", "-o", "{workdir}/results/kinetics/kinetics.json"],
        ["results of the Snakemake workflow", "kinetics.json"],
    ),
    # --------------------------------------------------------------- synsoc network
    (
        "network-config-missing",
        ["network", "--config", "{out}/none.yaml", "--kinetics", "{events}", "-o", "{out}/n"],
        ["configuration file not found", "none.yaml"],
    ),
    (
        "network-kinetics-missing",
        ["network", "--config", "{config}", "--kinetics", "{out}/k.json", "-o", "{out}/n"],
        ["kinetics file", "not found", "k.json"],
    ),
    (
        "network-kinetics-required",
        ["network", "--config", "{config}", "-o", "{out}/n"],
        ["--kinetics is required", "config.yaml"],
    ),
    (
        "network-kinetics-not-json",
        ["network", "--config", "{config}", "--kinetics", "{kinetics_not_json}"]
        + ["-o", "{out}/n"],
        ["kinetics.json", "not valid JSON"],
    ),
    (
        "network-unwritable",
        ["network", "--config", "{config}", "--kinetics", "{kinetics_not_json}"]
        + ["-o", "{a_file}/n"],
        ["cannot write", "a_file.txt"],
    ),
    (
        "network-snakemake-results",
        ["network", "--config", "{config}", "--kinetics", "{kinetics_not_json}"]
        + ["-o", "{workdir}/results/network"],
        ["results/network", "results of the Snakemake workflow"],
    ),
    # ----------------------------------------------------------- synsoc criticality
    (
        "criticality-missing",
        ["criticality", "{out}/none.parquet", "-o", "{out}/c"],
        ["avalanche table", "not found", "none.parquet"],
    ),
    (
        "criticality-not-parquet",
        ["criticality", "{not_parquet}", "-o", "{out}/c"],
        ["table.parquet", "not a Parquet avalanche table"],
    ),
    (
        "criticality-nan-size",
        ["criticality", "{av_nan_size}", "-o", "{out}/c"],
        ["av_nan_size.parquet", "'size'", "NaN"],
    ),
    (
        "criticality-negative-size",
        ["criticality", "{av_negative_size}", "-o", "{out}/c"],
        ["av_negative_size.parquet", "'size'", "negative"],
    ),
    (
        "criticality-negative-duration",
        ["criticality", "{av_negative_duration}", "-o", "{out}/c"],
        ["av_negative_duration.parquet", "'duration_ms'", "negative"],
    ),
    (
        "criticality-missing-column",
        ["criticality", "{av_no_profile}", "-o", "{out}/c"],
        ["av_no_profile.parquet", "profile"],
    ),
    (
        "criticality-spikes-missing",
        ["criticality", "{avalanches}", "--spikes", "{out}/s.npz", "-o", "{out}/c"],
        ["spikes file", "s.npz"],
    ),
    (
        "criticality-spikes-no-counts",
        ["criticality", "{avalanches}", "--spikes", "{spikes_no_counts}", "-o", "{out}/c"],
        ["spikes.npz", "bin_counts"],
    ),
    (
        "criticality-spikes-not-npz",
        ["criticality", "{avalanches}", "--spikes", "{bad_npz}", "-o", "{out}/c"],
        ["distances.npz", "not a spikes NPZ"],
    ),
    (
        "criticality-unwritable",
        ["criticality", "{avalanches}", "-o", "{a_file}/c"],
        ["cannot write", "a_file.txt"],
    ),
    (
        "criticality-snakemake-results",
        ["criticality", "{avalanches}", "-o", "{workdir}/results/criticality"],
        ["results/criticality", "results of the Snakemake workflow"],
    ),
    # --------------------------------------------------------------- synsoc inspect
    (
        "inspect-missing",
        ["inspect", "{out}/replica_9"],
        ["replica folder or trajectory file not found", "replica_9"],
    ),
    (
        "inspect-bare-xtc",
        ["inspect", "{bare_xtc}"],
        ["no topology for trajectory", "bare/trajectory.xtc", "--top"],
    ),
    (
        "inspect-truncated",
        ["inspect", "{truncated}", "--top", "{pdb}", "--plot", "{out}/p"],
        ["truncated.xtc", "truncated or corrupt"],
    ),
    (
        "inspect-atom-count",
        ["inspect", "{xtc}", "--top", "{small_pdb}", "--plot", "{out}/p"],
        ["has 16 atoms", "five_atoms.pdb has 5"],
    ),
    (
        "inspect-no-build",
        ["inspect", "{no_build}", "--plot", "{out}/p"],
        ["no build.json", "--transmitter-selection"],
    ),
    (
        "inspect-empty-selection",
        ["inspect", "{xtc}", "--transmitter-selection", "resname GLU"]
        + ["--receptor-selection", "name CA", "--plot", "{out}/p"],
        ["'name CA' matches no atom", "topology.pdb"],
    ),
    (
        "inspect-unwritable-plot",
        ["inspect", "{xtc}", "--plot", "{a_file}/p"],
        ["cannot write", "a_file.txt"],
    ),
    # ---------------------------------------------------------------- usage errors
    ("usage-missing-output", ["fit", "{events}"], ["-o/--output", "synsoc fit --help"]),
    ("usage-unknown-command", ["simulate"], ["invalid choice", "simulate"]),
]


def _argv(template: list[str], files: dict[str, Path], out: Path) -> list[str]:
    names = {key: str(value) for key, value in files.items()}
    return [part.format(out=out, **names) for part in template]


@pytest.mark.parametrize(("argv", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_and_leaves_nothing(corpus, tmp_path, capfd, argv, expected):
    root, files = corpus
    out = tmp_path / "out"
    out.mkdir()
    before = fixtures.snapshot(root, out)
    try:
        status = main(_argv(argv, files, out))
    except SystemExit as exc:  # argparse usage errors
        status = exc.code
    captured = capfd.readouterr()
    lines = captured.err.splitlines()
    assert status == 2, captured.err
    assert len(lines) == 1, f"expected one line on stderr, got:\n{captured.err}"
    assert "Traceback" not in captured.err
    assert lines[0].startswith("synsoc"), lines[0]
    assert ": error: " in lines[0], lines[0]
    for text in expected:
        assert text in lines[0], f"{text!r} not in {lines[0]!r}"
    assert fixtures.snapshot(root, out) == before, "the failing command left files behind"


def test_corpus_covers_every_subcommand():
    from synsoc.cli import build_parser

    parser = build_parser()
    commands = set(parser._subparsers._group_actions[0].choices)
    covered = {argv[0] for _, argv, _ in CASES}
    assert commands <= covered, f"no bad-input case for {sorted(commands - covered)}"


def test_debug_shows_the_traceback(corpus, tmp_path):
    _, files = corpus
    argv = ["fit", str(files["events_empty"]), "--distances", str(files["distances"])]
    with pytest.raises(InputError, match="events_empty.parquet"):
        main(["--debug", *argv, "-o", str(tmp_path / "k.json")])
    with pytest.raises(InputError, match="events_empty.parquet"):
        main([*argv, "-o", str(tmp_path / "k.json"), "--debug"])
    assert not any(tmp_path.iterdir())


def test_a_bug_keeps_its_traceback(corpus, tmp_path, monkeypatch):
    """Only expected failures become one line: an unexpected exception propagates."""
    import analysis.criticality.cli as crit_cli

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(crit_cli, "run_criticality", broken)
    _, files = corpus
    with pytest.raises(ZeroDivisionError):
        main(["criticality", str(files["avalanches"]), "-o", str(tmp_path / "c")])
    assert not (tmp_path / "c").exists(), "the guard removes outputs on any failure"


def test_unreadable_output_folder(corpus, tmp_path, capfd):
    """A folder without write permission (root ignores permissions: skipped there)."""
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    _, files = corpus
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        status = main(["criticality", str(files["avalanches"]), "-o", str(locked / "c")])
    finally:
        locked.chmod(0o755)
    err = capfd.readouterr().err
    assert status == 2 and len(err.splitlines()) == 1
    assert "locked" in err and "not writable" in err
    assert not any(locked.iterdir())


def test_console_script_in_a_subprocess(corpus, tmp_path):
    """The real console entry: the xdrfile C reader's own stderr text is not leaked."""
    _, files = corpus
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    argv = [sys.executable, "-m", "synsoc.cli", "-q", "events", str(files["truncated"])]
    argv += ["--top", str(files["pdb"]), "--build", str(files["build"])]
    argv += ["-o", str(tmp_path / "e.parquet")]
    run = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 2, run.stderr
    assert len(run.stderr.splitlines()) == 1, run.stderr
    assert run.stderr.startswith("synsoc events: error: trajectory ")
    assert "truncated.xtc" in run.stderr and "Traceback" not in run.stderr
    assert "(xdrfile error)" in run.stderr  # the C reader's text, inside the one line
    assert not any(tmp_path.iterdir())
