"""Censored MLE round trips, Kaplan-Meier, GOF and input validation."""

import numpy as np
import pytest
from scipy import stats

from analysis.kinetics import CensoredSample, fit_family, fit_survival, gof_pvalue, kaplan_meier

from .oracles import zscore

TRUE = {
    "expon": {"scale": 5.0},
    "gamma": {"a": 2.5, "scale": 2.0},
    "weibull_min": {"c": 1.7, "scale": 4.0},
    "lognorm": {"s": 0.7, "scale": 3.0},
    "invgauss": {"mu": 0.5, "scale": 6.0},
    "levy": {"scale": 2.0},
}


def _censored_sample(family, n, quantile, seed):
    law = getattr(stats, family)(**TRUE[family])
    x = law.rvs(size=n, random_state=np.random.default_rng(seed))
    limit = law.ppf(quantile)
    return CensoredSample(np.minimum(x, limit), x > limit)


@pytest.mark.parametrize("family", sorted(TRUE))
def test_censored_round_trip_recovers_parameters(family):
    sample = _censored_sample(family, 1500, 0.65, seed=7)
    assert 0.2 <= sample.censored.mean() <= 0.5
    fit = fit_survival(sample, families=[family], n_bootstrap=60, rng=3)
    # Bootstrap standard error from the 95 % interval; |z| < 3 (a 95 % CI misses 1 in 20).
    for name, value in TRUE[family].items():
        lo, hi = fit.params_ci95[name]
        z, msg = zscore(fit.best.params[name], value, (hi - lo) / 3.92)
        assert abs(z) < 3, f"{family}.{name}: {msg}"
    # The naive fit that drops censored observations is biased far outside.
    naive = fit_family(family, CensoredSample(sample.durations[sample.observed]))
    lo, hi = fit.params_ci95["scale"]
    z, msg = zscore(naive.params["scale"], TRUE[family]["scale"], (hi - lo) / 3.92)
    assert abs(z) > 3, f"naive {family} fit unexpectedly close: {msg}"


def test_aic_selects_generating_family():
    fit = fit_survival(_censored_sample("weibull_min", 3000, 0.7, seed=8), n_bootstrap=0)
    assert fit.best.family == "weibull_min"
    table = fit.aic_table()
    assert table[0]["delta_aic"] == 0 and all(row["delta_aic"] >= 0 for row in table)
    assert table[0]["delta_aicc"] == 0 and all(row["delta_aicc"] >= 0 for row in table)
    assert [row["aicc"] for row in table] == sorted(row["aicc"] for row in table)


def test_aicc_ranks_small_samples_against_extra_parameters():
    # Nine events: gamma gains 0.25 in log-likelihood over expon, enough for AIC
    # (2 per parameter) but not for AICc (2k(k+1)/(n-k-1): 2/3 for expon, 2 for gamma).
    sample = CensoredSample([3.45, 2.16, 8.93, 2.28, 1.44, 1.81, 1.15, 2.35, 0.77])
    fit = fit_survival(sample, families=["gamma", "expon"], n_bootstrap=0)
    expon, gamma = fit.fits
    assert (expon.family, gamma.family) == ("expon", "gamma")
    assert gamma.aic < expon.aic and expon.aicc < gamma.aicc
    assert expon.aicc == pytest.approx(expon.aic + 2 * 1 * 2 / (9 - 1 - 1))
    assert gamma.aicc == pytest.approx(gamma.aic + 2 * 2 * 3 / (9 - 2 - 1))
    rows = {row["family"]: row for row in fit.aic_table()}
    assert set(rows["expon"]) == {
        "family", "loglik", "aic", "aicc", "bic", "delta_aic", "delta_aicc"
    }  # fmt: skip
    assert rows["expon"]["delta_aicc"] == 0.0
    assert rows["gamma"]["delta_aicc"] == pytest.approx(gamma.aicc - expon.aicc)
    assert rows["gamma"]["delta_aic"] == 0.0  # delta_aic is relative to the lowest AIC
    assert rows["expon"]["delta_aic"] == pytest.approx(expon.aic - gamma.aic)


