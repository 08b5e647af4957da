"""CensoredSample: input validation, then Kaplan-Meier against scipy.stats.ecdf."""

import numpy as np
import pytest
from scipy import stats

from analysis.kinetics import FAMILIES, CensoredSample, fit_family, fit_survival, kaplan_meier


@pytest.mark.parametrize(
    ("durations", "censored", "name"),
    [
        ([[1.0, 2.0]], [[False, False]], "durations"),
        ([1.0, np.nan], [False, False], "durations"),
        ([1.0, np.inf], [False, False], "durations"),
        ([1.0, -2.0], [False, False], "durations"),
        ([1.0, 2.0], [False], "censored"),
        ([1.0, 2.0], [0, 2], "censored"),
    ],
)
def test_input_validation(durations, censored, name):
    with pytest.raises(ValueError, match=name):
        CensoredSample(durations, censored)


@pytest.mark.parametrize(
    ("options", "name", "value"),
    [
        ({"resolution": -0.4}, "resolution", "-0.4"),
        ({"resolution": np.nan}, "resolution", "nan"),
        ({"resolution": np.inf}, "resolution", "inf"),
        ({"exact_start": "yes"}, "exact_start", "yes"),
        ({"clusters": [0, 1]}, "clusters", r"\(2,\)"),
        ({"clusters": [0.5, 1.0, 2.0]}, "clusters", "float64"),
        ({"resolution": 0.4, "durations": [0.4, 0.5, 0.8]}, "durations", "0.5 at index 1"),
        ({"resolution": 0.4, "durations": [0.4, 0.0, 0.8]}, "durations", "0.0 at index 1"),
    ],
)
def test_recording_options_validation(options, name, value):
    arguments = {"durations": [0.4, 1.2, 2.0], "censored": [False, False, True], **options}
    with pytest.raises(ValueError, match=f"{name}.*{value}"):
        CensoredSample(**arguments)


def test_durations_are_snapped_onto_the_grid():
    delta = 0.4
    frames = np.array([1, 3, 250, 12_345, 0, 7])
    censored = np.array([False, False, False, False, True, True])
    # float32 times as read from XTC files: off the float64 grid by rounding only.
    read = (frames * delta).astype(np.float32).astype(float)
    assert not np.array_equal(read, frames * delta)
    sample = CensoredSample(read, censored, resolution=delta, exact_start=False)
    np.testing.assert_array_equal(sample.durations, frames * delta)
    assert sample.resolution == delta and sample.exact_start is False
    assert not sample.durations.flags.writeable
    # Within 1e-3 of a frame is on the grid; 2e-3 is not.
    CensoredSample([delta * (1 + 9e-4)], resolution=delta)
    with pytest.raises(ValueError, match="resolution"):
        CensoredSample([delta * (1 + 2e-3)], resolution=delta)
    # Exact times are kept as given, to the last bit.
    exact = CensoredSample(read, censored)
    np.testing.assert_array_equal(exact.durations, read)
    assert exact.resolution == 0.0 and exact.clusters is None


def test_equality_counts_recording_and_clusters():
    base = {"durations": [0.4, 0.8], "censored": [False, True]}
    sample = CensoredSample(**base, resolution=0.4, clusters=[3, 3])
    assert sample == CensoredSample(**base, resolution=0.4, clusters=np.array([3, 3]))
    assert sample != CensoredSample(**base, resolution=0.4)
    assert sample != CensoredSample(**base, resolution=0.4, clusters=[3, 4])
    assert sample != CensoredSample(**base, resolution=0.2, clusters=[3, 3])
    assert sample != CensoredSample(**base, resolution=0.4, exact_start=False, clusters=[3, 3])
    assert sample != CensoredSample(**base, clusters=[3, 3])
    assert sample.clusters.dtype == np.int64 and not sample.clusters.flags.writeable
    with pytest.raises(TypeError):
        CensoredSample([0.4], [False], 0.4)  # recording options are keyword-only


