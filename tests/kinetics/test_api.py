"""The package's public API, its config and the events table contract."""

import argparse
import dataclasses
import importlib

import numpy as np

import analysis.kinetics as kinetics
from analysis.kinetics import HysteresisCutoffs, KineticsConfig, empty_events, events_from_distances
from analysis.kinetics.inspect_cli import register
from synsoc.config import schema_default, validate_section
from synsoc.layout import EVENT_COLUMNS, EVENT_KINDS, EVENT_RESOLUTION_COLUMN

IMPLEMENTATION = (
    "assembly",
    "calibration",
    "censored",
    "config",
    "events",
    "extraction",
    "families",
    "inspect",
    "msm",
    "plots",
    "rates",
    "rescaling",
    "surfaces",
    "survival",
)


def test_package_reexports_every_public_name():
    assert len(set(kinetics.__all__)) == len(kinetics.__all__)
    for name in kinetics.__all__:
        assert hasattr(kinetics, name), name
    for module in IMPLEMENTATION:
        missing = set(importlib.import_module(f"analysis.kinetics.{module}").__all__) - set(
            kinetics.__all__
        )
        assert not missing, f"analysis.kinetics.{module}: {sorted(missing)} not re-exported"


def test_events_table_columns_are_the_layout_contract():
    d = np.array([1.0, 0.3, 0.3, 0.9, 0.3])[:, None, None]
    events = events_from_distances(d, np.arange(5.0), HysteresisCutoffs(0.45, 0.65))
    assert tuple(events.columns) == (*EVENT_COLUMNS, EVENT_RESOLUTION_COLUMN)
    assert tuple(empty_events().columns) == (*EVENT_COLUMNS, EVENT_RESOLUTION_COLUMN)
    assert set(events["kind"]) == set(EVENT_KINDS)
    assert (events[EVENT_RESOLUTION_COLUMN] == 1.0).all()  # the frame interval


def test_config_defaults_come_from_the_schema_only():
    assert all(
        f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        for f in dataclasses.fields(KineticsConfig)
    )
    config = KineticsConfig.from_section({})
    for key, value in validate_section("kinetics").items():
        assert getattr(config, key) == (tuple(value) if isinstance(value, list) else value), key
    assert KineticsConfig.from_section({"r_on_nm": 0.5}).r_on_nm == 0.5


def test_inspect_cli_defaults_are_the_schema_defaults():
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(["inspect", "somewhere"])
    assert args.r_on_nm == schema_default("kinetics", "r_on_nm")
    assert args.r_off_nm == schema_default("kinetics", "r_off_nm")
    assert args.transmitter_atoms.split(",") == schema_default("kinetics", "transmitter_atom_names")
    assert args.receptor_atoms.split(",") == schema_default("kinetics", "receptor_atom_names")
