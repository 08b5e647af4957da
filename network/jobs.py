"""One network stage job: graph, a sweep run, a response curve or a reference model.

Seeds: ``SeedSequence(network.seed).spawn(2)`` gives (graph, synapses) streams shared by
every job, so all jobs see the same network; each job's dynamics and drive come from
``SeedSequence(network.seed, spawn_key=(crc32(label),))`` with ``label`` such as
``"run/static/1"``, ``"response/static/1/10"`` or ``"reference/levina"``.
"""

from __future__ import annotations

import logging
import os
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from network.avalanches import auto_bin_steps, bin_counts, extract_avalanches
from network.config import NetworkConfig
from network.engine import DriveSpec, Dynamics, SpikeRecord, simulate
from network.graph import build_graph
from network.synapses import Synapses, analytic_sigma, draw_synapses, gain_for_sigma, write_graphml
from network.synaptic_kinetics import SynapticKinetics, literature_kinetics, load_kinetics
from synsoc.io import save_npz, write_json, write_parquet
from synsoc.layout import REFERENCE_MODELS, REGIMES, RESPONSE_COLUMNS, control_label
from synsoc.provenance import provenance
from synsoc.validation import check_choice

__all__ = [
    "resolve_kinetics",
    "build_network",
    "regime_dynamics",
    "job_seed",
    "run_graph",
    "run_sweep_point",
    "run_response",
    "run_reference",
    "RunOutcome",
]

logger = logging.getLogger(__name__)

PathOrNone = str | os.PathLike | None


def job_seed(cfg: NetworkConfig, label: str) -> np.random.SeedSequence:
    """Seed of one job, derived from the root seed and the job label.

    Parameters
    ----------
    cfg : NetworkConfig
    label : str
        Job label such as ``"run/static/1"`` (the control value as
        ``synsoc.layout.control_label`` writes it).

    Returns
    -------
    np.random.SeedSequence
        ``SeedSequence(cfg.seed, spawn_key=(crc32(label),))``.
    """
    return np.random.SeedSequence(cfg.seed, spawn_key=(zlib.crc32(label.encode("utf-8")),))


def resolve_kinetics(cfg: NetworkConfig, kinetics_path: PathOrNone) -> SynapticKinetics:
    """Kinetics of the configured source (``kinetics.json`` or literature rates).

    Parameters
    ----------
    cfg : NetworkConfig
    kinetics_path : path-like or None
        kinetics.json; ignored (may be None) with ``synapses.source: literature``.

    Returns
    -------
    SynapticKinetics
    """
    if cfg.synapses.source == "literature":
        return literature_kinetics(cfg.synapses.literature)
    if kinetics_path is None:
        raise ValueError("kinetics_path is required when network.synapses.source is 'kinetics'")
    return load_kinetics(kinetics_path)


def build_network(cfg: NetworkConfig, kinetics: SynapticKinetics) -> Synapses:
    """Graph and synapses of the configuration (identical for every job).

    The random streams come from ``cfg.seed``: ``SeedSequence(cfg.seed).spawn(2)`` gives
    the (graph, synapses) seeds.
    """
    graph_seq, synapse_seq = np.random.SeedSequence(cfg.seed).spawn(2)
    graph = build_graph(cfg.graph, rng=np.random.default_rng(graph_seq))
    return draw_synapses(
        graph, kinetics, cfg.synapses, cfg.neuron.dt_ms, rng=np.random.default_rng(synapse_seq)
    )


