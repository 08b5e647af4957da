"""A built wheel works outside the checkout: ``synsoc --help`` and config validation.

The wheel is built from a copy of the source tree and installed (``--no-deps``) into a
fresh virtual environment; the third-party dependencies come from the test
environment's site-packages through a ``.pth`` line, which adds that folder to
``sys.path`` without running the ``.pth`` files inside it, so the editable install of
synsoc there stays invisible. Commands run from an empty directory, so nothing can be
found relative to the checkout.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SECTIONS = ("config", "md", "kinetics", "network", "criticality", "report")

pytestmark = pytest.mark.slow


def _copy_sources(dest: Path) -> Path:
    ignore = shutil.ignore_patterns(
        ".git", ".*venv*", "results", ".snakemake", "build", "dist", "*.egg-info", "__pycache__"
    )
    shutil.copytree(REPO, dest, ignore=ignore)
    return dest


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory):
    """(wheel path, bin folder of a venv with only that wheel installed)."""
    root = tmp_path_factory.mktemp("wheel")
    source = _copy_sources(root / "src")
    dist = root / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "-q", "-w", str(dist), str(source)],
        check=True,
    )  # fmt: skip
    (wheel,) = dist.glob("synsoc-*.whl")
    env_dir = root / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bin_dir = env_dir / "bin"
    purelib = subprocess.run(
        [bin_dir / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(purelib, "test_dependencies.pth").write_text("\n".join(sorted(deps)) + "\n")
    subprocess.run(
        [bin_dir / "python", "-m", "pip", "install", "-q", "--no-deps", "--no-index", wheel],
        check=True,
    )
    return wheel, bin_dir


def _run(bin_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [bin_dir / args[0], *args[1:]], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_wheel_ships_the_schemas(wheel_env):
    wheel, _ = wheel_env
    names = set(zipfile.ZipFile(wheel).namelist())
    for section in SECTIONS:
        assert f"synsoc/schemas/{section}.schema.yaml" in names


def test_installed_wheel_is_the_package_imported(wheel_env, tmp_path):
    _, bin_dir = wheel_env
    result = _run(bin_dir, tmp_path, "python", "-c", "import synsoc.config as c; print(c.__file__)")
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).is_relative_to(bin_dir.parent), result.stdout


def test_help_and_version_outside_the_checkout(wheel_env, tmp_path):
    _, bin_dir = wheel_env
    result = _run(bin_dir, tmp_path, "synsoc", "--help")
    assert result.returncode == 0, result.stderr
    for command in ("config", "md", "events", "fit", "network", "criticality", "inspect"):
        assert command in result.stdout
    version = _run(bin_dir, tmp_path, "synsoc", "--version")
    assert version.returncode == 0 and version.stdout.startswith("synsoc 0."), version


def test_config_validation_outside_the_checkout(wheel_env, tmp_path):
    _, bin_dir = wheel_env
    config = tmp_path / "config.yaml"
    shutil.copy(REPO / "config" / "config.yaml", config)
    ok = _run(bin_dir, tmp_path, "synsoc", "config", str(config))
    assert ok.returncode == 0, ok.stderr
    assert "valid synsoc configuration" in ok.stdout

    shown = _run(bin_dir, tmp_path, "synsoc", "config", "--show")
    assert shown.returncode == 0, shown.stderr
    assert "network:" in shown.stdout and "seed:" in shown.stdout

    bad = tmp_path / "bad.yaml"
    bad.write_text("network:\n  graph:\n    n_neurons: 1\n")
    rejected = _run(bin_dir, tmp_path, "synsoc", "config", str(bad))
    assert rejected.returncode == 2
    assert "network.graph.n_neurons" in rejected.stderr and "bad.yaml" in rejected.stderr
    assert "Traceback" not in rejected.stderr
