"""Snakemake script of rule kinetics_merge: one events table over all replicas."""

from analysis.kinetics import jobs
from synsoc.joblog import start_job

smk = start_job(snakemake)  # noqa: F821
jobs.run_merge(list(smk.input.events), smk.output.events)
