"""Headline numbers, conclusion, figures of summary.md and the end-of-run message.

Fixtures are the contract-shaped artifacts of wf_contract_fixtures (kinetics:
first-passage mean 123.4 ps, s = 1.515; four runs with tau = 1.5 + 0.01 k, alpha = 2,
crackling relation failing for k = 3; dynamic range peaking at control 1).
"""

from __future__ import annotations

import json
import math
import os
import types
from pathlib import Path

import pytest
from wf_contract_fixtures import kinetics_json, synapse_response_json, write_results

from analysis.report import (
    Estimate,
    NetworkRun,
    build_summary,
    conclusion_paragraph,
    end_of_run_message,
    figures_section,
    format_duration_ms,
    kinetics_headlines,
    nearest_mean_field,
    read_run_estimates,
    report_command,
    synapse_headlines,
)
from analysis.report.jobs import run_summary

PAIRS = [("static", "0.9"), ("static", "1"), ("depressing", "0.9"), ("depressing", "1")]


def _runs(root):
    return [
        NetworkRun(
            r,
            c,
            root / "network/runs" / r / c / "summary.json",
            root / "criticality/runs" / r / c / "criticality.json",
        )
        for r, c in PAIRS
    ]


def _estimates(root):
    return [
        read_run_estimates(r, c, root / "criticality/runs" / r / c / "criticality.json")
        for r, c in PAIRS
    ]


@pytest.fixture
def results(tmp_path):
    root = tmp_path / "results"
    assert write_results(root) == PAIRS
    return root


def _summary(root, figures=()):
    run_summary(
        {"md": {"replicas": 2}, "network": {"sweep": {"regimes": ["static"]}}},
        kinetics_json=root / "kinetics/kinetics.json",
        runs=_runs(root),
        dynamic_range_json=root / "criticality/sweep/dynamic_range.json",
        alignment_json=root / "criticality/sweep/alignment.json",
        synapse_json=root / "network/synapse/synapse_response.json",
        summary_md=root / "report/summary.md",
        tables={
            n: root / f"report/tables/{n}.csv" for n in ("kinetics", "criticality", "alignment")
        },
        figures=figures,
    )
    return (root / "report/summary.md").read_text(encoding="utf-8")


# ---- input validation ----------------------------------------------------------------


def test_input_validation(results):
    for bad in (-1.0, math.nan, math.inf, "1", None):
        with pytest.raises(ValueError, match="value_ms"):
            format_duration_ms(bad)
    with pytest.raises(ValueError, match="figure_root"):
        build_summary(
            {},
            provenance_block={},
            kinetics_json=results / "kinetics/kinetics.json",
            runs=_runs(results),
            dynamic_range_json=results / "criticality/sweep/dynamic_range.json",
            alignment_json=results / "criticality/sweep/alignment.json",
            synapse_json=results / "network/synapse/synapse_response.json",
            figures=[results / "x.png"],
        )
    assert Estimate.from_json("1.5") is None
    assert Estimate.from_json(True) is None
    assert Estimate.from_json(math.nan, [0, 1]) is None
    assert Estimate.from_json(1.5, [1.0, "x"]) == Estimate(1.5, None)


# ---- formatting oracles ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value_ms", "text"),
    [
        (1500.0, "1.5 s"),
        (1.0, "1 ms"),
        (0.25, "250 µs"),
        (6.082e-4, "608 ns"),
        (2.18e-6, "2.18 ns"),
        (123.4 * 1.515 / 1e9, "187 ps"),
        (0.0, "0 ps"),
    ],
)
def test_format_duration(value_ms, text):
    assert format_duration_ms(value_ms) == text


def test_estimate_text_and_coverage():
    estimate = Estimate.from_json(1.54397, [1.4852, 1.6177])
    assert estimate.text() == "1.54 [1.49, 1.62]"
    assert estimate.covers(1.5) is True and estimate.covers(1.7) is False
    assert Estimate(2.0).covers(2.0) is None and Estimate(2.0).text() == "2"


# ---- run estimates, nearest run -------------------------------------------------------


