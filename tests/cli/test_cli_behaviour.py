"""What the stage commands do around their science: atoms selected, outputs placed and guarded.

- ``synsoc events`` selects the workflow's atoms (build.json or selections, distance
  atoms from ``kinetics.*_atom_names``) and logs the counts; selection typos are refused;
- a failing command removes what it wrote (``OutputGuard``);
- ``synsoc fit`` puts its figures beside ``-o``, never in the current directory;
- outputs inside a Snakemake workflow's results are refused without ``--force``;
- ``synsoc md`` refuses a system or replicas made with another configuration.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import subprocess
import sys
import types
from pathlib import Path

import mdtraj as md
import numpy as np
import pandas as pd
import pytest

from analysis.kinetics import KineticsConfig, select_atoms
from analysis.kinetics.jobs import run_events
from synsoc.cli import OutputGuard, main, snakemake_outputs
from synsoc.config import load_config, validate_section
from synsoc.errors import InputError
from synsoc.provenance import provenance

_spec = importlib.util.spec_from_file_location(
    "cli_fixtures", Path(__file__).resolve().parent / "cli_fixtures.py"
)
fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fixtures)

QUICK_FIT = "kinetics: {n_bootstrap: 0, n_gof_bootstrap: 0, families: [expon, gamma]}\n"


# ------------------------------------------------------------------------ selections


@pytest.fixture(scope="module")
def multi(tmp_path_factory):
    """Multi-atom GLU/ARG molecules in the MD layout."""
    return fixtures.multi_atom_replica(tmp_path_factory.mktemp("multi") / "R")


def test_cli_events_equal_the_workflow_events(multi, tmp_path):
    """Same replica, same events: rules (build.json) and CLI (default or selections)."""
    xtc, pdb = multi / "trajectory.xtc", multi / "topology.pdb"
    build = multi.parent / "system" / "build.json"
    rules = run_events(
        xtc,
        pdb,
        build,
        KineticsConfig.from_section({}),
        0,
        tmp_path / "rules.parquet",
        tmp_path / "rules.npz",
    )
    assert main(["events", str(xtc), "--top", str(pdb), "-o", str(tmp_path / "a.parquet")]) == 0
    by_selection = ["--transmitters", "resname GLU", "--receptors", "resname ARG"]
    assert main(["events", str(xtc), "--top", str(pdb), *by_selection,
                 "-o", str(tmp_path / "b.parquet")]) == 0  # fmt: skip
    for name in ("a", "b"):
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / f"{name}.parquet"), rules)
        with (
            np.load(tmp_path / f"{name}.distances.npz") as cli,
            np.load(tmp_path / "rules.npz") as ref,
        ):
            np.testing.assert_array_equal(cli["distance_nm"], ref["distance_nm"])
            np.testing.assert_allclose(cli["com_nm"], ref["com_nm"], atol=1e-6)
    # every heavy atom (the old README example): other distances, other events
    heavy = ["--transmitter-atoms", "", "--receptor-atoms", ""]
    assert main(["events", str(xtc), "--top", str(pdb), *by_selection, *heavy,
                 "-o", str(tmp_path / "c.parquet")]) == 0  # fmt: skip
    with np.load(tmp_path / "c.distances.npz") as all_atoms, np.load(tmp_path / "rules.npz") as ref:
        assert (all_atoms["distance_nm"] < ref["distance_nm"] - 0.05).any()


def test_selection_counts_are_logged(multi, tmp_path, caplog):
    xtc, pdb = multi / "trajectory.xtc", multi / "topology.pdb"
    caplog.set_level(logging.INFO)
    argv = ["events", str(xtc), "--top", str(pdb), "--transmitters", "resname GLU"]
    argv += ["--receptors", "resname ARG and name NE NH1", "-o", str(tmp_path / "e.parquet")]
    assert main(argv) == 0
    text = caplog.text
    assert "selection 'resname GLU' picked 18 atoms in 3 molecules" in text
    assert "6 distance atoms (OE1, OE2)" in text
    assert "picked 4 atoms in 2 molecules" in text and "4 distance atoms (NE, NH1)" in text


@pytest.mark.parametrize(
    ("selection", "hint"),
    [
        ("resname GLU andd name OE1", "'andd' looks like 'and'"),
        ("resname GLU ARG orr name NE", "'orr' looks like 'or'"),
        ("name OE1 nme", "'nme' looks like 'name'"),
        ("resname GLU and name OE1 resid 2", "'resid' is the keyword 'resid'"),
    ],
)
def test_selection_typos_are_refused(multi, selection, hint):
    top = md.load_topology(str(multi / "topology.pdb"))
    with pytest.raises(InputError, match="topology.pdb") as err:
        select_atoms(top, selection, what="transmitter", source=multi / "topology.pdb")
    assert hint in str(err.value)


def test_absent_names_warn_with_the_count(multi, caplog):
    top = md.load_topology(str(multi / "topology.pdb"))
    atoms = select_atoms(top, "resname GLU NME", what="transmitter", source="top.pdb")
    assert atoms.size == 18
    assert "residue name 'NME'" in caplog.text and "picked 18 atoms" in caplog.text
    assert select_atoms(top, "name OE1 OE2 NE").size == 8  # a real name list: no warning


# ------------------------------------------------------------------- no partial outputs


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    return fixtures.build_corpus(root)


def test_fit_failing_after_surfaces_leaves_nothing(corpus, tmp_path, monkeypatch, capfd):
    """A failure late in `fit` (figures) removes the surfaces NPZ written before it."""
    import analysis.kinetics.jobs as jobs
    from synsoc.errors import KineticsError

    written = []

    def failing_figures(*args, **kwargs):
        written.append(sorted(p.name for p in tmp_path.iterdir()))
        raise KineticsError("figure data: synthetic failure")

    monkeypatch.setattr(jobs, "write_figures", failing_figures)
    (tmp_path / "cfg.yaml").write_text(QUICK_FIT)
    out = tmp_path / "out" / "kinetics.json"
    argv = ["fit", str(corpus["events"]), "--config", str(tmp_path / "cfg.yaml"), "-o", str(out)]
    assert main(argv) == 2
    assert written == [["cfg.yaml", "out"]]  # the surfaces existed when it failed ...
    assert not (tmp_path / "out").exists()  # ... and are gone with the folder made for them
    assert "synthetic failure" in capfd.readouterr().err


def test_events_read_every_trajectory_before_writing(corpus, tmp_path):
    """A bad second trajectory leaves no table and no NPZ of the first one."""
    out = tmp_path / "events.parquet"
    argv = ["events", str(corpus["xtc"]), str(corpus["truncated"]), "--top", str(corpus["pdb"])]
    assert main([*argv, "--build", str(corpus["build"]), "-o", str(out)]) == 2
    assert list(tmp_path.iterdir()) == []


def test_guard_removes_only_what_the_command_made(tmp_path):
    kept = tmp_path / "figures" / "old.png"
    kept.parent.mkdir()
    kept.write_text("from an earlier run")
    with (
        pytest.raises(RuntimeError),
        OutputGuard([tmp_path / "new" / "deep" / "out.json"], [tmp_path / "figures"]),
    ):
        (tmp_path / "new" / "deep").mkdir(parents=True)
        (tmp_path / "new" / "deep" / "out.json").write_text("{}")
        (tmp_path / "figures" / "sub").mkdir()
        (tmp_path / "figures" / "sub" / "new.png").write_text("x")
        raise RuntimeError("late failure")
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "figures",
        "figures/old.png",
    ]


# ----------------------------------------------------------------------- no clobbering


def test_fit_writes_figures_beside_the_output(corpus, tmp_path, monkeypatch, caplog):
    caplog.set_level(logging.INFO)
    monkeypatch.chdir(tmp_path)
    Path("cfg.yaml").write_text(QUICK_FIT)
    assert main(["fit", str(corpus["events"]), "--config", "cfg.yaml", "-o", "kinetics.json"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "cfg.yaml",
        "kinetics.figures",
        "kinetics.json",
        "kinetics.surfaces.npz",
    ]
    assert any(p.suffix == ".png" for p in (tmp_path / "kinetics.figures").iterdir())
    assert "figures -> kinetics.figures/" in caplog.text


def test_snakemake_record_names_are_decoded_like_snakemake_writes_them(tmp_path):
    """Our reading of .snakemake/metadata against Snakemake's own record path."""
    from snakemake.persistence.file import FilePersistence

    persistence = types.SimpleNamespace(_fetch_max_len=lambda subject: 64)  # forces '@' parts
    metadata = tmp_path / ".snakemake" / "metadata"
    long_name = "results/" + "/".join(["deeply_nested_folder"] * 4) + "/graph.graphml"
    for output in ("results/network/graph.graphml", long_name):
        record = Path(FilePersistence._record_path(persistence, str(metadata), output))
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text("{}")
    assert any(part.startswith("@") for part in record.relative_to(metadata).parts)
    assert snakemake_outputs([tmp_path / "results" / "network"])
    assert snakemake_outputs([tmp_path / "results" / "crit" / "criticality.json"])
    assert snakemake_outputs([tmp_path / "kinetics.json"]) == []  # beside results/: allowed
    assert snakemake_outputs([tmp_path / "other" / "network"]) == []
    OutputGuard([tmp_path / "results" / "network" / "x.json"], force=True).check()
    with pytest.raises(InputError, match="--force"):
        OutputGuard([tmp_path / "results" / "network" / "x.json"]).check()


