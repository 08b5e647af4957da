"""MSM cross-check: discretisation, edge cases, 1D Smoluchowski and telegraph oracles."""

import json

import numba
import numpy as np
import pytest
from scipy.integrate import cumulative_trapezoid

from analysis.kinetics import HysteresisCutoffs, events_from_distances
from analysis.kinetics.msm import (
    discretize_distances,
    distance_state_edges,
    implied_timescales_ps,
    msm_binding_times,
    nearest_receptor_distances,
)
from analysis.kinetics.rates import estimate_binding_rates

from .oracles import zscore

R_ON, R_OFF = 0.45, 0.65


def test_input_validation():
    d = [np.full((10, 2), 1.0)]
    with pytest.raises(ValueError, match="lag_ps"):
        msm_binding_times(d, 2.0, R_ON, R_OFF, lag_ps=3.0)
    with pytest.raises(ValueError, match="r_off_nm"):
        msm_binding_times(d, 2.0, R_ON, 0.4, lag_ps=2.0)
    with pytest.raises(ValueError, match="n_states"):
        distance_state_edges(R_ON, R_OFF, cap_nm=1.0, n_states=4)
    with pytest.raises(ValueError, match="cap_nm"):
        distance_state_edges(R_ON, R_OFF, cap_nm=0.6)
    with pytest.raises(ValueError, match=r"nearest_distance_nm\[0\]"):
        msm_binding_times([np.full((10, 2), np.nan)], 2.0, R_ON, R_OFF, lag_ps=2.0)
    with pytest.raises(ValueError, match="holds no distances"):
        msm_binding_times([], 2.0, R_ON, R_OFF, lag_ps=2.0)
    with pytest.raises(ValueError, match="not shorter than the longest trajectory"):
        msm_binding_times(d, 2.0, R_ON, R_OFF, lag_ps=20.0)
    with pytest.raises(ValueError, match="distance_nm"):
        nearest_receptor_distances(np.ones((3, 2)))


def test_edges_and_states_by_hand():
    edges = distance_state_edges(R_ON, R_OFF, cap_nm=1.25, n_states=6, n_transition_bins=2)
    np.testing.assert_allclose(edges, [0.45, 0.55, 0.65, 0.95, 1.25])
    d = np.array([[0.1, 0.449, 0.45, 0.64, 0.65, 1.0, 1.3]]).T
    (states,) = discretize_distances([d], edges)
    np.testing.assert_array_equal(states, [0, 0, 1, 2, 3, 4, 5])
    pair = np.array([[[0.5, 0.2], [1.0, 3.0]]])  # (frames, transmitters, receptors)
    np.testing.assert_array_equal(nearest_receptor_distances(pair), [[0.2, 1.0]])


def _two_state_chain(p, q, n_frames, n_series, rng):
    """Distances of a frame-level Markov chain: unbound (1.0 nm) -> bound (0.3 nm) w.p. p."""
    out = np.empty((n_frames, n_series))
    bound = np.zeros(n_series, bool)
    for k in range(n_frames):
        out[k] = np.where(bound, 0.3, 1.0)
        u = rng.random(n_series)
        bound = np.where(bound, u >= q, u < p)
    return out


def test_two_state_chain_mfpt_in_ps():
    """A frame-level Markov chain: MFPTs are geometric, frames/p and frames/q (ps)."""
    p, q, frame_ps = 0.05, 0.2, 2.0
    d = _two_state_chain(p, q, 4000, 16, np.random.default_rng(8))
    result = msm_binding_times([d], frame_ps, R_ON, R_OFF, lag_ps=frame_ps, cap_nm=1.5)
    # About 16 * 4000 / (1/p + 1/q) = 2560 transitions each way: relative SE 2 %.
    n_cycles = d.size / (1 / p + 1 / q)
    for got, expected in ((result.mfpt_on_ps, frame_ps / p), (result.mfpt_off_ps, frame_ps / q)):
        z, message = zscore(got, expected, expected / np.sqrt(n_cycles))
        assert abs(z) < 3.5, message
    out = result.to_dict()
    json.dumps(out)
    assert out["lag_ps"] == frame_ps and out["active_set_fraction"] == 1.0
    assert out["k_on_prime_per_ps"] == pytest.approx(1 / result.mfpt_on_ps)


def test_no_binding_reports_none():
    d = np.random.default_rng(0).uniform(0.7, 1.5, size=(200, 4))
    result = msm_binding_times([d], 1.0, R_ON, R_OFF, lag_ps=1.0)
    assert result.mfpt_on_ps is None and result.mfpt_off_ps is None
    assert "no frame with d < r_on" in result.unavailable["mfpt_on_ps"]
    assert result.to_dict()["mfpt_on_ps"] is None


