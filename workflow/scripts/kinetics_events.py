"""Snakemake script of rule kinetics_events: events + distances of one MD replica."""

from analysis.job_logging import log_to_file
from analysis.kinetics_config import KineticsConfig
from analysis.kinetics_pipeline import replica_events

smk = snakemake  # noqa: F821
log_to_file(smk.log[0])
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
