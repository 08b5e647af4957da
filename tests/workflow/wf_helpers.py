"""Run snakemake on a private copy of the workflow (own .snakemake lock, own results)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]
WORKFLOW_PARTS = ("Snakefile", "workflow", "config", "profiles", "envs")


def copy_workflow(dest: Path) -> Path:
    """Copy the workflow definition (not results, not .snakemake) into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in WORKFLOW_PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / part)
    return dest


def results_dir(workdir: Path, configfile: str) -> Path:
    """The results folder a configuration file writes to (its ``results_dir``)."""
    config = yaml.safe_load((workdir / configfile).read_text())
    return workdir / config["results_dir"]


def merged_config(workdir: Path, configfile: str) -> dict:
    """config/config.yaml with ``configfile`` merged in as Snakemake does (mappings key by
    key, anything else replaced), validated."""
    from synsoc.config import validate_config

    def merge(base, extra):
        for key, value in extra.items():
            base[key] = merge(base.get(key) or {}, value) if isinstance(value, dict) else value
        return base

    base = yaml.safe_load((workdir / "config" / "config.yaml").read_text())
    return validate_config(merge(base, yaml.safe_load((workdir / configfile).read_text())))


def variant_dir(workdir: Path, configfile: str, variant: str | None = None) -> Path:
    """Results of one molecular variant (the first when None): ``R/variants/<name>``, or
    ``R`` itself for a configuration without variants."""
    from synsoc.config import variant_names

    names = variant_names(merged_config(workdir, configfile))
    root = results_dir(workdir, configfile)
    return root / "variants" / (variant or names[0]) if names else root


def without_variants(workdir: Path, configfile: str, name: str) -> str:
    """Write ``config/<name>``: ``configfile`` with ``md.variants: null`` (one unnamed tree,
    fewer jobs); returns its path relative to ``workdir``."""
    config = yaml.safe_load((workdir / configfile).read_text())
    config.setdefault("md", {})["variants"] = None
    path = Path("config") / name
    (workdir / path).write_text(yaml.safe_dump(config, sort_keys=False))
    return str(path)


def snakemake(workdir: Path, *args: str, timeout: float = 600, env: dict | None = None):
    """Run snakemake in ``workdir``; returns the CompletedProcess (stdout+stderr merged)."""
    full_env = dict(os.environ, **(env or {}))
    # Jobs import the synsoc packages from the source tree whatever their cwd is.
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), full_env.get("PYTHONPATH")]))
    full_env.setdefault("MPLBACKEND", "Agg")
    return subprocess.run(
        [*SNAKEMAKE, *args],
        cwd=workdir,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
    )


def planned_rules(output: str) -> dict[str, int]:
    """Rule -> job count from the job-stats table of a ``snakemake -n`` run."""
    counts: dict[str, int] = {}
    lines = output.splitlines()
    for start, line in enumerate(lines):
        if line.strip().startswith("job") and "count" in line:
            for row in lines[start + 2 :]:
                parts = row.split()
                if len(parts) != 2 or not parts[1].isdigit():
                    break
                if parts[0] != "total":
                    counts[parts[0]] = int(parts[1])
            break
    return counts
