"""Snakemake script of rule criticality_dynamic_range: dynamic range across the sweep."""

from pathlib import Path

from analysis.criticality.jobs import run_dynamic_range
from synsoc.joblog import start_job

smk = start_job(snakemake)  # noqa: F821 (injected by Snakemake)
run_dynamic_range(
    list(smk.input.responses),
    [tuple(run) for run in smk.params.runs],
    smk.output.json,
    Path(smk.output.png).with_suffix(""),
    smk.params.config,
)
