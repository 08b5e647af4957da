"""The alignment score: equivalence with critical branching, calibrated on controls.

Controls are network runs on a graph where every neuron has K = 10 out-synapses that
transmit with p = m / K (delays 0.5-2 ms), driven slowly (one kick 10 ms after each
cascade ends, longer than two bins, so that neither bin width merges kicks):
a branching process with branching ratio m. Critical (m = 1) runs must score high under
two bin widths and as causal trees; subcritical (m = 0.5, 0.9) and non-branching (m = 0)
runs must score low.
"""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.criticality import CriticalityConfig, analyse_avalanches, equivalence_probability
from analysis.criticality.alignment import CRITERIA, DEFAULT_MARGINS, alignment_score
from network.avalanches import bin_counts, causal_avalanches, extract_avalanches
from network.engine import DriveSpec, Dynamics, simulate
from tests.network.test_cascades import branching_network

CONFIG = CriticalityConfig.from_section({"gof_bootstrap": 2, "exponent_bootstrap": 30})


def test_equivalence_probability_is_the_normal_mass_within_the_margin():
    # estimate at the reference, SE 0.05, margin 0.1: P(|Z| <= 2)
    ci = (1.5 - 1.96 * 0.05, 1.5 + 1.96 * 0.05)
    assert equivalence_probability(1.5, ci, 1.5, 0.1) == pytest.approx(
        stats.norm.cdf(2) - stats.norm.cdf(-2), abs=1e-3
    )
    # estimate on the edge of the band: one half
    assert equivalence_probability(1.6, (1.5, 1.7), 1.5, 0.1) == pytest.approx(0.5, abs=1e-3)
    # a zero-width interval is an indicator
    assert equivalence_probability(1.55, (1.55, 1.55), 1.5, 0.1) == 1.0
    assert equivalence_probability(1.65, (1.65, 1.65), 1.5, 0.1) == 0.0


def _block(tau, alpha, relation, m, width):
    """A criticality.json-like block with symmetric 95 % intervals of ``width``."""

    def ci(x):
        return [x - width / 2, x + width / 2]

    return {
        "exponents": {
            "tau": {"value": tau, "ci95": ci(tau)},
            "alpha": {"value": alpha, "ci95": ci(alpha)},
            "scaling_relation": {
                "gamma_minus_predicted": relation,
                "gamma_minus_predicted_ci95": ci(relation),
            },
        },
        "branching_ratio": {"multistep_regression": m, "multistep_regression_ci95": ci(m)},
    }


def test_score_is_p_m_times_the_exponent_mean_and_undefined_counts_zero():
    exact = alignment_score(_block(1.5, 2.0, 0.0, 1.0, 1e-6))
    assert exact.score == pytest.approx(1.0) and exact.score_sd == pytest.approx(0.0, abs=1e-6)
    assert exact.n_within_margin == len(CRITERIA)
    # a wide interval earns less than a narrow one at the same estimates
    wide = alignment_score(_block(1.5, 2.0, 0.0, 1.0, 0.5))
    p_tau, p_alpha, p_rel, p_m = (r.probability for r in wide.criteria)
    assert wide.score == pytest.approx(p_m * (p_tau + p_alpha + p_rel) / 3)
    assert wide.score < 0.7 * exact.score
    # SD of B x F, B ~ Bernoulli(p_m), F the fraction of three Bernoulli exponent criteria
    rng = np.random.default_rng(0)
    draws = (rng.random((200_000, 4)) < [p_tau, p_alpha, p_rel, p_m]).astype(float)
    product = draws[:, 3] * draws[:, :3].mean(axis=1)
    assert wide.score_sd == pytest.approx(product.std(), rel=0.01)
    # exponents without branching evidence (or branching without exponents): no credit
    assert alignment_score(_block(1.5, 2.0, 0.0, 0.9, 1e-6)).score == 0.0
    undefined = {"status": "undefined", "reason": "only 4 avalanches"}
    empty = alignment_score({"exponents": undefined, "branching_ratio": undefined})
    assert empty.score == 0.0
    assert all("only 4 avalanches" in r.note for r in empty.criteria)
    only_m = alignment_score({**_block(1.5, 2, 0, 1.0, 1e-6), "exponents": undefined})
    assert only_m.score == 0.0
    # margins are configurable
    tight = alignment_score(_block(1.55, 2.0, 0.0, 1.0, 1e-6), {"tau": 0.01})
    assert tight.score == pytest.approx(2 / 3) and tight.criteria[0].margin == 0.01
    assert tight.criteria[1].margin == DEFAULT_MARGINS["alpha"]


