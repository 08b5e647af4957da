"""Snakemake script of rule kinetics_surfaces: F(r,t), P(r,t) and the renewal check."""

from analysis.kinetics import KineticsConfig, jobs
from synsoc.joblog import start_job

smk = start_job(snakemake)  # noqa: F821
config = KineticsConfig.from_section(smk.params.kinetics)
jobs.run_surfaces(list(smk.input.distances), config, smk.output.surfaces)
