"""A synthetic results tree laid out like the network stage's outputs (docs/contracts.md)."""

import numpy as np
import pandas as pd
import pytest

from analysis.criticality import galton_watson_avalanches, subsampled_branching_series
from synsoc.io import save_npz, write_json, write_parquet

RUNS = [("static", "0.5"), ("static", "1")]
MODELS = {"branching": 1.0, "kinouchi_copelli": 0.9, "levina": 0.95, "subcritical_branching": 0.5}
"""Control models and the branching ratio of their synthetic trees."""


def _write_run(run, control, frame, rng):
    """avalanches.parquet, cascades.parquet (the same trees, durations in generations),
    bin_scan.parquet (the trees at two bin widths), spikes.npz and summary.json in ``run``."""
    write_parquet(run / "avalanches.parquet", frame)
    write_parquet(run / "cascades.parquet", frame.assign(bin_ms=np.nan))
    scan = pd.concat(
        [
            pd.DataFrame(
                {
                    "bin_ms": width,
                    "bin_steps": int(10 * width),
                    "size": frame["size"],
                    "duration_bins": frame["duration_bins"],
                }
            )
            for width in (0.5, 1.0)
        ],
        ignore_index=True,
    )
    write_parquet(run / "bin_scan.parquet", scan)
    full, _ = subsampled_branching_series(min(float(control), 0.995), 5.0, 5000, 1.0, rng=rng)
    save_npz(run / "spikes.npz", bin_counts=full, bin_ms=1.0, dt_ms=0.1, max_delay_steps=10)
    state = {"state": "avalanching", "persists_after_drive": False}
    write_json(run / "summary.json", {"control_value": float(control), "activity_state": state})


@pytest.fixture(scope="session")
def results_tree(tmp_path_factory):
    """results/ with network runs, response curves and reference models."""
    root = tmp_path_factory.mktemp("results")
    rng = np.random.default_rng(2026)
    for regime, control in RUNS:
        frame = galton_watson_avalanches(3000, float(control), rng=rng, max_generations=1000)
        _write_run(root / "network" / "runs" / regime / control, control, frame, rng)
        h = np.logspace(-1, 3, 9)
        k = 10.0 * float(control)
        write_parquet(
            root / "network" / "response" / regime / f"{control}.parquet",
            pd.DataFrame({"drive_rate_hz": h, "response_rate_hz": 50 * h / (h + k)}),
        )
    for model, m in MODELS.items():
        frame = galton_watson_avalanches(3000, m, rng=rng, max_generations=1000)
        _write_run(root / "network" / "reference" / model, f"{m:g}", frame, rng)
    return root