def test_loose_pairs_are_refused():
    with pytest.raises(TypeError, match="CensoredSample"):
        fit_survival(np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match="CensoredSample"):
        kaplan_meier(([1.0, 2.0], [False, False]))


def test_counts_flags_and_immutability():
    durations = np.array([3.0, 1.0, 2.0, 0.0])
    sample = CensoredSample(durations, [0, 1, 0, 1])
    assert sample.censored.dtype == bool
    assert (len(sample), sample.n_events, sample.n_censored, sample.n_observed) == (4, 4, 2, 2)
    np.testing.assert_array_equal(sample.observed, [True, False, True, False])
    np.testing.assert_array_equal(sample.durations, durations)  # order kept
    assert not sample.all_censored and CensoredSample([1.0], [True]).all_censored
    with pytest.raises(ValueError):
        sample.durations[0] = 5.0  # read-only
    durations[0] = 7.0  # the caller's array is copied, not shared
    assert sample.durations[0] == 3.0
    uncensored = CensoredSample([1.0, 2.0])
    assert uncensored.n_censored == 0 and uncensored == CensoredSample([1.0, 2.0], [0, 0])
    assert len(CensoredSample([])) == 0


def test_to_censored_data_keeps_every_observation():
    sample = CensoredSample([1.0, 2.0, 3.0, 4.0], [False, True, False, True])
    data = sample.to_censored_data()
    assert len(data) == 4 and data.num_censored() == 2


def test_kaplan_meier_matches_scipy_ecdf_with_ties():
    rng = np.random.default_rng(20260311)
    durations = rng.integers(1, 9, 200).astype(float)  # many ties, observed and censored
    censored = rng.random(200) < 0.35
    sample = CensoredSample(durations, censored)
    assert np.any(np.bincount(durations[censored].astype(int)) > 1)
    ref = stats.ecdf(stats.CensoredData(uncensored=durations[~censored], right=durations[censored]))
    t = np.concatenate((np.linspace(0.0, 10.0, 201), np.unique(durations)))
    np.testing.assert_allclose(kaplan_meier(sample).at(t), ref.sf.evaluate(t), atol=1e-12)
    # to_censored_data gives scipy the same sample.
    np.testing.assert_allclose(
        stats.ecdf(sample.to_censored_data()).sf.evaluate(t), ref.sf.evaluate(t), atol=0
    )


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_family_loglik_is_the_censored_likelihood_the_fit_maximises(name):
    family = FAMILIES[name]
    x = family.dist(*([1.5] * (len(family.names) - 1)), scale=2.0).rvs(
        size=300, random_state=np.random.default_rng(4)
    )
    limit = np.quantile(x, 0.75)
    sample = CensoredSample(np.minimum(x, limit), x > limit)
    fit = fit_family(name, sample)
    params = np.array(list(fit.params.values()))
    law = fit.frozen()
    reference = np.sum(law.logpdf(x[x <= limit])) + np.sum(
        law.logsf(np.full((x > limit).sum(), limit))
    )
    assert family.loglik(sample, params) == pytest.approx(reference, rel=1e-9)
    assert fit.loglik == pytest.approx(reference, rel=1e-9)


def test_rng_takes_a_seed_or_a_generator():
    x = stats.gamma(2.0, scale=3.0).rvs(size=200, random_state=np.random.default_rng(2))
    sample = CensoredSample(np.minimum(x, 8.0), x > 8.0)
    options = {"families": ["gamma"], "n_bootstrap": 10, "n_gof_bootstrap": 3}
    by_seed = fit_survival(sample, **options, rng=7)
    by_generator = fit_survival(sample, **options, rng=np.random.default_rng(7))
    assert by_seed.params_ci95 == by_generator.params_ci95
    assert by_seed.gof_pvalue == by_generator.gof_pvalue
    with pytest.raises(TypeError):
        fit_survival(sample, ["gamma"])  # options are keyword-only
