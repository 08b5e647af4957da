"""Snakemake script of rule report_activation: raster, cascade and model comparison."""

import logging

from analysis.activation_plots import ActivationConfig, write_activation_figures

logging.basicConfig(
    filename=snakemake.log[0],  # noqa: F821
    level=logging.INFO,
    format="%(asctime)s %(levelname)s %(name)s: %(message)s",
)
smk = snakemake  # noqa: F821
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
