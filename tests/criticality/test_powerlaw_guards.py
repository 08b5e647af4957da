"""The guarded power-law test: x_min search with a minimum tail fraction and a plausible
exponent range, a stretched-exponential alternative, LLR at a fixed cut-off, the verdict.

Controls the guards must pass (seeds used nowhere else in the suite):
* lognormal sizes (mu = 1.8, sigma = 1, n = 2 x 10^4), five sets: flagged as not power
  law in >= 4 of 5 (the unguarded search retreats into the far tail, x_min 22-55 with
  1.5-10.5 % of the data and alpha 3.1-4.0, where the tests have little power: one set
  passes);
* a power law tau = 2.5 above x_min = 7 with a uniform body below (70 % in the tail):
  x_min and tau recovered, plausible in >= 4 of 5 (p > 0.1 fails 10 % by chance).
"""

from __future__ import annotations

import numpy as np
import pytest

from analysis.criticality.avalanche_analysis import power_law_verdict
from analysis.criticality.config import CriticalityConfig
from analysis.criticality.powerlaw_compare import compare_alternatives
from analysis.criticality.powerlaw_fit import fit_power_law, sample_discrete_power_law
from analysis.criticality.powerlaw_gof import bootstrap_gof

CONFIG = CriticalityConfig.from_section()
SEEDS = range(9101, 9106)


def verdict(data, guards, seed):
    try:
        fit = fit_power_law(data, **guards)
    except ValueError as err:
        return {"plausible": False, "reasons": [str(err)]}, None
    gof = bootstrap_gof(data, fit, n_bootstrap=CONFIG.gof_bootstrap, rng=seed, **guards)
    llr = [r.as_dict() for r in compare_alternatives(data, fit)]
    return power_law_verdict(gof.as_dict(), llr), fit


def lognormal_sizes(seed):
    rng = np.random.default_rng(seed)
    return np.maximum(1, np.round(rng.lognormal(1.8, 1.0, 20_000))).astype(np.int64)


def power_law_sizes(seed):
    rng = np.random.default_rng(seed)
    tail = sample_discrete_power_law(2.5, 7, 14_000, rng=rng)
    body = rng.integers(1, 7, size=6_000)
    return np.concatenate([body, tail])


def test_defaults_are_the_documented_guards():
    assert CONFIG.min_tail_fraction == 0.1 and CONFIG.alpha_range == (1.0, 3.5)
    assert CONFIG.gof_bootstrap >= 100
    assert "stretched_exponential" in CONFIG.llr_alternatives


def test_lognormal_avalanches_are_not_power_laws():
    flagged = [not verdict(lognormal_sizes(s), CONFIG.guards, s)[0]["plausible"] for s in SEEDS]
    assert sum(flagged) >= 4, flagged


def test_guards_keep_the_search_in_the_bulk_where_the_tests_can_see():
    """The control of the guards: the plain CSN search retreats into the far tail (a
    median 5 % of the data, alpha > 3 in all five sets, where one set passes as a power
    law); guarded, the tail holds >= 10 % and the lognormal is preferred at p < 0.001
    in every set."""
    plain = {"min_tail": CONFIG.min_tail}
    fractions, lognormal_p = [], []
    for seed in SEEDS:
        data = lognormal_sizes(seed)
        free = fit_power_law(data, **plain)
        assert free.alpha > 3.0
        fractions.append(free.n_tail / data.size)
        guarded = fit_power_law(data, **CONFIG.guards)
        assert guarded.n_tail >= 0.1 * data.size
        (test,) = compare_alternatives(data, guarded, alternatives=("lognormal",))
        assert test.preferred == "lognormal"
        lognormal_p.append(test.p_value)
    assert np.median(fractions) < 0.05, fractions
    assert max(lognormal_p) < 1e-3, lognormal_p


