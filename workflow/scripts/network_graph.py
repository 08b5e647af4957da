"""Snakemake script of rule network_graph: build the network, write graph.graphml."""

import logging

from network.config import NetworkConfig
from network.run import write_graph

logging.basicConfig(
    filename=snakemake.log[0],  # noqa: F821
    level=logging.INFO,
    format="%(asctime)s %(levelname)s %(name)s: %(message)s",
)
smk = snakemake  # noqa: F821
cfg = NetworkConfig.from_section(smk.params.network)
write_graph(cfg, smk.input.kinetics or None, smk.output.graph)
