"""Snakemake script of rule criticality_run: criticality.json + figures of one run."""

from pathlib import Path

from analysis.criticality.jobs import run_criticality
from synsoc.joblog import start_job

smk = start_job(snakemake)  # noqa: F821 (injected by Snakemake)
run_criticality(
    smk.input.avalanches,
    Path(smk.output.json).parent,
    smk.params.config,
    spikes_path=smk.input.spikes,
    cascades_path=smk.input.cascades,
    bin_scan_path=smk.input.bin_scan,
    run_label=f"{smk.wildcards.regime}/{smk.wildcards.control}",
)
