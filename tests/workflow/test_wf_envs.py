"""Conda environments (envs/*.yaml) agree with pyproject.toml's dependencies."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ENVS = ("md", "analysis", "network")
# conda-forge names: the lowercased PyPI names for every dependency (PeptideBuilder ->
# peptidebuilder, PyYAML -> pyyaml); add a PyPI -> conda-forge entry where one differs.
PYPI_TO_CONDA: dict[str, str] = {}
# Drivers of the workflow, not dependencies of the jobs: they run snakemake itself.
WORKFLOW_ONLY = {"snakemake", "snakemake-executor-plugin-slurm"}
# Every job script validates the configuration and writes provenance.
EVERY_ENV = {"python", "numpy", "jsonschema", "pyyaml"}


def _split(requirement: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement)
    assert match, requirement
    return match.group(1).lower(), match.group(2).replace(" ", "")


def _pyproject() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    deps = dict(_split(req) for req in data["project"]["dependencies"])
    return {
        PYPI_TO_CONDA.get(name, name): spec
        for name, spec in deps.items()
        if name not in WORKFLOW_ONLY
    }


def _env(name: str) -> dict[str, str]:
    data = yaml.safe_load((ROOT / "envs" / f"{name}.yaml").read_text())
    assert data["channels"][0] == "conda-forge"
    specs = [_split(dep) for dep in data["dependencies"] if isinstance(dep, str)]
    return dict(specs)


@pytest.mark.parametrize("name", ENVS)
def test_env_packages_are_project_dependencies(name):
    env = _env(name)
    project = _pyproject()
    extra = set(env) - set(project) - {"python"}
    assert not extra, f"envs/{name}.yaml names packages pyproject.toml lacks: {sorted(extra)}"
    assert EVERY_ENV <= set(env), f"envs/{name}.yaml lacks {sorted(EVERY_ENV - set(env))}"
    for package, spec in env.items():
        if package != "python":
            assert spec == project[package], (
                f"envs/{name}.yaml pins {package}{spec}, pyproject.toml {package}{project[package]}"
            )


def test_envs_cover_every_dependency():
    covered = set().union(*(_env(name) for name in ENVS))
    missing = set(_pyproject()) - covered
    assert not missing, f"no conda env provides {sorted(missing)}"


def test_rules_use_existing_envs():
    rules = (ROOT / "workflow" / "rules").glob("*.smk")
    used = {
        m for path in rules for m in re.findall(r'"\.\./\.\./envs/(\w+)\.yaml"', path.read_text())
    }
    assert used <= set(ENVS), f"rules reference missing envs: {sorted(used - set(ENVS))}"
