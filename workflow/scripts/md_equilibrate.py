"""Snakemake script: restrained equilibration (synapse_md.stages.equilibrate_stage)."""

from pathlib import Path

from analysis.job_logging import log_to_file
from synapse_md.stages import equilibrate_stage

log_to_file(snakemake.log[0])  # noqa: F821
# Only the md section reaches the job (rule params, validated with defaults by
# common.smk), so editing another section neither reruns nor relabels the MD outputs;
# the stage builds the typed MDConfig from it (checked in __post_init__).
config = {"md": dict(snakemake.params.md)}  # noqa: F821
equilibrate_stage(
    config,
    Path(snakemake.output.state).parent,  # noqa: F821
    threads=snakemake.threads,  # noqa: F821
)
