"""Snakemake script of rule kinetics_fit: fits, calibration, cleft bridge -> kinetics.json."""

import logging
from pathlib import Path

from analysis.kinetics_config import KineticsConfig
from analysis.kinetics_pipeline import fit_step

smk = snakemake  # noqa: F821
logging.basicConfig(
    filename=smk.log[0],
    level=logging.INFO,
    format="%(asctime)s %(levelname)s %(name)s: %(message)s",
)
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
