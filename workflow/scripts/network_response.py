"""Snakemake script of rule network_response: Poisson-drive response curve of one point."""

import logging

from network.config import NetworkConfig
from network.run import run_response

logging.basicConfig(
    filename=snakemake.log[0],  # noqa: F821
    level=logging.INFO,
    format="%(asctime)s %(levelname)s %(name)s: %(message)s",
)
smk = snakemake  # noqa: F821
cfg = NetworkConfig.from_section(smk.params.network)
run_response(
    cfg,
    smk.input.kinetics or None,
    smk.wildcards.regime,
    float(smk.wildcards.control),
    smk.output.response,
)
