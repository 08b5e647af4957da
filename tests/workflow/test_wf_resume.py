"""A DAG killed mid-MD (SIGKILL of Snakemake and its jobs) completes on rerun.

After a hard kill Snakemake's lock stays (``snakemake --unlock``), the interrupted
replica's outputs are incomplete, and ``--rerun-incomplete`` (on in the default
profile) reruns it: the replica resumes from the checkpoint in ``replica_K/work/``
and the finished trajectory has exactly the configured frames.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

import mdtraj
import numpy as np
import pytest
import yaml
from wf_helpers import ROOT, SNAKEMAKE, copy_workflow, results_dir, snakemake, without_variants

pytestmark = pytest.mark.slow


def _start_dag(workdir, configfile):
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    return subprocess.Popen(
        [*SNAKEMAKE, "--configfile", configfile, "--cores", "2"],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def test_killed_dag_resumes_md_from_checkpoint_and_completes(tmp_path):
    workdir = copy_workflow(tmp_path / "wf")
    # one molecular variant is enough to kill and resume (fewer jobs)
    tiny = without_variants(workdir, "config/tiny.yaml", "tiny_single.yaml")
    config = yaml.safe_load((workdir / tiny).read_text())
    md = config["md"]
    expected_frames = round(md["production_ps"] / md["frame_interval_ps"]) + 1
    results = results_dir(workdir, tiny)
    work = results / "md" / "replica_0" / "work"

    run = _start_dag(workdir, tiny)
    deadline = time.monotonic() + 300
    try:
        # kill mid-production: once chunk 2 appears, the checkpoint written after
        # chunk 1 exists (chunk 0 is the t = 0 frame) and frames are left to do
        while not list(work.glob("chunk_00002*")):
            assert run.poll() is None, "the DAG ended before replica 0 checkpointed"
            assert time.monotonic() < deadline, "replica 0 never checkpointed"
            time.sleep(0.05)
    finally:
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
    assert not (results / "report" / "summary.md").exists()

    unlock = snakemake(workdir, "--configfile", tiny, "--unlock", timeout=120)
    assert unlock.returncode == 0, unlock.stdout[-2000:]
    rerun = snakemake(workdir, "--configfile", tiny, "--cores", "2", timeout=900)
    assert rerun.returncode == 0, rerun.stdout[-5000:]
    assert (results / "report" / "summary.md").exists()

    log = (results / "logs" / "md" / "replica_0.log").read_text()
    resumed_at = [
        int(line.rsplit(" ", 1)[1])
        for line in log.splitlines()
        if "resuming from checkpoint at step" in line
    ]
    assert resumed_at and resumed_at[0] > 0, log[-2000:]
    replica = results / "md" / "replica_0"
    traj = mdtraj.load(str(replica / "trajectory.xtc"), top=str(replica / "topology.pdb"))
    assert traj.n_frames == expected_frames
    steps = np.diff(traj.time)
    np.testing.assert_allclose(steps, md["frame_interval_ps"], rtol=1e-4)
    assert traj.time[0] == pytest.approx(0.0)
