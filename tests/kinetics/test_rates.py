"""Two-state binding rates: bookkeeping, units, Smoluchowski and telegraph oracles."""

import math

import numba
import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from analysis.kinetics import HysteresisCutoffs, events_from_distances, hysteresis_bound
from analysis.kinetics.rates import (
    AMPA_GLUTAMATE_KOFF_PER_S,
    AMPA_GLUTAMATE_KON_M_PER_S,
    AVOGADRO_PER_MOL,
    estimate_binding_rates,
    receptor_concentration_molar,
    smoluchowski_rate_M_per_s,
    telegraph_exposures,
)

from .oracles import zscore

CUT = HysteresisCutoffs(r_on_nm=0.45, r_off_nm=0.65)
BOUND_NM, UNBOUND_NM = 0.3, 1.0


def _events(rows):
    columns = ["replica", "transmitter", "receptor", "kind", "start_ps", "duration_ps", "censored"]
    return pd.DataFrame(rows, columns=columns)


# ----------------------------------------------------------------- input and bookkeeping


def test_input_validation():
    good = _events([(0, 0, 0, "first_passage", 0.0, 5.0, False)])
    with pytest.raises(ValueError, match="lacks columns"):
        estimate_binding_rates(good.drop(columns="censored"))
    with pytest.raises(ValueError, match="duration_ps"):
        estimate_binding_rates(good.assign(duration_ps=-1.0))
    with pytest.raises(ValueError, match="resolution_ps"):
        estimate_binding_rates(good, resolution_ps=-1.0)
    with pytest.raises(ValueError, match="receptor_molar"):
        estimate_binding_rates(good, receptor_molar=0.0)
    with pytest.raises(ValueError, match="time_scale_factor_stderr"):
        estimate_binding_rates(good, time_scale_factor_stderr=0.1)
    with pytest.raises(ValueError, match="n_bootstrap"):
        estimate_binding_rates(good, n_bootstrap=-1)
    with pytest.raises(ValueError, match="no first_passage or rebinding"):
        estimate_binding_rates(_events([(0, 0, 0, "dwell", 1.0, 2.0, False)]))
    with pytest.raises(ValueError, match="volume_nm3"):
        receptor_concentration_molar(1, 0.0)
    with pytest.raises(ValueError, match="radius_nm"):
        smoluchowski_rate_M_per_s(1.0, -1.0)


def test_exposures_merge_dwells_over_receptors_by_hand():
    ev = _events(
        [
            # transmitter 0: bound at 0 (0 ps first passage is no transition), to receptor 0
            # over [0, 4) and receptor 1 over [3, 6): one bound interval of 6 ps; unbound
            # [6, 9); bound [9, 10) on r1 and [10, 12) on r0 touching: one interval of
            # 3 ps; unbound from 12 to the end at 20 (censored).
            (0, 0, -1, "first_passage", 0.0, 0.0, False),
            (0, 0, 0, "dwell", 0.0, 4.0, False),
            (0, 0, 1, "dwell", 3.0, 3.0, False),
            (0, 0, 1, "rebinding", 6.0, 3.0, False),
            (0, 0, 1, "dwell", 9.0, 1.0, False),
            (0, 0, 0, "dwell", 10.0, 2.0, False),
            (0, 0, -1, "rebinding", 12.0, 8.0, True),
            # transmitter 1 of replica 2: binds at 5, still bound at the end (20), where
            # a second receptor joins for 0 ps.
            (2, 1, 0, "first_passage", 0.0, 5.0, False),
            (2, 1, 0, "dwell", 5.0, 15.0, True),
            (2, 1, 1, "dwell", 20.0, 0.0, True),
            # transmitter 3: never binds.
            (2, 3, -1, "first_passage", 0.0, 20.0, True),
        ]
    )
    table = telegraph_exposures(ev)
    expected = pd.DataFrame(
        {
            "n_binding": [1, 1, 0],
            "unbound_exposure_ps": [11.0, 5.0, 20.0],
            "n_unbinding": [2, 0, 0],
            "bound_exposure_ps": [9.0, 15.0, 0.0],
        },
        index=pd.MultiIndex.from_tuples([(0, 0), (2, 1), (2, 3)], names=["replica", "transmitter"]),
    )
    pd.testing.assert_frame_equal(table, expected)


