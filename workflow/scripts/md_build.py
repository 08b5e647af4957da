"""Snakemake script: build and minimize the cleft system (synapse_md.jobs.run_build)."""

from pathlib import Path

from synapse_md import run_build
from synsoc.joblog import start_job

smk = start_job(snakemake)  # noqa: F821
# Only the md section reaches the job (rule params, validated with defaults by
# common.smk), so editing another section neither reruns nor relabels the MD outputs;
# the stage builds the typed MDConfig from it (checked in __post_init__).
config = {"md": dict(smk.params.md)}
run_build(config, Path(smk.output.build).parent, threads=smk.threads)
