"""Snakemake script: build and minimize the cleft system (synapse_md.stages.build_stage)."""

import logging
from pathlib import Path

from analysis.configuration import validate_config
from synapse_md.stages import build_stage

logging.basicConfig(
    filename=snakemake.log[0],  # noqa: F821
    level=logging.INFO,
    format="%(asctime)s %(levelname)s %(name)s: %(message)s",
)
# Only the md section reaches the job (rule params), so editing another section
# neither reruns nor changes the provenance hash of the MD outputs.
config = validate_config({"md": snakemake.params.md})  # noqa: F821
build_stage(config, Path(snakemake.output.build).parent, threads=snakemake.threads)  # noqa: F821
