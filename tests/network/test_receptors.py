"""Receptor kinetic schemes against analytic results.

Two-state binding has closed forms for constant, square-pulse and time-varying
concentrations (the first-opening CDF of the absorbing chain is
1 - exp(-k_on * integral of C dt)). For the seven-state AMPA scheme of Jonas, Major &
Sakmann 1993 the paper's text was not accessible, so its checks are internal: detailed
balance of the published constants, equilibrium and limits (C -> 0, C -> inf) against a
hand-built sub-chain, and the deactivation / desensitisation time constants read off the
solved transients against the eigenvalues of the generator. The measured values
(deactivation 2.54 ms, desensitisation 11.1 ms in 1 mM and 19.9 ms in 10 mM, peak open
probability 0.59 for 1 mM / 1 ms, equilibrium EC50 42 uM) are pinned so that a change of
rates or solver shows up.
"""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
from scipy.linalg import eig, null_space

from network.receptors import (
    KineticScheme,
    Transition,
    drive_receptor,
    first_activation_cdf,
    jonas_ampa_scheme,
    n_receptor_activation_probability,
    two_state_scheme,
)

K_ON = 5e6  # M^-1 s^-1
K_OFF = 2e3  # s^-1


def _scheme(**overrides) -> dict:
    kwargs = dict(
        states=("A", "B"),
        open_states=("B",),
        initial_state="A",
        transitions=(Transition("A", "B", 1e6, binding=True), Transition("B", "A", 10.0)),
    )
    kwargs.update(overrides)
    return kwargs


def _fit_tau_ms(t_ms, y) -> float:
    """Time constant (ms) of a single exponential fitted to log(y) by least squares."""
    slope = np.polyfit(t_ms, np.log(y), 1)[0]
    return -1.0 / slope


def _slowest_tau_ms(q, p0, mask) -> float:
    """Time constant (ms) of the slowest decaying mode of p0 expm(Q t) . mask that carries
    at least 1 % of the largest amplitude (the spectral decomposition of the generator)."""
    w, vl, vr = eig(q, left=True, right=True)
    amp = np.array(
        [(p0 @ vr[:, k]) * (vl[:, k] @ mask) / (vl[:, k] @ vr[:, k]) for k in range(w.size)]
    ).real
    relevant = (w.real < -1e-6) & (np.abs(amp) >= 0.01 * np.abs(amp).max())
    return -1e3 / w.real[relevant].max()


# ----------------------------------------------------------------- validation