def test_read_run_estimates(results):
    runs = _estimates(results)
    k1 = runs[1]  # static/1
    assert k1.tau == Estimate(1.51, (pytest.approx(1.41), pytest.approx(1.61)))
    assert k1.m_multistep == Estimate(0.99, (0.975, 0.995))
    assert k1.collapse_gamma is None and k1.notes == ("shape collapse: found 0 durations",)
    assert runs[3].crackling_holds is False and runs[0].crackling_holds is True
    assert runs[3].flags == ("supercritical: activity outlived the drive",) and not runs[0].flags
    assert runs[0].gof_p_size == 0.4 and runs[0].mean_field == {"tau": 1.5, "alpha": 2.0}


def test_nearest_mean_field_skips_undefined(tmp_path):
    def write(name, exponents):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps({"exponents": exponents}))
        return read_run_estimates("static", name, path)

    far = write("a", {"tau": {"value": 1.6}, "alpha": {"value": 2.0}})  # distance 0.1
    near = write("b", {"tau": {"value": 1.52}, "alpha": {"value": 2.05}})  # 0.054
    undefined = write("c", {"status": "undefined", "reason": "only 3 avalanches"})
    assert undefined.tau is None and undefined.notes == ("exponents: only 3 avalanches",)
    no_gamma = write("d", {"gamma": {"status": "undefined", "reason": "found 1 duration"}})
    assert no_gamma.gamma is None and no_gamma.notes == ("γ: found 1 duration",)
    assert nearest_mean_field([far, undefined, near]) is near
    assert nearest_mean_field([undefined]) is None
    assert nearest_mean_field([]) is None


# ---- headline numbers and conclusion --------------------------------------------------


def test_kinetics_headlines_physical_time():
    lines = [h.line() for h in kinetics_headlines(kinetics_json())]
    # 123.4 ps simulated × s = 1.515 -> 187 ps physical
    assert lines[0].startswith("transmitter first passage (MD): mean 123 ps of simulated")
    assert "= 187 ps of physical time (12 events, 3 censored)" in lines[0]
    assert "s = D_sim / D_target = 1.51" in lines[1]
    assert lines[2].startswith("binding rates (model site, MD): k_on = 2e+09 [1e+09, 3e+09]")
    assert len(lines) == 3  # the cleft-to-receptor physics is the synapse response's
    # all censored: the restricted mean is reported as a lower bound
    censored = kinetics_json()
    censored["first_passage"] |= {"mean_ps": None, "lower_bound_mean_ps": 50.0}
    assert kinetics_headlines(censored)[0].text == (
        "mean >= 50 ps of simulated time (restricted mean; no finite fit), >= 75.8 ps of "
        "physical time (12 events, 3 censored)"
    )
    assert "has no finite mean; the restricted mean, a lower bound, is 50 ps of simulated " in (
        conclusion_paragraph(kinetics=censored)
    )
    assert kinetics_headlines({}) == []
    # a value outside the contract (negative mean) is left out, not raised on
    negative = kinetics_json()
    negative["first_passage"] |= {"mean_ps": -1.0, "lower_bound_mean_ps": None}
    labels = [h.label for h in kinetics_headlines(negative)]
    assert labels == ["time calibration", "binding rates (model site, MD)"]


def test_synapse_headlines():
    physical = [
        ("static", {"lambda": 2e-5, "lambda_ci95": [1e-5, 3e-5], "sigma_expected": 2.1e-5}),
        ("depressing", {"lambda": None}),
    ]
    lines = [h.line() for h in synapse_headlines(synapse_response_json(), physical)]
    assert lines == [
        "synapse response (kinetics rates): 3 mM over the receptor patch; a synapse of 20 "
        "receptors transmits with p = 0.495, efficacy 0.004 [0.003, 0.005] θ",
        "physical synapses (λ = 1 is critical): static: λ = 2e-05 [1e-05, 3e-05], "
        "σ measured 2.1e-05",
    ]
    assert synapse_headlines({}) == []


