"""The Snakefile's ``onsuccess:`` prints the end-of-run message (one short real run).

A private copy of the workflow runs one cheap target of config/tiny.yaml (the MD system
build) beside contract-shaped stage artifacts already in its results folder: the run
succeeds, and its output names the summary, the report command with the run's
``--configfile`` and the headline numbers read from that folder.
"""

from __future__ import annotations

import pytest
import yaml
from wf_contract_fixtures import write_results
from wf_helpers import copy_workflow, results_dir, snakemake, without_variants

pytestmark = pytest.mark.slow


def test_onsuccess_prints_summary_report_command_and_headlines(tmp_path):
    workdir = copy_workflow(tmp_path / "wf")
    tiny = without_variants(workdir, "config/tiny.yaml", "tiny_single.yaml")
    config = yaml.safe_load((workdir / tiny).read_text())
    config["network"]["sweep"]["control_values"] = [0.9, 1.0]  # the fixture's runs
    (workdir / tiny).write_text(yaml.safe_dump(config, sort_keys=False))
    results = results_dir(workdir, tiny)
    # the sweep: regimes static, depressing x control values 0.9, 1
    write_results(results, regimes=("static", "depressing"), controls=("0.9", "1"))
    summary = results / "report" / "summary.md"
    summary.parent.mkdir(parents=True)
    summary.write_text("# synsoc results summary\n")
    target = results.relative_to(workdir) / "md" / "system" / "build.json"
    result = snakemake(workdir, str(target), "--cores", "1", "--configfile", tiny, timeout=300)
    out = result.stdout
    assert result.returncode == 0, out[-4000:]
    rel = results.relative_to(workdir)
    assert "synsoc: run complete." in out, out[-4000:]
    assert f"  summary:     {rel}/report/summary.md" in out
    assert f"  HTML report: snakemake --report report.html --configfile {tiny}" in out
    assert "    - transmitter first passage (MD): mean 123 ps" in out
    assert "static, λ = 0.9: τ = 1.5 [1.4, 1.6]" in out
    assert "    - dynamic-range peak: static at λ = 1 (20.5 dB)" in out
