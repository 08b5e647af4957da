"""Snakemake script: restrained equilibration (synapse_md.jobs.run_equilibrate)."""

from pathlib import Path

from synapse_md.jobs import run_equilibrate
from synsoc.joblog import log_to_file

log_to_file(snakemake.log[0])  # noqa: F821
# Only the md section reaches the job (rule params, validated with defaults by
# common.smk), so editing another section neither reruns nor relabels the MD outputs;
# the stage builds the typed MDConfig from it (checked in __post_init__).
config = {"md": dict(snakemake.params.md)}  # noqa: F821
run_equilibrate(
    config,
    Path(snakemake.output.state).parent,  # noqa: F821
    threads=snakemake.threads,  # noqa: F821
)
