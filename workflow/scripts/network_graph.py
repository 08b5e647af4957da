"""Snakemake script of rule network_graph: build the network, write graph.graphml."""

from analysis.job_logging import log_to_file
from network.config import NetworkConfig
from network.run import write_graph

log_to_file(snakemake.log[0])  # noqa: F821
smk = snakemake  # noqa: F821
cfg = NetworkConfig.from_section(smk.params.network)
write_graph(cfg, smk.input.kinetics or None, smk.output.graph)
