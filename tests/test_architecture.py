"""The house keeps its shape: import contracts (import-linter) over every package.

``pyproject.toml`` declares two contracts: the stage packages sit on the ``synsoc``
core, which imports none of them, and the stages (``synapse_md``, ``network``,
``analysis.kinetics``, ``analysis.criticality``, ``analysis.report``) never import each
other. These tests run the contracts, check that no package escapes them, and run
ruff (lint and format) over the tree.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from importlinter.cli import lint_imports

REPO = Path(__file__).resolve().parents[1]
CONFIG = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]


def _packages(folder: Path) -> set[str]:
    return {p.parent.name for p in folder.glob("*/__init__.py")}


def test_import_contracts_are_kept(monkeypatch):
    monkeypatch.chdir(REPO)
    assert lint_imports(config_filename="pyproject.toml", no_cache=True) == 0


def test_every_package_is_under_the_contracts():
    shipped = _packages(REPO) - {"tests", "bench", "workflow", "docs"}
    assert shipped == set(CONFIG["root_packages"])
    contracts = {c["id"]: c for c in CONFIG["contracts"]}
    independent = set(contracts["independence"]["modules"])
    stages = (shipped - {"synsoc", "analysis"}) | {
        f"analysis.{name}" for name in _packages(REPO / "analysis")
    }
    assert independent == stages
    assert contracts["layers"]["layers"][-1] == "synsoc"


def test_analysis_root_holds_only_subpackages():
    modules = {p.stem for p in (REPO / "analysis").glob("*.py")}
    assert modules == {"__init__"}, "analysis/ holds subpackages only (kinetics, criticality, ...)"


def test_ruff_clean():
    for command in (["check", "--quiet", "."], ["format", "--check", "--quiet", "."]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *command], cwd=REPO, capture_output=True, text=True
        )
        assert result.returncode == 0, f"ruff {command[0]}:\n{result.stdout}{result.stderr}"
