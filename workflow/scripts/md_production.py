"""Snakemake script: one release replica (synapse_md.stages.production_stage)."""

from pathlib import Path

from analysis.job_logging import log_to_file
from synapse_md.stages import production_stage

log_to_file(snakemake.log[0])  # noqa: F821
# Only the md section reaches the job (rule params, validated with defaults by
# common.smk), so editing another section neither reruns nor relabels the MD outputs;
# the stage builds the typed MDConfig from it (checked in __post_init__).
config = {"md": dict(snakemake.params.md)}  # noqa: F821
production_stage(
    config,
    Path(snakemake.input.system).parent,  # noqa: F821
    Path(snakemake.output.record).parent,  # noqa: F821
    int(snakemake.wildcards.replica),  # noqa: F821
    threads=snakemake.threads,  # noqa: F821
)
