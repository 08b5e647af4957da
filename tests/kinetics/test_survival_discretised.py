"""Frame-discretised durations: the recording model, its likelihood, fits and goodness of fit.

The recording process is simulated directly (true durations, a uniform frame phase,
frames counted, censoring at a per-event observation window) and compared with the
likelihood derived in analysis.kinetics.censored.
"""

import time

import numpy as np
import pytest
from scipy import stats

from analysis.kinetics import (
    FAMILIES,
    CensoredSample,
    fit_family,
    fit_survival,
    gof_pvalue,
    kaplan_meier,
    ks_distance,
)

from .oracles import zscore

DELTA = 0.4  # frame interval (ps), as saved by the MD stage


def _record(law, n, *, exact_start, window_frames, rng, delta=DELTA):
    """Durations of ``n`` events as a trajectory saved every ``delta`` records them.

    Exact start: the event is seen at the first frame at or after it, ceil(T/Δ) frames.
    Discretised start: it begins a uniform phase U before its first frame and lasts
    ceil(T/Δ - U) frames; 0 frames is never seen (dropped). An event still running
    after its ``window_frames`` frames is censored at the window.
    """
    true = law.rvs(size=n, random_state=rng)
    phase = 0.0 if exact_start else rng.random(n)
    frames = np.ceil(true / delta - phase)
    seen = frames >= 1
    frames, window = frames[seen], np.broadcast_to(window_frames, (n,))[seen]
    censored = frames > window
    recorded = np.where(censored, window, frames) * delta
    return CensoredSample(recorded, censored, resolution=delta, exact_start=exact_start)


@pytest.mark.parametrize("exact_start", [True, False])
@pytest.mark.parametrize(
    ("name", "params", "delta"),
    [("gamma", [1.6, 0.7], 0.5), ("levy", [0.8], 0.3), ("weibull_min", [0.8, 1.5], 0.6)],
)
def test_likelihood_matches_a_monte_carlo_of_the_recording(name, params, delta, exact_start):
    family = FAMILIES[name]
    p = np.array(params)
    law = family.dist(*p[:-1], scale=p[-1])
    n = 400_000
    sample = _record(
        law, n, exact_start=exact_start, window_frames=10**9, rng=np.random.default_rng(17),
        delta=delta,
    )  # fmt: skip
    frames = np.rint(sample.durations / delta).astype(int)
    recorded = frames.size
    if exact_start:
        assert recorded == n  # every event lasts >= 1 frame
    k = np.arange(1, 31)
    # P(k frames | recorded) against the observed frequency (binomial standard error).
    expected = np.exp(family.log_observed(k * delta, p, resolution=delta, exact_start=exact_start))
    counts = np.bincount(frames, minlength=k[-1] + 1)[k]
    z = (counts - recorded * expected) / np.sqrt(recorded * expected * (1 - expected))
    # 30 bins: |z| < 4.5 fails by chance with probability ~2e-4.
    assert np.max(np.abs(z)) < 4.5, z
    # P(recorded duration > kΔ), the censored likelihood at kΔ.
    expected = np.exp(family.log_censored(k * delta, p, resolution=delta, exact_start=exact_start))
    beyond = (frames[:, None] > k).sum(axis=0)
    z = (beyond - recorded * expected) / np.sqrt(recorded * expected * (1 - expected))
    assert np.max(np.abs(z)) < 4.5, z
    if not exact_start:
        # The fraction of events recorded at all, P_rec = (1/Δ) ∫_0^Δ S.
        p_rec = family.int_sf(np.array([delta]), p)[0] / delta
        z, msg = zscore(recorded / n, p_rec, np.sqrt(p_rec * (1 - p_rec) / n))
        assert abs(z) < 4, msg


RECOVERY = [
    # family, true parameters, observation window (frames), smallest |z| of the
    # exact-time fit: at n = 20 000 it measured 39, 20, 17 (a) and 5.5 (a).
    ("levy", {"scale": 1.0}, 250, True, 10.0),
    ("levy", {"scale": 1.0}, 250, False, 6.0),
    ("gamma", {"a": 2.0, "scale": 2.0}, 40, True, 6.0),
    ("gamma", {"a": 2.0, "scale": 2.0}, 40, False, 3.0),
]


