"""Snakemake script of rule kinetics_merge: one events table over all replicas."""

import logging

from analysis.kinetics_pipeline import merge_events

smk = snakemake  # noqa: F821
logging.basicConfig(
    filename=smk.log[0],
    level=logging.INFO,
    format="%(asctime)s %(levelname)s %(name)s: %(message)s",
)
merge_events(list(smk.input.events), smk.output.events)
