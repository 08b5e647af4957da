"""Snakemake script of rule report_summary: results/report/summary.md and report tables."""

from pathlib import Path

from analysis.report.jobs import run_summary
from analysis.report.summary import NetworkRun
from synsoc.config import validate_config
from synsoc.joblog import start_job

smk = start_job(snakemake)  # noqa: F821
config = validate_config(smk.config)
runs = [
    NetworkRun(regime, control, Path(summary), Path(criticality))
    for (regime, control), summary, criticality in zip(
        smk.params.runs, smk.input.summaries, smk.input.criticality, strict=True
    )
]
results = Path(smk.output.summary).parents[1]  # R/report/summary.md -> R
run_summary(
    config,
    kinetics_json=smk.input.kinetics,
    runs=runs,
    dynamic_range_json=smk.input.dynamic_range,
    alignment_json=smk.input.alignment,
    synapse_json=smk.input.synapse,
    summary_md=smk.output.summary,
    tables={
        "kinetics": smk.output.kinetics_table,
        "criticality": smk.output.criticality_table,
        "alignment": smk.output.alignment_table,
    },
    benchmark_paths=sorted((results / "benchmarks").rglob("*.tsv")),
    figures=[*smk.input.figures, *smk.input.stage_figures],
)
