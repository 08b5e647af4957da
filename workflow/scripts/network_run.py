"""Snakemake script of rule network_run: one (regime, control) point of the sweep."""

import logging
from pathlib import Path

from network.config import NetworkConfig
from network.run import run_sweep_point

logging.basicConfig(filename=snakemake.log[0], level=logging.INFO,  # noqa: F821
                    format="%(asctime)s %(levelname)s %(name)s: %(message)s")
cfg = NetworkConfig.from_section(snakemake.params.network)  # noqa: F821
run_sweep_point(
    cfg,
    snakemake.input.kinetics or None,  # noqa: F821
    snakemake.wildcards.regime,  # noqa: F821
    float(snakemake.wildcards.control),  # noqa: F821
    Path(snakemake.output.summary).parent,  # noqa: F821
    snakemake.config,  # noqa: F821
)
