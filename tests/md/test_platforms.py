"""Platform selection: explicit order, GPU precision, logged choice, OpenMMException only."""

from __future__ import annotations

import logging

import openmm
import pytest

from synapse_md import platforms
from synapse_md.platforms import platform_properties, select_platform


def test_gpu_platforms_get_the_precision_and_cpu_the_threads():
    assert platform_properties("CUDA", "mixed", 4) == {"Precision": "mixed"}
    assert platform_properties("OpenCL", "double", None) == {"Precision": "double"}
    assert platform_properties("CPU", "mixed", 3) == {"Threads": "3"}
    assert platform_properties("CPU", "mixed", None) == {}
    assert platform_properties("Reference", "mixed", 2) == {}
    with pytest.raises(ValueError, match="threads"):
        platform_properties("CPU", "mixed", 0)


def test_requested_cpu_platform_reports_its_threads(caplog):
    with caplog.at_level(logging.INFO, logger="synapse_md.platforms"):
        choice = select_platform("CPU", threads=1)
    assert choice.name == "CPU" and choice.properties == {"Threads": "1"}
    assert choice.device == "CPU (1 threads)"
    assert "OpenMM platform CPU, device CPU (1 threads)" in caplog.text


def test_auto_falls_through_unavailable_platforms(monkeypatch, caplog):
    monkeypatch.setattr(platforms, "AUTO_ORDER", ("NoSuchPlatform", "CPU"))
    with caplog.at_level(logging.INFO, logger="synapse_md.platforms"):
        choice = select_platform("auto", threads=1)
    assert choice.name == "CPU"
    assert "platform NoSuchPlatform unavailable" in caplog.text


def test_no_usable_platform_raises_openmm_exception(monkeypatch):
    monkeypatch.setattr(platforms, "AUTO_ORDER", ("NoSuchPlatform",))
    with pytest.raises(openmm.OpenMMException, match="no usable OpenMM platform"):
        select_platform("auto")


@pytest.mark.parametrize(("requested", "precision"), [("TPU", "mixed"), ("CPU", "half")])
def test_bad_arguments_are_named(requested, precision):
    with pytest.raises(ValueError, match="requested" if requested == "TPU" else "precision"):
        select_platform(requested, precision=precision)