def test_families_without_room_for_aicc_are_not_ranked(caplog):
    # Three uncensored events (and censored ones, which do not count): AICc needs
    # n > k + 1, so one-parameter families are ranked and two-parameter ones left out.
    sample = CensoredSample([1.0, 2.0, 4.0, 9.0, 9.0], [False, False, False, True, True])
    with caplog.at_level("WARNING", logger="analysis.kinetics.survival"):
        fit = fit_survival(sample, n_bootstrap=0)
    assert {f.family for f in fit.fits} == {"expon", "levy"}
    assert "gamma not ranked" in caplog.text
    assert all(np.isfinite(f.aicc) for f in fit.fits)
    # Two events: no family is ranked; the Kaplan–Meier estimate is still there.
    two = fit_survival(CensoredSample([1.0, 2.0, 9.0], [False, False, True]), n_bootstrap=0)
    assert two.fits == () and two.best is None and not two.all_censored
    assert two.aic_table() == [] and two.kaplan_meier.restricted_mean > 0
    # fit_family still fits; its AICc is undefined (inf).
    assert fit_family("gamma", sample).aicc == np.inf


def test_gof_pvalue_accepts_true_and_rejects_wrong_family():
    rng = np.random.default_rng(9)
    sample = _censored_sample("lognorm", 800, 0.7, seed=10)
    right = fit_family("lognorm", sample)
    wrong = fit_family("expon", sample)
    _, p_right = gof_pvalue(right, sample, n_bootstrap=40, rng=rng)
    _, p_wrong = gof_pvalue(wrong, sample, n_bootstrap=40, rng=rng)
    assert p_right > 0.05 and p_wrong < 0.05


def test_kaplan_meier_matches_hand_computation():
    km = kaplan_meier(CensoredSample([1, 2, 2, 3, 4, 5], [False, False, True, False, True, False]))
    np.testing.assert_allclose(km.time, [1, 2, 3, 5])
    np.testing.assert_allclose(km.survival, [5 / 6, 5 / 6 * 4 / 5, 5 / 6 * 4 / 5 * 2 / 3, 0.0])
    # Uncensored: KM is the empirical survival function.
    x = np.random.default_rng(1).exponential(size=50)
    km = kaplan_meier(CensoredSample(x, np.zeros(50, bool)))
    np.testing.assert_allclose(km.survival, 1 - np.arange(1, 51) / 50, atol=1e-12)
    assert km.restricted_mean == pytest.approx(x.mean())


def test_all_censored_gives_lower_bound_not_nan():
    fit = fit_survival(CensoredSample([10.0, 10.0, 10.0], [True, True, True]))
    assert fit.all_censored and fit.best is None and fit.fits == ()
    assert fit.kaplan_meier.restricted_mean == 10.0
    assert fit_survival(CensoredSample([], [])).n_events == 0


@pytest.mark.parametrize(
    ("durations", "censored", "name"),
    [
        ([1.0, np.nan], [False, False], "durations"),
        ([1.0, np.inf], [False, False], "durations"),
        ([1.0, -2.0], [False, False], "durations"),
        ([1.0, 2.0], [False], "censored"),
    ],
)
def test_bad_input_raises_naming_argument(durations, censored, name):
    with pytest.raises(ValueError, match=name):
        fit_survival(CensoredSample(durations, censored))


def test_unknown_family_raises():
    with pytest.raises(ValueError, match="famil"):
        fit_survival(CensoredSample([1.0, 2.0], [False, False]), families=["cauchy"])


