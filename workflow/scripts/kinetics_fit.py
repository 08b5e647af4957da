"""Snakemake script of rule kinetics_fit: fits, calibration, rates -> kinetics.json."""

from pathlib import Path

from analysis.kinetics import KineticsConfig, jobs
from synsoc.joblog import start_job

smk = start_job(snakemake)  # noqa: F821
config = KineticsConfig.from_section(smk.params.kinetics)
jobs.run_fit(
    smk.input.events,
    list(smk.input.distances),
    smk.input.surfaces,
    config,
    dict(smk.config),
    smk.output.kinetics,
    Path(smk.output.figures[0]).parent,
    build_json=smk.input.build,
)
