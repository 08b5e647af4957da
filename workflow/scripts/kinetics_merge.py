"""Snakemake script of rule kinetics_merge: one events table over all replicas."""

from analysis.kinetics.jobs import run_merge
from synsoc.joblog import log_to_file

smk = snakemake  # noqa: F821
log_to_file(smk.log[0])
run_merge(list(smk.input.events), smk.output.events)