@pytest.mark.slow
def test_outputs_of_a_real_snakemake_run_are_refused(tmp_path):
    rule = 'rule make:\n    output: "results/md/system/build.json"\n    shell: "touch {output}"\n'
    (tmp_path / "Snakefile").write_text(rule)
    run = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "1", "-q"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert snakemake_outputs([tmp_path / "results" / "network"]) == [
        (tmp_path / "results" / "network", tmp_path)
    ]
    assert snakemake_outputs([tmp_path / "network"]) == []


# ---------------------------------------------------------------- md: config provenance


def _md_outputs(root: Path, config: dict, config_hash: str) -> None:
    """A finished MD output tree (as far as `synsoc md` looks) recorded with ``config_hash``."""
    record = {"provenance": {"config_hash": config_hash}}
    system = root / "md" / "system"
    system.mkdir(parents=True)
    (system / "build.json").write_text(json.dumps(record))
    for replica in range(config["md"]["replicas"]):
        folder = root / "md" / f"replica_{replica}"
        folder.mkdir()
        (folder / "equilibrated.xml").write_text("<State/>")
        (folder / "replica.json").write_text(json.dumps(record))


def test_md_config_hash_is_the_recorded_provenance(corpus):
    from synapse_md.jobs import md_config_hash

    config = load_config(corpus["config"])
    expected = provenance({"md": validate_section("md", dict(config["md"]))})["config_hash"]
    assert md_config_hash(config) == expected


def test_md_refuses_outputs_of_another_configuration(corpus, tmp_path, capfd, caplog):
    from synapse_md.jobs import md_config_hash

    config = load_config(corpus["config"])
    same = tmp_path / "same"
    _md_outputs(same, config, md_config_hash(config))
    assert main(["md", "--config", str(corpus["config"]), "-o", str(same)]) == 0

    other = tmp_path / "other"
    _md_outputs(other, config, "f" * 64)
    argv = ["md", "--config", str(corpus["config"]), "-o", str(other)]
    assert main(argv) == 2
    err = capfd.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert str(other / "md" / "system") in err
    assert "config hash ffffffffffff" in err and md_config_hash(config)[:12] in err
    assert "--force" in err
    assert main([*argv, "--force"]) == 0
    assert "reused anyway (--force)" in caplog.text
