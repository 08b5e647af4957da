"""Configuration errors name the key, before any file is written."""

from __future__ import annotations

import pytest
import yaml

from synapse_md import MDConfig, MoleculeConfig
from synsoc.cli import main
from synsoc.config import ConfigError, load_config, schema_default, validate_config


@pytest.mark.parametrize(
    ("md", "key"),
    [
        ({"replicas": "four"}, "md.replicas"),
        ({"bogus_key": 1}, "bogus_key"),
        ({"transmitter": {"count": -3}}, "md.transmitter.count"),
        ({"solvent": "vacuum"}, "md.solvent"),
        ({"platform": "TPU"}, "md.platform"),
        ({"geometry": {"lateral_nm": -1.0}}, "md.geometry.lateral_nm"),
    ],
)
def test_invalid_md_section_names_the_key(md, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        validate_config({"md": md})


def test_salt_with_native_obc2_is_a_config_error_naming_the_alternatives():
    assert MDConfig.from_section({}).salt_molar == 0.0  # the default honours every solvent
    with pytest.raises(
        ConfigError, match=r"md\.salt_molar = 0\.15.*'implicit'.*obc2.*gbn2.*explicit"
    ):
        MDConfig.from_section({"solvent": "implicit", "salt_molar": 0.15})


@pytest.mark.parametrize("solvent", ["obc2", "gbn2", "explicit"])
def test_salt_is_accepted_by_the_solvents_that_screen_it(solvent):
    config = MDConfig.from_section({"solvent": solvent, "salt_molar": 0.15})
    assert config.salt_molar == 0.15


def test_cli_rejects_salt_with_native_obc2_before_writing(tmp_path, capsys):
    config_file = tmp_path / "salty.yaml"
    config_file.write_text(yaml.safe_dump({"md": {"salt_molar": 0.15}}))
    out = tmp_path / "results"
    assert main(["md", "--config", str(config_file), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "md.salt_molar" in err and "obc2" in err
    assert not out.exists()


@pytest.mark.parametrize("output_option", ["-o", "--output", "--out"])  # --out: deprecated
def test_cli_rejects_bad_config_before_writing(tmp_path, capsys, output_option):
    config_file = tmp_path / "bad.yaml"
    config_file.write_text(yaml.safe_dump({"md": {"solvent": "vacuum"}}))
    out = tmp_path / "results"
    status = main(["md", "--config", str(config_file), output_option, str(out)])
    assert status == 2
    assert "md.solvent" in capsys.readouterr().err
    assert not out.exists()


def test_defaults_fill_the_typed_config():
    config = MDConfig.from_section(validate_config({"md": {}})["md"])
    assert config == MDConfig.from_section({}) == MDConfig.from_section(None)
    assert config.seed == schema_default("md", "seed")
    assert config.geometry.lateral_nm == schema_default("md", "geometry", "lateral_nm")
    assert config.transmitter == MoleculeConfig(**schema_default("md", "transmitter"))
    assert config.receptor == MoleculeConfig(**schema_default("md", "receptor"))
    assert config.steps_per_frame == 100
    assert config.production_frames == 100


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"frame_interval_ps": 0.003}, "frame_interval_ps"),
        ({"production_ps": 1.1, "frame_interval_ps": 0.4}, "production_ps"),
        ({"geometry": {"release_z_max_nm": 3.0}}, "release_z_min_nm < release_z_max_nm"),
        ({"geometry": {"receptor_z_nm": 2.9}}, "receptor_z_nm"),
    ],
)
def test_cross_field_checks(overrides, message):
    section = validate_config({"md": overrides})["md"]
    with pytest.raises(ValueError, match=message):
        MDConfig.from_section(section)


@pytest.mark.parametrize("name", ["config/config.yaml", "config/tiny.yaml", "config/large.yaml"])
def test_shipped_configs_are_valid(name):
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    MDConfig.from_section(load_config(root / name)["md"])