def test_power_law_above_xmin_7_is_recovered_and_plausible():
    results = [verdict(power_law_sizes(s), CONFIG.guards, s) for s in SEEDS]
    for _, fit in results:
        assert fit is not None and 7 <= fit.xmin <= 12
        assert fit.alpha == pytest.approx(2.5, abs=3 * fit.alpha_stderr)
    assert sum(v["plausible"] for v, _ in results) >= 4, [v for v, _ in results]


def test_stretched_exponential_alternative_recovers_weibull_data():
    rng = np.random.default_rng(9107)
    data = np.maximum(1, np.round(40.0 * rng.weibull(0.6, 20_000))).astype(np.int64)
    fit = fit_power_law(data, xmin=5, min_tail=10)
    (test,) = compare_alternatives(data, fit, alternatives=("stretched_exponential",))
    assert test.preferred == "stretched_exponential" and test.p_value < 0.01
    tail = data[data >= 5]
    # the tail of a Weibull is a Weibull with the same shape and scale (conditioned)
    assert test.alternative_params["beta"] == pytest.approx(0.6, rel=0.05)
    assert test.alternative_params["scale"] == pytest.approx(40.0, rel=0.1)
    assert tail.size > 10_000


def test_guards_refuse_a_search_without_admissible_candidates():
    data = lognormal_sizes(9108)
    with pytest.raises(ValueError, match="plausible range"):
        fit_power_law(data, min_tail=10, min_tail_fraction=0.5, alpha_range=(1.0, 1.2))
    with pytest.raises(ValueError, match="min_tail_fraction"):
        fit_power_law(data, min_tail_fraction=1.5)


def _test(alternative, preferred, *, nested=False, versus_truncated=None):
    out = {"alternative": alternative, "preferred": preferred, "nested": nested}
    out.update(loglik_ratio=-5.0 if preferred == alternative else 5.0, p_value=0.01)
    if versus_truncated is not None:
        out["versus_truncated"] = {"preferred": versus_truncated}
    return out


def test_verdict_uses_clauset_support_categories():
    ok = {"p_value": 0.5}
    beaten = [_test("exponential", "power_law"), _test("lognormal", "power_law")]
    assert power_law_verdict(ok, beaten)["support"] == "good"
    close = [_test("exponential", "power_law"), _test("lognormal", "inconclusive")]
    assert power_law_verdict(ok, close)["support"] == "moderate"
    cut = [*close, _test("truncated_power_law", "truncated_power_law", nested=True)]
    assert power_law_verdict(ok, cut)["support"] == "with cut-off"
    assert power_law_verdict(ok, cut)["plausible"] and power_law_verdict(ok, cut)["cutoff"]
    assert power_law_verdict({"p_value": 0.05}, beaten)["support"] == "none"
    # an alternative preferred over the power law rules it out; the reason says whether
    # it also beats the power law with a cut-off
    curved = [_test("lognormal", "lognormal", versus_truncated="truncated_power_law")]
    verdict_ = power_law_verdict(ok, curved)
    assert verdict_["support"] == "none" and not verdict_["plausible"]
    assert verdict_["reasons"][0].endswith("but not over the truncated power law")


def test_lognormal_reasons_name_the_truncated_comparison():
    result, _ = verdict(lognormal_sizes(SEEDS[0]), CONFIG.guards, SEEDS[0])
    assert result["support"] == "none"
    assert any("over the truncated power law" in reason for reason in result["reasons"])


def test_gof_leaves_out_synthetic_sets_without_an_admissible_fit():
    """At an exponent near the plausible range's upper bound some synthetic sets refit
    above it; they carry no KS distance and are left out of p, not counted as worse."""
    data = sample_discrete_power_law(3.3, 1, 400, rng=np.random.default_rng(2))
    guards = {"min_tail": 10, "alpha_range": (1.0, 3.4)}
    fit = fit_power_law(data, **guards)
    gof = bootstrap_gof(data, fit, n_bootstrap=60, rng=1, **guards)
    assert 0 < gof.n_refit_failed < 60
    assert gof.as_dict()["n_refit_failed"] == gof.n_refit_failed
    assert 0 <= gof.p_value <= 1
