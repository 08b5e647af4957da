"""Snakemake script of rule report_activation: raster, cascade and model comparison."""

from analysis.report.activation import ActivationConfig, write_activation_figures
from synsoc.joblog import start_job

smk = start_job(snakemake)  # noqa: F821
regime, control = smk.params.activation_run
write_activation_figures(
    spikes_npz=smk.input.spikes,
    avalanches_parquet=smk.input.avalanches,
    graph_graphml=smk.input.graph,
    references={
        model: path
        for model, path in zip(smk.params.reference_models, smk.input.references, strict=True)
    },
    run_label=f"MD network ({regime}, σ0 = {control})",
    config=ActivationConfig.from_mapping(smk.params.report),
    outputs={
        "raster": smk.output.raster,
        "cascade": smk.output.cascade,
        "comparison": smk.output.comparison,
    },
)
