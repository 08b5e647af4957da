"""The whole network stage on the tiny configuration: files and keys of docs/contracts.md."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from network.cli import register, run_stage
from network.config import NetworkConfig
from network.response import RESPONSE_CURVE_COLUMNS
from synsoc.config import ConfigError, load_config, validate_config
from synsoc.layout import REFERENCE_MODELS, control_label, control_number


def tiny_config(tmp_path):
    """tiny.yaml's network with synapses from kinetics.json (tiny itself uses the
    literature scheme: its MD is too short for rates)."""
    cfg = load_config("config/tiny.yaml")
    cfg["network"]["synapses"]["source"] = "kinetics"
    cfg["network"]["graph"]["n_neurons"] = 300
    cfg["network"]["sweep"]["regimes"] = ["static", "depressing", "homeostatic"]
    return validate_config(cfg)


@pytest.mark.slow
def test_stage_outputs_follow_contract(tmp_path, kinetics_json):
    config = tiny_config(tmp_path)
    out = tmp_path / "network"
    run_stage(config, str(kinetics_json), out)
    assert (out / "graph.graphml").stat().st_size > 0
    synapse = json.loads((out / "synapse" / "synapse_response.json").read_text())
    assert synapse["source"] == "kinetics" and synapse["response"]["ci95"]["n_draws"] == 40
    assert (out / "synapse" / "synapse_response.png").stat().st_size > 0
    net = NetworkConfig.from_section(config["network"])
    for regime in net.sweep.regimes:
        for value in net.sweep.control_values:
            run = out / "runs" / regime / control_label(value)
            summary = json.loads((run / "summary.json").read_text())
            for key in (
                "regime",
                "control_name",
                "control_value",
                "n_neurons",
                "rate_hz",
                "lambda",
                "lambda_ci95",
                "sigma_mean_field",
                "sigma_expected",
                "sigma_estimate",
                "duration_ms",
                "bin_ms",
                "n_spikes",
                "n_avalanches",
                "seed",
                "provenance",
            ):
                assert key in summary, key
            assert summary["regime"] == regime
            assert summary["control_value"] == control_number(value)
            if value == "physical":
                low, high = summary["lambda_ci95"]
                assert summary["gain"] == 1.0 and low <= summary["lambda"] <= high
            else:
                assert summary["lambda"] == pytest.approx(value, rel=1e-6)
                assert summary["lambda_ci95"] is None
            spikes = np.load(run / "spikes.npz")
            assert spikes["step"].dtype == np.int64 and spikes["neuron"].dtype == np.int32
            assert spikes["bin_counts"].sum() == summary["n_spikes"] == spikes["step"].size
            aval = pd.read_parquet(run / "avalanches.parquet")
            assert list(aval.columns) == [
                "avalanche_id",
                "start_ms",
                "size",
                "duration_bins",
                "duration_ms",
                "bin_ms",
                "profile",
            ]
            assert len(aval) == summary["n_avalanches"]
            assert all(sum(p) == s for p, s in zip(aval["profile"], aval["size"], strict=True))
            resp = pd.read_parquet(out / "response" / regime / f"{control_label(value)}.parquet")
            assert list(resp.columns) == list(RESPONSE_CURVE_COLUMNS)
            assert resp["baseline_hz"].nunique() == 1
            assert np.all(np.diff(resp["response_rate_hz"]) > 0)  # more drive, more response
    for model in REFERENCE_MODELS:
        summary = json.loads((out / "reference" / model / "summary.json").read_text())
        assert summary["regime"] == model
        assert pd.read_parquet(out / "reference" / model / "avalanches.parquet").shape[0] > 0
    # the negative control of the alignment score: branching at m = 0.5 on the same graph
    control = json.loads((out / "reference" / "subcritical_branching" / "summary.json").read_text())
    assert control["control_value"] == 0.5 and control["control_label"] == "0.5"
    assert control["sigma_mean_field"] == pytest.approx(0.5, abs=0.01)


def test_cli_parses_and_config_errors_name_the_key(tmp_path):
    import argparse

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["network", "--kinetics", "k.json", "--config", "c.yaml", "-o", "out"])
    assert (args.kinetics, args.config, args.output) == ("k.json", "c.yaml", "out")
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"network": {"graph": {"n_neurons": 1}}}))
    with pytest.raises(ConfigError, match="network.graph.n_neurons"):
        load_config(bad)
    bad.write_text(yaml.safe_dump({"network": {"sweep": {"regimes": ["chaotic"]}}}))
    with pytest.raises(ConfigError, match="network.sweep.regimes"):
        load_config(bad)


def test_cli_bad_kinetics_exits_2_naming_the_key(tmp_path, capsys):
    from synsoc.cli import main

    bad = tmp_path / "kinetics.json"
    bad.write_text(json.dumps({"schema_version": 1}))
    config = tmp_path / "tiny_kinetics.yaml"
    config.write_text(yaml.safe_dump(tiny_config(tmp_path)))
    argv = ["network", "--kinetics", str(bad), "--config", str(config), "-o", str(tmp_path)]
    assert main(argv) == 2
    assert "schema_version 1 is not 2" in capsys.readouterr().err
    assert main(argv[:1] + argv[3:]) == 2  # no --kinetics with synapses.source: kinetics
    assert "--kinetics is required" in capsys.readouterr().err
