"""Snakemake script of rule network_graph: build the network, write graph.graphml."""

import logging

from network.config import NetworkConfig
from network.run import write_graph

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO,  # noqa: F821
                    format="%(asctime)s %(levelname)s %(name)s: %(message)s")
cfg = NetworkConfig.from_section(snakemake.params.network)  # noqa: F821
write_graph(cfg, snakemake.input.kinetics or None, snakemake.output.graph)  # noqa: F821