def test_input_validation_names_the_field():
    cases = [
        (dict(states=("A",)), "states"),
        (dict(states=("A", "A")), "unique"),
        (dict(open_states=()), "open_states"),
        (dict(open_states=("Z",)), "open_states"),
        (dict(initial_state="Z"), "initial_state"),
        (dict(initial_state="B"), "initial_state"),
        (dict(transitions=()), "transitions"),
        (dict(transitions=(Transition("A", "Z", 1.0),)), r"transitions\[0\]\.target"),
        (dict(transitions=(Transition("Q", "A", 1.0),)), r"transitions\[0\]\.source"),
        (dict(transitions=(Transition("A", "A", 1.0),)), "itself"),
        (dict(transitions=(Transition("A", "B", -1.0),)), r"transitions\[0\]\.rate"),
        (dict(transitions=(Transition("A", "B", np.nan),)), r"transitions\[0\]\.rate"),
        (dict(transitions=(Transition("A", "B", 1.0), Transition("A", "B", 2.0))), "repeats"),
    ]
    for overrides, message in cases:
        with pytest.raises(ValueError, match=message):
            KineticScheme(**_scheme(**overrides))
    scheme = KineticScheme(**_scheme())
    with pytest.raises(ValueError, match="conc_M"):
        scheme.generator(-1e-3)
    isolated = KineticScheme(**_scheme(states=("A", "B", "C")))
    with pytest.raises(ValueError, match="no unique equilibrium"):
        isolated.stationary_probability(1e-3)
    with pytest.raises(ValueError, match="k_off_per_s"):
        two_state_scheme(1e6, 0.0)
    t = np.array([0.1, 0.2, 0.3])
    bad_transients = [
        (np.array([0.0, 0.1, 0.2]), np.ones(3), "t_ms"),
        (np.array([0.1, 0.3, 0.2]), np.ones(3), "t_ms"),
        (t, np.ones(2), "conc_mM"),
        (t, np.array([1.0, -1.0, 0.0]), "conc_mM"),
        (t, np.array([1.0, np.inf, 0.0]), "conc_mM"),
        (np.array([[0.1, 0.2]]), np.ones(2), "t_ms"),
    ]
    for t_ms, conc, message in bad_transients:
        with pytest.raises(ValueError, match=message):
            drive_receptor(scheme, t_ms, conc)
    with pytest.raises(ValueError, match="p_ever_open"):
        n_receptor_activation_probability(1.5, 3)
    with pytest.raises(ValueError, match="n_receptors"):
        n_receptor_activation_probability(0.5, 0)
    with pytest.raises(ValueError, match="n_receptors"):
        n_receptor_activation_probability(0.5, 2.0)
    with pytest.raises(ValueError, match="first_open_cdf"):
        first_activation_cdf([0.1, 1.2], 3)
    with pytest.raises(ValueError, match="non-decreasing"):
        first_activation_cdf([0.5, 0.1], 3)


def test_generators_are_rate_matrices():
    for scheme in (two_state_scheme(K_ON, K_OFF), jonas_ampa_scheme()):
        for conc_M in (0.0, 1e-6, 1e-3, 1.0):
            q = scheme.generator(conc_M)
            assert q.shape == (scheme.n_states, scheme.n_states)
            np.testing.assert_allclose(q.sum(axis=1), 0.0, atol=1e-12 * np.abs(q).max())
            off_diagonal = q[~np.eye(scheme.n_states, dtype=bool)]
            assert np.all(off_diagonal >= 0)
    q = two_state_scheme(K_ON, K_OFF).generator(2e-3)
    np.testing.assert_allclose(q, [[-K_ON * 2e-3, K_ON * 2e-3], [K_OFF, -K_OFF]])


def test_probability_is_conserved():
    t = np.logspace(-4, 2, 200)
    conc = 3.0 * np.exp(-t / 0.5)
    for scheme in (two_state_scheme(K_ON, K_OFF), jonas_ampa_scheme()):
        r = drive_receptor(scheme, t, conc)
        np.testing.assert_allclose(r.state_probability.sum(axis=1), 1.0, atol=1e-10)
        assert np.all(r.state_probability >= 0)
        assert np.all(np.diff(r.first_open_cdf) >= 0)
        assert np.all(np.diff(r.cumulative_open_ms) >= 0)
        # a receptor open now has opened at least once
        assert np.all(r.first_open_cdf >= r.open_fraction - 1e-12)


# ------------------------------------------------------ two-state: closed forms


def test_two_state_constant_concentration():
    conc_mM = 0.4
    k = K_ON * conc_mM * 1e-3 + K_OFF  # s^-1
    a = K_ON * conc_mM * 1e-3 / k
    t = np.logspace(-4, 1, 200)
    r = drive_receptor(two_state_scheme(K_ON, K_OFF), t, np.full(t.size, conc_mM))
    t_s = t * 1e-3
    np.testing.assert_allclose(r.open_fraction, a * (1 - np.exp(-k * t_s)), atol=1e-6, rtol=0)
    integral_ms = 1e3 * a * (t_s - (1 - np.exp(-k * t_s)) / k)
    np.testing.assert_allclose(r.cumulative_open_ms, integral_ms, rtol=1e-9, atol=1e-15)
    first = 1 - np.exp(-K_ON * conc_mM * 1e-3 * t_s)
    np.testing.assert_allclose(r.first_open_cdf, first, atol=1e-9, rtol=0)
    # one point: the first interval (0, t] alone
    single = drive_receptor(two_state_scheme(K_ON, K_OFF), [0.05], [conc_mM])
    assert single.open_fraction[0] == pytest.approx(a * (1 - np.exp(-k * 5e-5)), abs=1e-12)


