"""The DAG: lint, dry runs of every shipped config, malformed configs rejected early."""

from __future__ import annotations

import copy

import pytest
import yaml
from wf_helpers import ROOT, copy_workflow, merged_config, planned_rules, snakemake

from synsoc.config import ConfigError, load_config, validate_config, variant_names

CONFIGS = ("config/config.yaml", "config/tiny.yaml", "config/large.yaml", "config/variants.yaml")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return copy_workflow(tmp_path_factory.mktemp("dag"))


def test_lint_clean(workdir):
    result = snakemake(workdir, "--lint", timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "Lints for" not in result.stdout, result.stdout[-3000:]


@pytest.mark.parametrize("configfile", CONFIGS)
def test_dry_run(workdir, configfile):
    result = snakemake(workdir, "-n", "--configfile", configfile, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]
    rules = planned_rules(result.stdout)
    config = load_config(ROOT / configfile)
    sweep = config["network"]["sweep"]
    n_runs = len(sweep["regimes"]) * len(sweep["control_values"])
    n_variants = max(1, len(variant_names(merged_config(workdir, configfile))))
    assert rules.get("all") == 1 and rules.get("report_summary") == n_variants, rules
    assert max(rules.values()) >= max(config["md"]["replicas"], n_runs), rules


# (key path, bad value, key the message names, value text it shows): >= 10 kinds.
MALFORMED = [
    (("md", "replicas"), 0, "md.replicas", "0"),
    (("md", "replicas"), "two", "md.replicas", "'two'"),
    (("md", "platform"), "TPU", "md.platform", "'TPU'"),
    (("md", "solvent"), "vacuum", "md.solvent", "'vacuum'"),
    (("md", "timestep_fs"), -2.0, "md.timestep_fs", "-2.0"),
    (("md", "replica"), 3, "'md'", "'replica' was unexpected"),  # typo: unknown key
    (("netwrok",), {}, "<top level>", "'netwrok' was unexpected"),  # unknown section
    (("kinetics", "r_on_nm"), 0, "kinetics.r_on_nm", "0"),
    (("network", "sweep", "regimes"), [], "network.sweep.regimes", "[]"),
    (("network", "sweep", "regimes"), ["chaotic"], "network.sweep.regimes.0", "'chaotic'"),
    (("network", "sweep", "control_values"), [-1.0], "network.sweep.control_values.0", "-1.0"),
    (("network", "graph", "model"), "random", "network.graph.model", "'random'"),
    (("report", "figure_dpi"), 10, "report.figure_dpi", "10"),
    (("report", "raster_window_ms"), 0, "report.raster_window_ms", "0"),
    (("results_dir",), 3, "results_dir", "3"),
]


def _malformed(path, value):
    with open(ROOT / "config" / "tiny.yaml") as handle:
        config = yaml.safe_load(handle)
    node = config
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = copy.deepcopy(value)
    return config


@pytest.mark.parametrize(
    ("path", "value", "key", "shown"),
    MALFORMED,
    ids=[".".join(p) + f"={v!r}" for p, v, _, _ in MALFORMED],
)
def test_malformed_config_names_key_and_value(path, value, key, shown):
    with pytest.raises(ConfigError, match="bad.yaml") as info:
        validate_config(_malformed(path, value), source="bad.yaml")
    message = str(info.value)
    assert f"key {key}" in message or f"key '{key}'" in message, message
    assert shown in message, message


@pytest.mark.parametrize("case", [0, 5, 8], ids=["minimum", "unknown-key", "min-items"])
def test_snakemake_rejects_malformed_before_any_job(workdir, case):
    path, value, key, _ = MALFORMED[case]
    bad = workdir / "config" / f"bad_{case}.yaml"
    bad.write_text(yaml.safe_dump(_malformed(path, value)))
    result = snakemake(workdir, "-n", "--configfile", str(bad), timeout=300)
    assert result.returncode != 0
    assert key.strip("'") in result.stdout, result.stdout[-2000:]
    assert "Job stats" not in result.stdout
    assert not (workdir / "results").exists()


def test_activation_run_must_be_in_sweep(workdir):
    with open(ROOT / "config" / "tiny.yaml") as handle:
        config = yaml.safe_load(handle)
    config["report"]["activation_control"] = 123.0
    bad = workdir / "config" / "bad_activation.yaml"
    bad.write_text(yaml.safe_dump(config, sort_keys=False))
    result = snakemake(workdir, "-n", "--configfile", str(bad), timeout=300)
    assert result.returncode != 0
    assert "report.activation_regime/activation_control" in result.stdout, result.stdout[-2000:]
    assert "123.0" in result.stdout


def test_trajectories_are_never_temp():
    md_rules = (ROOT / "workflow" / "rules" / "md.smk").read_text()
    assert "trajectory.xtc" in md_rules
    assert "temp(" not in md_rules, "MD outputs must stay for inspection (no temp())"
