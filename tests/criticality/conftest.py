"""A synthetic results tree laid out like the network stage's outputs (docs/contracts.md)."""

import numpy as np
import pandas as pd
import pytest

from analysis.criticality import galton_watson_avalanches, subsampled_branching_series
from synsoc.io import save_npz, write_parquet

RUNS = [("static", "0.5"), ("static", "1")]
MODELS = ["branching", "kinouchi_copelli", "levina"]


def _write_run(root, regime, control, frame, rng):
    """avalanches.parquet, cascades.parquet (the same trees, durations in generations),
    bin_scan.parquet (the trees at two bin widths) and spikes.npz."""
    run = root / "network" / "runs" / regime / control
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
    full, _ = subsampled_branching_series(min(float(control), 0.95), 5.0, 5000, 1.0, rng=rng)
    save_npz(run / "spikes.npz", bin_counts=full, bin_ms=1.0, dt_ms=0.1, max_delay_steps=10)


@pytest.fixture(scope="session")
def results_tree(tmp_path_factory):
    """results/ with network runs, response curves and reference models."""
    root = tmp_path_factory.mktemp("results")
    rng = np.random.default_rng(2026)
    for regime, control in RUNS:
        frame = galton_watson_avalanches(3000, float(control), rng=rng, max_generations=1000)
        _write_run(root, regime, control, frame, rng)
        h = np.logspace(-1, 3, 9)
        k = 10.0 * float(control)
        write_parquet(
            root / "network" / "response" / regime / f"{control}.parquet",
            pd.DataFrame({"drive_rate_hz": h, "response_rate_hz": 50 * h / (h + k)}),
        )
    for model, m in zip(MODELS, (1.0, 0.9, 0.95), strict=True):
        write_parquet(
            root / "network" / "reference" / model / "avalanches.parquet",
            galton_watson_avalanches(3000, m, rng=rng, max_generations=1000),
        )
    return root