def test_two_state_time_varying_first_opening():
    """Exponential pulse C0 exp(-t/tau): F(t) = 1 - exp(-k_on C0 tau (1 - exp(-t/tau)))."""
    c0_mM, tau_ms = 1.0, 0.3
    scheme = two_state_scheme(K_ON, K_OFF)
    t = np.logspace(-5, 1, 1000)
    conc = c0_mM * np.exp(-t / tau_ms)
    r = drive_receptor(scheme, t, conc)

    # exact for the piecewise-constant concentration the solver uses
    trapezoids = np.diff(t) * 0.5 * (conc[1:] + conc[:-1])
    piecewise_mM_ms = conc[0] * t[0] + np.concatenate([[0.0], np.cumsum(trapezoids)])
    exact = 1 - np.exp(-K_ON * 1e-6 * piecewise_mM_ms)  # M^-1 s^-1 * mM ms = 1e-6
    np.testing.assert_allclose(r.first_open_cdf, exact, atol=1e-10, rtol=0)
    # and, to the grid's trapezoid error, the continuous pulse
    analytic = 1 - np.exp(-K_ON * 1e-6 * c0_mM * tau_ms * (1 - np.exp(-t / tau_ms)))
    np.testing.assert_allclose(r.first_open_cdf, analytic, atol=2e-5, rtol=0)
    assert r.p_ever_open == pytest.approx(1 - np.exp(-K_ON * 1e-6 * c0_mM * tau_ms), abs=2e-5)

    n = 7
    np.testing.assert_allclose(
        first_activation_cdf(r.first_open_cdf, n),
        1 - np.exp(-n * K_ON * 1e-6 * piecewise_mM_ms),
        atol=1e-9,
    )
    assert n_receptor_activation_probability(r.p_ever_open, n) == pytest.approx(
        1 - (1 - r.p_ever_open) ** n, rel=1e-12
    )


def test_two_state_square_pulse():
    c_mM, pulse_ms = 2.0, 0.5
    k_rise = K_ON * c_mM * 1e-3 + K_OFF
    a = K_ON * c_mM * 1e-3 / k_rise
    rise = np.logspace(-4, np.log10(pulse_ms), 120)
    decay = pulse_ms + np.logspace(-9, 1, 120)  # the step: one 1e-9 ms interval at C/2
    t = np.concatenate([rise, decay])
    conc = np.concatenate([np.full(rise.size, c_mM), np.zeros(decay.size)])
    r = drive_receptor(two_state_scheme(K_ON, K_OFF), t, conc)

    p_end = a * (1 - np.exp(-k_rise * pulse_ms * 1e-3))
    expected = np.where(
        t <= pulse_ms,
        a * (1 - np.exp(-k_rise * t * 1e-3)),
        p_end * np.exp(-K_OFF * (t - pulse_ms) * 1e-3),
    )
    np.testing.assert_allclose(r.open_fraction, expected, atol=1e-6, rtol=0)
    assert r.time_to_peak_ms == pytest.approx(pulse_ms, abs=1e-8)
    assert r.peak_open_fraction == pytest.approx(p_end, abs=1e-6)
    assert r.p_ever_open == pytest.approx(1 - np.exp(-K_ON * c_mM * pulse_ms * 1e-6), abs=1e-8)
    # expected open time: rise integral + p_end / k_off for the (nearly complete) decay
    rise_int = a * (pulse_ms - (1 - np.exp(-k_rise * pulse_ms * 1e-3)) / k_rise * 1e3)
    decay_int = p_end * 1e3 / K_OFF * (1 - np.exp(-K_OFF * 10 * 1e-3))
    assert r.open_integral_ms == pytest.approx(rise_int + decay_int, rel=1e-6)


