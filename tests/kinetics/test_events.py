"""Event extraction: hysteresis rule, event bookkeeping, mdtraj vs numpy."""

import mdtraj as md
import numpy as np
import pytest

from analysis.kinetics import (
    HysteresisCutoffs,
    events_from_distances,
    groups_from_selections,
    hysteresis_bound,
    pair_min_distances,
    read_replica,
)
from analysis.kinetics.testsystems import brownian_points, write_point_trajectory

CUT = HysteresisCutoffs(r_on_nm=0.4, r_off_nm=0.6)


def test_hysteresis_ignores_flicker_between_cutoffs():
    d = np.array([1.0, 0.5, 0.39, 0.5, 0.59, 0.45, 0.61, 0.5, 0.41, 0.3, 0.7, 0.35])
    expected = [0, 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 1]
    np.testing.assert_array_equal(hysteresis_bound(d, CUT), np.array(expected, bool))


def _reference_hysteresis(d, cut):
    """Slow, obvious state machine over frames."""
    state = np.zeros(d.shape[1:], bool)
    out = np.zeros(d.shape, bool)
    for k, frame in enumerate(d):
        state = np.where(frame < cut.r_on_nm, True, np.where(frame > cut.r_off_nm, False, state))
        out[k] = state
    return out


def test_vectorized_hysteresis_matches_frame_loop():
    rng = np.random.default_rng(3)
    d = np.abs(0.55 + np.cumsum(rng.normal(0, 0.08, (500, 7, 3)), axis=0) * 0.2)
    d[0, 0, 0] = 0.1  # bound in the first frame
    d[-1, 1, 1] = 0.2  # binds in the last frame
    got = hysteresis_bound(d.astype(np.float32), CUT)
    np.testing.assert_array_equal(got, _reference_hysteresis(d.astype(np.float32), CUT))
    assert got.any() and not got.all()


def test_events_from_flickering_series_are_exact():
    d = np.array([1.0, 0.5, 0.39, 0.5, 0.59, 0.45, 0.61, 0.5, 0.41, 0.3, 0.7, 0.35])
    t = np.arange(d.size) * 2.0
    ev = events_from_distances(d[:, None, None], t, CUT, replica=3)
    fp = ev[ev.kind == "first_passage"]
    assert fp.duration_ps.tolist() == [4.0] and not fp.censored.any()
    dwell = ev[ev.kind == "dwell"].sort_values("start_ps")
    assert dwell.start_ps.tolist() == [4.0, 18.0, 22.0]
    assert dwell.duration_ps.tolist() == [8.0, 2.0, 0.0]
    assert dwell.censored.tolist() == [False, False, True]
    reb = ev[ev.kind == "rebinding"].sort_values("start_ps")
    assert reb.start_ps.tolist() == [12.0, 20.0]
    assert reb.duration_ps.tolist() == [6.0, 2.0]
    assert not reb.censored.any()
    assert (ev.replica == 3).all()


def test_first_passage_to_any_receptor_and_censoring():
    t = np.arange(5.0)
    d = np.full((5, 2, 2), 2.0)
    d[3, 0, 1] = 0.1  # transmitter 0 binds receptor 1 at t = 3, stays to the end
    d[4, 0, 1] = 0.5
    ev = events_from_distances(d, t, CUT)
    fp = ev[ev.kind == "first_passage"].set_index("transmitter")
    assert fp.loc[0, "duration_ps"] == 3.0 and fp.loc[0, "receptor"] == 1
    assert fp.loc[1, "censored"] and fp.loc[1, "duration_ps"] == 4.0 and fp.loc[1, "receptor"] == -1
    dwell = ev[ev.kind == "dwell"]
    assert len(dwell) == 1 and dwell.censored.iloc[0] and dwell.duration_ps.iloc[0] == 1.0