def test_conclusion_from_numbers(results):
    text = conclusion_paragraph(
        kinetics=kinetics_json(),
        runs=_estimates(results),
        dynamic_range=json.loads((results / "criticality/sweep/dynamic_range.json").read_text()),
        alignment=json.loads((results / "criticality/sweep/alignment.json").read_text()),
    )
    assert "123 ps of simulated time" in text and "187 ps of physical time" in text
    # k = 0 (static, 0.9) has tau = 1.50, alpha = 2.0: exactly mean field
    assert "closest to the mean-field exponents (τ = 1.5, α = 2) is static, λ = 0.9" in text
    assert "both mean-field values inside the 95 % CIs" in text
    assert "holds within the 95 % CIs in 3 of 4 runs, including that run" in text
    assert "In every regime the dynamic range peaks at λ = 1" in text
    assert "runs reach 0.7; the highest is static, λ = 1 with 0.90 ± 0.10" in text
    assert (
        "Controls on the same graph score branching process (σ0 = 1) 0.95 and subcritical "
        "branching (σ0 = 0.5) 0.02" in text
    )


def test_conclusion_when_peak_is_off_critical_and_nothing_defined():
    dynamic_range = {"peak_per_regime": {"static": {"control_value": 1.2, "delta_db": 9.0}}}
    text = conclusion_paragraph(dynamic_range=dynamic_range)
    assert text == (
        "The dynamic range peaks at λ = 1.2 in the static regime (9 dB); λ = 1 is where "
        "Kinouchi & Copelli (2006) predict the maximum."
    )
    assert conclusion_paragraph() == ""


# ---- summary.md -----------------------------------------------------------------------


def test_summary_sections_and_unknown_keys(results):
    kinetics = kinetics_json()
    kinetics["time_calibration"]["new_quantity_nm"] = 4.25
    (results / "kinetics/kinetics.json").write_text(json.dumps(kinetics))
    text = _summary(results)
    for section in (
        "## Conclusion",
        "## Headline numbers",
        "## Kinetics",
        "### Time calibration",
        "## Synapse response to one release",
        "### Network activity",
        "### Avalanche statistics",
        "## Dynamic range",
        "## Alignment",
    ):
        assert section in text
    assert "| scale = 123.4 [98.72, 148.1] |" in text  # params with their 95 % CI
    assert "| mean synapse: efficacy (θ) | 0.004 [0.003, 0.005] | 0.004 |" in text
    assert "| peak over the receptor patch (mM) | 3 |  |" in text
    assert "| `time_calibration.new_quantity_nm` | 4.25 |" in text  # kept under its raw key
    assert "- static, λ = 1: shape collapse: found 0 durations" in text
    assert "- **depressing, λ = 1**: supercritical: activity outlived the drive" in text
    assert "| 0.4 / 0.6 (support moderate / with cut-off) |" in text
    rows = {
        line.split(" | ")[0] + " | " + line.split(" | ")[1]: line
        for line in text.splitlines()
        if line.startswith("| ") and " [" in line
    }
    # k = 3 (depressing, 1): tau 1.53 with CI, crackling relation fails
    assert rows["| depressing | 1"].startswith(
        "| depressing | 1 | 1.53 [1.43, 1.63] | 2 [1.8, 2.2] |"
    )
    assert (
        "| no | 0.98 [0.97, 0.99] | 0.99 [0.975, 0.995] | 2 | "
        "0.4 / 0.6 (support moderate / with cut-off) |" in rows["| depressing | 1"]
    )


