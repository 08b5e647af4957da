"""File-level steps of the kinetics stage (one per Snakemake rule and CLI command).

Each function reads its inputs, calls the science functions and writes its outputs
atomically; none knows about Snakemake.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import mdtraj as md
import numpy as np
import pandas as pd

from analysis.kinetics.assembly import build_kinetics, check_events
from analysis.kinetics.calibration import frame_interval_ps
from analysis.kinetics.config import KineticsConfig
from analysis.kinetics.events import empty_events, events_from_distances
from analysis.kinetics.extraction import (
    ReplicaDistances,
    groups_from_build,
    groups_from_selections,
    load_replica_distances,
    read_replica,
    save_replica_distances,
)
from analysis.kinetics.plots import write_figures
from analysis.kinetics.surfaces import Surfaces, compute_surfaces
from synsoc.errors import KineticsError
from synsoc.io import save_npz, write_json, write_parquet
from synsoc.layout import EVENT_COLUMNS
from synsoc.provenance import provenance

__all__ = [
    "run_events",
    "trajectory_events",
    "distance_path",
    "run_merge",
    "run_surfaces",
    "load_surfaces",
    "run_fit",
]

logger = logging.getLogger(__name__)


def _write_replica(
    data: ReplicaDistances, config: KineticsConfig, replica: int, events_out, distances_out
) -> pd.DataFrame:
    events = events_from_distances(data.distance_nm, data.time_ps, config.cutoffs, replica=replica)
    write_parquet(events_out, events)
    save_replica_distances(distances_out, data)
    return events


def run_events(
    trajectory: str | os.PathLike,
    topology: str | os.PathLike,
    build_json: str | os.PathLike,
    config: KineticsConfig,
    replica: int,
    events_out: str | os.PathLike,
    distances_out: str | os.PathLike,
) -> pd.DataFrame:
    """Events and distances of one MD replica, molecules taken from ``build.json``."""
    build = json.loads(Path(build_json).read_text(encoding="utf-8"))
    top = md.load_topology(str(topology))
    tm, rc, mols = groups_from_build(
        build, top, config.transmitter_atom_names, config.receptor_atom_names
    )
    data = read_replica(
        trajectory,
        topology,
        tm,
        rc,
        mols,
        periodic=config.periodic,
        chunk_frames=config.chunk_frames,
    )
    return _write_replica(data, config, replica, events_out, distances_out)


def trajectory_events(
    trajectories: Sequence[str | os.PathLike],
    topology: str | os.PathLike,
    transmitter_selection: str,
    receptor_selection: str,
    config: KineticsConfig,
    events_out: str | os.PathLike,
    distances_out: str | os.PathLike,
) -> pd.DataFrame:
    """Events of several trajectories (replica = position in the list), molecules from selections.

    Writes one events table and one NPZ per trajectory (``distances_out`` with the
    replica number inserted before the suffix when there are several).
    """
    if not trajectories:
        raise ValueError("trajectories is empty")
    top = md.load_topology(str(topology))
    tm, rc, mols = groups_from_selections(top, transmitter_selection, receptor_selection)
    frames = []
    for replica, path in enumerate(trajectories):
        data = read_replica(
            path, topology, tm, rc, mols, periodic=config.periodic, chunk_frames=config.chunk_frames
        )
        frames.append(
            events_from_distances(data.distance_nm, data.time_ps, config.cutoffs, replica=replica)
        )
        save_replica_distances(distance_path(distances_out, replica, len(trajectories)), data)
    events = pd.concat([f for f in frames if not f.empty] or [empty_events()], ignore_index=True)
    write_parquet(events_out, events)
    return events


def distance_path(base: str | os.PathLike, replica: int, n_replicas: int) -> Path:
    """NPZ path of one replica: ``base`` itself for one replica, else ``stem.{replica}.npz``."""
    base = Path(base)
    return base if n_replicas == 1 else base.with_name(f"{base.stem}.{replica}{base.suffix}")


def _read_events(path: str | os.PathLike) -> pd.DataFrame:
    """An events Parquet table, checked against the contract (errors name the file)."""
    events = pd.read_parquet(path)
    try:
        check_events(events)
    except ValueError as err:
        raise KineticsError(f"{path}: {err}") from err
    return events


def run_merge(paths: Sequence[str | os.PathLike], out: str | os.PathLike) -> pd.DataFrame:
    """Concatenate per-replica event tables into one (contract columns, sorted)."""
    frames = [_read_events(p) for p in paths]
    nonempty = [f for f in frames if not f.empty]
    events = pd.concat(nonempty, ignore_index=True) if nonempty else empty_events()
    events = events[list(EVENT_COLUMNS)].sort_values(["replica", "transmitter", "kind", "start_ps"])
    write_parquet(out, events.reset_index(drop=True))
    return events


def _nearest(
    replicas: Sequence[ReplicaDistances], paths: Sequence[str | os.PathLike]
) -> tuple[list[np.ndarray], float]:
    """Nearest-receptor distance per replica, shape (n_frames, n_transmitters), and dt (ps)."""
    dts = [
        frame_interval_ps(r.time_ps, name=f"{path}: time_ps")
        for r, path in zip(replicas, paths, strict=True)
        if r.time_ps.size > 1
    ]
    if not dts or not np.allclose(dts, dts[0], rtol=1e-3):
        raise ValueError(f"replicas must share one frame interval (>= 2 frames), got {dts} ps")
    return [r.distance_nm.min(axis=2) for r in replicas], dts[0]


def run_surfaces(
    distance_paths: Sequence[str | os.PathLike], config: KineticsConfig, out: str | os.PathLike
) -> Surfaces:
    """F(r,t), P(r,t) and the renewal check over all replicas, saved as NPZ."""
    replicas = [load_replica_distances(p) for p in distance_paths]
    nearest, frame_ps = _nearest(replicas, distance_paths)
    h = config.surface_r_max_nm / config.surface_n_r
    r_grid = (np.arange(config.surface_n_r) + 0.5) * h
    shortest = min(d.shape[0] for d in nearest)
    stride = config.surface_stride or max(1, shortest // config.surface_n_t)
    surf = compute_surfaces(nearest, frame_ps, r_grid, n_t=config.surface_n_t, stride=stride)
    save_npz(
        out,
        r_nm=surf.r_nm,
        t_ps=surf.t_ps,
        F_per_ps=surf.F_per_ps,
        P_per_nm=surf.P_per_nm,
        P_renewal_per_nm=surf.P_renewal_per_nm,
        renewal_rel_error_r=surf.renewal_rel_error_r,
        renewal_rel_error=np.array(
            -1.0 if surf.renewal_rel_error is None else surf.renewal_rel_error
        ),
    )
    logger.info("surfaces: renewal relative error %s", surf.renewal_rel_error)
    return surf


def load_surfaces(path: str | os.PathLike) -> Surfaces:
    """Read the NPZ written by :func:`run_surfaces` (renewal error -1 means not evaluated)."""
    with np.load(Path(path)) as h:
        err = float(h["renewal_rel_error"])
        return Surfaces(
            h["r_nm"],
            h["t_ps"],
            h["F_per_ps"],
            h["P_per_nm"],
            h["P_renewal_per_nm"],
            h["renewal_rel_error_r"],
            None if err < 0 else err,
        )


def run_fit(
    events_path: str | os.PathLike,
    distance_paths: Sequence[str | os.PathLike],
    surfaces_path: str | os.PathLike,
    config: KineticsConfig,
    full_config: Mapping[str, Any],
    json_out: str | os.PathLike,
    figure_dir: str | os.PathLike,
    *,
    build_json: str | os.PathLike | None = None,
) -> dict[str, Any]:
    """Fits, calibration and cleft bridge -> ``kinetics.json`` and the figures.

    Parameters
    ----------
    full_config : Mapping
        The configuration whose hash goes into the provenance block.
    build_json : path-like, optional
        The MD stage's build.json; its ``friction_per_ps`` fixes γ in the MSD
        calibration's Langevin fallback.
    """
    events = _read_events(events_path)
    replicas = [load_replica_distances(p) for p in distance_paths]
    if not replicas:
        raise ValueError("distance_paths is empty: calibration needs the per-replica NPZ files")
    surf = load_surfaces(surfaces_path)
    friction = None
    if build_json is not None:
        build = json.loads(Path(build_json).read_text(encoding="utf-8"))
        friction = build.get("friction_per_ps")
    analysis = build_kinetics(
        events, replicas, config, provenance(full_config), friction_per_ps=friction
    )
    summary = dict(analysis.summary)
    provenance_block = summary.pop("provenance")
    summary["renewal_rel_error"] = surf.renewal_rel_error
    summary["provenance"] = provenance_block
    write_figures(events, analysis.fits, surf, analysis.msd, analysis.calibration, figure_dir)
    write_json(json_out, summary)
    return summary