def test_malformed_intervals_and_uncorrelated_activity_are_undefined():
    block = _block(1.5, 2.0, 0.0, 1.0, 0.02)
    block["exponents"]["tau"]["ci95"] = [1.4, None]
    block["exponents"]["alpha"]["value"] = True
    result = alignment_score(block)
    assert [r.value for r in result.criteria[:2]] == [None, None]
    # a reversed interval is the same interval
    flipped = _block(1.5, 2.0, 0.0, 1.0, 0.02)
    flipped["exponents"]["tau"]["ci95"] = [1.51, 1.49]
    assert alignment_score(flipped).criteria[0].ci95 == (1.49, 1.51)
    # white noise: r_1 ~ 0 makes the MR fit degenerate; its m = 1.08 is not evidence
    noise = _block(1.5, 2.0, 0.0, 1.08, 0.3)
    noise["branching_ratio"].update(conventional=0.004, conventional_ci95=[-0.01, 0.02])
    result = alignment_score(noise)
    assert result.criteria[3].value is None and "no autocorrelation" in result.criteria[3].note
    assert result.score == 0.0


def _scores(m: float, seed: int) -> dict[str, float]:
    """Scores of one slow-drive run of the branching network (graph and run seeded by
    ``seed``): binned at one and two maximal delays (2 and 4 ms), and its causal trees."""
    record = simulate(
        branching_network(m, seed=seed),
        Dynamics(refractory_ms=0.1),
        DriveSpec("slow", slow_interval_ms=10.0),
        40_000.0 if m == 1 else 20_000.0,
        rng=seed,
    )
    out = {}
    for name, bins in (
        ("1 delay", record.max_delay_steps),
        ("2 delays", 2 * record.max_delay_steps),
    ):
        counts = bin_counts(record.step, record.n_steps, bins)
        avalanches = extract_avalanches(counts, bins * record.dt_ms)
        summary = analyse_avalanches(avalanches, counts, config=CONFIG, run_label=f"{m}/{name}")[0]
        out[name] = summary["alignment"]["score"]
    trees = causal_avalanches(
        record.step, record.parent, record.dt_ms, record.n_steps, record.max_delay_steps
    )
    summary = analyse_avalanches(trees, None, config=CONFIG, run_label=f"{m}/c", causal=True)[0]
    out["causal"] = summary["alignment"]["score"]
    return out


SEEDS = (11, 12, 13)


@pytest.mark.slow
def test_critical_branching_scores_high_under_two_bins_and_as_trees():
    scores = [_scores(1.0, seed) for seed in SEEDS]
    for view in ("1 delay", "2 delays", "causal"):  # 2 delays: the same spikes, wider bins
        assert np.median([s[view] for s in scores]) > 0.7, scores


@pytest.mark.slow
@pytest.mark.parametrize("m", [0.0, 0.5, 0.9])
def test_subcritical_and_non_branching_controls_score_low(m):
    scores = [_scores(m, seed) for seed in SEEDS[:2]]
    assert max(max(s.values()) for s in scores) < 0.1, scores


def test_surrogates_without_branching_score_low():
    """Power-law sizes with consistent durations but no branching dynamics, and critical
    trees whose durations are shuffled, must not reach 0.7."""
    from analysis.criticality import galton_watson_avalanches
    from analysis.criticality.powerlaw_fit import sample_discrete_power_law

    rng = np.random.default_rng(3)
    sizes = sample_discrete_power_law(1.5, 1, 3000, rng=rng)
    durations = np.maximum(1, np.round(np.sqrt(sizes))).astype(np.int64)
    frame = pd.DataFrame(
        {
            "size": sizes,
            "duration_bins": durations,
            "bin_ms": 1.0,
            "profile": list(map(np.ones, durations)),
        }
    )
    noise = rng.poisson(0.5, 200_000)  # uncorrelated activity
    pareto = analyse_avalanches(frame, noise, config=CONFIG, run_label="pareto")[0]
    assert pareto["alignment"]["score"] < 0.1, pareto["alignment"]
    trees = galton_watson_avalanches(3000, 1.0, rng=rng)
    shuffled = trees.assign(duration_bins=rng.permutation(trees["duration_bins"].to_numpy()))
    result = analyse_avalanches(shuffled, None, config=CONFIG, run_label="shuf", causal=True)[0]
    assert result["alignment"]["score"] < 0.7, result["alignment"]


def test_near_critical_trees_are_not_critical():
    from analysis.criticality import galton_watson_avalanches

    trees = galton_watson_avalanches(3000, 0.95, rng=np.random.default_rng(4))
    result = analyse_avalanches(trees, None, config=CONFIG, run_label="gw95", causal=True)[0]
    assert result["alignment"]["score"] < 0.1, result["alignment"]


def test_galton_watson_sample_size_lowers_the_score():
    """Few avalanches give wide intervals: the same critical process earns less."""
    from analysis.criticality import galton_watson_avalanches

    rng = np.random.default_rng(5)
    scores = []
    for n in (150, 3000):
        trees = galton_watson_avalanches(n, 1.0, rng=rng, max_generations=2000)
        summary = analyse_avalanches(trees, None, config=CONFIG, run_label=f"gw/{n}", causal=True)
        scores.append(summary[0]["alignment"]["score"])
    assert scores[0] < scores[1] and scores[1] > 0.8
