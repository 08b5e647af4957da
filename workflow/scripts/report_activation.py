"""Snakemake script of rule report_activation: raster, cascade and model comparison."""

from analysis.report.config import ActivationConfig
from analysis.report.jobs import run_activation
from synsoc.joblog import start_job

smk = start_job(snakemake)  # noqa: F821
regime, control = smk.params.activation_run
run_activation(
    smk.input.spikes,
    smk.input.avalanches,
    smk.input.graph,
    references={
        model: path
        for model, path in zip(smk.params.reference_models, smk.input.references, strict=True)
    },
    run_label=f"MD network ({regime}, σ0 = {control})",
    config=ActivationConfig.from_section(smk.params.report),
    outputs={
        "raster": smk.output.raster,
        "cascade": smk.output.cascade,
        "comparison": smk.output.comparison,
    },
)
