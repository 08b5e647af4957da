"""Time calibration: D from the MSD of free Langevin particles, unbound windows, unwrapping,
and the refusal to give a time scale without a diffusive regime."""

import numpy as np
import pytest

from analysis.kinetics import fit_diffusion, frame_interval_ps, msd_curve, unwrap
from analysis.kinetics.testsystems import KB_KJ_PER_MOL_K, langevin_free

from .oracles import zscore


def test_langevin_D_within_5_percent_of_kT_over_m_gamma():
    mass, gamma, temperature = 100.0, 2.0, 300.0
    time, xyz = langevin_free(
        300, mass, gamma, temperature, 0.02, 400, 10, rng=np.random.default_rng(5)
    )
    expected_nm2_per_ns = KB_KJ_PER_MOL_K * temperature / (mass * gamma) * 1000.0
    cal = fit_diffusion(
        msd_curve(xyz, time), D_target_nm2_per_ns=0.33, momentum_relaxation_ps=1 / gamma
    )
    assert cal.valid, cal.reason
    assert abs(cal.D_sim_nm2_per_ns / expected_nm2_per_ns - 1) < 0.05
    z, msg = zscore(cal.D_sim_nm2_per_ns, expected_nm2_per_ns, cal.D_sim_stderr_nm2_per_ns)
    assert abs(z) < 4, msg
    assert cal.time_scale_factor == pytest.approx(cal.D_sim_nm2_per_ns / 0.33)
    assert cal.fit_window_ps[0] >= 5 / gamma  # ballistic start excluded
    assert cal.time_scale_factor_stderr == pytest.approx(cal.D_sim_stderr_nm2_per_ns / 0.33)


def test_3d_and_lateral_agree_and_bound_windows_are_skipped():
    rng = np.random.default_rng(6)
    D = 0.05  # nm^2/ps
    steps = rng.standard_normal((2000, 50, 3)) * np.sqrt(2 * D * 1.0)
    xyz = np.cumsum(steps, axis=0)
    time = np.arange(2000) * 1.0
    bound = np.zeros((2000, 50), bool)
    bound[500:900, :25] = True
    xyz_frozen = xyz.copy()
    xyz_frozen[500:900, :25] = xyz[500, :25]  # bound molecules do not move
    lateral = fit_diffusion(msd_curve(xyz_frozen, time, bound=bound), 0.33)
    full = fit_diffusion(msd_curve(xyz_frozen, time, bound=bound, dims=(0, 1, 2)), 0.33)
    for cal in (lateral, full):
        assert cal.valid and cal.momentum_relaxation_ps is None  # window from the slope test
        z, msg = zscore(cal.D_sim_nm2_per_ns, D * 1000, cal.D_sim_stderr_nm2_per_ns)
        assert abs(z) < 4, msg


def test_frame_interval_tolerates_float32_times_and_catches_gaps():
    # 10 ns at 0.4 ps stored as float32 (XTC): diffs vary by ~0.1 %, still one grid.
    t32 = (np.arange(25001) * 0.4).astype(np.float32)
    assert frame_interval_ps(t32) == pytest.approx(0.4, rel=1e-6)
    msd_curve(np.zeros((t32.size, 2, 3)), t32, n_lags=5)  # does not raise
    gap = np.delete(np.arange(100) * 0.4, 50)
    with pytest.raises(ValueError, match="time_ps"):
        frame_interval_ps(gap)


def test_unwrap_removes_box_jumps():
    rng = np.random.default_rng(7)
    true = np.cumsum(rng.normal(0, 0.3, (100, 4, 3)), axis=0)
    box = np.full((100, 3), 2.0)
    np.testing.assert_allclose(
        unwrap(np.mod(true, 2.0), box) - np.mod(true[:1], 2.0), true - true[:1], atol=1e-9
    )


def test_bad_inputs_name_argument():
    with pytest.raises(ValueError, match="time_ps"):
        msd_curve(np.zeros((5, 1, 3)), np.array([0, 1, 2, 4, 5.0]))
    with pytest.raises(ValueError, match="D_target"):
        fit_diffusion(
            msd_curve(np.random.default_rng(1).normal(size=(50, 2, 3)).cumsum(0), np.arange(50.0)),
            0.0,
        )
    walk = np.random.default_rng(2).normal(size=(50, 3, 3)).cumsum(0)
    few = fit_diffusion(msd_curve(walk, np.arange(50.0)), 0.33)
    assert not few.valid and "3 transmitter(s)" in few.reason  # too few for a stderr
    frozen = fit_diffusion(msd_curve(np.zeros((50, 4, 3)), np.arange(50.0)), 0.33)
    assert not frozen.valid and frozen.time_scale_factor is None


def test_no_time_scale_when_the_run_is_too_short_for_a_diffusive_regime():
    # MD-like: gamma = 0.2 /ps, 60 ps saved every 0.4 ps: the window would start at
    # 5/gamma = 25 ps and the longest lag is 30 ps. No Langevin-form guess any more.
    mass, gamma, temperature = 200.0, 0.2, 300.0
    time, xyz = langevin_free(
        200, mass, gamma, temperature, 0.02, 150, 20, rng=np.random.default_rng(8)
    )
    cal = fit_diffusion(msd_curve(xyz, time), 0.33, momentum_relaxation_ps=1 / gamma)
    assert cal.status == "invalid" and "no diffusive regime" in cal.reason
    assert cal.time_scale_factor is None and cal.D_sim_nm2_per_ns is None
    # Without gamma the slope test finds the ballistic start itself and still refuses.
    assert not fit_diffusion(msd_curve(xyz, time), 0.33).valid


def test_a_model_that_misses_the_data_is_invalid():
    # Sub-diffusive (MSD ~ t^0.5) data: no wall model fits them within 10 %.
    time = np.arange(400) * 1.0
    rng = np.random.default_rng(10)
    t = time[:, None, None]
    xyz = 0.05 * t**0.25 * np.sign(rng.standard_normal((1, 20, 3))) + 1e-4 * rng.standard_normal(
        (400, 20, 3)
    )
    cal = fit_diffusion(msd_curve(xyz, time), 0.33, momentum_relaxation_ps=0.5)
    assert not cal.valid and "does not follow diffusion" in cal.reason
    assert cal.D_sim_nm2_per_ns is not None  # the fit is reported, not used


def test_a_trapped_molecule_is_invalid_even_when_the_weighted_rms_is_small():
    # Ornstein-Uhlenbeck positions (harmonic trap, relaxation 25 ps, D = 3.6 nm^2/ns): the
    # MSD plateaus at 2 D tau per axis. Long lags carry little weight in the RMS, so the
    # largest single-lag deviation has to catch it (independent review, finding 4).
    rng = np.random.default_rng(21)
    D, tau, dt, n_frames = 3.6e-3, 25.0, 0.4, 500
    decay = np.exp(-dt / tau)
    kick = np.sqrt(D * tau * (1 - decay**2))
    xyz = np.empty((n_frames, 24, 3))
    xyz[0] = rng.normal(0.0, np.sqrt(D * tau), (24, 3))
    for k in range(1, n_frames):
        xyz[k] = decay * xyz[k - 1] + kick * rng.standard_normal((24, 3))
    cal = fit_diffusion(msd_curve(xyz, np.arange(n_frames) * dt, confined=True), 0.33)
    assert not cal.valid and "largest" in cal.reason
    assert cal.fit_max_rel_dev > 0.3
