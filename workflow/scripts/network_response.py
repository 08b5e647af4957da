"""Snakemake script of rule network_response: Poisson-drive response curve of one point."""

from network import NetworkConfig, run_response
from synsoc.joblog import start_job

smk = start_job(snakemake)  # noqa: F821
cfg = NetworkConfig.from_section(smk.params.network)
run_response(
    cfg,
    smk.input.response,
    smk.wildcards.regime,
    smk.wildcards.control,
    smk.output.response,
)
