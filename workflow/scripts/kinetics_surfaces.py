"""Snakemake script of rule kinetics_surfaces: F(r,t), P(r,t) and the renewal check."""

from analysis.kinetics.config import KineticsConfig
from analysis.kinetics.jobs import run_surfaces
from synsoc.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk.log[0])
config = KineticsConfig.from_section(smk.params.kinetics)
run_surfaces(list(smk.input.distances), config, smk.output.surfaces)
