"""kinetics.json loading, validation errors and the literature source."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import kinetics_document
from scipy import special, stats

from network.config import LiteratureConfig
from network.kinetics import KineticsError, literature_kinetics, load_kinetics


def test_load_valid(kinetics_json):
    kin = load_kinetics(kinetics_json)
    assert kin.bound_fraction == 0.6
    assert kin.cdf_at(1.0) == pytest.approx(0.9 * (1 - np.exp(-5.0)), rel=1e-3)


@pytest.mark.parametrize(
    "section, key",
    [
        ("cleft_first_passage", "cdf"),
        ("cleft_first_passage", "cdf_t_ms"),
        ("receptor_occupancy", "bound_fraction"),
        ("receptor_occupancy", "mean_dwell_ms"),
    ],
)
def test_missing_key_names_key_and_file(tmp_path, section, key):
    doc = kinetics_document()
    del doc[section][key]
    path = tmp_path / "kinetics.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(KineticsError, match=rf"{path}.*'{section}\.{key}'"):
        load_kinetics(path)


def test_missing_section_and_bad_values(tmp_path):
    path = tmp_path / "k.json"
    doc = kinetics_document()
    del doc["receptor_occupancy"]
    path.write_text(json.dumps(doc))
    with pytest.raises(KineticsError, match="receptor_occupancy"):
        load_kinetics(path)
    doc = kinetics_document()
    doc["cleft_first_passage"]["cdf"][5] = 2.0
    path.write_text(json.dumps(doc))
    with pytest.raises(KineticsError, match="non-decreasing"):
        load_kinetics(path)
    path.write_text("{not json")
    with pytest.raises(KineticsError, match="not valid JSON"):
        load_kinetics(path)
    with pytest.raises(FileNotFoundError):
        load_kinetics(tmp_path / "absent.json")


def test_inverse_transform_sampling_matches_conditional_cdf(kinetics_json):
    kin = load_kinetics(kinetics_json)
    samples = kin.sample_fpt_ms(np.random.default_rng(1), 4000)
    # Conditional on binding: exponential with scale 0.2 ms truncated at 2 ms.
    truncated = stats.truncexpon(b=2.0 / 0.2, scale=0.2)
    assert stats.kstest(samples, truncated.cdf).pvalue > 0.01
    assert stats.kstest(samples, stats.expon(scale=0.3).cdf).pvalue < 1e-3


def test_literature_source_is_levy_first_passage():
    cfg = LiteratureConfig()
    kin = literature_kinetics(cfg)
    levy_ms = cfg.cleft_width_nm**2 / (4 * cfg.D_nm2_per_ns) * 1e-6
    t = 5 * levy_ms
    assert kin.cdf_at(t) == pytest.approx(special.erfc(np.sqrt(levy_ms / t)), rel=1e-3)
    assert kin.bound_fraction == pytest.approx(1 - np.exp(-1.3e7 * 1e-3 * 0.1e-3))
