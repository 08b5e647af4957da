"""Snakemake script of rule network_graph: build the network, write graph.graphml."""

from network import NetworkConfig, run_graph
from synsoc.joblog import start_job

smk = start_job(snakemake)  # noqa: F821
cfg = NetworkConfig.from_section(smk.params.network)
run_graph(cfg, smk.input.response, smk.output.graph)
