"""Waiting-time figures stay small when durations differ only by float32 rounding."""

import numpy as np

from analysis.kinetics.plots import plot_waiting_times
from analysis.kinetics.survival import fit_survival


def test_histogram_bins_follow_sample_size_not_float32_noise(tmp_path):
    # Two dwells read from XTC (float32) times: 1.2000000 and 1.2000008 ps, plus a
    # censored one. Freedman-Diaconis ("auto") bins would number ~3 million here.
    durations = np.array([1.200000048, 1.200000763, 4.0])
    censored = np.array([False, False, True])
    fit = fit_survival(durations, censored, n_bootstrap=0, n_gof_bootstrap=0, seed=0)
    fig = plot_waiting_times(durations, censored, fit, "dwell")
    ax_hist = fig.axes[0]
    assert 1 <= len(ax_hist.patches) <= 10
    fig.savefig(tmp_path / "dwell.png")
