"""The criticality config section: schema errors name the key; shipped configs build."""

import dataclasses
from pathlib import Path

import pytest

from analysis.criticality import CriticalityConfig
from analysis.criticality.alignment import DEFAULT_MARGINS
from synsoc.config import ConfigError, load_config, validate_config
from synsoc.layout import REFERENCE_MODELS


@pytest.mark.parametrize(
    "section, key",
    [
        ({"gof_bootstrap": 0}, "criticality.gof_bootstrap"),
        ({"llr_alternatives": ["weibull"]}, "criticality.llr_alternatives.0"),
        ({"bootstrap": 5}, "criticality"),
    ],
)
def test_schema_errors_name_the_key(section, key):
    with pytest.raises(ConfigError, match=key):
        validate_config({"criticality": section})


@pytest.mark.parametrize("name", ["config", "tiny", "large"])
def test_shipped_configs_build_typed_config(name):
    section = load_config(Path(__file__).resolve().parents[2] / "config" / f"{name}.yaml")[
        "criticality"
    ]
    config = CriticalityConfig.from_section(section)
    assert config.gof_bootstrap >= 1 and set(config.reference_models) <= set(REFERENCE_MODELS)
    assert set(config.alignment_margins) == set(DEFAULT_MARGINS)


def test_schema_default_margins_are_the_scores_defaults():
    assert CriticalityConfig.from_section().alignment_margins == DEFAULT_MARGINS
    partial = CriticalityConfig.from_section({"alignment_margins": {"tau": 0.2}})
    assert partial.alignment_margins == {**DEFAULT_MARGINS, "tau": 0.2}
    with pytest.raises(ConfigError, match="criticality.alignment_margins"):
        validate_config({"criticality": {"alignment_margins": {"tau": 0}}})


def test_dataclass_validates_too():
    with pytest.raises(ValueError, match="criticality.min_tail"):
        dataclasses.replace(CriticalityConfig.from_section(), min_tail=1)
