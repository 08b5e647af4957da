"""Snakemake script of rule criticality_dynamic_range: dynamic range across the sweep."""

import logging
from pathlib import Path

from analysis.criticality_sweep import run_dynamic_range

smk = snakemake  # noqa: F821 (injected by Snakemake)
logging.basicConfig(
    filename=smk.log[0],
    level=logging.INFO,
    format="%(asctime)s %(levelname)s %(name)s: %(message)s",
)
run_dynamic_range(
    list(smk.input.responses),
    [tuple(run) for run in smk.params.runs],
    smk.output.json,
    Path(smk.output.png).with_suffix(""),
    smk.params.config,
)
