# Configuration validation and every helper function of the workflow.
# Rules live in the stage files; this file holds no rules.
from snakemake.exceptions import WorkflowError

from analysis.configuration import ConfigError, validate_config


def _config_source():
    files = [str(path) for path in workflow.configfiles]
    return ", ".join(files) if files else "config"


try:
    config.update(validate_config(config, source=_config_source()))
except ConfigError as err:
    raise WorkflowError(str(err)) from None

RESULTS = config["results_dir"]


# ---- MD ---------------------------------------------------------------------
def md_replicas():
    """Replica indices 0 .. md.replicas - 1."""
    return list(range(config["md"]["replicas"]))


# ---- network ----------------------------------------------------------------
def control_label(value):
    """Wildcard text of a control-parameter value (contract: f"{value:g}")."""
    return f"{value:g}"


def network_runs():
    """(regime, control) pairs of the network sweep."""
    sweep = config["network"]["sweep"]
    return [
        (regime, control_label(value))
        for regime in sweep["regimes"]
        for value in sweep["control_values"]
    ]


# ---- targets ----------------------------------------------------------------
def final_targets():
    """Every output the default DAG must produce."""
    targets = expand(f"{RESULTS}/md/replica_{{replica}}/replica.json", replica=md_replicas())
    targets.append(f"{RESULTS}/kinetics/kinetics.json")
    for regime, control in network_runs():
        targets.append(f"{RESULTS}/criticality/runs/{regime}/{control}/criticality.json")
    targets.append(f"{RESULTS}/criticality/sweep/dynamic_range.json")
    targets.append(f"{RESULTS}/criticality/sweep/alignment.json")
    targets.append(f"{RESULTS}/report/summary.md")
    return targets
