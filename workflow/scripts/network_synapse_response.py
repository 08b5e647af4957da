"""Snakemake script of rule network_synapse_response: one synapse's response to a release."""

from network import NetworkConfig, run_synapse_response
from synsoc.joblog import start_job

smk = start_job(snakemake)  # noqa: F821
cfg = NetworkConfig.from_section(smk.params.network)
run_synapse_response(cfg, smk.input.kinetics or None, smk.output.response, config=smk.config)
