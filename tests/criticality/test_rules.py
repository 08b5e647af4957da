"""The criticality rules run under Snakemake on a results tree shaped like the network's."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import MODELS, RUNS

REPO = Path(__file__).resolve().parents[2]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")


@pytest.mark.slow
def test_criticality_rules_on_synthetic_network_outputs(results_tree, tmp_path):
    # fresh tree holding only the network outputs, so every criticality rule must run
    root = tmp_path / "results"
    shutil.copytree(results_tree / "network", root / "network")
    config = {
        "results_dir": str(root),
        "md": {"variants": None},  # one unnamed tree: the synthetic network outputs
        "network": {
            "synapses": {"source": "literature"},
            "sweep": {"regimes": ["static"], "control_values": [0.5, 1.0]},
        },
        "criticality": {
            "gof_bootstrap": 2,
            "exponent_bootstrap": 5,
            "branching_bootstrap": 5,
            "branching_k_max_bins": 10,
        },
    }
    config_file = tmp_path / "criticality_rules.yaml"
    config_file.write_text(yaml.safe_dump(config))
    sweep = root / "criticality" / "sweep"
    targets = [str(sweep / "alignment.json"), str(sweep / "dynamic_range.json")]
    rules = [
        "criticality_run",
        "criticality_reference",
        "criticality_dynamic_range",
        "criticality_alignment",
    ]
    done = subprocess.run(
        [
            str(SNAKEMAKE),
            *targets,
            "--configfile",
            str(config_file),
            "--cores",
            "1",
            "--nolock",
            "--allowed-rules",
            *rules,
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    # 2 runs, 4 control models, dynamic range, alignment
    assert "8 of 8 steps (100%) done" in done.stderr
    for regime, control in RUNS:
        run = root / "criticality" / "runs" / regime / control
        document = json.loads((run / "criticality.json").read_text())
        assert document["run"] == f"{regime}/{control}"
        # the causal avalanches are analysed like the binned ones (here the same trees)
        assert document["cascades"]["exponents"]["tau"]["value"] == pytest.approx(
            document["exponents"]["tau"]["value"]
        )
        assert [entry["bin_over_max_delay"] for entry in document["bin_scan"]] == [0.5, 1.0]
        assert (run / "figures" / "avalanche_distributions.svg").exists()
    assert (sweep / "alignment.csv").exists() and (sweep / "dynamic_range.png").exists()
    alignment = json.loads((sweep / "alignment.json").read_text())
    assert [row["regime"] for row in alignment["controls"]] == list(MODELS)
    assert [row["control_label"] for row in alignment["controls"]] == [
        f"{m:g}" for m in MODELS.values()
    ]
