"""Snakemake script of rule kinetics_events: events + distances of one MD replica."""

import logging

from analysis.kinetics_config import KineticsConfig
from analysis.kinetics_pipeline import replica_events

smk = snakemake  # noqa: F821
logging.basicConfig(
    filename=smk.log[0],
    level=logging.INFO,
    format="%(asctime)s %(levelname)s %(name)s: %(message)s",
)
config = KineticsConfig.from_section(smk.params.kinetics)
replica_events(
    smk.input.trajectory,
    smk.input.topology,
    smk.input.build,
    config,
    int(smk.wildcards.replica),
    smk.output.events,
    smk.output.distances,
)
