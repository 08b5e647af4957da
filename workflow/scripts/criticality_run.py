"""Snakemake script of rule criticality_run: criticality.json + figures of one run."""

from pathlib import Path

from analysis.criticality.jobs import run_criticality
from synsoc.joblog import log_to_file

smk = snakemake  # noqa: F821 (injected by Snakemake)
log_to_file(smk.log[0])
run_criticality(
    smk.input.avalanches,
    Path(smk.output.json).parent,
    smk.params.config,
    spikes_path=smk.input.spikes,
    run_label=f"{smk.wildcards.regime}/{smk.wildcards.control}",
)
