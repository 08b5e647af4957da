"""Snakemake script: one replica's placement and equilibration (jobs.run_equilibrate)."""

from pathlib import Path

from synapse_md import run_equilibrate
from synsoc.joblog import start_job

smk = start_job(snakemake)  # noqa: F821
# Only the md section reaches the job (rule params, validated with defaults by
# common.smk), so editing another section neither reruns nor relabels the MD outputs;
# the stage builds the typed MDConfig from it (checked in __post_init__).
config = {"md": dict(smk.params.md)}
run_equilibrate(
    config,
    Path(smk.input.system).parent,
    Path(smk.output.state).parent,
    int(smk.wildcards.replica),
    threads=smk.threads,
)