def test_n_receptor_combination():
    assert n_receptor_activation_probability(0.0, 5) == 0.0
    assert n_receptor_activation_probability(1.0, 5) == 1.0
    assert n_receptor_activation_probability(0.3, 1) == pytest.approx(0.3, rel=1e-14)
    assert n_receptor_activation_probability(0.5, 3) == pytest.approx(0.875, rel=1e-14)
    # small p keeps its precision: 1 - (1 - p)^n ~ n p
    assert n_receptor_activation_probability(1e-18, 1000) == pytest.approx(1e-15, rel=1e-9)
    np.testing.assert_allclose(first_activation_cdf([0.0, 0.5, 1.0], 2), [0.0, 0.75, 1.0])


# ---------------------------------------------------- Jonas, Major & Sakmann 1993


def _rate(scheme, source, target):
    return next(tr.rate for tr in scheme.transitions if (tr.source, tr.target) == (source, target))


def test_jms_published_constants_obey_detailed_balance():
    """Kolmogorov's criterion on both cycles, to the rounding of the published rates."""
    s = jonas_ampa_scheme()
    for cycle in (("C1", "C2", "C4", "C3"), ("C2", "O", "C5", "C4")):
        pairs = list(zip(cycle, cycle[1:] + cycle[:1], strict=True))
        forward = np.prod([_rate(s, a, b) for a, b in pairs])
        backward = np.prod([_rate(s, b, a) for a, b in pairs])
        assert forward / backward == pytest.approx(1.0, abs=0.01), cycle
    assert s.states == ("C0", "C1", "C2", "O", "C3", "C4", "C5")
    assert len(s.transitions) == 16


def test_jms_equilibrium_and_limits():
    s = jonas_ampa_scheme()
    o = s.states.index("O")
    # a long constant exposure reaches the equilibrium of the generator
    t = np.logspace(-4, np.log10(3000.0), 300)
    for conc_mM in (0.01, 1.0):
        r = drive_receptor(s, t, np.full(t.size, conc_mM))
        np.testing.assert_allclose(
            r.state_probability[-1], s.stationary_probability(conc_mM * 1e-3), atol=1e-9
        )
    # C -> 0: two bindings precede opening, so P_open ~ C^2
    p_low = [s.stationary_probability(c)[o] for c in (1e-10, 1e-9)]
    assert np.log10(p_low[1] / p_low[0]) == pytest.approx(2.0, abs=1e-3)
    np.testing.assert_allclose(s.stationary_probability(0.0), s.initial_probability, atol=1e-15)
    # C -> inf: the doubly bound sub-chain C2, O, C4, C5 with its constant rates alone
    names = ("C2", "O", "C4", "C5")
    sub = np.zeros((4, 4))
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            if any((tr.source, tr.target) == (a, b) for tr in s.transitions):
                sub[i, j] = _rate(s, a, b)
    sub[np.diag_indices(4)] = -sub.sum(axis=1)
    pi_sub = np.abs(null_space(sub.T)[:, 0])
    pi_sub /= pi_sub.sum()
    pi_high = s.stationary_probability(10.0)  # 10 M: binding 1e5 times faster than unbinding
    np.testing.assert_allclose(pi_high[[s.states.index(n) for n in names]], pi_sub, atol=1e-4)