def _touch_png(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x89PNG")
    return path


def test_figures_grouped_by_stage_and_linked(results):
    report = results / "report/figures"
    activation = [
        _touch_png(report / f"{n}.png") for n in ("activation_raster", "model_comparison")
    ]
    for name in ("msd", "first_passage", "surfaces"):
        _touch_png(report / "kinetics" / f"{name}.png")
    for regime, control in PAIRS:
        _touch_png(report / "criticality" / f"{regime}_{control}_branching_ratio.png")
    _touch_png(report / "criticality/static_1_avalanche_distributions.png")
    _touch_png(report / "criticality/sweep_all_dynamic_range.png")
    text = _summary(results, figures=[*activation, report / "kinetics", report / "criticality"])
    figures = text[text.index("## Figures") :]
    assert "11 figures" in figures
    for heading in (
        "### Activation patterns (2)",
        "### Kinetics (3)",
        "### Criticality per run (5)",
        "### Criticality across the sweep (1)",
    ):
        assert heading in figures
    # kinetics in workflow order, every link resolves from the summary's folder
    assert figures.index("first_passage.png") < figures.index("surfaces.png")
    assert figures.index("surfaces.png") < figures.index("msd.png")
    links = [part.split(")")[0] for part in figures.split("](")[1:]]
    assert len(links) == 11
    for link in links:
        assert (results / "report" / link).is_file(), link
    assert "| static | 1 | [PNG](figures/criticality/static_1_avalanche_distributions.png) |" in (
        figures
    )
    assert "| depressing | 0.9 | - | [PNG]" in figures  # no distributions figure: a dash
    assert figures_section([], results) == "## Figures\n\n(none)"


# ---- end of a run ---------------------------------------------------------------------


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_end_of_run_message_full(in_tmp):
    root = Path("results")
    write_results(root)
    _summary(root)
    config = in_tmp / "config" / "tiny.yaml"
    workflow = types.SimpleNamespace(
        overwrite_configfiles=[config],
        config_settings=types.SimpleNamespace(config_args=["report={seed: 3}"]),
    )
    text = end_of_run_message("results", runs=PAIRS, workflow=workflow)
    lines = text.splitlines()
    assert lines[0] == "synsoc: run complete."
    assert "  summary:     results/report/summary.md" in lines
    assert (
        "  HTML report: snakemake --report report.html --configfile config/tiny.yaml "
        "--config 'report={seed: 3}'"
    ) in lines
    headlines = [line for line in lines if line.startswith("    - ")]
    assert 3 <= len(headlines) <= 6, text
    assert any("of simulated time = 187 ps of physical time" in line for line in headlines)
    assert any(
        "static, λ = 0.9: τ = 1.5 [1.4, 1.6]; α = 2 [1.8, 2.2]" in line for line in headlines
    )
    assert "    - dynamic-range peak: static at λ = 1 (20.5 dB); depressing at λ = 1 (20.5 dB)" in (
        lines
    )
    # default config: no --configfile to repeat
    plain = end_of_run_message("results", runs=PAIRS, workflow=types.SimpleNamespace())
    assert "  HTML report: snakemake --report report.html" in plain.splitlines()


def test_end_of_run_message_partial_target(in_tmp):
    (in_tmp / "results/kinetics").mkdir(parents=True)
    (in_tmp / "results/kinetics/kinetics.json").write_text(json.dumps(kinetics_json()))
    lines = end_of_run_message("results", runs=PAIRS).splitlines()
    assert lines[0].startswith("synsoc: done; results/report/summary.md was not among")
    assert lines[0].endswith(
        "`snakemake` runs the whole workflow and writes it, then "
        "`snakemake --report report.html` builds the HTML report."
    )
    assert not any(line.startswith("  summary:") for line in lines)
    assert [line.split(":")[0] for line in lines[2:]] == [
        "    - transmitter first passage (MD)",
        "    - time calibration",
        "    - binding rates (model site, MD)",
    ]
    assert end_of_run_message("nothing_here").splitlines()[0].startswith("synsoc: done;")


def test_end_of_run_message_stale_and_damaged(in_tmp):
    root = Path("results")
    write_results(root)
    _summary(root)
    summary = root / "report/summary.md"
    old = summary.stat().st_mtime - 100
    os.utime(summary, (old, old))
    (root / "criticality/runs/static/1/criticality.json").write_text("{truncated")
    text = end_of_run_message("results", runs=PAIRS)
    assert "(older than results/kinetics/kinetics.json: not updated by this run" in text
    assert "(left out, unreadable: results/criticality/runs/static/1/criticality.json:" in text
    assert "static, λ = 0.9: τ" in text  # the other runs still count


def test_end_of_run_message_never_raises(in_tmp):
    class Broken:
        @property
        def overwrite_configfiles(self):
            raise RuntimeError("snakemake internals changed")

    text = end_of_run_message("results", runs=PAIRS, workflow=Broken())
    assert text.startswith("synsoc: done (the end-of-run summary failed: RuntimeError")
    assert "\n" not in text


def test_report_command_quotes():
    assert report_command() == "snakemake --report report.html"
    assert report_command(["my configs/a b.yaml"]) == (
        "snakemake --report report.html --configfile 'my configs/a b.yaml'"
    )