def regime_dynamics(
    cfg: NetworkConfig, synapses: Synapses, regime: str, control: float
) -> tuple[Dynamics, float | None]:
    """Dynamics of a regime at control value sigma0 = ``control`` and its analytic sigma.

    The gain is chosen so that the fully recovered network (initial thresholds) has
    branching ratio sigma0 in the probabilistic model. The analytic sigma is returned
    only where it holds during the run: the static regime of the probabilistic model.
    """
    check_choice("regime", regime, REGIMES)
    neuron = cfg.neuron
    gain = gain_for_sigma(synapses, control)
    common = dict(
        model=neuron.model,
        gain=gain,
        threshold=neuron.threshold,
        reset=neuron.reset,
        leak_tau_ms=neuron.leak_tau_ms,
        refractory_ms=neuron.refractory_ms,
    )
    if regime == "static":
        sigma = analytic_sigma(synapses, gain) if neuron.model == "probabilistic" else None
        return Dynamics(**common), sigma
    if regime == "depressing":
        dyn = Dynamics(
            **common,
            depression_use=cfg.depressing.use_fraction,
            depression_tau_ms=cfg.depressing.recovery_tau_ms,
        )
        return dyn, None
    if regime == "homeostatic":
        h = cfg.homeostatic
        dyn = Dynamics(
            **common,
            homeostatic_target_hz=h.target_rate_hz,
            homeostatic_eta=h.eta,
            homeostatic_theta_min=h.threshold_min,
        )
        return dyn, None
    raise AssertionError(f"regime {regime!r} is in REGIMES but has no dynamics")


def _drive(cfg: NetworkConfig) -> DriveSpec:
    d = cfg.drive
    return DriveSpec(d.mode, d.rate_hz, d.weight, d.slow_interval_ms)


@dataclass(frozen=True)
class RunOutcome:
    """Spikes, avalanches and summary of one run (as written to disk)."""

    record: SpikeRecord
    avalanches: pd.DataFrame
    summary: dict


def _bin_steps(cfg: NetworkConfig, record: SpikeRecord) -> int:
    if cfg.run.bin_ms == "auto":
        return auto_bin_steps(record.step, record.max_delay_steps)
    return max(1, int(round(float(cfg.run.bin_ms) / record.dt_ms)))


def _write_run(outdir: Path, record: SpikeRecord, bin_steps: int, summary: dict) -> RunOutcome:
    bin_ms = round(bin_steps * record.dt_ms, 9)  # no float noise such as 0.7000000000000001
    counts = bin_counts(record.step, record.n_steps, bin_steps)
    avalanches = extract_avalanches(counts, bin_ms)
    summary = {
        **summary,
        "n_neurons": record.n_neurons,
        "rate_hz": record.rate_hz,
        "sigma_estimate": record.sigma_estimate,
        "sigma_expected": record.sigma_expected,
        "duration_ms": round(record.duration_ms, 9),
        "truncated": record.truncated,
        "dt_ms": record.dt_ms,
        "bin_ms": bin_ms,
        "n_spikes": int(record.step.size),
        "n_drive_spikes": record.n_drive_spikes,
        "n_network_spikes": record.n_network_spikes,
        "n_avalanches": int(len(avalanches)),
        "mean_avalanche_size": float(avalanches["size"].mean()) if len(avalanches) else None,
        "wall_s": record.wall_s,
        "steps_per_s": record.n_steps / record.wall_s if record.wall_s > 0 else None,
    }
    outdir.mkdir(parents=True, exist_ok=True)
    save_npz(
        outdir / "spikes.npz",
        step=record.step.astype(np.int64),
        neuron=record.neuron.astype(np.int32),
        dt_ms=record.dt_ms,
        n_neurons=record.n_neurons,
        duration_ms=record.duration_ms,
        bin_ms=bin_ms,
        bin_counts=counts,
    )
    write_parquet(outdir / "avalanches.parquet", avalanches)
    write_json(outdir / "summary.json", summary)
    logger.info(
        "%s: %d spikes, %.3g Hz, sigma_estimate %s, %d avalanches",
        outdir,
        record.step.size,
        record.rate_hz,
        summary["sigma_estimate"],
        len(avalanches),
    )
    return RunOutcome(record, avalanches, summary)


def run_graph(cfg: NetworkConfig, kinetics_path: PathOrNone, output: str | os.PathLike) -> Synapses:
    """Build the network and write ``graph.graphml`` (delay, p, efficacy per edge).

    Parameters
    ----------
    cfg : NetworkConfig
    kinetics_path : path-like or None
        kinetics.json (None with ``synapses.source: literature``).
    output : path-like
        ``R/network/graph.graphml``.

    Returns
    -------
    Synapses
    """
    kinetics = resolve_kinetics(cfg, kinetics_path)
    synapses = build_network(cfg, kinetics)
    write_graphml(
        output,
        synapses,
        f"synsoc network: {cfg.graph.model}, N={synapses.graph.n_neurons}, "
        f"synapse source {cfg.synapses.source} ({kinetics.source})",
    )
    return synapses


