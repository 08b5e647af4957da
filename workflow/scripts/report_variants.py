"""Snakemake script of rule report_variants: the molecular variants side by side."""

from pathlib import Path

from analysis.report.variants import variant_rows, write_variant_comparison
from synsoc.joblog import start_job

smk = start_job(snakemake)  # noqa: F821
names = list(smk.params.variants)


def per_variant(key):
    """Input ``key`` as {variant: path}."""
    return dict(zip(names, smk.input[key], strict=True))


def per_regime(stage):
    """Inputs ``<stage>_<regime>`` as {variant: {regime: path}}."""
    return {
        name: {regime: smk.input[f"{stage}_{regime}"][i] for regime in smk.params.regimes}
        for i, name in enumerate(names)
    }


rows = variant_rows(
    smk.params.variants,
    per_variant("kinetics"),
    per_variant("synapse"),
    per_regime("network"),
    per_regime("criticality"),
    per_variant("dynamic_range"),
)
write_variant_comparison(rows, Path(smk.output.json).parent, config=smk.config)
