"""kinetics.json loading, validation errors and the literature source."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import kinetics_document, network_config
from scipy import special, stats

from network.synaptic_kinetics import SynapticKinetics, literature_kinetics, load_kinetics
from synsoc.errors import KineticsError


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
    path.write_text("[1, 2]")
    with pytest.raises(KineticsError, match="JSON object"):
        load_kinetics(path)
    path.write_text("{not json")
    with pytest.raises(KineticsError, match="not valid JSON"):
        load_kinetics(path)
    with pytest.raises(FileNotFoundError):
        load_kinetics(tmp_path / "absent.json")


def test_inverse_transform_sampling_matches_conditional_cdf(kinetics_json):
    kin = load_kinetics(kinetics_json)
    samples = kin.sample_fpt_ms(4000, rng=np.random.default_rng(1))
    # Conditional on binding: exponential with scale 0.2 ms truncated at 2 ms.
    truncated = stats.truncexpon(b=2.0 / 0.2, scale=0.2)
    assert stats.kstest(samples, truncated.cdf).pvalue > 0.01
    assert stats.kstest(samples, stats.expon(scale=0.3).cdf).pvalue < 1e-3


def test_literature_source_is_levy_first_passage():
    cfg = network_config().synapses.literature
    kin = literature_kinetics(cfg)
    levy_ms = cfg.cleft_width_nm**2 / (4 * cfg.D_nm2_per_ns) * 1e-6
    t = 5 * levy_ms
    assert kin.cdf_at(t) == pytest.approx(special.erfc(np.sqrt(levy_ms / t)), rel=1e-3)
    assert kin.bound_fraction == pytest.approx(1 - np.exp(-1.3e7 * 1e-3 * 0.1e-3))


def test_inverse_transform_skips_flat_stretches_of_the_cdf():
    """Samples follow the piecewise-linear CDF exactly, plateaus (zero density) included."""
    rng = np.random.default_rng(2)
    late = SynapticKinetics(
        np.array([0.0, 1.0, 2.0]), np.array([0.0, 0.0, 1.0]), 0.5, 1.0, source="test"
    )
    samples = late.sample_fpt_ms(4000, rng=rng)
    assert samples.min() >= 1.0  # no binding before 1 ms
    assert stats.kstest(samples, stats.uniform(loc=1.0, scale=1.0).cdf).pvalue > 0.01
    t, c = np.array([0.0, 1.0, 2.0, 3.0]), np.array([0.0, 0.4, 0.4, 0.8])
    gap = SynapticKinetics(t, c, 0.5, 1.0, source="test")
    samples = gap.sample_fpt_ms(4000, rng=rng)
    assert not np.any((samples > 1.0) & (samples < 2.0))
    assert stats.kstest(samples, lambda x: np.interp(x, t, c) / c[-1]).pvalue > 0.01


@pytest.mark.parametrize(
    "section, key, value, message",
    [
        ("cleft_first_passage", "cdf", ["a", "b"], "'cleft_first_passage.cdf' must be a list"),
        ("receptor_occupancy", "bound_fraction", "high", "'receptor_occupancy.bound_fraction'"),
        ("receptor_occupancy", "mean_dwell_ms", -1.0, "receptor_occupancy.mean_dwell_ms"),
        (
            "receptor_occupancy",
            "bound_fraction",
            None,
            "'receptor_occupancy.bound_fraction' is null",
        ),
    ],
)
def test_invalid_values_name_key_and_file(tmp_path, section, key, value, message):
    doc = kinetics_document()
    doc[section][key] = value
    path = tmp_path / "kinetics.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(KineticsError, match=f"{path}.*{message}"):
        load_kinetics(path)


def test_dwell_without_physical_time_is_carried_as_none(tmp_path):
    doc = kinetics_document()
    doc["receptor_occupancy"]["mean_dwell_ms"] = None  # dwells not rescaled (Kramers check)
    path = tmp_path / "kinetics.json"
    path.write_text(json.dumps(doc))
    assert load_kinetics(path).mean_dwell_ms is None


def test_omitted_cleft_first_passage_is_refused_with_the_kinetics_reason(tmp_path):
    doc = kinetics_document()
    doc["cleft_first_passage"] = {"status": "omitted", "reason": "time calibration invalid: X"}
    path = tmp_path / "kinetics.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(KineticsError, match="no physical time scale.*time calibration invalid: X"):
        load_kinetics(path)
    doc = kinetics_document()
    doc["schema_version"] = 1
    path.write_text(json.dumps(doc))
    with pytest.raises(KineticsError, match="schema_version 1 is not 2"):
        load_kinetics(path)