def run_sweep_point(
    cfg: NetworkConfig,
    kinetics_path: PathOrNone,
    regime: str,
    control: float,
    outdir: str | os.PathLike,
    *,
    config: Mapping[str, Any],
) -> RunOutcome:
    """Simulate one (regime, control) point and write spikes.npz, avalanches.parquet, summary.json.

    Parameters
    ----------
    cfg : NetworkConfig
    kinetics_path : path-like or None
        kinetics.json (None with ``synapses.source: literature``).
    regime : str
        One of ``synsoc.layout.REGIMES``: static, depressing or homeostatic.
    control : float
        Control value sigma0 (branching ratio of the fully recovered network).
    outdir : path-like
        ``R/network/runs/{regime}/{control}`` (``ResultLayout.network_run``).
    config : Mapping
        Full configuration, recorded in the provenance block.

    Returns
    -------
    RunOutcome
    """
    synapses = build_network(cfg, resolve_kinetics(cfg, kinetics_path))
    dynamics, sigma = regime_dynamics(cfg, synapses, regime, control)
    label = f"run/{regime}/{control_label(control)}"
    record = simulate(
        synapses,
        dynamics,
        _drive(cfg),
        cfg.run.duration_ms,
        rng=job_seed(cfg, label),
        chunk_steps=cfg.run.chunk_steps,
        max_spikes=cfg.run.max_spikes,
    )
    summary = {
        "regime": regime,
        "control_name": "sigma0",
        "control_value": control,
        "sigma_analytic": sigma,
        "gain": dynamics.gain,
        "neuron_model": dynamics.model,
        "drive_mode": cfg.drive.mode,
        "n_synapses": synapses.graph.n_edges,
        "seed": cfg.seed,
        "seed_label": label,
        "provenance": provenance(config),
    }
    return _write_run(Path(outdir), record, _bin_steps(cfg, record), summary)


def run_response(
    cfg: NetworkConfig,
    kinetics_path: PathOrNone,
    regime: str,
    control: float,
    output: str | os.PathLike,
) -> pd.DataFrame:
    """Poisson-drive response curve of one (regime, control) point.

    Each drive rate h of ``response.drive_rates_hz`` runs ``response.duration_ms`` with
    Poisson drive; the response is the mean firing rate per neuron.

    Parameters
    ----------
    cfg : NetworkConfig
    kinetics_path : path-like or None
        kinetics.json (None with ``synapses.source: literature``).
    regime : str
        One of ``synsoc.layout.REGIMES``.
    control : float
        Control value sigma0.
    output : path-like
        ``R/network/response/{regime}/{control}.parquet`` (``ResultLayout.network_response``).

    Returns
    -------
    pandas.DataFrame
        Columns ``synsoc.layout.RESPONSE_COLUMNS`` (drive_rate_hz, response_rate_hz),
        one row per drive rate.
    """
    synapses = build_network(cfg, resolve_kinetics(cfg, kinetics_path))
    dynamics, _ = regime_dynamics(cfg, synapses, regime, control)
    rows = []
    for rate in cfg.response.drive_rates_hz:
        drive = DriveSpec("poisson", rate, cfg.drive.weight, cfg.drive.slow_interval_ms)
        record = simulate(
            synapses,
            dynamics,
            drive,
            cfg.response.duration_ms,
            rng=job_seed(cfg, f"response/{regime}/{control_label(control)}/{rate:g}"),
            chunk_steps=cfg.run.chunk_steps,
            max_spikes=cfg.run.max_spikes,
        )
        rows.append({"drive_rate_hz": float(rate), "response_rate_hz": record.rate_hz})
    frame = pd.DataFrame(rows, columns=list(RESPONSE_COLUMNS))
    write_parquet(output, frame)
    return frame


