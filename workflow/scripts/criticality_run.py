"""Snakemake script of rules criticality_run and criticality_reference: criticality.json +
figures of one network run or control model."""

from pathlib import Path

from analysis.criticality.jobs import run_criticality
from synsoc.joblog import start_job

smk = start_job(snakemake)  # noqa: F821 (injected by Snakemake)
wildcards = dict(smk.wildcards.items())
if "model" in wildcards:
    label = f"reference/{wildcards['model']}"
else:
    label = f"{wildcards['regime']}/{wildcards['control']}"
run_criticality(
    smk.input.avalanches,
    Path(smk.output.json).parent,
    smk.params.config,
    spikes_path=smk.input.spikes,
    cascades_path=smk.input.cascades,
    bin_scan_path=smk.input.bin_scan,
    network_summary_path=smk.input.summary,
    run_label=label,
)
