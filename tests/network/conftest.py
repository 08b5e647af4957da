"""Shared fixtures of the network tests: a hand-made kinetics.json (contract schema 2) and
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
    """A kinetics.json following docs/contracts.md: two-state rates with joint bootstrap
    draws (k_on 1e7 M^-1 s^-1, k_off 4e3 s^-1, AMPA-like) and a calibrated D of 0.33."""
    rng = np.random.default_rng(0)
    scale = rng.lognormal(0.0, 0.2, size=40)
    return {
        "schema_version": 2,
        "time_calibration": {
            "status": "valid",
            "D_sim_nm2_per_ns": 1.0,
            "D_sim_stderr_nm2_per_ns": 0.1,
            "D_target_nm2_per_ns": 0.33,
            "time_scale_factor": 3.0,
        },
        "binding_rates": {
            "k_on_per_M_per_s": 1.0e7,
            "k_on_per_M_per_s_ci95": [6.0e6, 1.6e7],
            "k_off_per_s": 4.0e3,
            "k_off_per_s_ci95": [3.0e3, 5.5e3],
            "K_d_M": 4.0e-4,
            "bootstrap_draws": {
                "k_on_per_M_per_s": (1.0e7 * scale).tolist(),
                "k_off_per_s": (4.0e3 * scale**0.5).tolist(),
            },
            "unavailable": {},
        },
        "provenance": {"config_hash": "0" * 64, "package_versions": {}},
    }


@pytest.fixture
def kinetics_json(tmp_path):
    """Path of a valid hand-made kinetics.json."""
    path = tmp_path / "kinetics.json"
    path.write_text(json.dumps(kinetics_document()))
    return path
