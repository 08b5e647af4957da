"""Snakemake script of rule kinetics_fit: fits, calibration, cleft bridge -> kinetics.json."""

from pathlib import Path

from analysis.job_logging import log_to_file
from analysis.kinetics_config import KineticsConfig
from analysis.kinetics_pipeline import fit_step

smk = snakemake  # noqa: F821
log_to_file(smk.log[0])
config = KineticsConfig.from_section(smk.params.kinetics)
fit_step(
    smk.input.events,
    list(smk.input.distances),
    smk.input.surfaces,
    config,
    dict(smk.config),
    smk.output.kinetics,
    Path(smk.output.figures[0]).parent,
    smk.input.build,
)
