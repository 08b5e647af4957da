"""Snakemake script of rule criticality_alignment: alignment score and exponent tables."""

import logging
from pathlib import Path

from analysis.criticality_sweep import run_alignment

smk = snakemake  # noqa: F821 (injected by Snakemake)
logging.basicConfig(
    filename=smk.log[0],
    level=logging.INFO,
    format="%(asctime)s %(levelname)s %(name)s: %(message)s",
)
run_alignment(
    list(smk.input.avalanches),
    list(smk.input.criticality),
    [tuple(run) for run in smk.params.runs],
    dict(zip(smk.params.models, smk.input.references, strict=True)),
    Path(smk.output.json).parent,
    smk.params.config,
)