def test_binding_without_return_is_disconnected():
    # Each transmitter binds once and stays bound: the bound core is not strongly
    # connected to the unbound core, so there is no round trip to estimate from.
    d = np.full((300, 3), 1.0)
    for tm, frame in enumerate((50, 120, 200)):
        d[frame:, tm] = 0.3
    result = msm_binding_times([d], 1.0, R_ON, R_OFF, lag_ps=1.0, cap_nm=1.5)
    assert result.mfpt_on_ps is None
    assert "not strongly connected" in result.unavailable["mfpt_on_ps"]
    assert result.n_connected_sets >= 2 and result.active_set_fraction < 1


# ----------------------------------------------------------------- 1D Smoluchowski oracle
#
# x plays the distance (nm): an asymmetric double well U(x)/kT = H (y² - 1)² - F y,
# y = (x - C)/W, bound well at 0.35, barrier at 0.55, unbound well at 0.75, reflecting
# walls at 0 and L. Bound core x < r_on = 0.45, unbound core x >= r_off = 0.65.

C, W, H, F, L = 0.55, 0.2, 4.0, 0.5, 1.2
D_NM2_PER_PS = 0.01
DT_PS, STRIDE = 0.002, 25  # Euler-Maruyama step; frames every 0.05 ps
FRAME_PS = DT_PS * STRIDE
LAG_PS = 1.0


def _potential_kT(x):
    y = (x - C) / W
    return H * (y * y - 1) ** 2 - F * y


@numba.njit(cache=False)
def _euler_maruyama(n_series, n_frames, x0, rng):  # pragma: no cover
    out = np.empty((n_frames, n_series), np.float32)
    sigma = np.sqrt(2 * D_NM2_PER_PS * DT_PS)
    for j in range(n_series):
        x = x0
        for k in range(n_frames):
            out[k, j] = x
            for _ in range(STRIDE):
                y = (x - C) / W
                force = -(4 * H * y * (y * y - 1) - F) / W
                x += D_NM2_PER_PS * force * DT_PS + sigma * rng.standard_normal()
                if x < 0:
                    x = -x
                elif x > L:
                    x = 2 * L - x
    return out


def _boltzmann_mean(values, x):
    weights = np.exp(-_potential_kT(x))
    return np.trapezoid(values * weights, x) / np.trapezoid(weights, x)


def _mfpt_down_ps(target, n_grid):
    """Grid x in [target, L] and the exact time to first reach target from x (ps).

    tau(x) = int_target^x dy e^{U(y)}/D int_y^L dz e^{-U(z)}, reflecting at L.
    """
    x = np.linspace(target, L, n_grid)
    below = cumulative_trapezoid(np.exp(-_potential_kT(x)), x, initial=0)
    integrand = np.exp(_potential_kT(x)) * (below[-1] - below) / D_NM2_PER_PS
    return x, cumulative_trapezoid(integrand, x, initial=0)


def _mfpt_up_ps(target, n_grid):
    """Grid x in [0, target] and the exact time to first reach target from x (ps).

    tau(x) = int_x^target dy e^{U(y)}/D int_0^y dz e^{-U(z)}, reflecting at 0.
    """
    x = np.linspace(0.0, target, n_grid)
    below = cumulative_trapezoid(np.exp(-_potential_kT(x)), x, initial=0)
    to_target = cumulative_trapezoid(np.exp(_potential_kT(x)) * below / D_NM2_PER_PS, x, initial=0)
    return x, to_target[-1] - to_target


# A crossing is seen at the first frame past a boundary: like a discrete-time walk, it
# acts as a boundary 0.5826 sigma further on (sigma = sqrt(2 D frame), Siegmund's
# correction, see test_rates), and an interval that starts at a detected crossing
# starts that far past the edge (the mean overshoot of a Gaussian walk). 0.018 nm here.
FRAME_SHIFT_NM = 0.5826 * np.sqrt(2 * D_NM2_PER_PS * FRAME_PS)


def _exact_mfpts_ps(n_grid=200_001, shift_nm=FRAME_SHIFT_NM):
    """Exact 1D MFPTs (ps) between the cores, for crossings seen on the frame grid.

    ``*_restricted`` start from the Boltzmann density restricted to the source core
    (what the MSM reports); ``*_from_edge`` start where a hysteresis interval starts,
    just past the edge of the source core. Targets: r_on - shift and r_off + shift.
    """
    x, tau_on = _mfpt_down_ps(R_ON - shift_nm, n_grid)
    core = x >= R_OFF
    y, tau_off = _mfpt_up_ps(R_OFF + shift_nm, n_grid)
    core2 = y < R_ON
    return {
        "on_restricted": _boltzmann_mean(tau_on[core], x[core]),
        "on_from_edge": np.interp(R_OFF + shift_nm, x, tau_on),
        "off_restricted": _boltzmann_mean(tau_off[core2], y[core2]),
        "off_from_edge": np.interp(R_ON - shift_nm, y, tau_off),
    }


