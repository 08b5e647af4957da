"""Oracles of the time calibration: when may simulated times be rescaled by D?

Reference simulations (tests/kinetics/langevin_sims.py) against exact overdamped
results: free diffusion between walls (the MSD wall correction), first passage to an
absorbing sphere (the Knudsen-number bias of first passages) and Kramers escape from a
well (dwells). Geometries and frictions differ from the runs that set
``FIRST_PASSAGE_BIAS_PER_KNUDSEN``.
"""

from __future__ import annotations

import numpy as np
import pytest

from analysis.kinetics.calibration import fit_diffusion, msd_curve
from analysis.kinetics.rescaling import (
    first_passage_bias,
    kramers_transmission,
    mean_free_path_nm,
    rescaling_checks,
)
from tests.kinetics.langevin_sims import (
    VTH2_GLUTAMATE,
    box_trajectories_nm,
    overdamped_sphere_mfpt_ps,
    overdamped_well_mfpt,
    sphere_first_passage_ps,
    well_escape_times,
)


def _calibrate(gamma, *, n_frames, frame_ps=0.4, width=2.4, n=48, seed=5):
    xyz = box_trajectories_nm(
        gamma, width=width, n=n, n_frames=n_frames, frame_ps=frame_ps, seed=seed
    )
    curve = msd_curve(xyz, np.arange(n_frames) * frame_ps, max_lag_fraction=0.5, confined=True)
    return fit_diffusion(curve, 0.33, momentum_relaxation_ps=1.0 / gamma)


def test_wall_correction_recovers_free_diffusion_between_walls():
    # Free Langevin particles between flat-bottom walls 2.4 nm apart, gamma = 3/ps:
    # D = kT/(M gamma) exactly. 160 particles x 100 ps; the jackknife SE is ~2 %.
    gamma = 3.0
    cal = _calibrate(gamma, n_frames=250, n=160)
    truth = VTH2_GLUTAMATE / gamma * 1000.0
    assert cal.valid, cal.reason
    assert abs(cal.D_sim_nm2_per_ns - truth) < 3 * cal.D_sim_stderr_nm2_per_ns + 0.03 * truth
    # Without the wall term the same window underestimates D (the review's -42 % at
    # gamma = 0.1/ps is the extreme of this).
    assert cal.D_uncorrected_nm2_per_ns < 0.9 * truth
    assert cal.confinement_nm == pytest.approx(2.4, abs=0.05)  # the explored width


def test_ballistic_run_has_no_time_scale():
    # gamma = 0.1/ps: tau_p = 10 ps, so a 40 ps run (longest lag 20 ps) never leaves
    # the ballistic regime; the calibration must refuse, not guess.
    cal = _calibrate(0.1, n_frames=101, n=16)
    assert not cal.valid
    assert cal.time_scale_factor is None
    assert "no diffusive regime" in cal.reason


@pytest.mark.parametrize("gamma", [3.0, 8.0])
def test_first_passage_bias_follows_knudsen_number(gamma):
    # Capture sphere a = 0.35 nm, start 0.7 nm, reflecting sphere 1.4 nm: not a geometry
    # used to set the slope. 500 particles: the standard error of the mean ratio is ~4 %.
    a, r0, big_r = 0.35, 0.7, 1.4
    times = sphere_first_passage_ps(gamma, a=a, r0=r0, big_r=big_r, n=500, seed=11)
    exact = overdamped_sphere_mfpt_ps(VTH2_GLUTAMATE / gamma, a=a, r0=r0, big_r=big_r)
    ratio, stderr = times.mean() / exact, times.std() / np.sqrt(times.size) / exact
    knudsen = mean_free_path_nm(1.0 / gamma, 230.0, 300.0) / a
    predicted = first_passage_bias(knudsen)
    assert abs((ratio - 1.0) - predicted) < 3 * stderr + 0.25 * predicted
    if gamma == 8.0:
        assert ratio < 1.2  # diffusive enough: D-rescaled first passages within ~15 %


@pytest.mark.parametrize("friction_ratio", [1.0, 2.0])
def test_kramers_transmission_predicts_escape_times(friction_ratio):
    # Escape over a 5 kT barrier at gamma = g * omega: the D-rescaled (overdamped, exact
    # Smoluchowski) time misses the Langevin one by 1/kappa(g) (1.62 at g = 1, 1.21 at
    # g = 2). 300 escapes: standard error of the ratio ~6 %; Kramers' formula itself is
    # asymptotic in the barrier height (a few % at 5 kT).
    barrier = 5.0
    gamma = friction_ratio * np.sqrt(6.0 * barrier)
    times = well_escape_times(gamma, barrier_kT=barrier, n=300, seed=3)
    exact = overdamped_well_mfpt(1.0 / gamma, barrier_kT=barrier)
    ratio, stderr = times.mean() / exact, times.std() / np.sqrt(times.size) / exact
    assert abs(ratio - 1.0 / kramers_transmission(friction_ratio)) < 3 * stderr + 0.05
    assert ratio > 1.15  # at g <= 2 dwells are not proportional to 1/D


def test_rescaling_checks_on_the_demo_regime():
    # gamma = 3/ps, 230 amu, r_on = 0.45 nm: Kn = 0.077, first passages ~28 % long;
    # a bound-distance spread of 0.03 nm gives omega = 3.5/ps, g = 0.86: dwells refused.
    demo = dict(
        momentum_relaxation_ps=1 / 3.0,
        mass_amu=230.0,
        temperature_K=300.0,
        capture_radius_nm=0.45,
        bound_distance_std_nm=0.03,
        max_bias=0.3,
    )
    checks = rescaling_checks(calibration_valid=True, **demo)
    assert checks["first_passage"].rescaled and checks["rebinding"].rescaled
    assert checks["first_passage"].predicted_bias == pytest.approx(0.277, abs=0.005)
    assert not checks["dwell"].rescaled
    assert checks["dwell"].predicted_bias == pytest.approx(
        1 / kramers_transmission(0.862) - 1, rel=0.01
    )
    refused = rescaling_checks(calibration_valid=False, **demo)
    assert not any(c.rescaled for c in refused.values())


def test_kramers_transmission_limits():
    assert kramers_transmission(1e4) == pytest.approx(1.0, abs=1e-4)
    assert kramers_transmission(1.0) == pytest.approx((np.sqrt(5) - 1) / 2)
