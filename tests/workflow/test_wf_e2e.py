"""End to end on config/tiny.yaml with the local executor (one DAG run per module).

Checks every declared output exists (``snakemake --summary``), JSON and Parquet
artifacts follow docs/contracts.md, ``snakemake --report`` builds the HTML, and a
network-only config change reruns only network-and-later rules.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml
from wf_helpers import (
    copy_workflow,
    merged_config,
    planned_rules,
    results_dir,
    snakemake,
    variant_dir,
)

from synsoc.config import variant_names

pytestmark = pytest.mark.slow

TINY = "config/tiny.yaml"
EVENT_COLUMNS = {
    "replica",
    "transmitter",
    "receptor",
    "kind",
    "start_ps",
    "duration_ps",
    "censored",
}
AVALANCHE_COLUMNS = {
    "avalanche_id",
    "start_ms",
    "size",
    "duration_bins",
    "duration_ms",
    "bin_ms",
    "profile",
}
SPIKE_KEYS = {"step", "neuron", "dt_ms", "n_neurons", "duration_ms", "bin_ms", "bin_counts"}
KINETICS_KEYS = {
    "schema_version",
    "first_passage",
    "dwell",
    "rebinding",
    "time_calibration",
    "binding_rates",
    "msm",
    "provenance",
}
RUN_SUMMARY_KEYS = {
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
    "activity_state",
    "timescale_separation",
    "duration_ms",
    "bin_ms",
    "n_spikes",
    "n_avalanches",
    "seed",
    "provenance",
}
UPSTREAM_OF_NETWORK = ("md_", "kinetics_")


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    workdir = copy_workflow(tmp_path_factory.mktemp("tiny"))
    result = snakemake(workdir, "--cores", "2", "--configfile", TINY, timeout=480)
    assert result.returncode == 0, result.stdout[-5000:]
    (workdir / "run.log").write_text(result.stdout)
    return workdir


def test_run_ends_by_pointing_at_its_results(tiny_run):
    """The last lines of a run name summary.md, the report command and headline numbers."""
    tail = (tiny_run / "run.log").read_text().split("synsoc: run complete.", 1)
    assert len(tail) == 2, "the run did not print its end-of-run message"
    for name in variant_names(merged_config(tiny_run, TINY)):
        summary = variant_dir(tiny_run, TINY, name) / "report" / "summary.md"
        assert f"summary:     {summary.relative_to(tiny_run)}" in tail[1] + tail[0]
    assert "are compared in" in tail[1] and "variants.md" in tail[1]
    assert "snakemake --report report.html --configfile" in tail[1] and "tiny.yaml" in tail[1]


def test_every_declared_output_exists(tiny_run):
    result = snakemake(tiny_run, "--summary", "--configfile", TINY, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:]
    rows = [line.split("\t") for line in result.stdout.splitlines() if "\t" in line]
    header, body = rows[0], rows[1:]
    status = header.index("status")
    assert body, result.stdout[-2000:]
    bad = [row for row in body if row[status] != "ok"]
    assert not bad, f"outputs not ok: {bad[:10]}"


def test_json_artifacts_carry_provenance(tiny_run):
    files = sorted(results_dir(tiny_run, TINY).rglob("*.json"))
    assert files
    for path in files:
        data = json.loads(path.read_text())
        assert "provenance" in data, f"{path} lacks provenance"
        assert len(data["provenance"]["config_hash"]) == 64


def test_contract_tables_and_arrays(tiny_run):
    results = variant_dir(tiny_run, TINY)
    kinetics = json.loads((results / "kinetics" / "kinetics.json").read_text())
    assert KINETICS_KEYS <= set(kinetics)
    events = pd.read_parquet(results / "kinetics" / "events.parquet")
    assert EVENT_COLUMNS <= set(events.columns)
    runs = sorted((results / "network" / "runs").glob("*/*"))
    assert runs
    for run in runs:
        assert AVALANCHE_COLUMNS <= set(pd.read_parquet(run / "avalanches.parquet").columns)
        with np.load(run / "spikes.npz") as spikes:
            assert SPIKE_KEYS <= set(spikes.files)
            assert spikes["bin_counts"].sum() == len(spikes["step"])
        assert RUN_SUMMARY_KEYS <= set(json.loads((run / "summary.json").read_text()))
    for response in (results / "network" / "response").glob("*/*.parquet"):
        assert {"drive_rate_hz", "response_rate_hz"} <= set(pd.read_parquet(response).columns)
    synapse = json.loads((results / "network" / "synapse" / "synapse_response.json").read_text())
    assert {"cleft", "response", "draws", "comparison", "provenance"} <= set(synapse)
    summary = (results / "report" / "summary.md").read_text()
    for section in (
        "## Kinetics",
        "## Synapse response",
        "## Network sweep",
        "## Dynamic range",
        "## Alignment",
        "## Run time",
    ):
        assert section in summary
    for figure in ("activation_raster", "activation_cascade", "model_comparison"):
        assert (results / "report" / "figures" / f"{figure}.png").stat().st_size > 1000


def test_variants_compared_molecule_to_network(tiny_run):
    """Each variant runs its own MD and kinetics and the report compares them. The tiny
    run's synapses come from the literature scheme (its 2 x 20 ps cannot give rates on
    every machine), so every variant has the same synapses and lambda; its MD still
    shows the neutral receptor binding less."""
    results = results_dir(tiny_run, TINY)
    document = json.loads((results / "report" / "variants" / "variants.json").read_text())
    rows = {(row["variant"], row["regime"]): row for row in document["rows"]}
    names = variant_names(merged_config(tiny_run, TINY))
    assert {name for name, _ in rows} == set(names) and "QQ" in names and "RR" in names
    for regime in ("static", "depressing"):
        charged, neutral = rows["RR", regime], rows["QQ", regime]
        assert (charged["receptor"], neutral["receptor"]) == ("RR", "QQ")
        assert neutral["efficacy_theta"] == charged["efficacy_theta"] > 0
        assert neutral["lambda"] == pytest.approx(charged["lambda"])
    # the physics tiny can measure robustly: the charged receptor holds glutamate bound
    # for a larger fraction of the time (occupancy = bound / all exposure; RR / QQ was
    # 3.7-8.4 in four runs of 2-4 replicas x 20-30 ps at 300-340 K on one CPU)
    occupancy = {}
    for name in ("RR", "QQ"):
        path = results / "variants" / name / "kinetics" / "kinetics.json"
        rates = json.loads(path.read_text())["binding_rates"]
        bound, unbound = rates["bound_exposure_ps"], rates["unbound_exposure_ps"]
        occupancy[name] = bound / (bound + unbound)
    assert occupancy["RR"] > occupancy["QQ"], occupancy
    for suffix in ("csv", "md", "png", "svg"):
        assert (results / "report" / "variants" / f"variants.{suffix}").is_file()


def test_report_html(tiny_run):
    result = snakemake(tiny_run, "--configfile", TINY, "--report", "report.html", timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]
    html = (tiny_run / "report.html").read_text(errors="replace")
    for name in (
        "activation_raster",
        "model_comparison",
        "kinetics.csv",
        "alignment.csv",
        "variants.csv",
    ):
        assert name in html


def test_network_change_reruns_only_network_and_later(tiny_run):
    with open(tiny_run / TINY) as handle:
        config = yaml.safe_load(handle)
    config["network"]["seed"] = int(config["network"].get("seed", 7)) + 1
    changed = tiny_run / "config" / "tiny_network_changed.yaml"
    changed.write_text(yaml.safe_dump(config, sort_keys=False))
    result = snakemake(tiny_run, "-n", "--configfile", str(changed), timeout=120)
    assert result.returncode == 0, result.stdout[-3000:]
    rules = planned_rules(result.stdout)
    assert "network_run" in rules, rules
    assert not [r for r in rules if r.startswith(UPSTREAM_OF_NETWORK)], rules
