"""Contract-shaped stage artifacts (docs/contracts.md) written from seeded synthetic data."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

PROVENANCE = {"config_hash": "0" * 64, "package_versions": {"numpy": np.__version__}}
DT_MS = 0.1
BIN_MS = 1.0
N_NEURONS = 60


def _fit(family, mean_ps, n_events, n_censored):
    return {
        "family": family,
        "params": {"scale": mean_ps},
        "params_ci95": {"scale": [0.8 * mean_ps, 1.2 * mean_ps]},
        "mean_ps": mean_ps,
        "n_events": n_events,
        "n_censored": n_censored,
        "all_censored": False,
        "lower_bound_mean_ps": None,
        "aic_table": [
            {"family": family, "loglik": -10.0, "aic": 22.0, "bic": 23.0, "delta_aic": 0.0}
        ],
    }


def kinetics_json():
    return {
        "schema_version": 2,
        "first_passage": _fit("inverse_gaussian", 123.4, 12, 3),
        "dwell": _fit("exponential", 45.6, 20, 1),
        "rebinding": _fit("gamma", 78.9, 8, 2),
        "time_calibration": {
            "status": "valid",
            "reason": "diffusive regime 2-20 ps",
            "D_sim_nm2_per_ns": 0.5,
            "D_sim_stderr_nm2_per_ns": 0.05,
            "D_target_nm2_per_ns": 0.33,
            "time_scale_factor": 1.515,
            "rescaling": {
                "first_passage": {"rescaled": True, "predicted_bias": 0.1, "criterion": "Kn"},
                "rebinding": {"rescaled": True, "predicted_bias": 0.1, "criterion": "Kn"},
                "dwell": {"rescaled": False, "predicted_bias": 0.7, "criterion": "Kramers"},
            },
        },
        "binding_rates": {
            "k_on_per_M_per_s": 2.0e9,
            "k_on_per_M_per_s_ci95": [1.0e9, 3.0e9],
            "k_off_per_s": None,
            "k_off_per_s_ci95": None,
            "K_d_M": 0.05,
            "K_d_M_ci95": [0.02, 0.1],
            "n_binding": 30,
            "n_unbinding": 20,
            "n_series": 16,
            "unavailable": {"k_off_per_s": "dwells are not rescaled to physical time: Kramers"},
        },
        "provenance": PROVENANCE,
    }


def synthetic_cascades(seed: int, n_cascades: int = 30):
    """Spikes of branching cascades on a random directed graph, separated by silence.

    Returns
    -------
    graph : networkx.DiGraph
    step, neuron : np.ndarray
        Spike steps (dt = DT_MS) and neurons.
    """
    rng = np.random.default_rng(seed)
    graph = nx.gnp_random_graph(N_NEURONS, 4 / N_NEURONS, seed=seed, directed=True)
    steps, neurons = [], []
    t_bin = 5
    for _ in range(n_cascades):
        active = [int(rng.integers(N_NEURONS))]
        while active and t_bin < 10**6:
            for node in active:
                steps.append(t_bin * int(BIN_MS / DT_MS) + int(rng.integers(0, 5)))
                neurons.append(node)
            nxt = {int(v) for u in active for v in graph.successors(u) if rng.random() < 0.25}
            active = sorted(nxt)
            t_bin += 1
        t_bin += 3
    return graph, np.asarray(steps, np.int64), np.asarray(neurons, np.int32)


def avalanches_from_bins(bin_counts):
    """Contract avalanche table: runs of non-empty bins."""
    rows = []
    active = np.concatenate(([0], (bin_counts > 0).astype(int), [0]))
    starts = np.flatnonzero(np.diff(active) == 1)
    ends = np.flatnonzero(np.diff(active) == -1)
    for k, (a, b) in enumerate(zip(starts, ends, strict=True)):
        profile = bin_counts[a:b].astype(int).tolist()
        rows.append(
            {
                "avalanche_id": k,
                "start_ms": a * BIN_MS,
                "size": int(sum(profile)),
                "duration_bins": int(b - a),
                "duration_ms": (b - a) * BIN_MS,
                "bin_ms": BIN_MS,
                "profile": profile,
            }
        )
    return pd.DataFrame(rows)


def write_network_run(run_dir: Path, seed: int):
    """spikes.npz + avalanches.parquet + summary.json of one run; returns the graph."""
    graph, step, neuron = synthetic_cascades(seed)
    duration_ms = float((step.max() + 50) * DT_MS)
    n_bins = int(np.ceil(duration_ms / BIN_MS))
    bin_counts = np.bincount((step * DT_MS // BIN_MS).astype(int), minlength=n_bins)
    run_dir.mkdir(parents=True, exist_ok=True)
    np.savez(
        run_dir / "spikes.npz",
        step=step,
        neuron=neuron,
        dt_ms=DT_MS,
        n_neurons=N_NEURONS,
        duration_ms=duration_ms,
        bin_ms=BIN_MS,
        bin_counts=bin_counts,
    )
    avalanches = avalanches_from_bins(bin_counts)
    avalanches.to_parquet(run_dir / "avalanches.parquet", index=False)
    summary = {
        "regime": run_dir.parent.name,
        "control_name": "lambda",
        "control_value": float(run_dir.name),
        "control_label": run_dir.name,
        "lambda": float(run_dir.name),
        "lambda_ci95": None,
        "n_neurons": N_NEURONS,
        "rate_hz": 3.2,
        "sigma_mean_field": 1.0,
        "sigma_expected": 0.98,
        "sigma_estimate": 0.97,
        "duration_ms": duration_ms,
        "bin_ms": BIN_MS,
        "n_spikes": len(step),
        "n_avalanches": len(avalanches),
        "seed": seed,
        "provenance": PROVENANCE,
    }
    (run_dir / "summary.json").write_text(json.dumps(summary))
    return graph


MEAN_FIELD = {"tau": 1.5, "alpha": 2.0, "gamma": 2.0, "source": "critical branching process"}


def criticality_json(regime: str, control: str, k: int, n_avalanches: int):
    """Contract ``criticality.json`` of one run: tau = 1.5 + 0.01 k, CIs, branching ratios.

    Run ``k = 1`` has an undefined shape collapse; the crackling relation fails for
    ``k = 3``, which is also flagged supercritical.
    """
    tau = 1.5 + 0.01 * k
    predicted = (2.0 - 1.0) / (tau - 1.0)
    collapse = (
        {"status": "undefined", "reason": "found 0 durations"}
        if k == 1
        else {"gamma": 2.0, "collapse_error": 0.01, "durations_bins": [4, 5], "n_durations": 2}
    )
    return {
        "schema_version": 1,
        "run": f"{regime}/{control}",
        "n_avalanches": n_avalanches,
        "bin_ms": BIN_MS,
        "reference_exponents": {"mean_field_branching": MEAN_FIELD},
        "exponents": {
            "tau": {"value": tau, "ci95": [tau - 0.1, tau + 0.1], "fit": {"xmin": 1.0}},
            "alpha": {"value": 2.0, "ci95": [1.8, 2.2], "fit": {"xmin": 1.0}},
            "gamma": {"value": 2.0, "ci95": [1.9, 2.1], "method": "per duration"},
            "scaling_relation": {
                "gamma_predicted": predicted,
                "gamma_predicted_ci95": [predicted - 0.2, predicted + 0.2],
                "holds_within_ci95": k != 3,
            },
        },
        "goodness_of_fit": {"size": {"p_value": 0.4}, "duration": {"p_value": 0.6}},
        "power_law_verdict": {
            "size": {"plausible": True, "support": "moderate", "reasons": [], "cutoff": False},
            "duration": {
                "plausible": True,
                "support": "with cut-off",
                "reasons": [],
                "cutoff": True,
            },
        },
        "shape_collapse": collapse,
        "branching_ratio": {
            "conventional": 0.98,
            "conventional_ci95": [0.97, 0.99],
            "multistep_regression": 0.99,
            "multistep_regression_ci95": [0.975, 0.995],
            "note": "ok",
        },
        "flags": (
            [{"code": "supercritical", "message": "supercritical: activity outlived the drive"}]
            if k == 3
            else []
        ),
        "figures": ["figures/branching_ratio.png"],
        "provenance": PROVENANCE,
    }


def dynamic_range_json(pairs):
    """Contract ``dynamic_range.json``: delta_db = 12 dB + 8.5 dB at control 1."""
    runs = [
        {
            "regime": regime,
            "control_value": float(control),
            "delta_db": 20.5 if float(control) == 1.0 else 12.0,
            "h10_hz": 4.0,
            "h90_hz": 700.0,
            "f0_hz": 1.0,
            "fmax_hz": 600.0,
            "note": "ok",
        }
        for regime, control in pairs
    ]
    peaks = {}
    for run in runs:
        best = peaks.get(run["regime"])
        if best is None or run["delta_db"] > best["delta_db"]:
            peaks[run["regime"]] = {
                "control_value": run["control_value"],
                "delta_db": run["delta_db"],
            }
    return {
        "schema_version": 1,
        "definition": "Delta_dB = 10 log10(h_0.9 / h_0.1)",
        "runs": runs,
        "peak_per_regime": peaks,
        "prediction": "maximum at the critical point sigma = 1",
        "figures": ["dynamic_range.png"],
        "provenance": PROVENANCE,
    }


def alignment_json(pairs):
    """Contract ``alignment.json``: the runs at control 1 score 0.9 ± 0.1, the others 0.25;
    two control models (critical branching 0.95, subcritical 0.02)."""

    def row(kind, regime, label, score, flags=None):
        return {
            "kind": kind,
            "regime": regime,
            "control_value": float(label),
            "control_label": label,
            "n_avalanches": 40,
            "score": score,
            "score_sd": 0.1,
            "n_within_margin": round(4 * score),
            "tau": 1.5,
            "tau_probability": score,
            "alpha": 2.0,
            "alpha_probability": score,
            "scaling_relation": None,
            "scaling_relation_probability": 0.0,
            "branching_ratio": 0.99,
            "branching_ratio_probability": score,
            "flags": flags,
        }

    runs = [
        row("run", regime, control, 0.9 if float(control) == 1.0 else 0.25)
        for regime, control in pairs
    ]
    controls = [
        row("control", "branching", "1", 0.95),
        row("control", "subcritical_branching", "0.5", 0.02, "too_few_avalanches"),
    ]
    criteria = [
        {"criterion": "tau", "label": "size exponent τ", "reference": 1.5, "source": "Harris"},
        {"criterion": "alpha", "label": "duration exponent α", "reference": 2.0, "source": "H"},
        {
            "criterion": "scaling_relation",
            "label": "γ − (α − 1)/(τ − 1)",
            "reference": 0.0,
            "source": "Sethna",
        },
        {
            "criterion": "branching_ratio",
            "label": "branching ratio m",
            "reference": 1.0,
            "source": "Harris",
        },
    ]
    return {
        "schema_version": 2,
        "definition": "score = mean P(|x - reference| <= margin)",
        "criteria": criteria,
        "margins": {"tau": 0.1, "alpha": 0.25, "scaling_relation": 0.3, "branching_ratio": 0.02},
        "runs": runs,
        "controls": controls,
        "exponents": [{"name": "mean_field_branching", "tau": 1.5, "alpha": 2.0, "gamma": 2.0}],
        "provenance": PROVENANCE,
    }


def synapse_response_json():
    """Contract ``synapse_response.json``: a 3 mM patch transient, two-state MD rates,
    the JMS scheme beside them (values chosen for the formatting checks)."""
    t = [1e-4, 1e-3, 1e-2, 0.1, 1.0]
    block = {
        "scheme": "two_state",
        "p_open_single": 0.6,
        "psp_per_receptor_mV": 0.003,
        "latency_ms": 0.01,
        "peak_open_fraction": 0.2,
        "mean_synapse": {
            "n_receptors": 20,
            "p_activation": 0.99,
            "p_transmit": 0.495,
            "psp_mV": 0.06,
            "efficacy_theta": 0.004,
            "peak_open_receptors": 4.0,
            "peak_current_pA": 2.8,
        },
        "ci95": {
            "p_open_single": [0.5, 0.7],
            "psp_per_receptor_mV": [0.002, 0.004],
            "mean_synapse_p_transmit": [0.49, 0.5],
            "mean_synapse_efficacy_theta": [0.003, 0.005],
            "n_draws": 40,
        },
        "time_course": {
            "t_ms": t,
            "open_fraction": [0.01, 0.1, 0.2, 0.05, 0.0],
            "psp_per_receptor_mV": [0.0, 0.0005, 0.002, 0.003, 0.0025],
        },
    }
    comparison = {**block, "scheme": "jonas_major_sakmann_1993_ampa"}
    comparison.pop("ci95")
    return {
        "schema_version": 1,
        "source": "kinetics",
        "threshold_mV": 15.0,
        "release_probability": 0.5,
        "axonal_delay_ms": 1.0,
        "rates": {"k_on_per_M_per_s": 2e9, "k_off_per_s": 1e9, "K_d_M": 0.5},
        "cleft": {
            "peak_mM": 3.0,
            "fast_decay_ms": 0.03,
            "integral_mM_ms": 0.2,
            "geometry": {"n_transmitters": 4000},
            "D_cleft_um2_per_ms": 0.33,
            "time_course": {"t_ms": t, "patch_mM": [3.0, 2.5, 1.0, 0.1, 0.001]},
        },
        "response": block,
        "draws": {"p_open_single": [0.6], "psp_per_receptor_mV": [0.003]},
        "comparison": comparison,
        "provenance": PROVENANCE,
    }


def write_results(root: Path, regimes=("static", "depressing"), controls=("0.9", "1")):
    """A complete results tree of everything the report stage reads."""
    (root / "kinetics").mkdir(parents=True)
    (root / "kinetics" / "kinetics.json").write_text(json.dumps(kinetics_json()))
    (root / "network" / "synapse").mkdir(parents=True)
    (root / "network" / "synapse" / "synapse_response.json").write_text(
        json.dumps(synapse_response_json())
    )
    graph = None
    for k, (regime, control) in enumerate((r, c) for r in regimes for c in controls):
        graph = write_network_run(root / "network" / "runs" / regime / control, seed=k)
        crit_dir = root / "criticality" / "runs" / regime / control
        crit_dir.mkdir(parents=True)
        n_avalanches = json.loads(
            (root / "network" / "runs" / regime / control / "summary.json").read_text()
        )["n_avalanches"]
        crit = criticality_json(regime, control, k, n_avalanches)
        (crit_dir / "criticality.json").write_text(json.dumps(crit))
    nx.write_graphml(graph, root / "network" / "graph.graphml")
    for k, model in enumerate(("branching", "kinouchi_copelli", "levina")):
        write_network_run(root / "network" / "reference" / model / "1", seed=100 + k)
        ref = root / "network" / "reference" / model
        (ref / "1" / "avalanches.parquet").rename(ref / "avalanches.parquet")
    pairs = [(r, c) for r in regimes for c in controls]
    sweep = root / "criticality" / "sweep"
    sweep.mkdir(parents=True)
    (sweep / "dynamic_range.json").write_text(json.dumps(dynamic_range_json(pairs)))
    (sweep / "alignment.json").write_text(json.dumps(alignment_json(pairs)))
    return pairs
