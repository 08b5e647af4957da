"""Snakemake script of rule kinetics_surfaces: F(r,t), P(r,t) and the renewal check."""

import logging

from analysis.kinetics_config import KineticsConfig
from analysis.kinetics_pipeline import surfaces_step

smk = snakemake  # noqa: F821
logging.basicConfig(
    filename=smk.log[0],
    level=logging.INFO,
    format="%(asctime)s %(levelname)s %(name)s: %(message)s",
)
config = KineticsConfig.from_section(smk.params.kinetics)
surfaces_step(list(smk.input.distances), config, smk.output.surfaces)
