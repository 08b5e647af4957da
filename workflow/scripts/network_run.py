"""Snakemake script of rule network_run: one (regime, control) point of the sweep."""

from pathlib import Path

from network import NetworkConfig, run_sweep_point
from synsoc.joblog import start_job

smk = start_job(snakemake)  # noqa: F821
cfg = NetworkConfig.from_section(smk.params.network)
run_sweep_point(
    cfg,
    smk.input.response,
    smk.wildcards.regime,
    smk.wildcards.control,
    Path(smk.output.summary).parent,
    config=smk.config,
)
