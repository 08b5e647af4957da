"""Dynamic range of a Hill response: Delta = (10 / n) log10(81) dB."""

import numpy as np
import pytest

from analysis.criticality import dynamic_range


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


def test_noisy_plateau_of_a_self_sustained_network_gives_a_small_range():
    # Supercritical network (demo run static/1.5): self-sustained ~530 Hz at any weak
    # drive, with ignition noise, then a rise at the strongest drives. The response
    # range is only crossed above 100 Hz of drive (isotonic fit: 512 Hz plateau, then
    # 546 and 699 Hz); a running maximum would take the 548 Hz blip at 0.3 Hz as the
    # 10 % point and report ~35 dB.
    h = [0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0]
    f = [524.6, 548.6, 530.0, 538.0, 526.5, 468.1, 448.1, 546.2, 699.2]
    result = dynamic_range(h, f)
    assert result.note == "ok"
    assert 100.0 < result.h10_hz < result.h90_hz < 1000.0
    assert result.delta_db < 8.0


def test_monotone_curve_is_read_as_measured():
    h = np.array([1.0, 10.0, 100.0, 1000.0])
    f = np.array([0.0, 10.0, 90.0, 100.0])
    result = dynamic_range(h, f)
    # F_0.1 = 10 is met exactly at h = 10; F_0.9 = 90 exactly at h = 100
    assert result.h10_hz == pytest.approx(10.0)
    assert result.h90_hz == pytest.approx(100.0)
    assert result.delta_db == pytest.approx(10.0)


def test_baseline_and_range_checks():
    h = np.logspace(-3, 4, 30)
    f = 1000.0 * h / (h + 10.0)  # subcritical-like, saturating at 1000 Hz
    ok = dynamic_range(h, f, baseline_hz=0.0)
    assert ok.note == "ok" and ok.delta_db == pytest.approx(10 * np.log10(81), rel=0.02)
    # a self-sustained baseline shrinks the range measured from it
    sustained = dynamic_range(h, 200.0 + 0.8 * f, baseline_hz=200.0)
    assert sustained.delta_db == pytest.approx(ok.delta_db, rel=0.02)
    # the ends of the drive range must reach 10 % and saturation
    low = dynamic_range(h[h > 5], f[h > 5], baseline_hz=0.0)
    assert low.delta_db is None and "weakest drive" in low.note
    high = dynamic_range(h[h < 100], f[h < 100], baseline_hz=0.0)
    assert high.delta_db is None and "saturate" in high.note
    with pytest.raises(ValueError, match="baseline_hz"):
        dynamic_range(h, f, baseline_hz=-1.0)
