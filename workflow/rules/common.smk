# Configuration validation and every helper function of the workflow.
# Rules live in the stage files; this file holds no rules.
from snakemake.exceptions import WorkflowError

from synsoc.config import validate_config, variant_md, variant_names
from synsoc.errors import ConfigError
from synsoc.layout import PHYSICAL, REFERENCE_MODELS, REGIMES, ResultLayout, control_label
from synsoc.provenance import source_hash


def _config_source():
    files = [str(path) for path in workflow.configfiles]
    return ", ".join(files) if files else "config"


try:
    config.update(validate_config(config, source=_config_source()))
except ConfigError as err:
    raise WorkflowError(str(err)) from None

# Molecular variants (md.variants) are a DAG axis: every stage's results of variant v
# live under R/variants/v/ ({variant} wildcard); without variants under R itself.
VARIANTS = variant_names(config)

# Every result path comes from synsoc.layout (the contract shared with the packages).
# L: one variant's tree (its paths hold the {variant} wildcard when there are variants);
# TOP: the results folder itself, for what compares the variants.
TOP = ResultLayout(config["results_dir"])
L = ResultLayout(f"{TOP.root}/variants/{{variant}}") if VARIANTS else TOP

if VARIANTS:

    wildcard_constraints:
        variant="|".join(VARIANTS),


# Hash of each stage's package source (with the synsoc core), a parameter of every rule
# of that stage: changed package code (an upgrade, an edit) reruns the stages it touches.
CODE = {
    stage: source_hash(package, "synsoc")
    for stage, package in (
        ("md", "synapse_md"),
        ("kinetics", "analysis.kinetics"),
        ("network", "network"),
        ("criticality", "analysis.criticality"),
        ("report", "analysis.report"),
    )
}


# ---- MD ---------------------------------------------------------------------
def variant_md_section(wildcards):
    """The md section of the job's variant (md itself without variants)."""
    return variant_md(config, wildcards.get("variant"))


def md_replicas():
    """Replica indices 0 .. md.replicas - 1."""
    return list(range(config["md"]["replicas"]))


# ---- kinetics ---------------------------------------------------------------
def kinetics_replica_files(kind, suffix):
    """Per-replica kinetics files: R/kinetics/{kind}/replica_{replica}.{suffix}."""
    return [L.kinetics_replica(kind, suffix, replica=r) for r in md_replicas()]


def kinetics_figure_files():
    """Every kinetics figure, PNG and SVG (stems from analysis.kinetics)."""
    from analysis.kinetics import FIGURE_STEMS

    return expand(
        L.kinetics_figure("{stem}", "{ext}"),
        stem=FIGURE_STEMS,
        ext=["png", "svg"],
        allow_missing=True,
    )


# ---- network ----------------------------------------------------------------
def network_runs():
    """(regime, control) pairs of the network sweep."""
    sweep = config["network"]["sweep"]
    return [
        (regime, control_label(value))
        for regime in sweep["regimes"]
        for value in sweep["control_values"]
    ]


def network_kinetics():
    """kinetics.json the network rules read ([] when network.synapses.source is literature)."""
    if config["network"]["synapses"]["source"] == "literature":
        return []
    return L.kinetics("kinetics.json")


# ---- resources and report ----------------------------------------------------
def md_gpus():
    """GPUs an MD job requests: 1 when md.platform names a GPU platform, else 0."""
    return 1 if config["md"].get("platform") in ("CUDA", "OpenCL") else 0


def activation_run():
    """(regime, control) of the run drawn in the activation-pattern figures."""
    sweep = config["network"]["sweep"]
    regime = config["report"]["activation_regime"] or sweep["regimes"][0]
    value = config["report"]["activation_control"]
    if value is None:
        values = sweep["control_values"]
        value = values[len(values) // 2]
    if regime not in sweep["regimes"] or value not in sweep["control_values"]:
        raise WorkflowError(
            f"report.activation_regime/activation_control = {regime!r}/{value!r} is not a run "
            f"of network.sweep (regimes {sweep['regimes']}, values {sweep['control_values']})"
        )
    return regime, control_label(value)


def activation_run_file(name):
    """File ``name`` of the network run shown in the activation figures."""
    regime, control = activation_run()
    return L.network_run(name, regime=regime, control=control)


# ---- criticality -------------------------------------------------------------
def criticality_run_files(stage, name):
    """Per-run files of ``stage`` ("network" or "criticality") in network_runs() order."""
    run_file = {"network": L.network_run, "criticality": L.criticality_run}[stage]
    return [run_file(name, regime=regime, control=control) for regime, control in network_runs()]


def criticality_response_files():
    """Response curves of every sweep run, in network_runs() order."""
    return [L.network_response(regime=regime, control=control) for regime, control in network_runs()]


def criticality_reference_files(name="avalanches.parquet", stage="network"):
    """File ``name`` of every control model in criticality.reference_models, in that order,
    of ``stage`` ("network" or "criticality")."""
    model_file = {"network": L.network_reference, "criticality": L.criticality_reference}[stage]
    return [model_file(name, model=model) for model in config["criticality"]["reference_models"]]


# ---- targets ----------------------------------------------------------------
def each_variant(path):
    """``path`` of every variant (the path itself without variants)."""
    return expand(path, variant=VARIANTS) if VARIANTS else [path]


def variant_physical_runs(stage, name):
    """File ``name`` of every variant's physical runs in ``stage`` ("network" or
    "criticality"), as input keys ``<stage>_<regime>`` -> [path per variant]."""
    run_file = {"network": L.network_run, "criticality": L.criticality_run}[stage]
    return {
        f"{stage}_{regime}": each_variant(run_file(name, regime=regime, control=PHYSICAL))
        for regime in config["network"]["sweep"]["regimes"]
    }


def final_targets():
    """Every output the default DAG must produce (for every variant, and their comparison)."""
    per_variant = expand(L.md_replica("replica.json"), replica=md_replicas(), allow_missing=True)
    per_variant.append(L.kinetics("kinetics.json"))
    for regime, control in network_runs():
        per_variant.append(L.criticality_run("criticality.json", regime=regime, control=control))
    per_variant.append(L.criticality_sweep("dynamic_range.json"))
    per_variant.append(L.criticality_sweep("alignment.json"))
    per_variant.append(L.report("summary.md"))
    targets = [path for pattern in per_variant for path in each_variant(pattern)]
    if VARIANTS:
        targets.append(TOP.report("variants/variants.json"))
    return targets
