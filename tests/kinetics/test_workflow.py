"""End-to-end: the kinetics rules and the CLI on synthetic trajectories in the MD layout."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.kinetics import FIGURE_STEMS
from analysis.kinetics.testsystems import brownian_points, write_point_trajectory
from synsoc.cli import main

# The workflow tests' runner (private workflow copy, own .snakemake lock), loaded by path.
_spec = importlib.util.spec_from_file_location(
    "wf_helpers", Path(__file__).resolve().parents[1] / "workflow" / "wf_helpers.py"
)
wf_helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(wf_helpers)

N_TM, N_RC = 12, 4
KINETICS_RULES = ("kinetics_events", "kinetics_merge", "kinetics_surfaces", "kinetics_fit")
# Blocks of the former cleft bridge; the synapse response (network.synapse_response,
# docs/synapse.md) now carries the cleft-to-receptor physics.
REMOVED_BLOCKS = {"cleft_first_passage", "release_binding_probability", "receptor_occupancy"}


def _md_layout(results, n_replicas=2, seed=4):
    """Point transmitters/receptors laid out as the MD stage writes them."""
    rng = np.random.default_rng(seed)
    box = np.array([4.0, 4.0, 4.0])
    receptors = np.array([[1.0, 1.0, 3.0], [3.0, 1.0, 3.0], [1.0, 3.0, 3.0], [3.0, 3.0, 3.0]])
    for replica in range(n_replicas):
        start = np.column_stack(
            (rng.uniform(0, 4, N_TM), rng.uniform(0, 4, N_TM), np.full(N_TM, 0.5))
        )
        system = brownian_points(start, receptors, 0.01, 0.1, 800, 10, rng=rng, box_nm=box)
        write_point_trajectory(system, results / "md" / f"replica_{replica}")
    build = {
        "transmitters": [
            {"index": i, "atom_indices": [i], "residue_name": "GLU"} for i in range(N_TM)
        ],
        "receptors": [
            {"index": j, "atom_indices": [N_TM + j], "residue_name": "ARG"} for j in range(N_RC)
        ],
        "transmitter_selection": "resname GLU",
        "receptor_selection": "resname ARG",
        "box_nm": box.tolist(),
        # Overdamped points: D = kT/(M gamma) = 0.01 nm^2/ps with gamma -> large, so the
        # mean free path is negligible and every kind may be rescaled.
        "friction_per_ps": 1000.0,
        "temperature_K": 300.0,
        "transmitter_mass_amu": 0.0083144626 * 300.0 / (1000.0 * 0.01),
        "lateral_nm": 4.0,
        "cleft_height_nm": 4.0,
    }
    (results / "md" / "system").mkdir(parents=True)
    (results / "md" / "system" / "build.json").write_text(json.dumps(build))


def _check_kinetics_json(path):
    data = json.loads(path.read_text())
    assert data["schema_version"] == 2
    for kind in ("first_passage", "dwell", "rebinding"):
        block = data[kind]
        assert block["n_events"] > 0 and block["family"] is not None
        assert set(block["params"]) == set(block["params_ci95"])
    cal = data["time_calibration"]
    # Brownian points: D = 0.01 nm^2/ps = 10 nm^2/ns.
    assert cal["status"] == "valid", cal["reason"]
    assert abs(cal["D_sim_nm2_per_ns"] - 10.0) < 4 * cal["D_sim_stderr_nm2_per_ns"] + 0.5
    assert all(check["rescaled"] for check in cal["rescaling"].values())
    rates = data["binding_rates"]
    assert rates["k_on_per_M_per_s"] > 0 and rates["K_d_M"] > 0
    assert rates["receptor_molar"] == pytest.approx(4 / (6.02214076e23 * 64e-24))
    assert data["msm"]["mfpt_on_ps"] > 0
    assert cal["time_scale_factor"] == pytest.approx(cal["D_sim_nm2_per_ns"] / 0.33)
    assert not REMOVED_BLOCKS & set(data), "the cleft bridge belongs to the synapse response"
    assert len(data["provenance"]["config_hash"]) == 64
    return data


@pytest.mark.slow
def test_kinetics_rules_on_synthetic_md_layout(tmp_path):
    work = wf_helpers.copy_workflow(tmp_path / "wf")
    results = tmp_path / "results"
    _md_layout(results)
    (work / "config" / "test.yaml").write_text(
        # variants: null -> one unnamed tree under results_dir (config.yaml's md.variants
        # would put kinetics.json under results_dir/variants/<name>/).
        f"results_dir: {results}\nmd: {{replicas: 2, variants: null}}\n"
        "kinetics: {n_bootstrap: 10, n_gof_bootstrap: 5, surface_n_t: 50}\n"
    )
    target = str(results / "kinetics" / "kinetics.json")
    run = wf_helpers.snakemake(
        work,
        "--configfile",
        "config/test.yaml",
        "-c2",
        "--allowed-rules",
        *KINETICS_RULES,
        "--",
        target,
    )
    assert run.returncode == 0, run.stdout[-4000:]
    _check_kinetics_json(results / "kinetics" / "kinetics.json")
    events = pd.read_parquet(results / "kinetics" / "events.parquet")
    assert sorted(events.replica.unique()) == [0, 1]
    assert (events.kind == "first_passage").sum() == 2 * N_TM
    for stem in FIGURE_STEMS:
        for ext in ("png", "svg"):
            assert (results / "kinetics" / "figures" / f"{stem}.{ext}").stat().st_size > 0
    with np.load(results / "kinetics" / "surfaces.npz") as surf:
        assert surf["F_per_ps"].shape == (30, 50) and surf["P_per_nm"].shape == (30, 50)


@pytest.mark.slow
def test_cli_events_and_fit(tmp_path, capsys):
    results = tmp_path / "results"
    _md_layout(results, n_replicas=1, seed=5)
    replica = results / "md" / "replica_0"
    (tmp_path / "cfg.yaml").write_text("kinetics: {n_bootstrap: 10, n_gof_bootstrap: 0}\n")
    events = tmp_path / "out" / "events.parquet"
    code = main(
        [
            "events",
            str(replica / "trajectory.xtc"),
            "--top",
            str(replica / "topology.pdb"),
            "--transmitters",
            "name OE1",
            "--receptors",
            "name NE",
            "--r-on-nm",
            "0.45",
            "--r-off-nm",
            "0.65",
            "-o",
            str(events),
        ]
    )
    assert code == 0
    assert (events.parent / "events.distances.npz").is_file()
    out = tmp_path / "out" / "kinetics.json"
    build = str(results / "md" / "system" / "build.json")
    argv = ["fit", str(events), "--config", str(tmp_path / "cfg.yaml"), "--build", build]
    assert main([*argv, "-o", str(out)]) == 0
    _check_kinetics_json(out)
    assert main(["fit", str(tmp_path / "nope.parquet"), "-o", str(out)]) == 2
    assert "nope.parquet" in capsys.readouterr().err


def test_fit_an_events_table_alone(tmp_path, caplog):
    # Events from another engine or an experiment: exact times, no trajectories.
    rng = np.random.default_rng(12)
    rows = []
    for tm in range(30):
        bind = rng.exponential(40.0)
        rows.append((0, tm, 0, "first_passage", 0.0, min(bind, 150.0), bind > 150.0))
        if bind < 150.0:
            dwell = rng.exponential(20.0)
            rows.append((0, tm, 0, "dwell", bind, min(dwell, 150.0 - bind), dwell > 150.0 - bind))
    columns = ["replica", "transmitter", "receptor", "kind", "start_ps", "duration_ps", "censored"]
    events = tmp_path / "elsewhere.parquet"
    pd.DataFrame(rows, columns=columns).to_parquet(events)
    (tmp_path / "cfg.yaml").write_text("kinetics: {n_bootstrap: 20, n_gof_bootstrap: 0}\n")
    out = tmp_path / "fit" / "kinetics.json"
    argv = ["fit", str(events), "--config", str(tmp_path / "cfg.yaml"), "--receptor-molar", "0.01"]
    assert main([*argv, "-o", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["first_passage"]["family"] is not None
    assert data["first_passage"]["params"]["scale"] == pytest.approx(40.0, rel=0.4)
    for block in ("time_calibration", "msm"):
        assert data[block]["status"] == "omitted" and data[block]["reason"]
    assert not REMOVED_BLOCKS & set(data)
    rates = data["binding_rates"]
    assert rates["resolution_ps"] == 0.0  # no resolution_ps column: exact times
    assert rates["k_on_prime_per_ps"] == pytest.approx(1 / 40.0, rel=0.4)
    assert rates["K_d_M"] > 0 and rates["k_on_per_M_per_s"] is None
    assert "k_on_per_M_per_s" in rates["unavailable"]
    assert sorted(p.name for p in (tmp_path / "fit" / "kinetics.figures").glob("*.png")) == [
        "dwell.png",
        "first_passage.png",
        "rebinding.png",
    ]
    assert "fitting the events table alone" in caplog.text


def test_pipeline_input_errors_name_the_file(tmp_path):
    from analysis.kinetics import load_replica_distances
    from analysis.kinetics.jobs import run_merge

    bad = tmp_path / "replica_0.parquet"
    pd.DataFrame({"replica": [0], "kind": ["dwell"]}).to_parquet(bad)
    with pytest.raises(ValueError, match="replica_0.parquet"):
        run_merge([bad], tmp_path / "events.parquet")
    npz = tmp_path / "replica_0.npz"
    np.savez(npz, time_ps=np.arange(3.0), distance_nm=np.ones((2, 1, 1)))
    with pytest.raises(ValueError, match="replica_0.npz"):
        load_replica_distances(npz)
