"""Shared fixtures of the MD tests: a tiny cleft (2 transmitters, 1 receptor)."""

from __future__ import annotations

import pytest

from synapse_md import MDConfig, build_cleft
from synsoc.config import validate_config

TINY_MD = {
    "seed": 7,
    "replicas": 2,
    "temperature_K": 300.0,
    "friction_per_ps": 1.0,
    "minimize_max_iterations": 200,
    "equilibration_ps": 0.8,
    "production_ps": 2.0,
    "frame_interval_ps": 0.2,
    "checkpoint_frames": 2,
    "platform": "CPU",
    "geometry": {
        "lateral_nm": 2.2,
        "cleft_height_nm": 2.4,
        "release_z_max_nm": 0.8,
        "receptor_z_nm": 1.7,
    },
    "transmitter": {"count": 2},
    "receptor": {"sequence": "R", "count": 1},
}


@pytest.fixture(scope="session")
def tiny_config() -> dict:
    """Validated synsoc configuration with the tiny MD section."""
    return validate_config({"md": TINY_MD})


@pytest.fixture(scope="session")
def tiny_md(tiny_config):
    """Typed MDConfig of the tiny system."""
    return MDConfig.from_section(tiny_config["md"])


@pytest.fixture(scope="session")
def tiny_cleft(tiny_md):
    """Built (unminimized) tiny implicit-solvent cleft."""
    return build_cleft(tiny_md)
