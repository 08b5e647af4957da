"""kinetics.json rates for the synapse response, and the response itself: the membrane
integral against closed forms, the transmission identity, CIs that follow the draws."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from conftest import kinetics_document, network_config

from network.cleft import cleft_transient
from network.synapse_response import (
    activation_probability,
    compute_synapse_response,
    load_synapse_response,
    psp_per_receptor_mV,
)
from network.synaptic_kinetics import load_binding_rates
from synsoc.errors import KineticsError


def test_load_binding_rates(kinetics_json):
    rates = load_binding_rates(kinetics_json)
    assert rates.k_on_per_M_per_s == 1e7 and rates.k_off_per_s == 4e3
    assert rates.K_d_M == pytest.approx(4e-4)
    assert rates.D_um2_per_ms == 0.33
    assert rates.draws_k_on_per_M_per_s.shape == rates.draws_k_off_per_s.shape == (40,)


def test_missing_rates_are_refused_with_the_kinetics_reason(tmp_path):
    doc = kinetics_document()
    doc["binding_rates"]["k_off_per_s"] = None
    doc["binding_rates"]["unavailable"] = {"k_off_per_s": "time calibration invalid: trap"}
    path = tmp_path / "kinetics.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(KineticsError, match=r"kinetics.json.*k_off_per_s.*trap.*literature"):
        load_binding_rates(path)
    for mutate, message in (
        (lambda d: d.pop("binding_rates"), "missing section 'binding_rates'"),
        (lambda d: d.update(schema_version=1), "schema_version 1"),
        (lambda d: d["time_calibration"].pop("D_target_nm2_per_ns"), "D_target_nm2_per_ns"),
        (lambda d: d["binding_rates"].update(k_on_per_M_per_s=-1.0), "k_on_per_M_per_s"),
        (
            lambda d: d["binding_rates"]["bootstrap_draws"]["k_off_per_s"].pop(),
            "bootstrap_draws",
        ),
    ):
        doc = kinetics_document()
        mutate(doc)
        path.write_text(json.dumps(doc))
        with pytest.raises(KineticsError, match=message):
            load_binding_rates(path)
    with pytest.raises(FileNotFoundError, match="absent.json"):
        load_binding_rates(tmp_path / "absent.json")


def test_psp_integral_matches_closed_forms():
    cfg = network_config().synapses
    a = cfg.receptor_conductance_pS * cfg.driving_force_mV / cfg.membrane_capacitance_pF * 1e-3
    tau = cfg.membrane_tau_ms
    t = np.logspace(-4, 2, 400)
    # a step of open fraction 1 from t = 0: open time t, exact
    step = psp_per_receptor_mV(t, t, cfg)
    assert step == pytest.approx(a * tau * (1 - np.exp(-t / tau)), rel=1e-12)
    # an exponential current exp(-t/k), open time k (1 - exp(-t/k)):
    # v = a k tau/(tau - k) (exp(-t/tau) - exp(-t/k))
    k = 2.0
    expo = psp_per_receptor_mV(t, k * -np.expm1(-t / k), cfg)
    exact = a * k * tau / (tau - k) * (np.exp(-t / tau) - np.exp(-t / k))
    assert expo == pytest.approx(exact, rel=2e-3)
    t_peak = k * tau / (tau - k) * math.log(tau / k)
    assert t[np.argmax(expo)] == pytest.approx(t_peak, rel=0.03)


@pytest.mark.parametrize("fast", [True, False])
def test_psp_peak_converged_on_the_default_grid(fast):
    """e1 on the default 240-point transient equals a grid 8x finer within 0.1 %
    (measured 0.03 %), for a fast MD two-state receptor (k_on 6.3e9 /M/s, k_off 3.6e9 /s:
    it follows the stepwise concentration within every interval) and for JMS AMPA.
    Interpolating the open fraction between grid points gave +2.2 % for the fast one."""
    from network.cleft import cleft_transient
    from network.receptors import jonas_ampa_scheme, two_state_scheme
    from network.synapse_response import (
        _N_TIMES,
        _geometry,
        _with_washout,
        patch_response,
        ring_concentrations_mM,
    )

    cfg = network_config().synapses
    geometry = _geometry(cfg, 0.33)
    scheme = two_state_scheme(6.3e9, 3.6e9) if fast else jonas_ampa_scheme()
    peaks = []
    for n_times in (_N_TIMES, 8 * _N_TIMES):
        transient = cleft_transient(geometry, t_max_ms=cfg.cleft.t_max_ms, n_times=n_times)
        t, rings = _with_washout(
            transient.t_ms, ring_concentrations_mM(geometry, transient.t_ms), cfg
        )
        peaks.append(patch_response(scheme, t, rings, cfg).psp_mV.max())
    assert peaks[0] == pytest.approx(peaks[1], rel=1e-3)


def test_activation_probability():
    assert activation_probability(0.5, np.array([1, 2, 3])) == pytest.approx([0.5, 0.75, 0.875])
    assert activation_probability(1.0, 5) == 1.0
    assert activation_probability(0.0, 5) == 0.0


def test_synapse_response_chain_and_its_draws(tmp_path, kinetics_json):
    cfg = network_config(synapses={"n_bootstrap": 20}).synapses
    rates = load_binding_rates(kinetics_json)
    response, doc = compute_synapse_response(cfg, rates)
    assert response.n_draws == 20 and doc["comparison"]["scheme"] == "jonas_major_sakmann_1993_ampa"
    # the default (null) takes every draw kinetics.json holds, less those without k_off
    every = network_config().synapses
    assert every.n_bootstrap is None
    usable = int(np.count_nonzero(rates.draws_k_off_per_s > 0))
    assert rates.draws_k_on_per_M_per_s.size > 20
    assert compute_synapse_response(every, rates)[0].n_draws == usable
    # a release of 4000 transmitters gives a mM transient over the patch
    assert 0.5 < doc["cleft"]["peak_mM"] < 10
    # the PSP per receptor is linear in the conductance and inverse in the capacitance
    double = network_config(synapses={"n_bootstrap": 0, "receptor_conductance_pS": 20.0})
    assert compute_synapse_response(double.synapses, rates)[0].psp_per_receptor_mV == (
        pytest.approx(2 * response.psp_per_receptor_mV, rel=1e-9)
    )
    # a slower binder gives a smaller response; the draws bracket the point estimate
    ci = doc["response"]["ci95"]["psp_per_receptor_mV"]
    assert ci[0] < response.psp_per_receptor_mV < ci[1]
    slow = load_binding_rates(kinetics_json)
    object.__setattr__(slow, "k_on_per_M_per_s", 1e6)
    assert compute_synapse_response(cfg, slow)[0].psp_per_receptor_mV < (
        0.5 * response.psp_per_receptor_mV
    )
    # p_transmit x efficacy = p_release n e1 / theta for every draw
    n = np.array([1, 5, 20, 80])
    for draw in (None, 0, 7):
        p, eps = response.transmission(n, 0.5, draw=draw)
        e1 = (
            response.psp_per_receptor_mV
            if draw is None
            else doc["draws"]["psp_per_receptor_mV"][draw]
        )
        assert p * eps == pytest.approx(0.5 * n * e1 / cfg.threshold_mV, rel=1e-12)
    path = tmp_path / "synapse_response.json"
    path.write_text(json.dumps(doc))
    back = load_synapse_response(path)
    assert back.psp_per_receptor_mV == response.psp_per_receptor_mV
    assert np.array_equal(back.draws_p_open_single, response.draws_p_open_single)
    doc["schema_version"] = 7
    path.write_text(json.dumps(doc))
    with pytest.raises(KineticsError, match="schema_version 7"):
        load_synapse_response(path)


def test_literature_source_needs_no_kinetics():
    cfg = network_config(synapses={"source": "literature"}).synapses
    response, doc = compute_synapse_response(cfg, None)
    assert response.scheme == "jonas_major_sakmann_1993_ampa" and doc["comparison"] is None
    assert response.n_draws == 0 and doc["rates"] is None
    assert 0 < response.p_open_single < 1 and 0.1 < response.latency_ms < 2
    # the potential peaks after the transient (AMPA deactivation, membrane integration),
    # inside the washout the grid adds: a maximum, not the grid's last point
    course = doc["response"]["time_course"]
    peak = int(np.argmax(course["psp_per_receptor_mV"]))
    assert course["t_ms"][peak] > cfg.cleft.t_max_ms and peak < len(course["t_ms"]) - 1


def test_receptors_average_over_the_patch():
    """Equal-area rings: their area-weighted mean is the patch mean, the centre sees the
    release first and highest, and 8 rings give the 32-ring response within 2 %."""
    from network.cleft import cleft_transient
    from network.receptors import jonas_ampa_scheme
    from network.synapse_response import _geometry, patch_response, ring_concentrations_mM

    cfg = network_config(synapses={"source": "literature"}).synapses
    geometry = _geometry(cfg, 0.33)
    transient = cleft_transient(geometry, t_max_ms=5.0, n_times=120)
    rings = ring_concentrations_mM(geometry, transient.t_ms)
    concentration, weight = rings
    assert weight.sum() == pytest.approx(1.0) and weight == pytest.approx(1 / 8, rel=0.1)
    patch = np.average(concentration, axis=0, weights=weight)
    assert patch == pytest.approx(transient.patch_mM, rel=1e-9)
    early = transient.t_ms < 0.002
    assert np.all(concentration[0, early] > concentration[-1, early])
    fine = ring_concentrations_mM(geometry, transient.t_ms, n_rings=32)
    coarse_response = patch_response(jonas_ampa_scheme(), transient.t_ms, rings, cfg)
    fine_response = patch_response(jonas_ampa_scheme(), transient.t_ms, fine, cfg)
    assert coarse_response.psp_mV.max() == pytest.approx(fine_response.psp_mV.max(), rel=0.02)
    assert coarse_response.p_ever_open == pytest.approx(fine_response.p_ever_open, rel=0.02)


@pytest.mark.parametrize("patch_nm", [2.0, 10.0, 20.0, 33.0])
def test_rings_of_small_patches(patch_nm):
    """Patches of a few cells: rings of whole cells, at most one per cell, whose
    area-weighted mean is the patch mean (the old rings failed at <= 20 nm)."""
    import dataclasses

    from network.synapse_response import _geometry, ring_concentrations_mM

    cfg = network_config().synapses
    geometry = dataclasses.replace(_geometry(cfg, 0.33), patch_radius_nm=patch_nm)
    transient = cleft_transient(geometry, t_max_ms=1.0, n_times=40)
    concentration, weight = ring_concentrations_mM(geometry, transient.t_ms)
    assert 1 <= weight.size <= 8
    assert weight.sum() == pytest.approx(1.0)
    patch = np.average(concentration, axis=0, weights=weight)
    assert patch == pytest.approx(transient.patch_mM, rel=1e-9)