def test_events_at_trajectory_ends_are_censored_or_zero():
    # Bound in frame 0 (first passage 0, observed), unbinds at t = 2, never rebinds:
    # the rebinding is censored with the time observed after unbinding.
    d = np.array([0.3, 0.5, 0.7, 0.9, 1.0])[:, None, None]
    ev = events_from_distances(d, np.arange(5.0), CUT).set_index("kind")
    assert ev.loc["first_passage", "duration_ps"] == 0.0
    assert not ev.loc["first_passage", "censored"]
    assert ev.loc["dwell", "start_ps"] == 0.0 and ev.loc["dwell", "duration_ps"] == 2.0
    assert not ev.loc["dwell", "censored"]
    assert ev.loc["rebinding", "start_ps"] == 2.0 and ev.loc["rebinding", "duration_ps"] == 2.0
    assert ev.loc["rebinding", "censored"] and ev.loc["rebinding", "receptor"] == -1


def test_single_frame_and_no_pairs():
    ev = events_from_distances(np.full((1, 3, 1), 2.0), np.zeros(1), CUT)
    assert len(ev) == 3 and ev.censored.all() and (ev.duration_ps == 0).all()
    assert events_from_distances(np.zeros((4, 0, 2)), np.arange(4.0), CUT).empty


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"r_on_nm": 0.5, "r_off_nm": 0.5}, "r_off_nm"), ({"r_on_nm": -1, "r_off_nm": 1}, "r_on_nm")],
)
def test_bad_cutoffs_name_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        HysteresisCutoffs(**kwargs)


def test_bad_inputs_name_argument():
    with pytest.raises(ValueError, match="time_ps"):
        events_from_distances(np.ones((3, 1, 1)), np.array([0.0, 2.0, 1.0]), CUT)
    with pytest.raises(ValueError, match="distance_nm"):
        hysteresis_bound(np.array([1.0, np.nan]), CUT)


def _numpy_min_distances(xyz, tm_groups, rc_groups, box):
    out = np.empty((xyz.shape[0], len(tm_groups), len(rc_groups)))
    for i, a in enumerate(tm_groups):
        for j, b in enumerate(rc_groups):
            diff = xyz[:, a][:, :, None, :] - xyz[:, b][:, None, :, :]
            if box is not None:
                diff -= box * np.round(diff / box)
            out[:, i, j] = np.sqrt((diff**2).sum(-1)).min(axis=(1, 2))
    return out


def test_mdtraj_extraction_matches_numpy(tmp_path):
    rng = np.random.default_rng(11)
    box = np.array([4.0, 4.0, 4.0])
    receptors = np.array([[1.0, 1.0, 1.0], [3.0, 2.5, 2.0]])
    system = brownian_points(
        rng.uniform(0, 4, (12, 3)), receptors, 0.01, 0.5, 300, 2, rng=rng, box_nm=box
    )
    xtc, pdb = write_point_trajectory(system, tmp_path)
    top = md.load_topology(str(pdb))
    tm, rc, mols = groups_from_selections(top, "resname GLU", "resname ARG")
    assert len(tm) == 12 and len(rc) == 2
    data = read_replica(xtc, pdb, tm, rc, mols, periodic=True, chunk_frames=70)
    traj = md.load(str(xtc), top=str(pdb))
    ref = _numpy_min_distances(traj.xyz.astype(float), tm, rc, box)
    np.testing.assert_allclose(data.distance_nm, ref, atol=2e-5)
    np.testing.assert_allclose(data.time_ps, system.time_ps, atol=1e-3)
    cut = HysteresisCutoffs(0.45, 0.65)
    ev_md = events_from_distances(data.distance_nm, data.time_ps, cut)
    ev_np = events_from_distances(ref, data.time_ps, cut)
    assert len(ev_md) > 12
    assert ev_md.equals(ev_np)


def test_pair_min_distances_uses_closest_atoms():
    top = md.Topology()
    chain = top.add_chain()
    for name in ("A", "B", "C"):
        top.add_atom(name, md.element.carbon, top.add_residue(name, chain))
    xyz = np.array([[[0, 0, 0], [1, 0, 0], [0.3, 0, 0]]], np.float32)
    traj = md.Trajectory(xyz, top)
    d = pair_min_distances(traj, [np.array([0, 1])], [np.array([2])], periodic=False)
    assert d.shape == (1, 1, 1) and d[0, 0, 0] == pytest.approx(0.3, abs=1e-6)
