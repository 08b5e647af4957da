"""Snakemake script of rule network_response: Poisson-drive response curve of one point."""

import logging

from network.config import NetworkConfig
from network.run import run_response

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO,  # noqa: F821
                    format="%(asctime)s %(levelname)s %(name)s: %(message)s")
cfg = NetworkConfig.from_section(snakemake.params.network)  # noqa: F821
run_response(
    cfg,
    snakemake.input.kinetics or None,  # noqa: F821
    snakemake.wildcards.regime,  # noqa: F821
    float(snakemake.wildcards.control),  # noqa: F821
    snakemake.output.response,  # noqa: F821
)
