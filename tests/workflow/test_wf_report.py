"""summary.md, report tables and activation figures against contract-shaped fixtures;
the report's Python dependencies in the base install."""

from __future__ import annotations

import ast
import csv
import dataclasses
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from snakemake.io import glob_wildcards
from wf_contract_fixtures import write_results

from analysis.report import (
    ActivationConfig,
    NetworkRun,
    SpikeTrain,
    cascade_firing_times,
    flatten_scalars,
    largest_avalanche,
    load_spikes,
    markdown_table,
    read_benchmarks,
    select_window,
)
from analysis.report.jobs import run_activation, run_collect_figures, run_summary

ROOT = Path(__file__).resolve().parents[2]


def _runs(root, pairs):
    return [
        NetworkRun(
            r,
            c,
            root / "network/runs" / r / c / "summary.json",
            root / "criticality/runs" / r / c / "criticality.json",
        )
        for r, c in pairs
    ]


def test_flatten_and_table():
    flat = flatten_scalars({"a": {"b": 1.0, "c": [1, 2]}, "d": None, "provenance": {"x": 1}})
    assert flat == {"a.b": 1.0, "d": None}
    table = markdown_table(["k", "v"], [["x", 1.23456789], ["y", None]])
    assert table.splitlines() == ["| k | v |", "|---|---|", "| x | 1.235 |", "| y | - |"]
    with pytest.raises(ValueError, match="cells"):
        markdown_table(["k"], [[1, 2]])


def test_summary_and_tables(tmp_path):
    root = tmp_path / "results"
    pairs = write_results(root)
    bench = root / "benchmarks" / "md" / "replica_0.tsv"
    bench.parent.mkdir(parents=True)
    bench.write_text("s\th:m:s\tmax_rss\n12.5\t0:00:12\t100\n")
    tables = {
        name: root / "report/tables" / f"{name}.csv"
        for name in ("kinetics", "criticality", "alignment")
    }
    config = {
        "md": {"replicas": 2},
        "network": {"sweep": {"regimes": ["static", "depressing"], "control_values": [0.9, 1.0]}},
    }
    run_summary(
        config,
        kinetics_json=root / "kinetics/kinetics.json",
        runs=_runs(root, pairs),
        dynamic_range_json=root / "criticality/sweep/dynamic_range.json",
        alignment_json=root / "criticality/sweep/alignment.json",
        synapse_json=root / "network/synapse/synapse_response.json",
        summary_md=root / "report/summary.md",
        tables=tables,
        benchmark_paths=[bench],
    )
    text = (root / "report/summary.md").read_text()
    # readable headers, simulated and physical means (123.4 ps × 1.515 = 187 ps)
    assert "| first passage | inverse_gaussian | 123.4 | 187 ps |" in text
    assert "| time-scale factor s = D_sim / D_target | 1.515 |" in text
    # σ = 1 − 1/⟨S⟩ needs slow-drive kicks, which these synthetic summaries lack: "-"
    assert "| static | 0.9 | 0.9 | 1 | 0.98 | - | 3.2 |" in text
    assert "| Regime | λ | τ (sizes) | α (durations) |" in text
    assert "m, multistep regression" in text
    # exponents and branching ratios with their 95 % CIs (run k = 1: tau = 1.51)
    assert "| static | 1 | 1.51 [1.41, 1.61] | 2 [1.8, 2.2] |" in text
    assert "0.99 [0.975, 0.995]" in text
    assert "reference_exponents" not in text and "tau.value" not in text
    assert "| static | 1 | 20.5 |" in text
    assert "| md | 12.5 |" in text
    with open(tables["criticality"]) as handle:
        rows = list(csv.DictReader(handle))
    # the CSV keeps the artifacts' raw keys (for machines)
    assert len(rows) == 4 and float(rows[1]["exponents.tau.value"]) == pytest.approx(1.51)
    assert "exponents.tau.ci95" not in rows[0] and "exponents.alpha.value" in rows[0]
    with open(tables["kinetics"]) as handle:
        assert [r["event"] for r in csv.DictReader(handle)] == [
            "first_passage",
            "dwell",
            "rebinding",
        ]


def test_read_benchmarks_rejects_other_tsv(tmp_path):
    path = tmp_path / "x.tsv"
    path.write_text("a\tb\n1\t2\n")
    with pytest.raises(ValueError, match="benchmark"):
        read_benchmarks([path], tmp_path)


def _criticality_pattern() -> str:
    """The file pattern the rule report_collect_figures registers for criticality figures."""
    text = (ROOT / "workflow/rules/report.smk").read_text()
    rule = text[text.index("rule report_collect_figures:") :]
    block = rule[rule.index("criticality=report(") :]
    return re.search(r'patterns=\["([^"]+)"\]', block).group(1)