@pytest.fixture(scope="module")
def double_well():
    """128 trajectories of 1500 ps, their MSM and their telegraph rates (~1300 round trips)."""
    x = _euler_maruyama(128, 30_000, 0.75, np.random.default_rng(31))
    msm = msm_binding_times([x], FRAME_PS, R_ON, R_OFF, lag_ps=LAG_PS, its_lags_ps=[0.5, 1, 2, 4])
    times = np.arange(x.shape[0]) * FRAME_PS
    events = events_from_distances(x[:, :, None], times, HysteresisCutoffs(R_ON, R_OFF))
    rates = estimate_binding_rates(events, resolution_ps=FRAME_PS, n_bootstrap=1000, rng=5)
    return msm, rates


def test_exact_mfpt_integrals_converge():
    coarse, fine = _exact_mfpts_ps(20_001), _exact_mfpts_ps()
    for key, value in fine.items():
        assert coarse[key] == pytest.approx(value, rel=1e-5), key
    assert fine["on_restricted"] > fine["on_from_edge"] > fine["off_restricted"]
    continuous = _exact_mfpts_ps(shift_nm=0.0)
    assert all(continuous[key] < fine[key] for key in fine)


def test_msm_mfpt_matches_exact_1d(double_well):
    """MSM MFPTs agree with the exact double-integral values.

    Tolerance: |z| < 3 with SE = MFPT / sqrt(n), n the observed transitions in that
    direction (the MFPT is a mean of ~n near-exponential waiting times; n ~ 1300, 2.8 %).
    The frame grid is in the exact values (shifted boundaries, +2.6 % on, +1.6 % off);
    the other systematic parts are each below 1 SE: the lag (first passage resolved
    only at multiples of 1 ps, about +lag/2 x (1 + k_off/k_on) = +1.7 % on, +0.7 % off)
    and Euler-Maruyama at D U'' dt <= 0.016.
    """
    msm, rates = double_well
    exact = _exact_mfpts_ps()
    for got, expected, n in (
        (msm.mfpt_on_ps, exact["on_restricted"], rates.n_binding),
        (msm.mfpt_off_ps, exact["off_restricted"], rates.n_unbinding),
    ):
        z, message = zscore(got, expected, expected / np.sqrt(n))
        assert abs(z) < 3, message
    assert msm.active_set_fraction == 1.0 and msm.n_connected_sets == 1


def test_msm_agrees_with_telegraph_rates(double_well):
    """1/MFPT of the MSM lies in the 95 % CIs of the telegraph rates of the same data."""
    msm, rates = double_well
    for msm_rate, rate in (
        (msm.k_on_prime_per_ps, rates.k_on_prime_per_ps),
        (msm.k_off_per_ps, rates.k_off_per_ps),
    ):
        assert rate.ci95[0] <= msm_rate <= rate.ci95[1], f"MSM {msm_rate:.4g} vs {rate}"


def test_telegraph_rates_match_exact_1d(double_well):
    """The hysteresis intervals start at the core edges: exact MFPT from r_off / r_on.

    Same tolerance as for the MSM (|z| < 3, SE = MFPT / sqrt(n)).
    """
    _, rates = double_well
    exact = _exact_mfpts_ps()
    for rate, mfpt, n in (
        (rates.k_on_prime_per_ps, exact["on_from_edge"], rates.n_binding),
        (rates.k_off_per_ps, exact["off_from_edge"], rates.n_unbinding),
    ):
        z, message = zscore(1 / rate.value, mfpt, mfpt / np.sqrt(n))
        assert abs(z) < 3, message


def test_implied_timescales_level_off(double_well):
    """The slowest implied time scale approaches the two-state relaxation time.

    1 / (k_on + k_off) from the exact continuous-time MFPTs (a property of the process,
    not of the frame grid); within 3 SE (SE ~ 1/sqrt(n) relative) at lags >= 2 ps, and
    shorter lags give shorter time scales (non-Markovian bins).
    """
    msm, rates = double_well
    exact = _exact_mfpts_ps(shift_nm=0.0)
    relaxation = 1 / (1 / exact["on_restricted"] + 1 / exact["off_restricted"])
    slowest = {lag: scales[0] for lag, scales in msm.implied_timescales_ps}
    assert slowest[0.5] < slowest[2.0]
    n = min(rates.n_binding, rates.n_unbinding)
    for lag in (2.0, 4.0):
        z, message = zscore(slowest[lag], relaxation, relaxation / np.sqrt(n))
        assert abs(z) < 3, f"lag {lag} ps: {message}"
    direct = implied_timescales_ps(
        [np.array([0, 0, 1, 1, 0, 1, 0, 0, 1, 1])], [1], 3.0, n_states=2, n_timescales=1
    )
    assert direct[0][0] == 3.0 and len(direct[0][1]) == 1
