"""Per-run criticality.json, sweep outputs and the CLI on a synthetic results tree."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from analysis.criticality.jobs import run_alignment, run_criticality, run_dynamic_range
from analysis.report import alignment_table
from synsoc.cli import main
from synsoc.config import validate_config
from synsoc.io import write_parquet

from .conftest import MODELS, RUNS

CONFIG = validate_config(
    {
        "criticality": {
            "gof_bootstrap": 2,
            "exponent_bootstrap": 5,
            "branching_bootstrap": 5,
            "branching_k_max_bins": 10,
        }
    }
)


def _no_nan(value):
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_no_nan(v) for v in value.values())
    if isinstance(value, list):
        return all(_no_nan(v) for v in value)
    return True


@pytest.fixture(scope="module")
def analysed(results_tree):
    out = {}
    runs = [(f"runs/{regime}/{control}", f"{regime}/{control}") for regime, control in RUNS]
    controls = [(f"reference/{model}", f"reference/{model}") for model in MODELS]
    for where, label in runs + controls:
        net = results_tree / "network" / where
        out[label] = run_criticality(
            net / "avalanches.parquet",
            results_tree / "criticality" / where,
            CONFIG,
            spikes_path=net / "spikes.npz",
            cascades_path=net / "cascades.parquet",
            network_summary_path=net / "summary.json",
            run_label=label,
        )
    return out


def test_run_json_has_exponents_cis_and_figures(analysed, results_tree):
    summary = analysed["static/1"]
    assert summary["run"] == "static/1"
    assert summary["exponents"]["tau"]["value"] == pytest.approx(1.5, abs=0.1)
    assert len(summary["exponents"]["gamma"]["ci95"]) == 2
    assert summary["branching_ratio"]["multistep_regression"] == pytest.approx(0.995, abs=0.01)
    assert {"p_value"} <= set(summary["goodness_of_fit"]["size"])
    assert summary["provenance"]["config_hash"]
    figures = results_tree / "criticality" / "runs" / "static" / "1" / "figures"
    assert (figures / "avalanche_distributions.png").exists()
    assert (figures / "avalanche_distributions.svg").exists()
    on_disk = json.loads((figures.parent / "criticality.json").read_text())
    assert _no_nan(on_disk)
    assert on_disk["network_run"]["control_value"] == 1.0 and on_disk["flags"] == []
    # the score is read from the blocks above: tau of critical trees holds, and the
    # series' m = 0.995 is within 0.02 of 1
    criteria = {c["criterion"]: c for c in on_disk["alignment"]["criteria"]}
    assert criteria["tau"]["probability_within_margin"] > 0.9
    assert (
        criteria["branching_ratio"]["value"] == summary["branching_ratio"]["multistep_regression"]
    )
    assert criteria["branching_ratio"]["probability_within_margin"] > 0.5
    # the causal trees' branching ratio is their offspring per spike, 1 - 1/<S>
    cascades = on_disk["cascades"]
    assert cascades["branching_ratio"]["offspring_per_spike"] == pytest.approx(1.0, abs=0.02)
    assert cascades["alignment"]["score"] > 0.7


def test_sweep_outputs(analysed, results_tree):
    sweep = results_tree / "criticality" / "sweep"
    responses = [results_tree / "network" / "response" / r / f"{c}.parquet" for r, c in RUNS]
    dr = run_dynamic_range(
        responses, RUNS, sweep / "dynamic_range.json", sweep / "dynamic_range", CONFIG
    )
    # Michaelis-Menten response: Delta = 10 log10(81) dB whatever the half-saturation
    assert all(row["delta_db"] == pytest.approx(19.08, abs=0.5) for row in dr["runs"])
    assert (sweep / "dynamic_range.svg").exists()
    crit = [results_tree / "criticality" / "runs" / r / c / "criticality.json" for r, c in RUNS]
    controls = {
        m: results_tree / "criticality" / "reference" / m / "criticality.json" for m in MODELS
    }
    al = run_alignment(crit, RUNS, controls, sweep, CONFIG)
    table = pd.read_csv(sweep / "alignment.csv")
    assert len(table) == len(RUNS) + len(MODELS)
    assert list(table["kind"]) == ["run"] * len(RUNS) + ["control"] * len(MODELS)
    scores = {
        f"{r['regime']}/{r['control_label']}": r["score"] for r in al["runs"] + al["controls"]
    }
    assert scores["static/1"] > scores["static/0.5"]
    # the subcritical trees show at most one signature (here the scaling relation)
    assert scores["branching/1"] > 0.5 > 0.3 >= scores["subcritical_branching/0.5"]
    assert al["margins"] == {
        "tau": 0.1,
        "alpha": 0.25,
        "scaling_relation": 0.3,
        "branching_ratio": 0.02,
    }
    assert (sweep / "exponents.csv").exists() and (sweep / "exponents.png").exists()
    assert _no_nan(json.loads((sweep / "alignment.json").read_text()))
    # the report's alignment table has one row per run and control model
    header, rows = alignment_table(al)
    assert len(rows) == len(RUNS) + len(MODELS)
    assert {"kind", "regime", "score", "score_sd", "tau", "tau_probability", "flags"} <= set(header)
    assert [row[header.index("score")] for row in rows] == pytest.approx(list(table["score"]))


@pytest.mark.parametrize("n_avalanches", [0, 5])
def test_empty_or_tiny_input_explains_instead_of_nan(tmp_path, n_avalanches):
    frame = pd.DataFrame(
        {
            "avalanche_id": np.arange(n_avalanches),
            "start_ms": np.zeros(n_avalanches),
            "size": np.ones(n_avalanches, dtype=int),
            "duration_bins": np.ones(n_avalanches, dtype=int),
            "duration_ms": np.ones(n_avalanches),
            "bin_ms": np.ones(n_avalanches),
            "profile": [np.array([1])] * n_avalanches,
        }
    )
    path = tmp_path / "runs" / "static" / "1" / "avalanches.parquet"
    write_parquet(path, frame)
    summary = run_criticality(path, tmp_path / "out", CONFIG)
    assert summary["exponents"]["status"] == "undefined"
    assert f"only {n_avalanches} avalanches" in summary["exponents"]["reason"]
    assert "no spikes.npz" in summary["branching_ratio"]["reason"]
    assert summary["alignment"]["score"] == 0.0
    assert [flag["code"] for flag in summary["flags"]] == ["too_few_avalanches"]
    assert _no_nan(json.loads((tmp_path / "out" / "criticality.json").read_text()))


def test_cli(results_tree, tmp_path):
    net = results_tree / "network" / "runs" / "static" / "1"
    code = main(
        [
            "criticality",
            str(net / "avalanches.parquet"),
            "-o",
            str(tmp_path),
            "--spikes",
            str(net / "spikes.npz"),
            "--network-summary",
            str(net / "summary.json"),
            "--label",
            "cli/1",
        ]
    )
    assert code == 0
    written = json.loads((tmp_path / "criticality.json").read_text())
    assert written["run"] == "cli/1" and written["network_run"]["control_value"] == 1.0
    assert 0 <= written["alignment"]["score"] <= 1
    assert main(["criticality", str(tmp_path / "missing.parquet"), "-o", str(tmp_path)]) == 2


def test_cli_reports_undefined_gamma(tmp_path):
    """Every duration distinct: tau and alpha defined, gamma undefined; the CLI still exits 0."""
    durations = np.arange(1, 301)
    frame = pd.DataFrame(
        {
            "avalanche_id": np.arange(durations.size),
            "start_ms": np.cumsum(durations + 1).astype(float),
            "size": durations + 1,
            "duration_bins": durations,
            "duration_ms": durations.astype(float),
            "bin_ms": 1.0,
            "profile": [np.ones(d, dtype=int) for d in durations],
        }
    )
    path = tmp_path / "runs" / "static" / "1" / "avalanches.parquet"
    write_parquet(path, frame)
    # uniform durations are no power law: the search guards would (rightly) refuse them
    config = tmp_path / "unguarded.yaml"
    config.write_text("criticality: {min_tail_fraction: 0.0, alpha_range: [1.0, 20.0]}\n")
    out = str(tmp_path / "out")
    assert main(["criticality", str(path), "-o", out, "--config", str(config)]) == 0
    summary = json.loads((tmp_path / "out" / "criticality.json").read_text())
    assert summary["exponents"]["gamma"]["status"] == "undefined"
    assert summary["exponents"]["tau"]["value"] > 1


def test_failed_goodness_of_fit_leaves_other_parts(monkeypatch):
    import analysis.criticality.avalanche_analysis as crit_module
    from analysis.criticality import CriticalityConfig, galton_watson_avalanches

    def refuse(*args, **kwargs):
        raise ValueError("synthetic tail too heavy")

    monkeypatch.setattr(crit_module, "bootstrap_gof", refuse)
    frame = galton_watson_avalanches(2000, 1.0, rng=np.random.default_rng(3), max_generations=1000)
    config = CriticalityConfig.from_section({"gof_bootstrap": 1, "exponent_bootstrap": 3})
    summary, _ = crit_module.analyse_avalanches(frame, None, config=config, run_label="static/1")
    assert summary["goodness_of_fit"]["size"]["reason"] == "synthetic tail too heavy"
    assert summary["exponents"]["tau"]["value"] > 1
    assert summary["likelihood_ratio_tests"]["size"][0]["alternative"] == "exponential"


def test_public_api_and_contract_columns(tmp_path):
    import analysis.criticality as crit
    from synsoc.layout import AVALANCHE_COLUMNS

    assert all(hasattr(crit, name) for name in crit.__all__)
    frame = crit.galton_watson_avalanches(10, 1.0, rng=1)
    assert tuple(frame.columns) == AVALANCHE_COLUMNS
    path = tmp_path / "avalanches.parquet"
    write_parquet(path, frame.drop(columns=["start_ms"]))
    with pytest.raises(ValueError, match=r"missing avalanche columns \['start_ms'\]"):
        crit.read_avalanches(path)
