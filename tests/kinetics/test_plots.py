"""Waiting-time figures stay small when durations differ only by float32 rounding."""

from analysis.kinetics import CensoredSample, fit_survival, plot_waiting_times


def test_histogram_bins_follow_sample_size_not_float32_noise(tmp_path):
    # Two dwells read from XTC (float32) times: 1.2000000 and 1.2000008 ps, plus a
    # censored one. Freedman-Diaconis ("auto") bins would number ~3 million here.
    sample = CensoredSample([1.200000048, 1.200000763, 4.0], [False, False, True])
    fit = fit_survival(sample, n_bootstrap=0, n_gof_bootstrap=0, rng=0)
    fig = plot_waiting_times(sample, fit, title="dwell")
    ax_hist = fig.axes[0]
    assert 1 <= len(ax_hist.patches) <= 10
    fig.savefig(tmp_path / "dwell.png")
