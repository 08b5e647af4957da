"""Snakemake script: one release replica (synapse_md.jobs.run_production)."""

from pathlib import Path

from synapse_md import run_production
from synsoc.joblog import start_job, workflow_watch

smk = start_job(snakemake)  # noqa: F821
# Only the md section reaches the job (rule params, validated with defaults by
# common.smk), so editing another section neither reruns nor relabels the MD outputs;
# the stage builds the typed MDConfig from it (checked in __post_init__).
config = {"md": dict(smk.params.md)}
run_production(
    config,
    Path(smk.input.system).parent,
    Path(smk.output.record).parent,
    int(smk.wildcards.replica),
    threads=smk.threads,
    keep_running=workflow_watch(),  # stop at a checkpoint if Snakemake is killed
)
