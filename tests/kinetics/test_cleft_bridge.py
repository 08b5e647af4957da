"""Cleft bridge: closed forms against each other, against simulation, and the convolution."""

import numpy as np
import pytest
from scipy import integrate, stats

from analysis.kinetics import cleft_first_passage, crossing_cdf, crossing_mean_ns, crossing_pdf

from .oracles import zscore


def test_series_forms_agree_and_integrate():
    L, D = 20.0, 0.33
    t = np.linspace(0, 6 * crossing_mean_ns(L, D), 4001)
    cdf = crossing_cdf(t, L, D)
    assert cdf[0] == 0 and np.all(np.diff(cdf) >= -1e-12) and cdf[-1] > 0.999
    np.testing.assert_allclose(
        integrate.cumulative_trapezoid(crossing_pdf(t, L, D), t, initial=0), cdf, atol=2e-4
    )
    mean = integrate.trapezoid(1 - cdf, t)
    assert mean == pytest.approx(L**2 / (2 * D), rel=2e-3)
    # Continuity where the evaluation switches from images to eigenmodes (tau = 0.25).
    t_switch = 0.25 * L**2 / D
    assert crossing_cdf(t_switch * (1 - 1e-9), L, D) == pytest.approx(
        crossing_cdf(t_switch, L, D), abs=1e-9
    )


def test_crossing_time_matches_simulation():
    rng = np.random.default_rng(21)
    L, D, dt, n = 2.0, 1.0, 1e-3, 2000
    x = np.zeros(n)
    alive = np.ones(n, bool)
    times = np.full(n, np.inf)
    step = 0
    sigma = np.sqrt(2 * D * dt)
    while alive.any():
        step += 1
        idx = np.flatnonzero(alive)
        old = x[idx]
        new = np.abs(old + sigma * rng.standard_normal(idx.size))  # reflecting at 0
        gap_old, gap_new = L - old, L - new
        bridge = rng.random(idx.size) < np.exp(-np.clip(gap_old * gap_new, 0, None) / (D * dt))
        hit = (new >= L) | bridge
        times[idx[hit]] = step * dt
        alive[idx[hit]] = False
        x[idx] = new
    z, msg = zscore(times.mean(), crossing_mean_ns(L, D), times.std() / np.sqrt(n))
    assert abs(z) < 4, msg
    assert stats.kstest(times, lambda s: crossing_cdf(s, L, D)).pvalue > 0.01


def test_convolution_with_near_field():
    near_scale_ms = 2e-3
    res = cleft_first_passage("expon", {"scale": near_scale_ms}, 20.0, 0.33, rng=1)
    cross_ms = crossing_mean_ns(20.0, 0.33) * 1e-6
    assert res.mean_ms == pytest.approx(cross_ms + near_scale_ms)
    assert np.all(np.diff(res.cdf_t_ms) > 0) and np.all(np.diff(res.cdf) >= 0)
    assert 0 <= res.cdf[0] and res.cdf[-1] <= 1 and res.cdf[-1] > 0.99
    # Mean from the tabulated CDF agrees with the exact sum of means.
    mean_tab = integrate.trapezoid(1 - res.cdf, res.cdf_t_ms)
    assert mean_tab == pytest.approx(res.mean_ms, rel=0.02)
    sample_mean = res.params and getattr(stats, res.family)(**res.params).mean()
    assert sample_mean == pytest.approx(res.mean_ms, rel=0.05)


def test_convolution_matches_exact_exponential_near_field():
    # Crossing + Exp(lambda): CDF(t) = F_c(t) - e^{-t/lambda} int_0^t f_c(s) e^{s/lambda} ds.
    L, D, lam_ms = 20.0, 0.33, 5e-4
    res = cleft_first_passage("expon", {"scale": lam_ms}, L, D, rng=2)

    def exact(t_ms):
        inner = integrate.quad(
            lambda s: crossing_pdf(s * 1e6, L, D) * 1e6 * np.exp((s - t_ms) / lam_ms),
            0,
            t_ms,
            limit=200,
        )[0]
        return float(crossing_cdf(t_ms * 1e6, L, D)) - inner

    for t_ms in (2e-4, 5e-4, 1e-3, 2e-3):
        got = np.interp(t_ms, res.cdf_t_ms, res.cdf)
        assert got == pytest.approx(exact(t_ms), abs=3e-4), t_ms  # 1 grid step off: 1.5e-3


def test_bad_width_raises():
    with pytest.raises(ValueError, match="width_nm"):
        crossing_cdf(np.ones(3), 0.0, 1.0)
