"""Every kinetics and criticality figure says which time its axes show, with units.

Kinetics axes are simulated MD time ("simulated time (ps)"; physical time = simulated
× s); criticality durations and lags are network time bins whose width in ms is given.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from wf_contract_fixtures import write_network_run

from analysis.criticality import CriticalityConfig, analyse_avalanches
from analysis.criticality import plots as criticality_plots
from analysis.kinetics import CensoredSample, fit_survival
from analysis.kinetics.calibration import MSDCurve, fit_diffusion
from analysis.kinetics.plots import plot_msd, plot_surfaces, plot_waiting_times
from analysis.kinetics.surfaces import Surfaces


def _labels(fig):
    """(xlabel, ylabel) of every axes of a figure (colour bars included)."""
    return [(ax.get_xlabel(), ax.get_ylabel()) for ax in fig.axes]


def _check_units(labels, figure):
    for x, y in labels:
        for label in (x, y):
            if label:  # a colour bar labels one side only
                assert label.endswith(")"), f"{figure}: {label!r} names no unit"


@pytest.fixture(scope="module")
def kinetics_figures():
    plt = pytest.importorskip("matplotlib.pyplot")
    rng = np.random.default_rng(0)
    durations = rng.exponential(5.0, 40)
    sample = CensoredSample(durations, durations > 12.0)
    fit = fit_survival(sample, n_bootstrap=0, n_gof_bootstrap=0, rng=0)
    r_nm, t_ps = np.linspace(0.5, 2.0, 4), np.linspace(0.0, 10.0, 6)
    grid = rng.random((4, 6))
    surfaces = Surfaces(r_nm, t_ps, grid, grid, grid, np.full(4, 0.1), 0.1)
    lag_ps = np.linspace(0.4, 8.0, 20)
    curve = MSDCurve(
        lag_ps, 4.0 * 0.05 * lag_ps[:, None] * np.ones((1, 3)), np.ones((20, 3), int), 2
    )
    calibration = fit_diffusion(curve, 0.33, momentum_relaxation_ps=0.05)
    figures = {
        "waiting times": plot_waiting_times(sample, fit, title="dwell"),
        "surfaces": plot_surfaces(surfaces),
        "msd": plot_msd(curve, calibration),
    }
    yield {name: _labels(fig) for name, fig in figures.items()}
    for fig in figures.values():
        plt.close(fig)


def test_kinetics_axes_say_simulated_time(kinetics_figures):
    for name, labels in kinetics_figures.items():
        main = [pair for pair in labels if all(pair)]
        assert main, f"{name}: no axes with both labels"
        _check_units(main, name)
        for x, y in labels:
            for label in (x, y):
                if re.search(r"\bps\b", label):
                    assert "simulated" in label, f"{name}: {label!r} does not say simulated"
        assert any("simulated time (ps)" in x for x, _ in main), f"{name}: {labels}"
    waiting = kinetics_figures["waiting times"]
    assert waiting[0] == (
        "waiting time, simulated time (ps)",
        "probability density (1/ps of simulated time)",
    )
    assert waiting[1][0] == "waiting time, simulated time (ps)"
    assert kinetics_figures["msd"][0][0] == "lag time, simulated time (ps)"


def test_criticality_axes_name_bins_in_ms(tmp_path, monkeypatch):
    plt = pytest.importorskip("matplotlib.pyplot")
    write_network_run(tmp_path / "static" / "1", seed=3)
    avalanches = pd.read_parquet(tmp_path / "static" / "1" / "avalanches.parquet")
    bin_counts = np.load(tmp_path / "static" / "1" / "spikes.npz")["bin_counts"]
    config = CriticalityConfig.from_section(
        {
            "min_avalanches": 5,
            "gof_bootstrap": 1,
            "exponent_bootstrap": 2,
            "branching_bootstrap": 2,
            "branching_k_max_bins": 5,
            "collapse_min_avalanches": 2,
        }
    )
    summary, objects = analyse_avalanches(
        avalanches, bin_counts, config=config, run_label="static/1"
    )
    assert {"scaling", "branching"} <= set(objects), sorted(objects)
    drawn = {}

    def capture(fig, stem, dpi=150):
        drawn[stem.name] = _labels(fig)
        return [stem.with_suffix(".png")]

    monkeypatch.setattr(criticality_plots, "save_figure", capture)
    criticality_plots.plot_run(avalanches, objects, tmp_path / "figures", summary=summary)
    curve = {
        "regime": "static",
        "control_value": 1.0,
        "control_label": "1",
        "drive_rate_hz": np.array([1.0, 10.0, 100.0]),
        "response_rate_hz": np.array([2.0, 20.0, 90.0]),
        "delta_db": 12.0,
    }
    criticality_plots.plot_dynamic_range([curve], tmp_path / "dynamic_range")
    criticality_plots.plot_exponent_table(
        [{"name": "static/1", "tau": 1.5, "alpha": 2.0, "gamma": None}], tmp_path / "exponents"
    )
    plt.close("all")
    assert {"avalanche_distributions", "branching_ratio", "dynamic_range", "exponents"} <= set(
        drawn
    )
    for name, labels in drawn.items():
        _check_units([pair for pair in labels if any(pair)], name)
    sizes, durations, mean_size = drawn["avalanche_distributions"][:3]
    bin_ms = float(avalanches["bin_ms"].iloc[0])
    assert sizes == ("size S (spikes)", "P(S ≥ x) (fraction of avalanches)")
    assert durations[0] == f"duration T (bins of {bin_ms:g} ms)"
    assert mean_size == (f"duration T (bins of {bin_ms:g} ms)", "mean size ⟨S⟩ (spikes)")
    assert drawn["branching_ratio"][0][0] == f"lag k (bins of {bin_ms:g} ms)"
    assert drawn["dynamic_range"][1] == (
        "target spectral radius λ (dimensionless)",
        "dynamic range Δ (dB)",
    )