def test_collect_stage_figures(tmp_path):
    root = tmp_path / "results"
    (root / "kinetics/figures").mkdir(parents=True)
    (root / "kinetics/figures/fpt.png").write_bytes(b"png")
    runs = {
        ("static", "1"): "avalanche_distributions",
        ("static", "0.75"): "shape_collapse",
        ("depressing", "physical"): "branching_ratio",
    }
    for (regime, control), figure in runs.items():
        (root / f"criticality/runs/{regime}/{control}/figures").mkdir(parents=True)
        (root / f"criticality/runs/{regime}/{control}/figures/{figure}.png").write_bytes(b"png")
    (root / "criticality/sweep").mkdir(parents=True)
    for figure in ("dynamic_range", "exponents"):
        (root / f"criticality/sweep/{figure}.png").write_bytes(b"png")
    counts = run_collect_figures(root, tmp_path / "k", tmp_path / "c")
    assert counts == {"kinetics": 1, "criticality": 5}
    # per-run names are what summary.md links; sweep figures parse as regime "sweep"
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == [
        "depressing_physical_branching_ratio.png",
        "static_0.75_shape_collapse.png",
        "static_1_avalanche_distributions.png",
        "sweep_all_dynamic_range.png",
        "sweep_all_exponents.png",
    ]
    # the report's labels: every copied name parses into (regime, control, figure)
    parsed = glob_wildcards(str(tmp_path / "c" / _criticality_pattern()))
    assert sorted(zip(parsed.regime, parsed.control, parsed.figure, strict=True)) == sorted(
        [(regime, control, figure) for (regime, control), figure in runs.items()]
        + [("sweep", "all", "dynamic_range"), ("sweep", "all", "exponents")]
    )
    (root / "criticality/runs/static/1_b/figures").mkdir(parents=True)
    (root / "criticality/runs/static/1_b/figures/x.png").write_bytes(b"png")
    with pytest.raises(ValueError, match="1_b"):
        run_collect_figures(root, tmp_path / "k", tmp_path / "c")


def test_cascade_firing_times_oracle():
    # neuron k fires at 0.5 k ms; neuron 0 again later: its first time counts.
    time = np.array([0.0, 0.5, 1.0, 1.5, 0.7, 9.0])
    neuron = np.array([0, 1, 2, 3, 0, 4])
    spikes = SpikeTrain(time + 10.0, neuron, 5, 1.0, np.ones(20, int))
    first = cascade_firing_times(spikes, 10.0, 2.0)
    assert first == {0: 0.0, 1: 0.5, 2: 1.0, 3: 1.5}


def test_window_centred_on_largest_avalanche():
    table = pd.DataFrame({"start_ms": [0.0, 100.0], "size": [3, 50], "duration_ms": [2.0, 20.0]})
    assert largest_avalanche(table)["size"] == 50
    assert select_window(table, 40.0) == (90.0, 130.0)
    with pytest.raises(ValueError, match="window_ms"):
        select_window(table, 0.0)


def test_activation_figures(tmp_path):
    root = tmp_path / "results"
    write_results(root, regimes=("static",), controls=("1",))
    run = root / "network/runs/static/1"
    spikes = load_spikes(run / "spikes.npz")
    assert spikes.bin_counts.sum() == len(spikes.time_ms)
    outputs = {
        name: tmp_path / "fig" / f"{name}.png" for name in ("raster", "cascade", "comparison")
    }
    refs = {
        m: root / "network/reference" / m / "avalanches.parquet"
        for m in ("branching", "kinouchi_copelli", "levina")
    }
    run_activation(
        run / "spikes.npz",
        run / "avalanches.parquet",
        root / "network/graph.graphml",
        references=refs,
        run_label="MD",
        config=ActivationConfig.from_section({"raster_window_ms": 50.0, "figure_dpi": 60}),
        outputs=outputs,
    )
    for path in outputs.values():
        assert path.stat().st_size > 1000
        assert path.with_suffix(".svg").is_file()
    with pytest.raises(ValueError, match="cascade_max_nodes"):
        dataclasses.replace(ActivationConfig.from_section(), cascade_max_nodes=1)


def test_ccdf_of_ties():
    from analysis.report.activation import _ccdf

    x, p = _ccdf(np.array([3, 1, 2, 1]))
    np.testing.assert_array_equal(x, [1, 2, 3])
    np.testing.assert_allclose(p, [1.0, 0.5, 0.25])


# ---- `snakemake --report` after `pip install -e .` alone ---------------------------


def _requirement_closure(requirements):
    """Installed distributions a set of requirements pulls in, transitively.

    Markers are evaluated for this interpreter; a requirement's extras (``pkg[extra]``)
    add the requirements marked ``extra == "..."``, and no others.

    Returns
    -------
    set of str
        Canonical distribution names.
    """
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    done: set[tuple[str, str]] = set()
    queue = [Requirement(text) for text in requirements]
    while queue:
        requirement = queue.pop()
        name = canonicalize_name(requirement.name)
        for extra in ("", *sorted(requirement.extras)):
            if (name, extra) in done:
                continue
            done.add((name, extra))
            try:
                requires = importlib.metadata.distribution(name).requires or []
            except importlib.metadata.PackageNotFoundError:
                pytest.fail(f"{name} (required by the closure) is not installed")
            for text in requires:
                sub = Requirement(text)
                marker_ok = sub.marker is None or sub.marker.evaluate({"extra": extra})
                # an extra's own list: only requirements whose marker names that extra
                if marker_ok and (extra == "" or "extra" in str(sub.marker)):
                    queue.append(sub)
    return {name for name, _ in done}


