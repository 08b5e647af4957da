"""`synsoc inspect` on a synthetic replica with a known first-passage time."""

from __future__ import annotations

import argparse
import json

import mdtraj as md
import numpy as np
import pytest

from analysis.kinetics import HysteresisCutoffs, find_replica_files, inspect_replica
from analysis.kinetics.inspect_cli import register
from synsoc.errors import InputError

DT_PS = 2.0
N_FRAMES = 20
BIND_FRAME = 6  # transmitter 0 is within r_on from this frame on


def _write_replica(root):
    """Two one-atom transmitters (GLU) and one receptor (ARG) in R/md/replica_0."""
    top = md.Topology()
    for resname, element in (("GLU", "C"), ("GLU", "C"), ("ARG", "N")):
        chain = top.add_chain()
        residue = top.add_residue(resname, chain)
        top.add_atom(resname[:2], md.element.get_by_symbol(element), residue)
    xyz = np.zeros((N_FRAMES, 3, 3), dtype=np.float32)
    xyz[:, 2] = [2.0, 2.0, 3.0]  # receptor near the postsynaptic wall
    approach = np.linspace(2.0, 0.3, BIND_FRAME + 1)  # distance of transmitter 0
    distance0 = np.concatenate([approach, np.full(N_FRAMES - BIND_FRAME - 1, 0.3)])
    xyz[:, 0] = np.stack([np.full(N_FRAMES, 2.0), np.full(N_FRAMES, 2.0), 3.0 - distance0], 1)
    xyz[:, 1] = [0.5, 0.5, 0.2]  # transmitter 1 stays at the release site
    traj = md.Trajectory(xyz, top, time=np.arange(N_FRAMES) * DT_PS)
    replica = root / "md" / "replica_0"
    replica.mkdir(parents=True)
    traj.save_xtc(str(replica / "trajectory.xtc"))
    traj[0].save_pdb(str(replica / "topology.pdb"))
    system = root / "md" / "system"
    system.mkdir()
    build = {
        "transmitters": [
            {"index": 0, "atom_indices": [0], "residue_name": "GLU"},
            {"index": 1, "atom_indices": [1], "residue_name": "GLU"},
        ],
        "receptors": [{"index": 0, "atom_indices": [2], "residue_name": "ARG"}],
    }
    (system / "build.json").write_text(json.dumps(build))
    return replica, distance0


def test_inspect_replica_counts_and_first_passage(tmp_path):
    replica, distance0 = _write_replica(tmp_path)
    cutoffs = HysteresisCutoffs(r_on_nm=0.5, r_off_nm=0.8)
    result = inspect_replica(replica, cutoffs)
    first_bound = int(np.argmax(distance0 < 0.5))
    assert result.n_frames == N_FRAMES
    assert result.n_atoms == 3
    assert result.simulated_ps == pytest.approx((N_FRAMES - 1) * DT_PS)
    assert (result.bound_now, result.bound_ever) == (1, 1)
    assert result.first_passage_ps[0] == pytest.approx(first_bound * DT_PS)
    assert result.first_passage_ps[1] is None
    np.testing.assert_allclose(result.distance_nm[:, 0], distance0, atol=2e-3)


def test_selections_override_build_json(tmp_path):
    replica, _ = _write_replica(tmp_path)
    (tmp_path / "md" / "system" / "build.json").unlink()
    cutoffs = HysteresisCutoffs(r_on_nm=0.5, r_off_nm=0.8)
    with pytest.raises(InputError, match="--transmitter-selection"):
        inspect_replica(replica / "trajectory.xtc", cutoffs)
    result = inspect_replica(
        replica / "trajectory.xtc",
        cutoffs,
        transmitter_selection="resname GLU",
        receptor_selection="resname ARG",
    )
    assert (result.n_transmitters, result.n_receptors, result.bound_ever) == (2, 1, 1)


def test_cli_prints_summary_and_writes_png(tmp_path, capsys):
    replica, _ = _write_replica(tmp_path)
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(
        ["inspect", str(replica), "--transmitter-atoms", "", "--receptor-atoms", ""]
    )
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "frames            20" in out
    assert "bound ever        1 / 2" in out
    assert (replica / "inspect.png").stat().st_size > 0
    assert (replica / "inspect.svg").is_file()


def test_missing_path_is_reported(tmp_path):
    with pytest.raises(InputError, match="no trajectory"):
        find_replica_files(tmp_path)
