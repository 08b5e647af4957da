"""Snakemake script: restrained equilibration (synapse_md.stages.equilibrate_stage)."""

import logging
from pathlib import Path

from analysis.configuration import validate_config
from synapse_md.stages import equilibrate_stage

logging.basicConfig(
    filename=snakemake.log[0],  # noqa: F821
    level=logging.INFO,
    format="%(asctime)s %(levelname)s %(name)s: %(message)s",
)
# Only the md section reaches the job (rule params), so editing another section
# neither reruns nor changes the provenance hash of the MD outputs.
config = validate_config({"md": snakemake.params.md})  # noqa: F821
equilibrate_stage(
    config,
    Path(snakemake.output.state).parent,  # noqa: F821
    threads=snakemake.threads,  # noqa: F821
)
