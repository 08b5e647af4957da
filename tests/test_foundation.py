"""Shared infrastructure: configuration validation, provenance, atomic writers."""

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from synsoc import io as atomic_io
from synsoc.config import ConfigError, load_config, validate_config
from synsoc.provenance import config_hash, package_versions, provenance, source_hash

REPO = Path(__file__).resolve().parents[1]


def test_default_config_validates_and_fills_every_section():
    config = load_config(REPO / "config" / "config.yaml")
    assert set(config) == {"results_dir", "md", "kinetics", "network", "criticality", "report"}


def test_unknown_top_level_key_is_named(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("results_dir: out\nnetwrok: {}\n")
    with pytest.raises(ConfigError, match=r"bad\.yaml.*'netwrok' was unexpected"):
        load_config(path)


def test_yaml_syntax_error_names_the_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("md: [unclosed\n")
    with pytest.raises(ConfigError, match="broken.yaml: not valid YAML"):
        load_config(path)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_config(tmp_path / "absent.yaml")


def test_non_mapping_config_rejected():
    with pytest.raises(ConfigError, match="expected a mapping"):
        validate_config(["md"], source="list.yaml")


def test_validation_does_not_mutate_its_input():
    raw = {"md": {}}
    validate_config(raw)
    assert raw == {"md": {}}


def test_binding_cutoff_must_lie_inside_the_release_clearance():
    # Released transmitters must start unbound: r_on below the placement clearance.
    validate_config({"kinetics": {"r_on_nm": 0.5}})  # default clearance 0.55
    with pytest.raises(ConfigError, match="kinetics.r_on_nm.*release_clearance_nm"):
        validate_config(
            {"kinetics": {"r_on_nm": 0.5}, "md": {"geometry": {"release_clearance_nm": 0.45}}},
            source="c.yaml",
        )


def test_salt_with_native_obc2_is_refused_before_any_job():
    validate_config({"md": {"solvent": "obc2", "salt_molar": 0.15}})
    with pytest.raises(ConfigError, match="md.salt_molar.*obc2, gbn2 or explicit"):
        validate_config({"md": {"solvent": "implicit", "salt_molar": 0.15}}, source="c.yaml")


def test_config_hash_ignores_key_order_but_not_values():
    a = {"x": 1, "y": {"b": 2, "a": 3}}
    b = {"y": {"a": 3, "b": 2}, "x": 1}
    assert config_hash(a) == config_hash(b)
    assert config_hash(a) != config_hash({"x": 2, "y": {"a": 3, "b": 2}})
    assert len(config_hash(a)) == 64


def test_provenance_names_versions():
    record = provenance({"seed": 1})
    assert record["package_versions"]["openmm"] != "not installed"
    assert "python" in package_versions()


def test_write_json_is_atomic_and_refuses_nan(tmp_path):
    target = tmp_path / "out" / "result.json"
    atomic_io.write_json(target, {"value_ps": np.float64(1.5), "n": np.int64(3)})
    assert json.loads(target.read_text()) == {"value_ps": 1.5, "n": 3}
    with pytest.raises(ValueError):
        atomic_io.write_json(target, {"value_ps": float("nan")})
    # the earlier complete file survives the failed write, and no temp file is left
    assert json.loads(target.read_text())["n"] == 3
    assert os.listdir(target.parent) == ["result.json"]


def test_atomic_path_leaves_nothing_when_the_writer_fails(tmp_path):
    target = tmp_path / "table.parquet"
    with pytest.raises(RuntimeError), atomic_io.atomic_path(target) as tmp:
        tmp.write_bytes(b"partial")
        raise RuntimeError("killed mid-write")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_save_npz_round_trip_and_suffix_check(tmp_path):
    atomic_io.save_npz(tmp_path / "a.npz", x=np.arange(3))
    assert np.load(tmp_path / "a.npz")["x"].tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match=r"\.npz"):
        atomic_io.save_npz(tmp_path / "a.bin", x=np.arange(3))


def test_save_figure_writes_png_and_svg(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    written = atomic_io.save_figure(fig, tmp_path / "fig")
    plt.close(fig)
    assert sorted(p.name for p in written) == ["fig.png", "fig.svg"]
    assert all(p.stat().st_size > 0 for p in written)


def test_every_section_gets_its_schema_defaults():
    config = validate_config({})
    for section in ("md", "kinetics", "network", "criticality", "report"):
        assert config[section], f"section {section!r} received no defaults from its schema"


def test_single_bootstrap_resample_is_rejected_before_any_work():
    with pytest.raises(ConfigError, match=r"kinetics\.n_bootstrap"):
        validate_config({"kinetics": {"n_bootstrap": 1}}, source="c.yaml")


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_atomic_writes_honour_the_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        assert atomic_io.current_umask() == umask
        atomic_io.write_json(tmp_path / "a.json", {"x": 1})
        atomic_io.write_text(tmp_path / "b.txt", "text")
        atomic_io.save_npz(tmp_path / "c.npz", x=np.arange(3))
        with open(tmp_path / "plain.txt", "w") as handle:  # what open() gives, for reference
            handle.write("plain")
    finally:
        os.umask(old)
    expected = 0o666 & ~umask
    for name in ("a.json", "b.txt", "c.npz", "plain.txt"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == expected, name


def test_source_hash_follows_package_code(tmp_path, monkeypatch):
    package = tmp_path / "toy_stage"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "science.py").write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    first = source_hash("toy_stage")
    assert first == source_hash("toy_stage")
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "science.cpython.pyc").write_bytes(b"\0")
    assert source_hash("toy_stage") == first, "compiled files are not source"
    (package / "science.py").write_text("X = 2\n")
    assert source_hash("toy_stage") != first
    with pytest.raises(ModuleNotFoundError, match="no_such_package"):
        source_hash("no_such_package")


def test_every_rule_reruns_when_its_stage_code_changes():
    """Each rule of workflow/rules/<stage>.smk carries ``code=CODE["<stage>"]``."""
    for rules in sorted((REPO / "workflow" / "rules").glob("*.smk")):
        blocks = re.split(r"(?m)^(?=rule \w+:)", rules.read_text())[1:]
        for block in blocks:
            name = block.split(":", 1)[0]
            assert f'code=CODE["{rules.stem}"]' in block, f"{rules.name}: {name} has no code param"


def test_workflow_watch_sees_its_workflow_end(tmp_path):
    """A job whose workflow process is killed learns it; one started by hand never stops."""
    marker = "synsoc_test_workflow_marker"
    child = tmp_path / "job.py"
    child.write_text(
        "import sys, time\n"
        "from synsoc.joblog import workflow_watch\n"
        f"alive = workflow_watch(marker={marker!r})\n"
        "print('alive' if alive() else 'dead', flush=True)\n"
        "for _ in range(200):\n"
        "    if not alive():\n"
        "        print('workflow gone', flush=True); sys.exit(0)\n"
        "    time.sleep(0.05)\n"
        "print('never noticed', flush=True)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO))
    workflow = subprocess.Popen(
        ["bash", "-c", f'"{sys.executable}" "{child}" & wait; : {marker}'],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert workflow.stdout.readline().strip() == "alive"
    workflow.kill()
    workflow.wait()
    assert workflow.stdout.readline().strip() == "workflow gone"
    code = "from synsoc.joblog import workflow_watch; print(workflow_watch('no_such')())"
    by_hand = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert by_hand.stdout.strip() == "True"