def _telegraph_distances(k_on, k_off, n_frames, dt_ps, n_transmitters, n_receptors, rng):
    """Continuous-time two-state process per transmitter, sampled every dt_ps.

    Starts unbound at t = 0; each bound interval picks one receptor at random.
    Returns distances (frames, transmitters, receptors) in nm and frame times in ps.
    """
    times = np.arange(n_frames) * dt_ps
    end = times[-1]
    mean_cycle = 1 / k_on + 1 / k_off
    distances = np.full((n_frames, n_transmitters, n_receptors), UNBOUND_NM)
    for tm in range(n_transmitters):
        n_cycles = int(2 * end / mean_cycle) + 20
        waits = np.empty(2 * n_cycles)
        waits[0::2] = rng.exponential(1 / k_on, n_cycles)
        waits[1::2] = rng.exponential(1 / k_off, n_cycles)
        switches = np.cumsum(waits)
        if switches[-1] <= end:
            raise RuntimeError("increase n_cycles")
        # Number of switches up to each frame: odd means bound; the bound interval
        # number picks its receptor.
        n_switched = np.searchsorted(switches, times, side="right")
        receptor_of_interval = rng.integers(n_receptors, size=n_cycles)
        bound = n_switched % 2 == 1
        frames = np.flatnonzero(bound)
        distances[frames, tm, receptor_of_interval[n_switched[frames] // 2]] = BOUND_NM
    return distances, times


def test_exposures_count_frame_transitions():
    """Frames at risk and transitions equal a direct count over the bound frames."""
    rng = np.random.default_rng(11)
    d, t = _telegraph_distances(0.05, 0.1, 400, 2.0, 6, 3, rng)
    table = telegraph_exposures(events_from_distances(d, t, CUT, replica=1))
    bound = hysteresis_bound(d, CUT).any(axis=2)
    steps_from = bound[:-1]
    binds = (~bound[:-1] & bound[1:]).sum(axis=0)
    unbinds = (bound[:-1] & ~bound[1:]).sum(axis=0)
    np.testing.assert_array_equal(table["n_binding"], binds)
    np.testing.assert_array_equal(table["n_unbinding"], unbinds)
    np.testing.assert_allclose(table["unbound_exposure_ps"] / 2.0, (~steps_from).sum(axis=0))
    np.testing.assert_allclose(table["bound_exposure_ps"] / 2.0, steps_from.sum(axis=0))


# ----------------------------------------------------------------- units and reporting


def test_units_of_concentration_and_smoluchowski():
    # One site per femtolitre (1 µm³ = 1e9 nm³) is 1/(N_A 1e-15 L) = 1.6605 nM.
    assert receptor_concentration_molar(1, 1e9) == pytest.approx(1.66053907e-9, rel=1e-8)
    # D = 1e-9 m²/s (1 nm²/ns), a = 1 nm: 4π D a N_A = 7.5676e6 m³/(mol s) = 7.5676e9 /(M s).
    assert smoluchowski_rate_M_per_s(1.0, 1.0) == pytest.approx(7.5676e9, rel=1e-4)
    assert AMPA_GLUTAMATE_KON_M_PER_S[0] < AMPA_GLUTAMATE_KON_M_PER_S[1]
    assert AMPA_GLUTAMATE_KOFF_PER_S[0] < AMPA_GLUTAMATE_KOFF_PER_S[1]


def _two_series_events():
    # Exact times: 2 bindings in 40 ps unbound, 1 unbinding in 10 ps bound.
    return _events(
        [
            (0, 0, 0, "first_passage", 0.0, 10.0, False),
            (0, 0, 0, "dwell", 10.0, 10.0, False),
            (0, 0, 0, "rebinding", 20.0, 10.0, False),
            (0, 0, 0, "dwell", 30.0, 0.0, True),
            (0, 1, -1, "first_passage", 0.0, 20.0, True),
        ]
    )


def test_physical_constants_and_missing_inputs():
    ev = _two_series_events()
    plain = estimate_binding_rates(ev, n_bootstrap=200, rng=0)
    assert plain.k_on_prime_per_ps.value == pytest.approx(2 / 40)
    assert plain.k_off_per_ps.value == pytest.approx(1 / 10)
    assert plain.k_on_per_M_per_s is None and plain.K_d_M is None and plain.k_off_per_s is None
    assert "receptor_molar" in plain.unavailable["k_on_per_M_per_s"]
    assert "time_scale_factor" in plain.unavailable["k_off_per_s"]

    molar, scale = 2e-3, 50.0
    full = estimate_binding_rates(
        ev, receptor_molar=molar, time_scale_factor=scale, n_bootstrap=200, rng=0
    )
    assert full.k_on_per_M_per_s.value == pytest.approx(2 / 40 * 1e12 / scale / molar)
    assert full.k_off_per_s.value == pytest.approx(1 / 10 * 1e12 / scale)
    assert full.K_d_M.value == pytest.approx(full.k_off_per_s.value / full.k_on_per_M_per_s.value)
    # K_d needs [R] but not the time scale.
    no_scale = estimate_binding_rates(ev, receptor_molar=molar, n_bootstrap=200, rng=0)
    assert no_scale.K_d_M.value == pytest.approx(full.K_d_M.value)
    assert no_scale.k_on_per_M_per_s is None

    out = full.to_dict()
    assert out["k_on_per_M_per_s"] == pytest.approx(full.k_on_per_M_per_s.value)
    # Two series are too few for a cluster-bootstrap interval (it would under-cover).
    assert out["k_on_per_M_per_s_ci95"] is None
    assert "under-covers" in out["unavailable"]["k_on_per_M_per_s_ci95"]
    assert out["n_binding"] == 2 and out["unbound_exposure_ps"] == 40.0
    assert out["bound_exposure_ps"] == 10.0 and out["n_series"] == 2


def test_time_scale_uncertainty_widens_the_interval():
    rng = np.random.default_rng(5)
    frames = [
        events_from_distances(*_telegraph_distances(0.05, 0.1, 300, 1.0, 8, 1, rng), CUT, replica=r)
        for r in range(2)
    ]
    ev = pd.concat(frames, ignore_index=True)
    common = dict(resolution_ps=1.0, receptor_molar=1e-2, time_scale_factor=10.0, n_bootstrap=800)
    fixed = estimate_binding_rates(ev, rng=1, **common).k_off_per_s
    uncertain = estimate_binding_rates(
        ev, time_scale_factor_stderr=3.0, rng=1, **common
    ).k_off_per_s
    assert fixed.value == uncertain.value
    assert np.diff(uncertain.ci95)[0] > 1.5 * np.diff(fixed.ci95)[0]


def test_no_transition_gives_none_with_an_upper_bound():
    ev = _events(
        [(0, tm, -1, "first_passage", 0.0, 100.0, True) for tm in range(3)],
    )
    result = estimate_binding_rates(ev, n_bootstrap=50, rng=0)
    assert result.k_on_prime_per_ps is None and result.n_binding == 0
    assert "300 ps" in result.unavailable["k_on_prime_per_ps"]
    assert "0.00999" in result.unavailable["k_on_prime_per_ps"]  # -ln(0.05)/300
    assert "absorbing" in result.unavailable["k_off_per_ps"]
    assert result.to_dict()["k_on_prime_per_ps"] is None


# ----------------------------------------------------------------- Smoluchowski oracle

# Discrete-time detection of an absorbing boundary misses excursions between steps, so
# the walk behaves as if the sink were 0.5826 sigma deeper (sigma = sqrt(2 D dt) the
# per-coordinate step; zeta(1/2)/sqrt(2 pi), Siegmund's corrected diffusion
# approximation). Detecting at a + 0.5826 sigma puts the effective sink at a. Without
# the shift, sigma = 0.05 a and 0.1 a gave k 6 % and 10 % low at R/a = 4 (20000
# walkers); with it, sigma = 0.05 a, 0.1 a and 0.2 a agreed with the exact value
# within 0.7 % (1 SE).
_SINK_SHIFT = 0.5826


@numba.njit(cache=False)
def _shell_first_passage(n, a, big_r, detect_r, sigma, dt, n_steps, rng):  # pragma: no cover
    times = np.empty(n)
    censored = np.zeros(n, np.bool_)
    for i in range(n):
        r0 = (a**3 + rng.random() * (big_r**3 - a**3)) ** (1 / 3)
        ux = rng.standard_normal()
        uy = rng.standard_normal()
        uz = rng.standard_normal()
        norm = np.sqrt(ux * ux + uy * uy + uz * uz)
        x, y, z = r0 * ux / norm, r0 * uy / norm, r0 * uz / norm
        times[i] = n_steps * dt
        censored[i] = True
        for step in range(1, n_steps + 1):
            x += sigma * rng.standard_normal()
            y += sigma * rng.standard_normal()
            z += sigma * rng.standard_normal()
            r = np.sqrt(x * x + y * y + z * z)
            if r > big_r:  # reflect radially
                scale = (2 * big_r - r) / r
                x, y, z = x * scale, y * scale, z * scale
            elif r < detect_r:
                times[i] = step * dt
                censored[i] = False
                break
    return times, censored


def _exact_mean_fpt_ps(a, big_r, D):
    """<T> over a uniform start in a < r < R, sink at a, reflecting at R.

    T(r) = (1/D) [(R³/3)(1/a - 1/r) - (r² - a²)/6] solves D (T'' + 2T'/r) = -1 with
    T(a) = 0 and T'(R) = 0.
    """

    def fpt(r):
        return ((big_r**3 / 3) * (1 / a - 1 / r) - (r * r - a * a) / 6) / D

    weighted, _ = integrate.quad(lambda r: fpt(r) * r * r, a, big_r)
    return weighted / ((big_r**3 - a**3) / 3)


def test_finite_domain_rate_tends_to_smoluchowski():
    """Exact k = N_A V / <T> approaches 4 pi D a N_A as R/a grows (about 1 + 1.8 a/R)."""
    D_nm2_per_ns, a = 0.4, 0.5
    smol = smoluchowski_rate_M_per_s(D_nm2_per_ns, a)
    ratios = []
    for ratio in (4, 8, 100, 1000):
        big_r = ratio * a
        mean_s = _exact_mean_fpt_ps(a, big_r, D_nm2_per_ns * 1e-3) * 1e-12
        molar = receptor_concentration_molar(1, 4 / 3 * math.pi * (big_r**3 - a**3))
        ratios.append(1 / (mean_s * molar) / smol)
    # ratios ~ [1.71, 1.28, 1.018, 1.0018]
    assert np.all(np.diff(ratios) < 0) and ratios[-1] == pytest.approx(1, abs=2e-3)
    assert ratios[0] > 1.2


@pytest.mark.parametrize("r_over_a", [4, 8])
def test_smoluchowski_shell_rate(r_over_a):
    """BD walkers in a shell: k_on = k_on'/[R] matches 1/(<T>[R]) within its CI."""
    D_nm2_per_ns, a = 0.4, 0.5
    D = D_nm2_per_ns * 1e-3  # nm²/ps
    big_r = r_over_a * a
    sigma = 0.2 * a
    dt = sigma**2 / (2 * D)
    mean_ps = _exact_mean_fpt_ps(a, big_r, D)
    # Censor at 6 <T>: the first-passage time is close to exponential, so censoring adds
    # exposure with a relative bias of order exp(-6) only.
    n_steps = int(6 * mean_ps / dt)
    times, censored = _shell_first_passage(
        4000,
        a,
        big_r,
        a + _SINK_SHIFT * sigma,
        sigma,
        dt,
        n_steps,
        np.random.default_rng(20240 + r_over_a),
    )
    ev = _events(
        [
            (0, i, -1 if c else 0, "first_passage", 0.0, t, bool(c))
            for i, (t, c) in enumerate(zip(times, censored, strict=True))
        ]
    )
    molar = receptor_concentration_molar(1, 4 / 3 * math.pi * (big_r**3 - a**3))
    assert molar == pytest.approx(
        1 / (AVOGADRO_PER_MOL * 4 / 3 * math.pi * (big_r**3 - a**3)) * 1e24
    )
    result = estimate_binding_rates(
        ev, receptor_molar=molar, time_scale_factor=1.0, n_bootstrap=1000, rng=1
    )
    exact = 1 / (mean_ps * 1e-12 * molar)
    k_on = result.k_on_per_M_per_s
    lo, hi = k_on.ci95
    smol = smoluchowski_rate_M_per_s(D_nm2_per_ns, a)
    # 4000 walkers: about 1.6 % relative SE, so the 95 % CI is about +-3 %.
    assert lo <= exact <= hi, (
        f"R/a={r_over_a}: k_on {k_on.value:.4g} [{lo:.4g}, {hi:.4g}] vs exact {exact:.4g} "
        f"(4 pi D a N_A = {smol:.4g})"
    )
    # The finite domain binds faster than the unbounded Smoluchowski limit.
    assert k_on.value > smol


# ----------------------------------------------------------------- telegraph oracle

K_ON, K_OFF, FRAME_PS = 0.02, 0.05, 1.0  # 1/ps, 1/ps, ps: p ~ 0.02, q ~ 0.05 per frame


def _telegraph_events(rng, *, n_replicas, n_transmitters, n_frames):
    frames = [
        events_from_distances(
            *_telegraph_distances(K_ON, K_OFF, n_frames, FRAME_PS, n_transmitters, 2, rng),
            CUT,
            replica=r,
        )
        for r in range(n_replicas)
    ]
    return pd.concat(frames, ignore_index=True)


def test_telegraph_rates_recovered():
    rng = np.random.default_rng(2024)
    ev = _telegraph_events(rng, n_replicas=4, n_transmitters=32, n_frames=3000)
    result = estimate_binding_rates(ev, resolution_ps=FRAME_PS, n_bootstrap=1000, rng=rng)
    for name, truth in (("k_on_prime_per_ps", K_ON), ("k_off_per_ps", K_OFF)):
        rate = getattr(result, name)
        assert rate.ci95[0] <= truth <= rate.ci95[1], f"{name}: {rate} vs truth {truth}"


def test_telegraph_interval_coverage_and_bias():
    """Over 100 seeded data sets the 95 % CIs hold the true rates >= 90 % of the time,
    and the mean estimate is unbiased.

    With true coverage 0.95 the count of 100 is binomial (SD 2.2), so < 90 happens by
    chance with probability about 3 %; a cluster bootstrap that ignored the correlation
    within a series would fall far below. Coverage alone barely sees a bias of 2 % at
    this sample size (-ln(1 - p)/frame, ignoring the reverse transitions hidden in a
    frame, is 2 % low for k_on' here and still covers 90 %), so the mean of the 100
    estimates is also checked: its SE is about 0.35 %, and |z| < 3.5 rejects that bias.
    """
    rng = np.random.default_rng(77)
    n_repeats = 100
    hits = np.zeros(2, int)
    estimates = np.empty((n_repeats, 2))
    truths = (K_ON, K_OFF)
    for repeat in range(n_repeats):
        ev = _telegraph_events(rng, n_replicas=4, n_transmitters=16, n_frames=1000)
        result = estimate_binding_rates(ev, resolution_ps=FRAME_PS, n_bootstrap=400, rng=rng)
        for j, rate in enumerate((result.k_on_prime_per_ps, result.k_off_per_ps)):
            hits[j] += rate.ci95[0] <= truths[j] <= rate.ci95[1]
            estimates[repeat, j] = rate.value
    coverage = hits / n_repeats
    p_low = stats.binom.cdf(89, n_repeats, 0.95)
    assert np.all(coverage >= 0.9), f"coverage {coverage} (P(< 0.9 | 0.95) = {p_low:.3f})"
    for j, truth in enumerate(truths):
        z, message = zscore(
            estimates[:, j].mean(), truth, estimates[:, j].std(ddof=1) / np.sqrt(n_repeats)
        )
        assert abs(z) < 3.5, message
