"""Snakemake script of rule network_reference: one reference model on the same graph."""

from pathlib import Path

from network import NetworkConfig, run_reference
from synsoc.joblog import start_job

smk = start_job(snakemake)  # noqa: F821
cfg = NetworkConfig.from_section(smk.params.network)
run_reference(
    cfg,
    smk.input.response,
    smk.wildcards.model,
    Path(smk.output.summary).parent,
    config=smk.config,
)
