"""One network stage job: synapse response, graph, a sweep run, a response curve or a
reference model.

Seeds: ``SeedSequence(network.seed).spawn(2)`` gives (graph, synapses) streams shared by
every job, so all jobs see the same network; each job's dynamics and drive come from
``SeedSequence(network.seed, spawn_key=(crc32(label),))`` with ``label`` such as
``"run/static/1"``, ``"run/static/physical"``, ``"response/static/1/10"`` or
``"reference/levina"``.

Control values: ``"physical"`` runs the synapses as the synapse response gives them
(gain 1), so the spectral radius λ of the transmission matrix and the branching ratio
are outputs (with CIs from the MD rates' bootstrap draws); a number is a target λ (the
calibrated mode, Larremore, Shew & Restrepo 2011).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from network.avalanches import (
    auto_bin_steps,
    bin_counts,
    bin_scan,
    causal_avalanches,
    extract_avalanches,
)
from network.config import NetworkConfig
from network.engine import DriveSpec, Dynamics, SpikeRecord, simulate
from network.graph import build_graph
from network.recovery import RecoveryTime, recovery_time
from network.response import response_curve
from network.spectral import gain_for_lambda, spectral_radius
from network.synapse_response import (
    SynapseResponse,
    compute_synapse_response,
    load_synapse_response,
)
from network.synapses import (
    Synapses,
    analytic_sigma,
    draw_receptor_counts,
    draw_synapses,
    write_graphml,
)
from network.synaptic_kinetics import load_binding_rates
from network.timescales import (
    drive_off_ms,
    lhg_mean_field_sigma,
    record_activity_state,
    separation_of_timescales,
)
from synsoc.io import save_npz, write_json, write_parquet
from synsoc.layout import (
    REFERENCE_MODELS,
    REGIMES,
    control_label,
    control_number,
)
from synsoc.provenance import provenance
from synsoc.validation import check_choice

__all__ = [
    "run_synapse_response",
    "build_network",
    "lambda_interval",
    "regime_dynamics",
    "depressing_dynamics",
    "warmup_ms",
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


def run_synapse_response(
    cfg: NetworkConfig,
    kinetics_path: PathOrNone,
    output: str | os.PathLike,
    *,
    config: Mapping[str, Any],
) -> SynapseResponse:
    """Compute one synapse's response to a release and write ``synapse_response.json``.

    Parameters
    ----------
    cfg : NetworkConfig
    kinetics_path : path-like or None
        kinetics.json (its binding rates and calibrated D); None with
        ``synapses.source: literature``.
    output : path-like
        ``R/network/synapse/synapse_response.json``; the figure is written beside it
        (``synapse_response.png``/``.svg``).
    config : Mapping
        Full configuration, recorded in the provenance block.

    Returns
    -------
    SynapseResponse
    """
    from network.plots import plot_synapse_response

    if cfg.synapses.source == "kinetics":
        if kinetics_path is None:
            raise ValueError("kinetics_path is required when network.synapses.source is 'kinetics'")
        rates = load_binding_rates(kinetics_path)
    else:
        rates = None
    response, document = compute_synapse_response(cfg.synapses, rates)
    output = Path(output)
    figures = plot_synapse_response(document, output.with_suffix(""))
    document["figures"] = [path.name for path in figures]
    document["provenance"] = provenance(config)
    write_json(output, document)
    return response


def _network_streams(cfg: NetworkConfig) -> tuple[np.random.SeedSequence, np.random.SeedSequence]:
    """(graph, synapses) seeds: ``SeedSequence(cfg.seed).spawn(2)``."""
    graph_seq, synapse_seq = np.random.SeedSequence(cfg.seed).spawn(2)
    return graph_seq, synapse_seq


def build_network(cfg: NetworkConfig, response: SynapseResponse) -> Synapses:
    """Graph and synapses of the configuration (identical for every job).

    The random streams come from ``cfg.seed``: ``SeedSequence(cfg.seed).spawn(2)`` gives
    the (graph, synapses) seeds.
    """
    graph_seq, synapse_seq = _network_streams(cfg)
    graph = build_graph(cfg.graph, rng=np.random.default_rng(graph_seq))
    return draw_synapses(
        graph, response, cfg.synapses, cfg.neuron.dt_ms, rng=np.random.default_rng(synapse_seq)
    )


def lambda_interval(
    cfg: NetworkConfig, synapses: Synapses, response: SynapseResponse
) -> list[float] | None:
    """95 % interval of the physical λ over the response's bootstrap draws (None without).

    Every draw of (p1, e1) gives the transmission probability and efficacy of every
    synapse (same receptor counts), hence a λ; the interval is their 2.5-97.5 percentiles.
    """
    if response.n_draws < 2:
        return None
    _, synapse_seq = _network_streams(cfg)
    receptors = draw_receptor_counts(
        synapses.graph.n_edges, cfg.synapses.n_receptors, rng=np.random.default_rng(synapse_seq)
    )
    values = []
    for draw in range(response.n_draws):
        p, efficacy = response.transmission(receptors, cfg.synapses.release_probability, draw=draw)
        values.append(spectral_radius(synapses.replace(p_transmit=p, efficacy=efficacy), 1.0))
    low, high = np.percentile(values, [2.5, 97.5])
    return [float(low), float(high)]


def depressing_dynamics(
    cfg: NetworkConfig, synapses: Synapses, common: dict, drive: DriveSpec, label: str
) -> tuple[Dynamics, RecoveryTime | None]:
    """LHG depressing dynamics with the configured recovery time tau_J, or with ``auto``:
    ``tau_per_neuron x N x T``, T the kick interval measured on pilot runs
    (:func:`network.recovery.recovery_time`, seeded by ``"tau_J/" + label``).

    Returns the dynamics and, for ``auto``, how tau_J was found (else None).
    """
    tau = cfg.depressing.recovery_tau_ms
    dynamics = Dynamics(**common, depression_use=cfg.depressing.use_fraction)
    if tau != "auto":
        return dataclasses.replace(dynamics, depression_tau_ms=float(tau)), None
    found = recovery_time(
        synapses,
        dynamics,
        drive,
        cfg.depressing.tau_per_neuron,
        seeds=job_seed(cfg, f"tau_J/{label}"),
        max_spikes=cfg.run.max_spikes,
        chunk_steps=cfg.run.chunk_steps,
    )
    return dataclasses.replace(dynamics, depression_tau_ms=found.tau_ms), found


def warmup_ms(cfg: NetworkConfig, dynamics: Dynamics) -> float:
    """Discarded start of a run: ``warmup_recovery_times`` x tau_J with depressing
    synapses (their stationary state is what LHG's criticality is about), else 0."""
    if dynamics.depression_use is None or not math.isfinite(dynamics.depression_tau_ms):
        return 0.0
    return cfg.depressing.warmup_recovery_times * dynamics.depression_tau_ms


def regime_dynamics(
    cfg: NetworkConfig, synapses: Synapses, regime: str, control: float | str
) -> tuple[Dynamics, RecoveryTime | None]:
    """Dynamics of a regime at a control value (``"physical"``: gain 1; a number: target λ).

    In the calibrated mode the gain is chosen so that the spectral radius λ of the
    transmission matrix [p_ij min(1, gain eps_ij)] of the fully recovered network (initial
    thresholds) equals the control value. Returns the dynamics and, for depressing
    synapses with ``recovery_tau_ms: auto``, how tau_J was found (else None).
    """
    check_choice("regime", regime, REGIMES)
    neuron = cfg.neuron
    target = control_number(control)
    gain = 1.0 if target is None else gain_for_lambda(synapses, target)
    common = dict(
        model=neuron.model,
        gain=gain,
        threshold=neuron.threshold,
        reset=neuron.reset,
        leak_tau_ms=neuron.leak_tau_ms,
        refractory_ms=neuron.refractory_ms,
    )
    if regime == "static":
        return Dynamics(**common), None
    if regime == "depressing":
        label = f"{regime}/{control_label(control)}"
        return depressing_dynamics(cfg, synapses, common, _drive(cfg), label)
    if regime == "homeostatic":
        h = cfg.homeostatic
        dynamics = Dynamics(
            **common,
            homeostatic_target_hz=h.target_rate_hz,
            homeostatic_eta=h.eta,
            homeostatic_theta_min=h.threshold_min,
        )
        return dynamics, None
    raise AssertionError(f"regime {regime!r} is in REGIMES but has no dynamics")


def _drive(cfg: NetworkConfig) -> DriveSpec:
    d = cfg.drive
    return DriveSpec(d.mode, d.rate_hz, d.weight, d.slow_interval_ms)


@dataclass(frozen=True)
class RunOutcome:
    """Spikes, binned avalanches, causal avalanches and summary of one run (as written)."""

    record: SpikeRecord
    avalanches: pd.DataFrame
    cascades: pd.DataFrame
    summary: dict


def _bin_steps(cfg: NetworkConfig, record: SpikeRecord) -> int:
    if cfg.run.bin_ms == "auto":
        return auto_bin_steps(record.max_delay_steps)
    return max(1, int(round(float(cfg.run.bin_ms) / record.dt_ms)))


def _depression_summary(
    cfg: NetworkConfig,
    synapses: Synapses,
    dynamics: Dynamics,
    found: RecoveryTime | None,
    record: SpikeRecord,
) -> dict:
    """tau_J, the warm-up, how tau_J was found, and tau_J / (N T) with T the mean kick
    interval of the record, beside the LHG mean-field sigma at that ratio (from the
    recovered network's mean-field sigma and the mean release probability)."""
    if dynamics.depression_use is None:
        return {"recovery_tau_ms": None, "warmup_ms": 0.0}
    tau = dynamics.depression_tau_ms
    out = {
        "recovery_tau_ms": tau,
        "warmup_ms": warmup_ms(cfg, dynamics),
        "recovery_tau_search": found.to_dict() if found is not None else None,
        "tau_per_neuron_measured": None,
        "sigma_lhg_mean_field": None,
    }
    kicks = record.kick_step
    if kicks.size >= 2 and math.isfinite(tau):
        interval = float(np.diff(kicks).mean() * record.dt_ms)
        ratio = tau / (record.n_neurons * interval)
        sigma0 = analytic_sigma(synapses, dynamics.gain)
        release = synapses.mean_release_probability
        out["tau_per_neuron_measured"] = ratio
        if sigma0 > 0 and release > 0:
            out["sigma_lhg_mean_field"] = lhg_mean_field_sigma(
                sigma0, dynamics.depression_use, ratio, release
            )
    return out


def _separation(record: SpikeRecord) -> dict | None:
    """Drive interval vs avalanche duration under slow drive (None without >= 2 kicks)."""
    if record.kick_step.size < 2:
        return None
    separation = separation_of_timescales(record.step, record.kick_step, record.dt_ms).to_dict()
    if not math.isfinite(separation["ratio"]):  # no spike after any kick: no duration
        separation["ratio"] = None
    return separation


def _write_run(outdir: Path, record: SpikeRecord, bin_steps: int, summary: dict) -> RunOutcome:
    bin_ms = round(bin_steps * record.dt_ms, 9)  # no float noise such as 0.7000000000000001
    counts = bin_counts(record.step, record.n_steps, bin_steps)
    avalanches = extract_avalanches(counts, bin_ms)
    cascades = causal_avalanches(
        record.step, record.parent, record.dt_ms, record.n_steps, record.max_delay_steps
    )
    separation = _separation(record)
    mean_size = separation["mean_avalanche_size"] if separation else None
    summary = {
        **summary,
        "n_neurons": record.n_neurons,
        "rate_hz": record.rate_hz,
        "sigma_estimate": record.sigma_estimate,
        "sigma_expected": record.sigma_expected,
        # slow drive: 1 - 1/<S> of the causal avalanches (one per kick), sigma of a
        # branching process without counting the kicked spikes as offspring sources
        "sigma_from_mean_size": 1.0 - 1.0 / mean_size if mean_size else None,
        "duration_ms": round(record.duration_ms, 9),
        "truncated": record.truncated,
        "dt_ms": record.dt_ms,
        "bin_ms": bin_ms,
        "n_spikes": int(record.step.size),
        "n_drive_spikes": record.n_drive_spikes,
        "n_network_spikes": record.n_network_spikes,
        "n_avalanches": int(len(avalanches)),
        "mean_avalanche_size": float(avalanches["size"].mean()) if len(avalanches) else None,
        "n_cascades": int(len(cascades)),
        "mean_cascade_size": float(cascades["size"].mean()) if len(cascades) else None,
        "wall_s": record.wall_s,
        "steps_per_s": record.n_steps / record.wall_s if record.wall_s > 0 else None,
        "activity_state": record_activity_state(record).to_dict(),
        "timescale_separation": separation,
        "drive_off_test": {
            "drive_off_ms": record.drive_off_ms,
            "persists_after_drive": record.persists_after_drive,
            "activity_after_drive_ms": record.activity_after_drive_ms,
        },
    }
    outdir.mkdir(parents=True, exist_ok=True)
    save_npz(
        outdir / "spikes.npz",
        step=record.step.astype(np.int64),
        neuron=record.neuron.astype(np.int32),
        parent=record.parent.astype(np.int64),
        max_delay_steps=record.max_delay_steps,
        dt_ms=record.dt_ms,
        n_neurons=record.n_neurons,
        duration_ms=record.duration_ms,
        bin_ms=bin_ms,
        bin_counts=counts,
    )
    write_parquet(outdir / "avalanches.parquet", avalanches)
    write_parquet(outdir / "cascades.parquet", cascades)
    write_parquet(
        outdir / "bin_scan.parquet",
        bin_scan(record.step, record.n_steps, record.dt_ms, record.max_delay_steps),
    )
    write_json(outdir / "summary.json", summary)
    logger.info(
        "%s: %d spikes, %.3g Hz, sigma_estimate %s, %d binned avalanches, %d cascades",
        outdir,
        record.step.size,
        record.rate_hz,
        summary["sigma_estimate"],
        len(avalanches),
        len(cascades),
    )
    return RunOutcome(record, avalanches, cascades, summary)


def run_graph(
    cfg: NetworkConfig, response_path: str | os.PathLike, output: str | os.PathLike
) -> Synapses:
    """Build the network and write ``graph.graphml`` (delay, p, efficacy per edge).

    Parameters
    ----------
    cfg : NetworkConfig
    response_path : path-like
        ``synapse_response.json`` (:func:`run_synapse_response`).
    output : path-like
        ``R/network/graph.graphml``.

    Returns
    -------
    Synapses
    """
    response = load_synapse_response(response_path)
    synapses = build_network(cfg, response)
    write_graphml(
        output,
        synapses,
        f"synsoc network: {cfg.graph.model}, N={synapses.graph.n_neurons}, "
        f"synapse response {response.source}/{response.scheme} ({response.source_path})",
    )
    return synapses


def run_sweep_point(
    cfg: NetworkConfig,
    response_path: str | os.PathLike,
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
    response_path : path-like
        ``synapse_response.json`` (:func:`run_synapse_response`).
    regime : str
        One of ``synsoc.layout.REGIMES``: static, depressing or homeostatic.
    control : float or str
        ``"physical"`` or a target spectral radius λ (calibrated mode).
    outdir : path-like
        ``R/network/runs/{regime}/{control}`` (``ResultLayout.network_run``).
    config : Mapping
        Full configuration, recorded in the provenance block.

    Returns
    -------
    RunOutcome
    """
    response = load_synapse_response(response_path)
    synapses = build_network(cfg, response)
    dynamics, found = regime_dynamics(cfg, synapses, regime, control)
    label = f"run/{regime}/{control_label(control)}"
    record = simulate(
        synapses,
        dynamics,
        _drive(cfg),
        cfg.run.duration_ms,
        rng=job_seed(cfg, label),
        chunk_steps=cfg.run.chunk_steps,
        max_spikes=cfg.run.max_spikes,
        warmup_ms=warmup_ms(cfg, dynamics),
        drive_off_ms=drive_off_ms(synapses),
    )
    physical = control_number(control) is None
    summary = {
        "regime": regime,
        "control_name": "lambda",
        "control_value": control_number(control),
        "control_label": control_label(control),
        "lambda": spectral_radius(synapses, dynamics.gain),
        "lambda_ci95": lambda_interval(cfg, synapses, response) if physical else None,
        "sigma_mean_field": analytic_sigma(synapses, dynamics.gain),
        "mean_p_transmit": float(synapses.p_transmit.mean()) if synapses.graph.n_edges else None,
        "mean_efficacy_theta": float(synapses.efficacy.mean()) if synapses.graph.n_edges else None,
        "synapse_source": response.source,
        "gain": dynamics.gain,
        **_depression_summary(cfg, synapses, dynamics, found, record),
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
    response_path: str | os.PathLike,
    regime: str,
    control: float,
    output: str | os.PathLike,
) -> pd.DataFrame:
    """Poisson-drive response curve of one (regime, control) point, measured as Kinouchi
    & Copelli do (:func:`network.response.response_curve`): each drive rate h runs a
    discarded warm-up, then ``response.duration_ms`` whose mean firing rate per neuron
    is F(h), then a drive-off test (the baseline of a self-sustained state); the rates
    of ``response.drive_rates_hz`` are extended down to the baseline and up to
    saturation.

    Parameters
    ----------
    cfg : NetworkConfig
    response_path : path-like
        ``synapse_response.json`` (:func:`run_synapse_response`).
    regime : str
        One of ``synsoc.layout.REGIMES``.
    control : float or str
        ``"physical"`` or a target λ.
    output : path-like
        ``R/network/response/{regime}/{control}.parquet`` (``ResultLayout.network_response``).

    Returns
    -------
    pandas.DataFrame
        Columns ``network.response.RESPONSE_CURVE_COLUMNS``: drive_rate_hz,
        response_rate_hz, rate_after_drive_hz, persists_after_drive,
        quiescent_fraction, activity_state (:func:`network.timescales.activity_state`),
        warmup_ms; one row per drive rate, increasing.
    """
    synapses = build_network(cfg, load_synapse_response(response_path))
    dynamics, _ = regime_dynamics(cfg, synapses, regime, control)
    label = f"response/{regime}/{control_label(control)}"
    frame = response_curve(
        synapses,
        dynamics,
        cfg.response.drive_rates_hz,
        weight=cfg.drive.weight,
        duration_ms=cfg.response.duration_ms,
        warmup_ms=cfg.response.warmup_ms,
        seed_of=lambda rate: job_seed(cfg, f"{label}/{rate:g}"),
        chunk_steps=cfg.run.chunk_steps,
        max_spikes=cfg.run.max_spikes,
    )
    write_parquet(output, frame)
    return frame


def _reference_setup(cfg: NetworkConfig, synapses: Synapses, model: str):
    """Synapses, dynamics, drive, analytic sigma (None for LHG) and how tau_J was found
    (LHG with ``recovery_tau_ms: auto``, else None) of a reference model on the same graph."""
    check_choice("model", model, REFERENCE_MODELS)
    g = synapses.graph
    m = g.n_edges
    k_out = np.repeat(np.maximum(g.out_degree, 1), g.out_degree).astype(np.float64)
    one_step = np.ones(m, np.int32)
    ref = cfg.reference
    dt = cfg.neuron.dt_ms
    if model in ("branching", "subcritical_branching"):
        m_target = 1.0 if model == "branching" else ref.subcritical_m
        syn = synapses.replace(
            delay_steps=one_step, p_transmit=m_target / k_out, efficacy=np.ones(m)
        )
        dyn = Dynamics(refractory_ms=dt)
        drive = DriveSpec("slow", slow_interval_ms=cfg.drive.slow_interval_ms)
    elif model == "kinouchi_copelli":
        syn = synapses.replace(delay_steps=one_step, p_transmit=1.0 / k_out, efficacy=np.ones(m))
        dyn = Dynamics(refractory_ms=ref.kc_refractory_steps * dt)
        drive = DriveSpec("poisson", rate_hz=ref.kc_rate_hz, weight=1.0)
    elif model == "levina":
        p = np.minimum(1.0, ref.levina_sigma0 / k_out)
        # LHG: every spike releases (resource spent) and transmits with probability p
        syn = synapses.replace(
            delay_steps=one_step, p_transmit=p, efficacy=np.ones(m), p_release=np.ones(m)
        )
        drive = DriveSpec("slow", slow_interval_ms=cfg.drive.slow_interval_ms)
        dyn, found = depressing_dynamics(
            cfg, syn, dict(refractory_ms=dt), drive, f"reference/{model}"
        )
        return syn, dyn, drive, None, found
    else:
        raise AssertionError(f"model {model!r} is in REFERENCE_MODELS but has no setup")
    return syn, dyn, drive, analytic_sigma(syn, 1.0), None


def run_reference(
    cfg: NetworkConfig,
    response_path: str | os.PathLike,
    model: str,
    outdir: str | os.PathLike,
    *,
    config: Mapping[str, Any],
) -> RunOutcome:
    """Simulate a reference model on the same graph; write avalanches.parquet, summary.json.

    ``branching``: critical branching process, p_ij = 1 / k_out(i), one-step delays, slow
    drive; ``subcritical_branching`` the same at sigma = ``subcritical_m`` (negative
    control). ``kinouchi_copelli``: the same at sigma = 1 with ``kc_refractory_steps`` refractory
    steps and weak Poisson drive (Kinouchi & Copelli 2006). ``levina``: LHG depressing
    synapses at fully recovered sigma0 = ``levina_sigma0``, slow drive (Levina et al. 2007).
    Avalanches use one-step bins (the generation time of these models); spikes.npz is
    written beside them as for the sweep runs.

    Parameters
    ----------
    cfg : NetworkConfig
    response_path : path-like
        ``synapse_response.json`` (:func:`run_synapse_response`).
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
    synapses = build_network(cfg, load_synapse_response(response_path))
    syn, dyn, drive, sigma, found = _reference_setup(cfg, synapses, model)
    label = f"reference/{model}"
    record = simulate(
        syn,
        dyn,
        drive,
        cfg.reference.duration_ms,
        rng=job_seed(cfg, label),
        chunk_steps=cfg.run.chunk_steps,
        max_spikes=cfg.run.max_spikes,
        warmup_ms=warmup_ms(cfg, dyn),
        drive_off_ms=drive_off_ms(syn),
    )
    sigma0 = {
        "levina": cfg.reference.levina_sigma0,
        "subcritical_branching": cfg.reference.subcritical_m,
    }.get(model, 1.0)
    summary = {
        "regime": model,
        "control_name": "sigma0",
        "control_value": sigma0,
        "control_label": f"{sigma0:g}",
        "lambda": spectral_radius(syn, 1.0),
        "sigma_mean_field": sigma,
        **_depression_summary(cfg, syn, dyn, found, record),
        "neuron_model": dyn.model,
        "drive_mode": drive.mode,
        "n_synapses": syn.graph.n_edges,
        "seed": cfg.seed,
        "seed_label": label,
        "provenance": provenance(config),
    }
    return _write_run(Path(outdir), record, 1, summary)
