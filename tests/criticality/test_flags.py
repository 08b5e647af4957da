"""Flags: too few avalanches, supercritical, not quiescent; a critical run is not flagged."""

from analysis.criticality.flags import run_flags


def _codes(n=500, state="avalanching", persists=False, m_ci=(0.98, 1.0)):
    criticality = {
        "n_avalanches": n,
        "branching_ratio": {
            "multistep_regression": sum(m_ci) / 2,
            "multistep_regression_ci95": m_ci,
        },
    }
    activity = {"state": state, "persists_after_drive": persists}
    return [flag["code"] for flag in run_flags(criticality, activity, min_avalanches=50)]


def test_flags_name_what_a_reader_must_know():
    assert _codes() == []
    assert _codes(n=4) == ["too_few_avalanches"]
    assert _codes(state="self-sustained", persists=True) == ["supercritical"]
    assert _codes(m_ci=(1.01, 1.05)) == ["supercritical"]
    assert _codes(state="not quiescent") == ["not_quiescent"]
    assert _codes(n=3, state="self-sustained") == ["too_few_avalanches", "supercritical"]


def test_a_critical_cascade_outliving_the_drive_is_not_supercritical():
    """The demo's static lambda = 1 run is avalanching, yet its last cascade outlived the
    200-delay drive-off window (critical slowing down): no flag."""
    assert _codes(state="avalanching", persists=True) == []


def test_messages_name_the_numbers():
    criticality = {"n_avalanches": 4, "branching_ratio": {"status": "undefined"}}
    (flag,) = run_flags(criticality, None, min_avalanches=50)
    assert "4 < 50" in flag["message"] and "criticality.min_avalanches" in flag["message"]