def test_censored_exponential_matches_closed_form_and_counts_parameters():
    # Censored exponential MLE: scale = sum(t) / d, loglik = -d ln(scale) - sum(t)/scale,
    # with d the number of observed events (censored times enter only through log S).
    # AICc = AIC + 2k(k+1)/(d-k-1) and BIC = k ln(d) - 2 loglik count the d uncensored
    # events, not all n observations (Volinsky & Raftery 2000).
    sample = _censored_sample("expon", 400, 0.6, seed=12)
    t, c = sample.durations, sample.censored
    d, n = int((~c).sum()), t.size
    assert d < n
    scale = t.sum() / d
    loglik = -d * np.log(scale) - t.sum() / scale
    fit = fit_family("expon", sample)
    assert fit.params["scale"] == pytest.approx(scale, rel=1e-5)
    assert fit.loglik == pytest.approx(loglik, rel=1e-9)
    assert fit.n_params == 1
    assert fit.aic == pytest.approx(2 - 2 * loglik)
    assert fit.aicc == pytest.approx(2 - 2 * loglik + 4 / (d - 2))
    assert fit.bic == pytest.approx(np.log(d) - 2 * loglik)
    two = fit_family("gamma", sample)
    assert two.n_params == 2 and two.aic == pytest.approx(4 - 2 * two.loglik)
    assert two.aicc == pytest.approx(4 - 2 * two.loglik + 12 / (d - 3))
    assert two.bic == pytest.approx(2 * np.log(d) - 2 * two.loglik)
    # Censored contributions are log-survival, not log-density: the censored
    # likelihood differs from the one that counts every time as an event.
    assert fit_family("expon", CensoredSample(t)).params["scale"] == pytest.approx(t.mean())


def test_bootstrap_is_seeded():
    sample = _censored_sample("gamma", 300, 0.7, seed=13)
    a = fit_survival(sample, families=["gamma"], n_bootstrap=20, rng=5).params_ci95
    b = fit_survival(sample, families=["gamma"], n_bootstrap=20, rng=5).params_ci95
    other = fit_survival(sample, families=["gamma"], n_bootstrap=20, rng=6).params_ci95
    assert a == b and a != other
    with pytest.raises(ValueError, match="n_bootstrap"):
        fit_survival(sample, n_bootstrap=1)


def test_kaplan_meier_greenwood_and_restricted_mean_by_hand():
    km = kaplan_meier(CensoredSample([1, 2, 2, 3, 4, 5], [False, False, True, False, True, True]))
    s = np.array([5 / 6, 5 / 6 * 4 / 5, 5 / 6 * 4 / 5 * 2 / 3])
    var_terms = np.cumsum([1 / (6 * 5), 1 / (5 * 4), 1 / (3 * 2)])
    np.testing.assert_allclose(km.stderr, s * np.sqrt(var_terms))
    # Area under the step function up to the largest time (5, censored): a lower bound.
    assert km.restricted_mean == pytest.approx(1 + s[0] * 1 + s[1] * 1 + s[2] * 2)
    np.testing.assert_allclose(km.at([0.5, 1.0, 2.5, 10.0]), [1.0, s[0], s[1], s[2]])


def test_exponential_with_exact_times_is_the_closed_form_mle():
    """scale = time at risk / events; ln L equals scipy's censored log-likelihood and no
    nearby scale does better (the iterative fit agreed within 1e-6, bench/README.md)."""
    rng = np.random.default_rng(21)
    event = rng.exponential(10.0, 5000)
    stop = np.minimum(rng.exponential(30.0, 5000), 60.0)
    durations, censored = np.minimum(event, stop), event > stop
    fit = fit_family("expon", CensoredSample(durations, censored))
    assert fit.params["scale"] == pytest.approx(durations.sum() / (~censored).sum(), rel=1e-12)

    def loglik(scale):
        dist = stats.expon(scale=scale)
        return dist.logpdf(durations[~censored]).sum() + dist.logsf(durations[censored]).sum()

    assert fit.loglik == pytest.approx(loglik(fit.params["scale"]), rel=1e-12)
    assert loglik(fit.params["scale"] * 1.001) < fit.loglik > loglik(fit.params["scale"] / 1.001)
    assert fit.success and fit.n_params == 1
