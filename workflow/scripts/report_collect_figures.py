"""Snakemake script of rule report_collect_figures: stage figures into the report."""

import logging
from pathlib import Path

from analysis.report import collect_stage_figures

logging.basicConfig(
    filename=snakemake.log[0],  # noqa: F821
    level=logging.INFO,
    format="%(asctime)s %(levelname)s %(name)s: %(message)s",
)
smk = snakemake  # noqa: F821
results = Path(smk.input.kinetics).parents[1]  # R/kinetics/kinetics.json -> R
collect_stage_figures(results, smk.output.kinetics, smk.output.criticality)
