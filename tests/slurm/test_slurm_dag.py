"""The tiny DAG through a real SLURM cluster (tests/slurm/start_cluster.sh) and the profile.

Skips with the reason when no cluster answers (a laptop); CI starts one in .ci/run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflow"))
from wf_helpers import copy_workflow, planned_rules, snakemake  # noqa: E402

pytestmark = [pytest.mark.slurm, pytest.mark.slow]

TINY_SLURM = "config/tiny_slurm.yaml"
SLURM_ENV = {"SYNSOC_SLURM_PARTITION": "debug", "SYNSOC_SLURM_ACCOUNT": "synsoc-ci"}


def _cluster_state() -> str | None:
    """None when an idle/mixed node answers, else why the test must skip."""
    if shutil.which("sinfo") is None or shutil.which("sbatch") is None:
        return "SLURM client tools (sinfo, sbatch) not installed; run tests/slurm/start_cluster.sh"
    try:
        out = subprocess.run(
            ["sinfo", "-h", "-o", "%T"], capture_output=True, text=True, timeout=20
        )
    except subprocess.TimeoutExpired:
        return "sinfo timed out: no slurmctld answers"
    if out.returncode != 0:
        return f"sinfo failed: {out.stderr.strip()[:200]}"
    if not re.search(r"^(idle|mixed|allocated)", out.stdout, re.M):
        return f"no usable SLURM node (states: {out.stdout.split()})"
    return None


def test_tiny_dag_through_slurm(tmp_path):
    reason = _cluster_state()
    if reason and os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the SLURM test (.ci/run starts the cluster): {reason}")
    if reason:
        pytest.skip(reason)
    workdir = copy_workflow(tmp_path / "wf")
    # config/tiny.yaml with the sweep cut to its first regime and one molecular variant:
    # every rule of a variant's DAG still runs, with fewer jobs (each SLURM job costs a
    # status-poll cycle); the variant axis itself is covered by tests/workflow/test_wf_e2e.py.
    with open(workdir / "config" / "tiny.yaml") as handle:
        config = yaml.safe_load(handle)
    config.setdefault("md", {})["variants"] = None
    sweep = config.setdefault("network", {}).setdefault("sweep", {})
    sweep["regimes"] = sweep.get("regimes", ["static"])[:1]
    (workdir / TINY_SLURM).write_text(yaml.safe_dump(config, sort_keys=False))
    plan = snakemake(workdir, "-n", "--configfile", TINY_SLURM, timeout=120)
    assert plan.returncode == 0, plan.stdout[-3000:]
    jobs = planned_rules(plan.stdout)
    n_remote = sum(count for rule, count in jobs.items() if rule != "all")
    result = snakemake(
        workdir,
        "--profile",
        "profiles/slurm",
        "--configfile",
        TINY_SLURM,
        timeout=900,
        env=SLURM_ENV,
    )
    assert result.returncode == 0, result.stdout[-5000:]
    submitted = re.findall(r"has been submitted with SLURM jobid (\d+)", result.stdout)
    assert len(submitted) == n_remote, (len(submitted), jobs)
    assert len(set(submitted)) == len(submitted)
    states = subprocess.run(
        ["squeue", "--states=all", "--noheader", "--format=%i %T", "--jobs", ",".join(submitted)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    seen = dict(line.split() for line in states.stdout.splitlines() if line.strip())
    assert all(seen.get(job) == "COMPLETED" for job in submitted), seen
    summary = snakemake(workdir, "--summary", "--configfile", TINY_SLURM, timeout=120)
    rows = [line.split("\t") for line in summary.stdout.splitlines() if "\t" in line]
    status = rows[0].index("status")
    assert rows[1:] and all(row[status] == "ok" for row in rows[1:]), summary.stdout[-3000:]
    assert (workdir / config["results_dir"] / "report" / "summary.md").is_file()