def test_jms_dose_response_and_brief_pulse_pinned():
    """Measured values (see module docstring): a regression guard, not a published check."""
    s = jonas_ampa_scheme()
    o = s.states.index("O")
    conc_M = np.logspace(-8, -1, 141)
    p_open = np.array([s.stationary_probability(c)[o] for c in conc_M])
    p_max = s.stationary_probability(1.0)[o]
    ec50_M = np.exp(np.interp(np.log(0.5 * p_max), np.log(p_open), np.log(conc_M)))
    assert p_max == pytest.approx(0.0179, abs=5e-4)
    assert ec50_M == pytest.approx(42e-6, rel=0.05)

    t = np.concatenate([np.logspace(-4, 0, 100), 1.0 + np.logspace(-9, 2, 100)])
    conc = np.where(np.arange(t.size) < 100, 1.0, 0.0)
    r = drive_receptor(s, t, conc)
    assert r.peak_open_fraction == pytest.approx(0.592, abs=0.005)
    assert r.time_to_peak_ms == pytest.approx(1.0, abs=0.05)
    assert 0.6 < r.p_ever_open < 0.9
    assert r.p_ever_open >= r.peak_open_fraction


def test_jms_deactivation_matches_generator():
    """Decay after a 1 ms, 1 mM pulse: the slowest relevant mode of Q(0) from the state at 1 ms."""
    s = jonas_ampa_scheme()
    pulse = np.linspace(1e-3, 1.0, 1000)
    after = 1.0 + np.linspace(1e-9, 20.0, 2000)
    t = np.concatenate([pulse, after])
    r = drive_receptor(s, t, np.concatenate([np.ones(pulse.size), np.zeros(after.size)]))
    state_at_end = r.state_probability[pulse.size - 1]
    tau_eig = _slowest_tau_ms(s.generator(0.0), state_at_end, s.open_mask.astype(float))
    window = (t > 2.0) & (t < 9.0)
    tau_fit = _fit_tau_ms(t[window], r.open_fraction[window])
    assert tau_fit == pytest.approx(tau_eig, rel=0.03)
    assert tau_eig == pytest.approx(2.54, abs=0.02)
    assert 1.0 < tau_fit < 5.0  # the range of hippocampal AMPA receptor deactivation


@pytest.mark.parametrize(("conc_mM", "tau_ms"), [(1.0, 11.1), (10.0, 19.9)])
def test_jms_desensitisation_matches_generator(conc_mM, tau_ms):
    """Decay of the open fraction to equilibrium in prolonged glutamate."""
    s = jonas_ampa_scheme()
    t = np.linspace(0.01, 80.0, 4000)
    r = drive_receptor(s, t, np.full(t.size, conc_mM))
    p_inf = s.stationary_probability(conc_mM * 1e-3)[s.states.index("O")]
    tau_eig = _slowest_tau_ms(
        s.generator(conc_mM * 1e-3), s.initial_probability, s.open_mask.astype(float)
    )
    window = (t > r.time_to_peak_ms + 3.0) & (t < 50.0)
    tau_fit = _fit_tau_ms(t[window], r.open_fraction[window] - p_inf)
    assert tau_fit == pytest.approx(tau_eig, rel=0.02)
    assert tau_eig == pytest.approx(tau_ms, abs=0.1)


# ----------------------------------------------------------------- interface


def test_to_dict_is_json_ready_and_timing():
    s = jonas_ampa_scheme()
    t = np.logspace(-4, 2, 200)
    conc = np.where(t <= 1.0, 1.0, 0.0)
    best = np.inf
    for _ in range(5):
        start = time.perf_counter()
        r = drive_receptor(s, t, conc)
        best = min(best, time.perf_counter() - start)
    assert best < 0.05, f"one 200-point solve took {best * 1e3:.1f} ms"
    d = json.loads(json.dumps(r.to_dict()))
    assert set(d) == {
        "scheme",
        "n_states",
        "t_end_ms",
        "peak_open_fraction",
        "time_to_peak_ms",
        "open_integral_ms",
        "p_ever_open",
    }
    assert d["n_states"] == 7 and d["t_end_ms"] == 100.0
    assert r.state_probability.shape == (200, 7) and r.open_fraction.shape == (200,)
    with pytest.raises(AttributeError):
        r.t_ms = t  # frozen
