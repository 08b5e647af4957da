"""Snakemake script: one release replica (synapse_md.jobs.run_production)."""

from pathlib import Path

from synapse_md.jobs import run_production
from synsoc.joblog import log_to_file

log_to_file(snakemake.log[0])  # noqa: F821
# Only the md section reaches the job (rule params, validated with defaults by
# common.smk), so editing another section neither reruns nor relabels the MD outputs;
# the stage builds the typed MDConfig from it (checked in __post_init__).
config = {"md": dict(snakemake.params.md)}  # noqa: F821
run_production(
    config,
    Path(snakemake.input.system).parent,  # noqa: F821
    Path(snakemake.output.record).parent,  # noqa: F821
    int(snakemake.wildcards.replica),  # noqa: F821
    threads=snakemake.threads,  # noqa: F821
)
