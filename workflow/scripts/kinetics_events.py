"""Snakemake script of rule kinetics_events: events + distances of one MD replica."""

from analysis.kinetics import KineticsConfig, jobs
from synsoc.joblog import start_job

smk = start_job(snakemake)  # noqa: F821
config = KineticsConfig.from_section(smk.params.kinetics)
jobs.run_events(
    smk.input.trajectory,
    smk.input.topology,
    smk.input.build,
    config,
    int(smk.wildcards.replica),
    smk.output.events,
    smk.output.distances,
)