def _reference_setup(cfg: NetworkConfig, synapses: Synapses, model: str):
    """Synapses, dynamics, drive and analytic sigma of a reference model on the same graph."""
    check_choice("model", model, REFERENCE_MODELS)
    g = synapses.graph
    m = g.n_edges
    k_out = np.repeat(np.maximum(g.out_degree, 1), g.out_degree).astype(np.float64)
    one_step = np.ones(m, np.int32)
    ref = cfg.reference
    dt = cfg.neuron.dt_ms
    if model == "branching":
        syn = synapses.replace(delay_steps=one_step, p_transmit=1.0 / k_out, efficacy=np.ones(m))
        dyn = Dynamics(refractory_ms=dt)
        drive = DriveSpec("slow", slow_interval_ms=cfg.drive.slow_interval_ms)
    elif model == "kinouchi_copelli":
        syn = synapses.replace(delay_steps=one_step, p_transmit=1.0 / k_out, efficacy=np.ones(m))
        dyn = Dynamics(refractory_ms=ref.kc_refractory_steps * dt)
        drive = DriveSpec("poisson", rate_hz=ref.kc_rate_hz, weight=1.0)
    elif model == "levina":
        p = np.minimum(1.0, ref.levina_sigma0 / k_out)
        syn = synapses.replace(delay_steps=one_step, p_transmit=p, efficacy=np.ones(m))
        dyn = Dynamics(
            refractory_ms=dt,
            depression_use=cfg.depressing.use_fraction,
            depression_tau_ms=cfg.depressing.recovery_tau_ms,
        )
        drive = DriveSpec("slow", slow_interval_ms=cfg.drive.slow_interval_ms)
        return syn, dyn, drive, None
    else:
        raise AssertionError(f"model {model!r} is in REFERENCE_MODELS but has no setup")
    return syn, dyn, drive, analytic_sigma(syn, 1.0)


def run_reference(
    cfg: NetworkConfig,
    kinetics_path: PathOrNone,
    model: str,
    outdir: str | os.PathLike,
    *,
    config: Mapping[str, Any],
) -> RunOutcome:
    """Simulate a reference model on the same graph; write avalanches.parquet, summary.json.

    ``branching``: critical branching process, p_ij = 1 / k_out(i), one-step delays, slow
    drive. ``kinouchi_copelli``: the same at sigma = 1 with ``kc_refractory_steps`` refractory
    steps and weak Poisson drive (Kinouchi & Copelli 2006). ``levina``: LHG depressing
    synapses at fully recovered sigma0 = ``levina_sigma0``, slow drive (Levina et al. 2007).
    Avalanches use one-step bins (the generation time of these models); spikes.npz is
    written beside them as for the sweep runs.

    Parameters
    ----------
    cfg : NetworkConfig
    kinetics_path : path-like or None
        kinetics.json (None with ``synapses.source: literature``).
    model : str
        One of ``synsoc.layout.REFERENCE_MODELS``.
    outdir : path-like
        ``R/network/reference/{model}`` (``ResultLayout.network_reference``).
    config : Mapping
        Full configuration, recorded in the provenance block.

    Returns
    -------
    RunOutcome
    """
    synapses = build_network(cfg, resolve_kinetics(cfg, kinetics_path))
    syn, dyn, drive, sigma = _reference_setup(cfg, synapses, model)
    label = f"reference/{model}"
    record = simulate(
        syn,
        dyn,
        drive,
        cfg.reference.duration_ms,
        rng=job_seed(cfg, label),
        chunk_steps=cfg.run.chunk_steps,
        max_spikes=cfg.run.max_spikes,
    )
    summary = {
        "regime": model,
        "control_name": "sigma0",
        "control_value": cfg.reference.levina_sigma0 if model == "levina" else 1.0,
        "sigma_analytic": sigma,
        "neuron_model": dyn.model,
        "drive_mode": drive.mode,
        "n_synapses": syn.graph.n_edges,
        "seed": cfg.seed,
        "seed_label": label,
        "provenance": provenance(config),
    }
    return _write_run(Path(outdir), record, 1, summary)
