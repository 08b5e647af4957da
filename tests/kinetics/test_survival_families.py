"""Fast family formulas against scipy.stats and scipy.integrate.quad (the references).

Log-density, log-survival and log-CDF against scipy.stats; the integrals of the
frame-discretised likelihood (G = ∫_0^t F, Y = ∫_t^∞ S or -∫_0^t S, H = ∫_0^t S)
against quad of scipy.stats' cdf / sf; each discretised likelihood piece against its
defining integral (module docstring of analysis.kinetics.censored).
"""

import numpy as np
import pytest
from scipy import integrate

from analysis.kinetics import FAMILIES

PARAMS = {
    "expon": [3.0],
    "gamma": [2.5, 2.0],
    "weibull_min": [0.7, 4.0],
    "lognorm": [0.9, 3.0],
    "invgauss": [0.4, 6.0],
    "levy": [2.0],
}
# Other shapes for the integrals: heavy and light left tails, gamma shape < 1.
OTHER_PARAMS = {
    "expon": [0.3],
    "gamma": [0.6, 1.5],
    "weibull_min": [2.4, 0.8],
    "lognorm": [0.35, 1.7],
    "invgauss": [2.5, 1.2],
    "levy": [0.45],
}


def _law(name, p):
    return FAMILIES[name].dist(*p[:-1], scale=p[-1])


def _quad(function, lo, hi):
    value, _ = integrate.quad(function, lo, hi, epsabs=0, epsrel=1e-12, limit=400)
    return value


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_fast_formulas_match_scipy(name):
    family = FAMILIES[name]
    p = np.array(PARAMS[name])
    law = _law(name, p)
    t = np.geomspace(1e-2, 1e2, 400) * p[-1]
    ref_pdf, ref_sf, ref_cdf = law.logpdf(t), law.logsf(t), law.logcdf(t)
    finite = np.isfinite(ref_sf) & (ref_sf > -700)
    np.testing.assert_allclose(family.logpdf(t, p), ref_pdf, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(family.logsf(t[finite], p), ref_sf[finite], rtol=1e-6, atol=1e-9)
    finite = np.isfinite(ref_cdf) & (ref_cdf > -700)
    np.testing.assert_allclose(family.logcdf(t[finite], p), ref_cdf[finite], rtol=1e-6, atol=1e-9)
    assert family.names[-1] == "scale"


@pytest.mark.parametrize("params", [PARAMS, OTHER_PARAMS], ids=["params", "other_params"])
@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_integrals_of_cdf_and_survival_match_quad(name, params):
    family = FAMILIES[name]
    p = np.array(params[name])
    law = _law(name, p)
    t = np.geomspace(0.02, 30.0, 15) * p[-1]
    g_ref = np.array([_quad(law.cdf, 0.0, x) for x in t])
    h_ref = np.array([_quad(law.sf, 0.0, x) for x in t])
    if name == "levy":  # infinite mean: Y = -H
        y_ref = -h_ref
    else:
        y_ref = np.array([_quad(law.sf, x, np.inf) for x in t])
    # quad reaches ~1e-12; the closed forms lose digits to cancellation only far in the
    # left tail (G < 1e-10, where the likelihood never needs them more precisely).
    small = g_ref > 1e-10
    np.testing.assert_allclose(family.int_cdf(t, p)[small], g_ref[small], rtol=1e-9)
    np.testing.assert_allclose(family.int_sf_tail(t, p), y_ref, rtol=1e-9, atol=1e-300)
    np.testing.assert_allclose(family.int_sf(t, p), h_ref, rtol=1e-10)
    with np.errstate(divide="ignore", invalid="ignore"):  # the formulas meet 1/0 at t = 0
        assert family.int_cdf(np.zeros(1), p)[0] == 0.0
        assert family.int_sf(np.zeros(1), p)[0] == 0.0


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_discretised_pieces_match_their_defining_integrals(name):
    family = FAMILIES[name]
    p = np.array(OTHER_PARAMS[name])
    law = _law(name, p)
    delta = 0.35 * p[-1]
    frames = np.array([1, 2, 3, 7, 20])
    t = frames * delta
    # Exact start: F(kΔ) - F((k-1)Δ), the density integrated over the frame.
    mass = np.array([_quad(law.pdf, (k - 1) * delta, k * delta) for k in frames])
    got = family.log_observed(t, p, resolution=delta, exact_start=True)
    np.testing.assert_allclose(np.exp(got), mass, rtol=1e-9)
    # Discretised start: P(k) = ∫ f(s) Λ(s/Δ - k) ds, over P_rec = (1/Δ) ∫_0^Δ S.
    recorded = _quad(law.sf, 0.0, delta) / delta
    hat = np.array(
        [
            _quad(lambda s, k=k: law.pdf(s) * (1 - abs(s / delta - k)), (k - 1) * delta, k * delta)
            + _quad(
                lambda s, k=k: law.pdf(s) * (1 - abs(s / delta - k)), k * delta, (k + 1) * delta
            )
            for k in frames
        ]
    )
    got = family.log_observed(t, p, resolution=delta, exact_start=False)
    np.testing.assert_allclose(np.exp(got), hat / recorded, rtol=1e-8)
    # Censored, discretised start: (1/Δ) ∫_d^{d+Δ} S / P_rec; exact start: S(d).
    d = np.concatenate(([0.0], t))
    mean_sf = np.array([_quad(law.sf, x, x + delta) / delta for x in d])
    got = family.log_censored(d, p, resolution=delta, exact_start=False)
    np.testing.assert_allclose(np.exp(got), mean_sf / recorded, rtol=1e-9)
    assert got[0] == pytest.approx(0.0, abs=1e-12)  # recorded events outlast t = 0
    np.testing.assert_allclose(
        family.log_censored(d, p, resolution=delta, exact_start=True), law.logsf(d), rtol=1e-9
    )


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_recorded_probabilities_sum_to_one(name):
    # Every recorded event has some k >= 1 frames: sum_k P(k) / P_rec = 1, and the
    # frame masses of an exact start sum to 1, up to the mass beyond the last frame.
    family = FAMILIES[name]
    p = np.array(PARAMS[name])
    delta = 0.25 * p[-1]
    t = np.arange(1, 200_000) * delta  # Lévy: S(t[-1]) ~ 4e-3 is left over
    with np.errstate(divide="ignore"):
        t = t[family.logsf(t, p) > -575]  # S > 1e-250: the leftover is 0 for the others
    for exact_start in (True, False):
        total = np.exp(family.log_observed(t, p, resolution=delta, exact_start=exact_start)).sum()
        tail = np.exp(family.log_censored(t[-1:], p, resolution=delta, exact_start=exact_start))
        assert total + tail[0] == pytest.approx(1.0, abs=1e-9), (exact_start, total, tail)
    far = np.array([1e3, 1e5, 1e7]) * delta  # probabilities that underflow read -inf, not NaN
    for exact_start in (True, False):
        options = {"resolution": delta, "exact_start": exact_start}
        assert not np.isnan(family.log_observed(far, p, **options)).any()
        assert not np.isnan(family.log_censored(far, p, **options)).any()
