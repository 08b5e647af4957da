"""Snakemake script of rule network_run: one (regime, control) point of the sweep."""

import logging
from pathlib import Path

from network.config import NetworkConfig
from network.run import run_sweep_point

logging.basicConfig(
    filename=snakemake.log[0],  # noqa: F821
    level=logging.INFO,
    format="%(asctime)s %(levelname)s %(name)s: %(message)s",
)
smk = snakemake  # noqa: F821
cfg = NetworkConfig.from_section(smk.params.network)
run_sweep_point(
    cfg,
    smk.input.kinetics or None,
    smk.wildcards.regime,
    float(smk.wildcards.control),
    Path(smk.output.summary).parent,
    smk.config,
)
