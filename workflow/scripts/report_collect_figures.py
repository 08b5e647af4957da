"""Snakemake script of rule report_collect_figures: stage figures into the report."""

from pathlib import Path

from analysis.report.jobs import run_collect_figures
from synsoc.joblog import start_job

smk = start_job(snakemake)  # noqa: F821
results = Path(smk.input.kinetics).parents[1]  # R/kinetics/kinetics.json -> R
run_collect_figures(results, smk.output.kinetics, smk.output.criticality)
