"""Snakemake script of rule kinetics_surfaces: F(r,t), P(r,t) and the renewal check."""

from analysis.job_logging import log_to_file
from analysis.kinetics_config import KineticsConfig
from analysis.kinetics_pipeline import surfaces_step

smk = snakemake  # noqa: F821
log_to_file(smk.log[0])
config = KineticsConfig.from_section(smk.params.kinetics)
surfaces_step(list(smk.input.distances), config, smk.output.surfaces)
