"""File-level steps of the kinetics stage (one per Snakemake rule and CLI command).

Each function reads its inputs, calls the science functions and writes its outputs
atomically; none knows about Snakemake.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.kinetics.assembly import build_kinetics, check_events, md_context
from analysis.kinetics.calibration import frame_interval_ps
from analysis.kinetics.config import KineticsConfig
from analysis.kinetics.events import empty_events, events_from_distances
from analysis.kinetics.extraction import (
    ReplicaDistances,
    groups_from_build,
    groups_from_selections,
    load_replica_distances,
    load_topology,
    read_replica,
    save_replica_distances,
)
from analysis.kinetics.plots import write_figures
from analysis.kinetics.surfaces import Surfaces, compute_surfaces
from synsoc.errors import InputError, KineticsError
from synsoc.io import read_parquet, save_npz, write_json, write_parquet
from synsoc.layout import EVENT_COLUMNS, EVENT_RESOLUTION_COLUMN
from synsoc.provenance import provenance

__all__ = [
    "run_events",
    "trajectory_events",
    "distance_path",
    "read_build",
    "read_events",
    "read_fit_inputs",
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


def read_build(path: str | os.PathLike) -> dict[str, Any]:
    """The MD stage's ``build.json``; a missing or malformed file is a KineticsError.

    Parameters
    ----------
    path : path-like
        ``R/md/system/build.json``.

    Returns
    -------
    dict
    """
    path = Path(path)
    if not path.is_file():
        raise KineticsError(f"build record (build.json of the MD stage) not found: {path}")
    try:
        build = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise KineticsError(f"{path}: not valid JSON ({err})") from err
    if not isinstance(build, dict):
        raise KineticsError(f"{path}: the top level must be a JSON object")
    return build


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
    build = read_build(build_json)
    top = load_topology(topology)
    tm, rc, mols = groups_from_build(
        build, top, config.transmitter_atom_names, config.receptor_atom_names, source=build_json
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
    transmitter_selection: str | None,
    receptor_selection: str | None,
    config: KineticsConfig,
    events_out: str | os.PathLike,
    distances_out: str | os.PathLike,
    *,
    build_json: str | os.PathLike | None = None,
) -> pd.DataFrame:
    """Events of several trajectories (replica = position in the list).

    Molecules come from the selections (both given), else from ``build_json``, as in
    :func:`analysis.kinetics.extraction.groups_from_selections` and
    :func:`analysis.kinetics.extraction.groups_from_build`; the distance atoms within
    each molecule are ``config.transmitter_atom_names`` / ``config.receptor_atom_names``.
    Every trajectory is read before anything is written, so a bad file leaves no output.
    Writes one events table and one NPZ per trajectory (``distances_out`` with the
    replica number inserted before the suffix when there are several).
    """
    if not trajectories:
        raise ValueError("trajectories is empty")
    top = load_topology(topology)
    if transmitter_selection is not None and receptor_selection is not None:
        tm, rc, mols = groups_from_selections(
            top,
            transmitter_selection,
            receptor_selection,
            transmitter_atom_names=config.transmitter_atom_names,
            receptor_atom_names=config.receptor_atom_names,
            source=topology,
        )
    elif transmitter_selection is None and receptor_selection is None and build_json is not None:
        tm, rc, mols = groups_from_build(
            read_build(build_json),
            top,
            config.transmitter_atom_names,
            config.receptor_atom_names,
            source=build_json,
        )
    else:
        raise InputError(
            "give both a transmitter and a receptor selection, or neither and a build.json"
        )
    frames, replicas = [], []
    for replica, path in enumerate(trajectories):
        data = read_replica(
            path, topology, tm, rc, mols, periodic=config.periodic, chunk_frames=config.chunk_frames
        )
        replicas.append(data)
        frames.append(
            events_from_distances(data.distance_nm, data.time_ps, config.cutoffs, replica=replica)
        )
    events = pd.concat([f for f in frames if not f.empty] or [empty_events()], ignore_index=True)
    for replica, data in enumerate(replicas):
        save_replica_distances(distance_path(distances_out, replica, len(trajectories)), data)
    write_parquet(events_out, events)
    return events


def distance_path(base: str | os.PathLike, replica: int, n_replicas: int) -> Path:
    """NPZ path of one replica: ``base`` itself for one replica, else ``stem.{replica}.npz``."""
    base = Path(base)
    return base if n_replicas == 1 else base.with_name(f"{base.stem}.{replica}{base.suffix}")


def _bad_rows(mask: pd.Series) -> str:
    rows = np.flatnonzero(mask.to_numpy())
    shown = ", ".join(str(r) for r in rows[:5]) + (", ..." if rows.size > 5 else "")
    return f"{rows.size} row(s): {shown}"


def read_events(path: str | os.PathLike, *, for_fit: bool = False) -> pd.DataFrame:
    """An events Parquet table, checked against the contract (errors name the file).

    Parameters
    ----------
    path : path-like
        ``events.parquet`` (docs/contracts.md; columns ``synsoc.layout.EVENT_COLUMNS``).
    for_fit : bool
        Also require first-passage rows (every transmitter has one, censored when it
        never bound): without them there is nothing to fit.

    Returns
    -------
    pandas.DataFrame
        With a ``resolution_ps`` column (0.0, exact times, when the file has none).

    Raises
    ------
    synsoc.errors.KineticsError
        Missing file, not Parquet, missing columns, unknown kinds, NaN or negative
        times or resolutions, negative indices, missing ``censored`` flags; with ``for_fit``, no
        events or no first-passage rows. The message names the file and the column.
    """
    path = Path(path)
    events = read_parquet(path, "events", error=KineticsError)
    try:
        check_events(events)
    except ValueError as err:
        raise KineticsError(f"{path}: {err}") from err
    if EVENT_RESOLUTION_COLUMN not in events.columns:
        logger.info("%s: no %s column: event times taken as exact", path, EVENT_RESOLUTION_COLUMN)
        events = events.assign(**{EVENT_RESOLUTION_COLUMN: 0.0})
    for column, lowest in (
        (EVENT_RESOLUTION_COLUMN, 0),
        ("start_ps", 0),
        ("duration_ps", 0),
        ("replica", 0),
        ("transmitter", 0),
        ("receptor", -1),
    ):
        values = pd.to_numeric(events[column], errors="coerce")
        missing = values.isna() | ~np.isfinite(values.fillna(0))
        if missing.any():
            raise KineticsError(
                f"{path}: column '{column}' holds NaN, infinite or non-numeric values "
                f"({_bad_rows(missing)})"
            )
        if (values < lowest).any():
            raise KineticsError(
                f"{path}: column '{column}' holds values below {lowest} "
                f"(min {values.min():g}; {_bad_rows(values < lowest)})"
            )
    if events["censored"].isna().any():
        raise KineticsError(
            f"{path}: column 'censored' has missing values ({_bad_rows(events['censored'].isna())})"
        )
    if for_fit and events.empty:
        raise KineticsError(f"{path}: the events table is empty: nothing to fit")
    if for_fit and not (events["kind"] == "first_passage").any():
        raise KineticsError(
            f"{path}: no first_passage rows (each transmitter has one, censored if it never "
            "bound): nothing to fit"
        )
    return events


def run_merge(paths: Sequence[str | os.PathLike], out: str | os.PathLike) -> pd.DataFrame:
    """Concatenate per-replica event tables into one (contract columns, sorted)."""
    frames = [read_events(p) for p in paths]
    nonempty = [f for f in frames if not f.empty]
    events = pd.concat(nonempty, ignore_index=True) if nonempty else empty_events()
    columns = [*EVENT_COLUMNS, EVENT_RESOLUTION_COLUMN]
    events = events[columns].sort_values(["replica", "transmitter", "kind", "start_ps"])
    write_parquet(out, events.reset_index(drop=True))
    return events


def _nearest(
    replicas: Sequence[ReplicaDistances], paths: Sequence[str | os.PathLike]
) -> tuple[list[np.ndarray], float]:
    """Nearest-receptor distance per replica, shape (n_frames, n_transmitters), and dt (ps)."""
    dts = []
    for replica, path in zip(replicas, paths, strict=True):
        if replica.time_ps.size < 2:
            raise KineticsError(
                f"{path}: {replica.time_ps.size} frame(s); the surfaces need >= 2 per replica"
            )
        try:
            dts.append(frame_interval_ps(replica.time_ps, name=f"{path}: time_ps"))
        except ValueError as err:
            raise KineticsError(str(err)) from err
    if not np.allclose(dts, dts[0], rtol=1e-3):
        shown = ", ".join(f"{Path(p).name}: {dt:g} ps" for p, dt in zip(paths, dts, strict=True))
        raise KineticsError(f"replicas must share one frame interval, got {shown}")
    return [r.distance_nm.min(axis=2) for r in replicas], dts[0]


def read_fit_inputs(
    events_path: str | os.PathLike, distance_paths: Sequence[str | os.PathLike]
) -> tuple[pd.DataFrame, list[ReplicaDistances]]:
    """The inputs of :func:`run_fit`, read and checked before anything is computed.

    Parameters
    ----------
    events_path : path-like
        Events table (:func:`read_events` with ``for_fit=True``).
    distance_paths : sequence of path-like
        Per-replica distances NPZ files.

    Returns
    -------
    events : pandas.DataFrame
    replicas : list of ReplicaDistances

    Raises
    ------
    synsoc.errors.KineticsError
        Naming the file: a bad events table, an unreadable NPZ, a replica with fewer
        than 3 frames (the time calibration needs them) or replicas whose frame
        intervals differ.
    """
    events = read_events(events_path, for_fit=True)
    if not distance_paths:
        raise ValueError("distance_paths is empty: calibration needs the per-replica NPZ files")
    replicas = [load_replica_distances(p) for p in distance_paths]
    for replica, path in zip(replicas, distance_paths, strict=True):
        if replica.time_ps.size < 3:
            raise KineticsError(
                f"{path}: {replica.time_ps.size} frame(s); the time calibration needs >= 3 "
                "per replica"
            )
    _nearest(replicas, distance_paths)
    return events, replicas


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
    surfaces_path: str | os.PathLike | None,
    config: KineticsConfig,
    full_config: Mapping[str, Any],
    json_out: str | os.PathLike,
    figure_dir: str | os.PathLike,
    *,
    build_json: str | os.PathLike | None = None,
    receptor_molar: float | None = None,
) -> dict[str, Any]:
    """Fits, rates, calibration and the MSM cross-check -> ``kinetics.json`` and the figures.

    Parameters
    ----------
    distance_paths : sequence of path-like
        Per-replica distances NPZ; empty for an events table alone (calibration,
        surfaces and the MSM are then omitted and say so).
    surfaces_path : path-like or None
        NPZ of :func:`run_surfaces`; None with an events table alone.
    full_config : Mapping
        The configuration whose hash goes into the provenance block.
    build_json : path-like, optional
        The MD stage's build.json: thermostat friction, transmitter mass, temperature
        and the receptor concentration (:func:`analysis.kinetics.assembly.md_context`).
    receptor_molar : float, optional
        Receptor concentration (mol/L) overriding the one of build.json (events from
        elsewhere); without either, k_on and K_d are not given in molar units.
    """
    if distance_paths:
        events, replicas = read_fit_inputs(events_path, distance_paths)
    else:
        events, replicas = read_events(events_path, for_fit=True), []
    surf = load_surfaces(surfaces_path) if surfaces_path is not None else None
    md = md_context(read_build(build_json) if build_json is not None else None)
    if receptor_molar is not None:
        md = replace(md, receptor_molar=float(receptor_molar))
    analysis = build_kinetics(events, replicas, config, provenance(full_config), md=md)
    summary = dict(analysis.summary)
    provenance_block = summary.pop("provenance")
    summary["renewal_rel_error"] = surf.renewal_rel_error if surf is not None else None
    summary["provenance"] = provenance_block
    write_figures(events, analysis.fits, surf, analysis.msd, analysis.calibration, figure_dir)
    write_json(json_out, summary)
    return summary