@pytest.mark.parametrize(("name", "truth", "window", "exact_start", "old_z"), RECOVERY)
def test_interval_censored_fit_recovers_truth_where_exact_time_fit_is_biased(
    name, truth, window, exact_start, old_z
):
    rng = np.random.default_rng(31)
    law = getattr(stats, name)(**truth)
    n = 20_000
    windows = rng.integers(window // 4, window, n)
    sample = _record(law, n, exact_start=exact_start, window_frames=windows, rng=rng)
    assert 0.05 < sample.censored.mean() < 0.3
    fit = fit_survival(sample, families=[name], n_bootstrap=60, rng=3)
    assert fit.best.resolution == DELTA and fit.best.exact_start == exact_start
    # Bootstrap standard error from the 95 % interval; |z| < 3 (a 95 % CI misses 1 in 20).
    stderr = {key: (hi - lo) / 3.92 for key, (lo, hi) in fit.params_ci95.items()}
    for key, value in truth.items():
        z, msg = zscore(fit.best.params[key], value, stderr[key])
        assert abs(z) < 3, f"{name}.{key}: {msg}"
    # The same numbers fitted as exact times (resolution 0): biased far outside.
    exact_times = fit_family(name, CensoredSample(sample.durations, sample.censored))
    worst = max(abs(exact_times.params[k] - v) / stderr[k] for k, v in truth.items())
    assert worst > old_z, f"exact-time fit {exact_times.params} only {worst:.1f} SE from {truth}"


@pytest.mark.parametrize("exact_start", [True, False])
def test_ks_distance_is_the_supremum_over_the_grid(exact_start):
    # Both curves are steps on the grid: brute force over every frame up to the last event.
    rng = np.random.default_rng(5)
    law = stats.lognorm(0.8, scale=2.0)
    sample = _record(law, 400, exact_start=exact_start, window_frames=12, rng=rng)
    fit = fit_family("lognorm", sample)
    km = kaplan_meier(sample)
    grid = np.arange(0, np.rint(km.time[-1] / DELTA) + 1) * DELTA
    brute = np.max(np.abs((1 - km.at(grid)) - fit.recorded_cdf(grid)))
    assert ks_distance(fit, km) == pytest.approx(brute, rel=1e-12)
    # The recorded CDF is a CDF on the grid, 0 before the first frame.
    cdf = fit.recorded_cdf(grid)
    assert cdf[0] == 0.0 and np.all(np.diff(cdf) >= 0) and cdf[-1] < 1


def test_gof_accepts_the_discretised_law_and_rejects_a_wrong_one():
    rng = np.random.default_rng(41)
    law = stats.levy(scale=1.3)
    windows = rng.integers(30, 300, 3000)
    sample = _record(law, 3000, exact_start=False, window_frames=windows, rng=rng)
    right, wrong = fit_family("levy", sample), fit_family("lognorm", sample)
    _, p_right = gof_pvalue(right, sample, n_bootstrap=40, rng=7)
    _, p_wrong = gof_pvalue(wrong, sample, n_bootstrap=40, rng=7)
    assert p_right > 0.05 and p_wrong < 0.05
    # Compared as exact times, the Lévy law misses the discretised data's Kaplan–Meier.
    exact_times = CensoredSample(sample.durations, sample.censored)
    _, p_exact = gof_pvalue(fit_family("levy", exact_times), exact_times, n_bootstrap=40, rng=7)
    assert p_exact < 0.05


def test_fit_of_ten_thousand_discretised_durations_is_fast():
    # Heavy tail, many distinct frame counts: the likelihood works on unique values.
    rng = np.random.default_rng(8)
    sample = _record(
        stats.levy(scale=1.0), 10_000, exact_start=False, window_frames=10_000, rng=rng
    )
    assert np.unique(sample.durations).size > 500
    start = time.process_time()
    fit = fit_survival(sample, n_bootstrap=0)
    seconds = time.process_time() - start
    assert len(fit.fits) == len(FAMILIES) and fit.best.family == "levy"
    assert seconds < 10, f"{seconds:.1f} s of CPU for 6 families (measured ~1.5 s)"


def test_grid_samples_keep_censored_zeros_and_exact_times_ignore_the_start_model():
    # A dwell bound only in the last frame is censored at 0 frames: a valid observation
    # on a grid (it says T > UΔ), which the fit uses as it is.
    rng = np.random.default_rng(12)
    sample = _record(stats.expon(scale=2.0), 500, exact_start=False, window_frames=8, rng=rng)
    frames = np.rint(sample.durations / DELTA)
    with_zeros = CensoredSample(
        np.concatenate((sample.durations, [0.0, 0.0])),
        np.concatenate((sample.censored, [True, True])),
        resolution=DELTA,
        exact_start=False,
    )
    assert frames.min() >= 0 and with_zeros.n_censored == sample.n_censored + 2
    base, zeros = fit_family("expon", sample), fit_family("expon", with_zeros)
    # log P(T > UΔ | recorded) = 0: zero-frame censored dwells add no information.
    assert zeros.loglik == pytest.approx(base.loglik, abs=1e-9)
    assert zeros.params["scale"] == pytest.approx(base.params["scale"], rel=1e-6)
    # With exact times the start model plays no part.
    x = stats.gamma(2.0).rvs(size=200, random_state=rng)
    a = fit_family("gamma", CensoredSample(x, x > 3.0))
    b = fit_family("gamma", CensoredSample(x, x > 3.0, exact_start=False))
    assert a.params == b.params and a.loglik == b.loglik
