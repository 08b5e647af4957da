"""Snakemake script of rule network_reference: one reference model on the same graph."""

import logging
from pathlib import Path

from network.config import NetworkConfig
from network.run import run_reference

logging.basicConfig(
    filename=snakemake.log[0],  # noqa: F821
    level=logging.INFO,
    format="%(asctime)s %(levelname)s %(name)s: %(message)s",
)
smk = snakemake  # noqa: F821
cfg = NetworkConfig.from_section(smk.params.network)
run_reference(
    cfg,
    smk.input.kinetics or None,
    smk.wildcards.model,
    Path(smk.output.summary).parent,
    smk.config,
)
