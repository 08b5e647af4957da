"""Shared fixtures of the network tests: a hand-made kinetics.json (contract schema 1) and
configurations built from partial sections."""

from __future__ import annotations

import json

import numpy as np
import pytest

from network import NetworkConfig


def network_config(**sections) -> NetworkConfig:
    """NetworkConfig of a partial ``network`` section; the schema fills the rest.

    ``network_config(graph={"n_neurons": 300}).graph`` is the graph configuration with
    300 neurons and every other key at its schema default.
    """
    return NetworkConfig.from_section(sections)


def kinetics_document() -> dict:
    """A kinetics.json following docs/contracts.md (Levy first passage, 20 nm, D = 0.33)."""
    t_ms = np.linspace(0.0, 2.0, 201)
    cdf = 0.9 * (1.0 - np.exp(-t_ms / 0.2))
    fit = {
        "family": "gamma",
        "params": {"shape": 1.0, "scale_ps": 50.0},
        "params_ci95": {},
        "mean_ps": 50.0,
        "n_events": 40,
        "n_censored": 2,
        "all_censored": False,
        "lower_bound_mean_ps": None,
        "aic_table": [],
    }
    return {
        "schema_version": 2,
        "first_passage": fit,
        "dwell": fit,
        "rebinding": fit,
        "time_calibration": {
            "D_sim_nm2_per_ns": 1.0,
            "D_sim_stderr_nm2_per_ns": 0.1,
            "D_target_nm2_per_ns": 0.33,
            "time_scale_factor": 3.0,
        },
        "cleft_first_passage": {
            "family": "exponential",
            "params": {"scale_ms": 0.2},
            "mean_ms": 0.2,
            "median_ms": 0.14,
            "cleft_width_nm": 20.0,
            "D_nm2_per_ns": 0.33,
            "cdf_t_ms": t_ms.tolist(),
            "cdf": cdf.tolist(),
        },
        "release_binding_probability": {"window_ms": 1.0, "probability": 0.9},
        "receptor_occupancy": {"mean_dwell_ms": 0.5, "bound_fraction": 0.6},
        "provenance": {"config_hash": "0" * 64, "package_versions": {}},
    }


@pytest.fixture
def kinetics_json(tmp_path):
    """Path of a valid hand-made kinetics.json."""
    path = tmp_path / "kinetics.json"
    path.write_text(json.dumps(kinetics_document()))
    return path
