"""Snakemake script of rule criticality_alignment: alignment scores and exponent tables."""

from pathlib import Path

from analysis.criticality.jobs import run_alignment
from synsoc.joblog import start_job

smk = start_job(snakemake)  # noqa: F821 (injected by Snakemake)
run_alignment(
    list(smk.input.criticality),
    [tuple(run) for run in smk.params.runs],
    dict(zip(smk.params.models, smk.input.controls, strict=True)),
    Path(smk.output.json).parent,
    smk.params.config,
)
