"""Criticality figures state what a reader needs: the run, the fit, its CI, GOF and flags."""

import matplotlib.pyplot as plt
import pytest
from matplotlib.text import Text

from analysis.criticality import (
    CriticalityConfig,
    analyse_avalanches,
    galton_watson_avalanches,
    plots,
    subsampled_branching_series,
)
from analysis.criticality.flags import run_flags

CONFIG = CriticalityConfig.from_section({"gof_bootstrap": 10, "exponent_bootstrap": 10})
STEMS = ["avalanche_distributions", "shape_collapse", "branching_ratio"]


def _text(fig) -> str:
    """Every text of a figure (titles, labels, legends, banner), whitespace collapsed."""
    return " ".join(" ".join(t.get_text() for t in fig.findobj(Text)).split())


def _analysed(avalanches, activity, run, activity_state=None):
    summary, objects = analyse_avalanches(avalanches, activity, config=CONFIG, run_label=run)
    summary["flags"] = run_flags(summary, activity_state, min_avalanches=CONFIG.min_avalanches)
    return summary, objects


@pytest.fixture(scope="module")
def critical():
    """A critical Galton-Watson run: avalanches, summary (criticality.json), objects."""
    avalanches = galton_watson_avalanches(1500, 1.0, rng=1)
    activity, _ = subsampled_branching_series(0.95, 5.0, 5000, 1.0, rng=2)
    return (avalanches, *_analysed(avalanches, activity, "static/1"))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_run_title():
    assert plots.run_title("static/1") == "static, target λ = 1"
    assert plots.run_title("depressing/1.5").startswith("depressing, target λ = 1.5")
    assert "physical" in plots.run_title("depressing/physical")
    assert plots.run_title("reference") == "reference"
    assert plots.run_title("reference/kinouchi_copelli") == "control model kinouchi copelli"


def test_figures_state_run_fit_ci_and_gof(critical):
    avalanches, summary, objects = critical
    assert summary["flags"] == []
    figures = plots.run_figures(avalanches, objects, summary)
    assert list(figures) == STEMS
    for fig in figures.values():
        text = _text(fig)
        assert "static, target λ = 1" in text and "1500 avalanches" in text, text
        assert "time bins of 1 ms" in text and "FLAG" not in text, text
    text = _text(figures["avalanche_distributions"])
    exps = summary["exponents"]
    for key, greek, name, symbol, unit in (
        ("tau", "τ", "size", "S", "spikes"),
        ("alpha", "α", "duration", "T", "bins"),
    ):
        block, fit = exps[key], exps[key]["fit"]
        lo, hi = block["ci95"]
        assert f"{greek} = {block['value']:.3g} [{lo:.3g}, {hi:.3g}]" in text, text
        assert f"{symbol} ≥ {fit['xmin']:g} {unit}: {fit['n_tail']} of 1500" in text, text
        assert f"GOF p = {summary['goodness_of_fit'][name]['p_value']:.2g}" in text, text
    assert "power law plausible" in text or "power law not plausible" in text, text
    gamma = exps["gamma"]
    t_lo, t_hi = gamma["duration_range_bins"]
    assert f"γ = {gamma['value']:.3g} [{gamma['ci95'][0]:.3g}, " in text, text
    assert f"fit window {t_lo} ≤ T ≤ {t_hi} bins" in text, text
    collapse = _text(figures["shape_collapse"])
    assert f"collapse γ = {summary['shape_collapse']['gamma']:.3g}" in collapse, collapse
    branching = summary["branching_ratio"]
    m_lo, m_hi = branching["multistep_regression_ci95"]
    assert f"= {branching['multistep_regression']:.4g} [{m_lo:.4g}, {m_hi:.4g}]" in _text(
        figures["branching_ratio"]
    )


def test_flagged_run_shows_banner_on_every_figure(critical):
    avalanches, summary, objects = critical
    flagged = {**summary, "run": "depressing/physical"}
    flagged["flags"] = run_flags(
        summary, {"state": "self-sustained"}, min_avalanches=CONFIG.min_avalanches
    )
    assert [f["code"] for f in flagged["flags"]] == ["supercritical"]
    figures = plots.run_figures(avalanches, objects, flagged)
    assert list(figures) == STEMS
    for fig in figures.values():
        text = _text(fig)
        assert "physical synapses" in text, text
        assert "FLAG: supercritical: activity never falls quiet" in text, text


@pytest.mark.parametrize("n", [0, 4])
def test_too_few_avalanches_still_drawn(critical, tmp_path, n):
    avalanches = critical[0].iloc[:n]
    summary, objects = _analysed(avalanches, None, "static/1.2")
    written = plots.plot_run(avalanches, objects, tmp_path, summary=summary)
    assert sorted(p.name for p in written) == [
        "avalanche_distributions.png",
        "avalanche_distributions.svg",
    ]
    figures = plots.run_figures(avalanches, objects, summary)
    text = _text(figures["avalanche_distributions"])
    assert f"static, target λ = 1.2 {n} avalanches" in text, text
    assert f"FLAG: too few avalanches: {n} < {CONFIG.min_avalanches}" in text, text
    assert f"no power-law fit: only {n} avalanches" in text, text
    size_axes = figures["avalanche_distributions"].axes[0]
    if n == 0:
        assert "no avalanches" in text and not size_axes.lines
    else:  # the data, no fitted line
        assert len(size_axes.lines) == 1


def test_sweep_figures_name_runs(monkeypatch, tmp_path):
    texts = {}

    def capture(fig, stem):
        texts[stem.name] = _text(fig)
        return []

    monkeypatch.setattr(plots, "save_figure", capture)
    curves = [
        {
            "regime": regime,
            "control_value": value,
            "control_label": label,
            "drive_rate_hz": [0.1, 1.0, 10.0],
            "response_rate_hz": [1.0, 5.0, 9.0],
            "delta_db": 12.0,
        }
        for regime, value, label in (("static", 1.0, "1"), ("depressing", None, "physical"))
    ]
    plots.plot_dynamic_range(curves, tmp_path / "dynamic_range")
    assert "static, λ = 1" in texts["dynamic_range"]
    assert texts["dynamic_range"].count("depressing, physical (MD)") == 2  # F(h) and Δ
    rows = [
        {"name": "static/1", "tau": 1.5, "alpha": 2.0, "gamma": None},
        {"name": "static/1.2", "tau": None, "alpha": None, "gamma": None},
    ]
    plots.plot_exponent_table(rows, tmp_path / "exponents")
    assert "static, λ = 1.2" in texts["exponents"] and "no fit" in texts["exponents"]
