"""Snakemake script of rule criticality_run: criticality.json + figures of one run."""

import logging
from pathlib import Path

from analysis.criticality import run_criticality

smk = snakemake  # noqa: F821 (injected by Snakemake)
logging.basicConfig(
    filename=smk.log[0],
    level=logging.INFO,
    format="%(asctime)s %(levelname)s %(name)s: %(message)s",
)
run_criticality(
    smk.input.avalanches,
    Path(smk.output.json).parent,
    smk.params.config,
    spikes_path=smk.input.spikes,
    run_label=f"{smk.wildcards.regime}/{smk.wildcards.control}",
)
