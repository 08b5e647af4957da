"""Dynamic range of a Hill response: Delta = (10 / n) log10(81) dB."""

import numpy as np
import pytest

from analysis.dynamic_range import dynamic_range


@pytest.mark.parametrize("n", [0.5, 1.0, 2.0])
def test_hill_response_oracle(n):
    h = np.logspace(-4, 4, 400)
    f = 100.0 * h**n / (h**n + 1.0)
    result = dynamic_range(h, f)
    f0, fmax = f[0], f[-1]
    # levels relative to the observed range; solve the Hill curve for them exactly
    lv = f0 + np.array([0.1, 0.9]) * (fmax - f0)
    hx = (lv / (100.0 - lv)) ** (1 / n)
    assert result.delta_db == pytest.approx(10 * np.log10(hx[1] / hx[0]), rel=1e-3)
    assert result.note == "ok"


def test_flat_response_is_undefined_not_nan():
    result = dynamic_range([1.0, 10.0, 100.0], [5.0, 5.0, 5.0])
    assert result.delta_db is None and "does not increase" in result.note


def test_invalid_drive_named():
    with pytest.raises(ValueError, match="drive_rate_hz"):
        dynamic_range([0.0, 1.0, 2.0], [1.0, 2.0, 3.0])