def _base_requirements():
    """``[project] dependencies`` of the checkout's pyproject.toml, markers applied."""
    from packaging.requirements import Requirement

    with open(ROOT / "pyproject.toml", "rb") as handle:
        dependencies = tomllib.load(handle)["project"]["dependencies"]
    return [
        text
        for text in dependencies
        if Requirement(text).marker is None or Requirement(text).marker.evaluate({"extra": ""})
    ]


def _report_distributions():
    """Distributions whose modules snakemake's report code imports (stdlib left out)."""
    import snakemake.report
    from packaging.utils import canonicalize_name

    modules: set[str] = set()
    for path in Path(snakemake.report.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    modules -= set(sys.stdlib_module_names) | {"snakemake", "__future__"}
    owners = importlib.metadata.packages_distributions()
    missing = sorted(module for module in modules if module not in owners)
    assert not missing, (
        f"snakemake's report imports modules no installed package provides: {missing}"
    )
    return {module: {canonicalize_name(d) for d in owners[module]} for module in modules}


def test_report_dependencies_in_base_install():
    # `snakemake --report` raises "Python package pygments must be installed" unless
    # the base install brings it: the test environment must not be what provides it.
    closure = _requirement_closure(_base_requirements())
    assert "pygments" in closure, "pygments (snakemake --report) is not a base requirement"
    report = _report_distributions()
    assert {"jinja2", "pygments", "docutils"} <= set(report), report
    outside = {module: owners for module, owners in report.items() if not owners & closure}
    assert not outside, f"snakemake --report needs modules outside the base install: {outside}"


def test_requirement_closure_oracle():
    # snakemake without [reports] does not bring pygments through its own
    # requirements in this environment, with it it does: the extra is what matters.
    without = _requirement_closure(["snakemake"])
    with_reports = _requirement_closure(["snakemake[reports]"])
    assert "pygments" in with_reports and "jinja2" in without
    assert with_reports - without >= {"pygments"}


# A sitecustomize that makes every module of a package outside the base install
# unimportable, so a subprocess sees what `pip install -e .` alone would give it.
_BLOCKER = """
import importlib.abc, json, os, sys

class _OutsideBaseInstall(importlib.abc.MetaPathFinder):
    blocked = frozenset(json.loads(os.environ["SYNSOC_BLOCKED_MODULES"]))

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in self.blocked:
            raise ModuleNotFoundError(f"No module named {name!r} (not in the base install)")
        return None

sys.meta_path.insert(0, _OutsideBaseInstall())
"""

_TOY_WORKFLOW = {
    "Snakefile": (
        'configfile: "config.yaml"\n\n'
        'report: "workflow.rst"\n\n'
        "rule make:\n"
        "    output:\n"
        '        report("out.csv", caption="caption.rst", category="tables"),\n'
        "    params:\n"
        '        value=config["value"],\n'
        "    run:\n"
        "        with open(output[0], 'w') as handle:\n"
        "            handle.write(f'a,b\\n1,{params.value}\\n')\n"
    ),
    "config.yaml": "value: 2\n",
    "workflow.rst": "A toy workflow.\n",
    "caption.rst": "A toy table.\n",
}


def _modules_outside(closure):
    """Top-level modules that only packages outside ``closure`` provide."""
    from packaging.utils import canonicalize_name

    owners = importlib.metadata.packages_distributions()
    return sorted(
        module
        for module, dists in owners.items()
        if module not in sys.stdlib_module_names
        and not {canonicalize_name(d) for d in dists} & closure
    )


@pytest.mark.slow
def test_snakemake_report_runs_with_the_base_install_only(tmp_path):
    closure = _requirement_closure(_base_requirements())
    blocked = _modules_outside(closure)
    assert "pytest" in blocked  # the test extra is really out of reach
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(_BLOCKER)
    work = tmp_path / "toy"
    work.mkdir()
    for name, text in _TOY_WORKFLOW.items():
        (work / name).write_text(text)
    env = dict(
        os.environ,
        PYTHONPATH=str(site),
        SYNSOC_BLOCKED_MODULES=json.dumps(blocked),
        MPLBACKEND="Agg",
    )

    def snakemake(*args):
        return subprocess.run(
            [sys.executable, "-m", "snakemake", *args],
            cwd=work,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=300,
        )

    run = snakemake("--cores", "1")
    assert run.returncode == 0, run.stdout[-3000:]
    report = snakemake("--report", "report.html")
    assert report.returncode == 0, report.stdout[-3000:]
    assert "out.csv" in (work / "report.html").read_text(errors="replace")
