"""Alignment score: 1 for identical samples, lower for a different branching ratio."""

import numpy as np
import pytest

from analysis.criticality import alignment_score, galton_watson_avalanches


def test_identical_and_different_models():
    rng = np.random.default_rng(1)
    critical = galton_watson_avalanches(5000, 1.0, rng=rng, max_generations=2000)
    critical2 = galton_watson_avalanches(5000, 1.0, rng=rng, max_generations=2000)
    sub = galton_watson_avalanches(5000, 0.5, rng=rng)
    s, t = critical["size"], critical["duration_bins"]
    assert alignment_score(s, t, s, t).score == pytest.approx(1.0)
    same = alignment_score(s, t, critical2["size"], critical2["duration_bins"])
    other = alignment_score(s, t, sub["size"], sub["duration_bins"])
    assert same.score > 0.97 and other.score < same.score - 0.05


def test_disjoint_samples_score_zero_and_empty_is_named():
    assert alignment_score([1, 2], [1, 1], [10, 20], [5, 6]).score == pytest.approx(0.0)
    with pytest.raises(ValueError, match="ref_sizes is empty"):
        alignment_score([1, 2], [1, 1], [], [])
