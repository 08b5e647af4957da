"""LHG recovery time set from the measured kick interval (network.recovery).

With delays of 0.5-2 ms the avalanche is not short against slow drive's nominal interval
(wait + quiescence gap, 5.1 ms here): the kick interval measured at the stationary state
is ~11.7 ms. tau_J set from the nominal interval gives tau_J / (N T) = 0.09, not LHG's
0.25, and the network then settles where the mean field at 0.09 says (sigma 0.984), not
at 0.25 (0.954). The pilot iteration finds T; a run at the tau_J it returns has
tau_J / (N T) within 5 % of 0.25 and the mean-field sigma of 0.25.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_depression import USE, lhg_network

from network.engine import DriveSpec, Dynamics, simulate
from network.recovery import MAX_PILOTS, nominal_drive_interval_ms, recovery_time
from network.timescales import lhg_mean_field_sigma

N, SIGMA0 = 1000, 2.0
SLOW = DriveSpec("slow", slow_interval_ms=1.0)


def delayed_lhg_network():
    """LHG network (N = 1000, sigma0 = 2) with delays drawn from 0.5-2 ms."""
    syn = lhg_network(N, SIGMA0)
    delays = np.random.default_rng(1).integers(5, 21, syn.graph.n_edges).astype(np.int32)
    return syn.replace(delay_steps=delays)


def stationary(syn, tau_ms):
    """(tau_J / (N T) with T the mean kick interval, sigma_expected) after 3 tau_J."""
    dyn = Dynamics(refractory_ms=0.1, depression_use=USE, depression_tau_ms=tau_ms)
    record = simulate(syn, dyn, SLOW, 5 * tau_ms, rng=9, warmup_ms=3 * tau_ms)
    interval = np.diff(record.kick_step).mean() * record.dt_ms
    return tau_ms / (N * interval), record.sigma_expected


def test_pilots_find_the_kick_interval_and_lhg_ratio():
    syn = delayed_lhg_network()
    dyn = Dynamics(refractory_ms=0.1, depression_use=USE)
    found = recovery_time(syn, dyn, SLOW, 0.25, seeds=np.random.SeedSequence(5))
    assert found.nominal_interval_ms == pytest.approx(1.0 + 41 * 0.1)
    assert found.converged and 2 <= found.pilots <= MAX_PILOTS
    assert found.drive_interval_ms > 2 * found.nominal_interval_ms  # avalanches are not short
    assert found.tau_ms == pytest.approx(0.25 * N * found.drive_interval_ms)
    # an independent run (other seed) at this tau_J has LHG's ratio and mean-field sigma
    ratio, sigma = stationary(syn, found.tau_ms)
    assert ratio == pytest.approx(0.25, rel=0.05)
    assert sigma == pytest.approx(lhg_mean_field_sigma(SIGMA0, USE, 0.25), abs=0.01)
    # the control fails: tau_J from the nominal interval gives another ratio and sigma
    ratio, sigma = stationary(syn, 0.25 * N * found.nominal_interval_ms)
    assert ratio < 0.15
    assert sigma - lhg_mean_field_sigma(SIGMA0, USE, 0.25) > 0.02


def test_poisson_drive_interval_is_exact_without_pilots():
    syn = delayed_lhg_network()
    dyn = Dynamics(refractory_ms=0.1, depression_use=USE)
    drive = DriveSpec("poisson", rate_hz=2.0)
    found = recovery_time(syn, dyn, drive, 0.25, seeds=np.random.SeedSequence(5))
    assert found.pilots == 0 and found.converged
    assert found.drive_interval_ms == pytest.approx(1e3 / (N * 2.0))
    assert nominal_drive_interval_ms(syn, drive) == found.drive_interval_ms


def test_recovery_time_needs_depression():
    with pytest.raises(ValueError, match="depressing"):
        recovery_time(
            delayed_lhg_network(), Dynamics(), SLOW, 0.25, seeds=np.random.SeedSequence(1)
        )
