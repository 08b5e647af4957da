"""Snakemake script of rule kinetics_merge: one events table over all replicas."""

from analysis.job_logging import log_to_file
from analysis.kinetics_pipeline import merge_events

smk = snakemake  # noqa: F821
log_to_file(smk.log[0])
merge_events(list(smk.input.events), smk.output.events)
