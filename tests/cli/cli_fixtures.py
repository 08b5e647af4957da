"""Small inputs for the command-line tests: good files and a corpus of bad ones.

Loaded by path from the tests in this folder (no package: ``tests/cli`` is named after
no module it could shadow).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import mdtraj as md
import numpy as np
import pandas as pd

from analysis.kinetics.events import empty_events
from analysis.kinetics.testsystems import brownian_points, point_topology, write_point_trajectory
from synsoc.layout import AVALANCHE_COLUMNS

N_TM, N_RC = 12, 4  # 16 atoms: XTC compresses coordinates above 9 atoms (xdrfile errors)


def point_replica(root: Path, *, seed: int = 3, n_frames: int = 60) -> Path:
    """An MD-layout replica of point transmitters/receptors: R/md/replica_0 + system/build.json."""
    rng = np.random.default_rng(seed)
    box = np.array([4.0, 4.0, 4.0])
    receptors = np.array([[1.0, 1.0, 3.0], [3.0, 1.0, 3.0], [1.0, 3.0, 3.0], [3.0, 3.0, 3.0]])
    start = np.column_stack((rng.uniform(0, 4, N_TM), rng.uniform(0, 4, N_TM), np.full(N_TM, 2.6)))
    system = brownian_points(start, receptors, 0.01, 0.1, n_frames, 5, rng=rng, box_nm=box)
    replica = root / "md" / "replica_0"
    write_point_trajectory(system, replica)
    build = {
        "transmitters": [{"index": i, "atom_indices": [i]} for i in range(N_TM)],
        "receptors": [{"index": j, "atom_indices": [N_TM + j]} for j in range(N_RC)],
    }
    (root / "md" / "system").mkdir(parents=True, exist_ok=True)
    (root / "md" / "system" / "build.json").write_text(json.dumps(build))
    return replica


def multi_atom_replica(root: Path, *, seed: int = 5, n_frames: int = 80) -> Path:
    """Side-chain-sized molecules (GLU 6 atoms, ARG 8 atoms) in the MD layout.

    Distances from the binding atoms (OE1/OE2, NE/NH1/NH2) differ from distances over
    every heavy atom, as in the real system.
    """
    top = md.Topology()
    shapes = (
        ("GLU", ["CA", "CB", "CG", "CD", "OE1", "OE2"], "CCCCOO", 3),
        ("ARG", ["CA", "CB", "CG", "CD", "NE", "CZ", "NH1", "NH2"], "CCCCNCNN", 2),
    )
    molecules = {"GLU": [], "ARG": []}
    for resname, names, elements, count in shapes:
        for _ in range(count):
            residue = top.add_residue(resname, top.add_chain())
            atoms = [
                top.add_atom(n, md.element.get_by_symbol(e), residue)
                for n, e in zip(names, elements, strict=True)
            ]
            for a, b in zip(atoms[:-1], atoms[1:], strict=True):
                top.add_bond(a, b)
            molecules[resname].append([a.index for a in atoms])
    rng = np.random.default_rng(seed)
    offsets = {"GLU": np.linspace(0, 0.5, 6), "ARG": np.linspace(0, 0.7, 8)}
    xyz = np.zeros((n_frames, top.n_atoms, 3))
    for k, atoms in enumerate(molecules["ARG"]):
        anchor = np.array([1.0 + 1.5 * k, 1.5, 2.5])
        xyz[:, atoms] = anchor + np.outer(offsets["ARG"], [0, 0, -1])
    for atoms in molecules["GLU"]:
        walk = np.cumsum(rng.normal(0, 0.08, (n_frames, 3)), axis=0) + [1.5, 1.5, 1.2]
        xyz[:, atoms] = walk[:, None, :] + np.outer(offsets["GLU"], [0, 0, 1])[None]
    n = n_frames
    traj = md.Trajectory(
        xyz.astype(np.float32),
        top,
        time=np.arange(n) * 0.5,
        unitcell_lengths=np.tile([5.0, 5.0, 5.0], (n, 1)),
        unitcell_angles=np.full((n, 3), 90.0),
    )
    replica = root / "md" / "replica_0"
    replica.mkdir(parents=True)
    traj.save_xtc(str(replica / "trajectory.xtc"))
    traj[0].save_pdb(str(replica / "topology.pdb"))
    build = {
        "transmitters": [{"index": i, "atom_indices": a} for i, a in enumerate(molecules["GLU"])],
        "receptors": [{"index": i, "atom_indices": a} for i, a in enumerate(molecules["ARG"])],
    }
    (root / "md" / "system").mkdir(parents=True)
    (root / "md" / "system" / "build.json").write_text(json.dumps(build))
    return replica


def frame_offsets(xtc: bytes) -> list[int]:
    """Byte offsets of the frames of an XTC file (each starts with the magic number 1995)."""
    magic = (1995).to_bytes(4, "big")
    offsets, start = [], xtc.find(magic)
    while start >= 0:
        offsets.append(start)
        start = xtc.find(magic, start + 4)
    return offsets


def avalanches(n: int = 200, *, seed: int = 1) -> pd.DataFrame:
    """A valid avalanches table (contract columns of synsoc.layout)."""
    rng = np.random.default_rng(seed)
    durations = rng.integers(1, 20, n)
    frame = pd.DataFrame(
        {
            "avalanche_id": np.arange(n),
            "start_ms": np.cumsum(durations + 1).astype(float),
            "size": durations + rng.integers(0, 5, n),
            "duration_bins": durations,
            "duration_ms": durations.astype(float),
            "bin_ms": np.full(n, 1.0),
            "profile": [list(np.ones(d, dtype=int)) for d in durations],
        }
    )
    assert tuple(c for c in frame.columns if c in AVALANCHE_COLUMNS) == AVALANCHE_COLUMNS
    return frame


def snakemake_record(workdir: Path, output: str) -> None:
    """Record ``output`` (relative to ``workdir``) as Snakemake does in .snakemake/metadata."""
    metadata = workdir / ".snakemake" / "metadata"
    metadata.mkdir(parents=True, exist_ok=True)
    name = base64.urlsafe_b64encode(output.encode()).decode()
    (metadata / name).write_text(json.dumps({"rule": "fake"}))
    (workdir / output).parent.mkdir(parents=True, exist_ok=True)
    (workdir / output).write_text("made by the workflow\n")


def build_corpus(root: Path) -> dict[str, Path]:
    """Every input the bad-input corpus needs, under ``root``; returns them by name."""
    from analysis.kinetics.config import KineticsConfig
    from analysis.kinetics.jobs import trajectory_events

    files: dict[str, Path] = {}
    replica = point_replica(root / "R")
    files["xtc"] = replica / "trajectory.xtc"
    files["pdb"] = replica / "topology.pdb"
    files["build"] = root / "R" / "md" / "system" / "build.json"

    data = files["xtc"].read_bytes()
    files["truncated"] = root / "bad" / "truncated.xtc"
    files["truncated"].parent.mkdir(parents=True)
    files["truncated"].write_bytes(data[: frame_offsets(data)[10] + 100])
    small = md.Trajectory(np.zeros((1, 5, 3), np.float32), point_topology(3, 2))
    files["small_pdb"] = root / "bad" / "five_atoms.pdb"
    small.save_pdb(str(files["small_pdb"]))
    files["not_pdb"] = root / "bad" / "notes.pdb"
    files["not_pdb"].write_text("these are notes, not atoms\n")
    bare = root / "bare"
    bare.mkdir()
    files["bare_xtc"] = bare / "trajectory.xtc"
    files["bare_xtc"].write_bytes(data)
    files["no_build"] = root / "nobuild" / "replica_0"
    files["no_build"].mkdir(parents=True)
    (files["no_build"] / "trajectory.xtc").write_bytes(data)
    (files["no_build"] / "topology.pdb").write_bytes(files["pdb"].read_bytes())

    events_dir = root / "events"
    config = KineticsConfig.from_section({"r_on_nm": 0.45, "r_off_nm": 0.65})
    files["events"] = events_dir / "events.parquet"
    trajectory_events(
        [files["xtc"]],
        files["pdb"],
        None,
        None,
        config,
        files["events"],
        events_dir / "events.distances.npz",
        build_json=files["build"],
    )
    files["distances"] = events_dir / "events.distances.npz"
    good = pd.read_parquet(files["events"])
    tables = {
        "events_empty": empty_events(),
        "events_nan": good.assign(duration_ps=np.where(good.index == 1, np.nan, good.duration_ps)),
        "events_negative": good.assign(
            duration_ps=np.where(good.index == 0, -2.0, good.duration_ps)
        ),
        "events_no_kind": good.drop(columns=["kind"]),
    }
    for name, frame in tables.items():
        files[name] = events_dir / f"{name}.parquet"
        frame.to_parquet(files[name], index=False)
    files["not_parquet"] = root / "bad" / "table.parquet"
    files["not_parquet"].write_text("replica,transmitter\n0,1\n")
    files["bad_npz"] = root / "bad" / "distances.npz"
    files["bad_npz"].write_text("not an archive")
    files["short_npz"] = root / "bad" / "short.distances.npz"
    with np.load(files["distances"]) as handle:
        arrays = {k: handle[k] for k in handle}
    np.savez(
        files["short_npz"], **{k: v[:1] if v.ndim and v.shape[0] else v for k, v in arrays.items()}
    )

    av = avalanches()
    av_dir = root / "runs" / "static" / "1"
    av_dir.mkdir(parents=True)
    files["avalanches"] = av_dir / "avalanches.parquet"
    av.to_parquet(files["avalanches"], index=False)
    bad_tables = {
        "av_nan_size": av.assign(size=np.where(av.index == 3, np.nan, av["size"])),
        "av_negative_size": av.assign(size=np.where(av.index == 4, -1, av["size"])),
        "av_negative_duration": av.assign(
            duration_ms=np.where(av.index == 2, -1.0, av["duration_ms"])
        ),
        "av_no_profile": av.drop(columns=["profile"]),
    }
    for name, frame in bad_tables.items():
        files[name] = root / "bad" / f"{name}.parquet"
        frame.to_parquet(files[name], index=False)
    files["spikes_no_counts"] = root / "bad" / "spikes.npz"
    np.savez(files["spikes_no_counts"], spikes=np.arange(3))

    files["kinetics_not_json"] = root / "bad" / "kinetics.json"
    files["kinetics_not_json"].write_text("{ this is not json")
    files["config"] = root / "config.yaml"
    files["config"].write_text("md: {replicas: 2}\n")
    files["config_bad"] = root / "bad" / "config.yaml"
    files["config_bad"].write_text("md:\n  solvent: vacuum\n  replicas: 0\n")
    files["config_not_yaml"] = root / "bad" / "broken.yaml"
    files["config_not_yaml"].write_text("md: [unclosed\n")

    # a Snakemake working directory whose workflow made results/
    files["workdir"] = root / "wd"
    for output in (
        "results/network/graph.graphml",
        "results/kinetics/kinetics.json",
        "results/md/system/build.json",
    ):
        snakemake_record(files["workdir"], output)
    files["a_file"] = root / "a_file.txt"
    files["a_file"].write_text("a file, not a folder\n")
    return files


def snapshot(*roots: Path) -> dict[Path, tuple[int, int]]:
    """Every file under ``roots`` with its size and modification time (ns)."""
    found = {}
    for root in roots:
        for path in root.rglob("*"):
            stat = path.lstat()
            found[path] = (stat.st_size if path.is_file() else -1, stat.st_mtime_ns)
    return found
