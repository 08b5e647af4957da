"""Shape collapse recovers the exponent of synthetic avalanche shapes."""

import numpy as np
import pytest

from analysis.criticality import collapse_error, shape_collapse


def _synthetic(gamma, rng):
    profiles, durations = [], []
    for duration in range(5, 60, 3):
        x = (np.arange(duration) + 0.5) / duration
        for _ in range(30):
            noise = rng.lognormal(0.0, 0.1, duration)
            profiles.append(duration ** (gamma - 1) * 4 * x * (1 - x) * noise)
            durations.append(duration)
    return profiles, np.array(durations)


@pytest.mark.parametrize("gamma", [1.3, 2.0, 2.5])
def test_collapse_recovers_gamma(gamma):
    profiles, durations = _synthetic(gamma, np.random.default_rng(1))
    result = shape_collapse(profiles, durations)
    assert abs(result.gamma - gamma) < 0.03, result.as_dict()
    assert result.error < collapse_error(gamma + 0.3, result.profiles)


def test_collapse_needs_two_durations():
    with pytest.raises(ValueError, match="needs >= 2 durations"):
        shape_collapse([np.ones(5)] * 3, np.array([5, 5, 5]), min_count=2)


def test_profile_length_mismatch_names_the_avalanche():
    profiles = [np.ones(5), np.ones(5), np.ones(4)]
    with pytest.raises(ValueError, match="avalanche 2 has a profile of length 4"):
        shape_collapse(profiles, np.array([5, 5, 5]), min_count=2)
