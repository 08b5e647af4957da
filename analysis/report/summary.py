"""The tables and sections of ``results/report/summary.md``: the whole run in plain text.

Reads the stage JSON artifacts of docs/contracts.md (kinetics, per-run network and
criticality summaries, dynamic range, alignment) and the Snakemake benchmark files,
and renders Markdown tables. Nothing here recomputes science: every number shown
is copied from an artifact, and its key names (with units) are kept. The file-level
step that writes the summary and the CSV tables is :func:`analysis.report.jobs.run_summary`.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from synsoc.layout import EVENT_KINDS

__all__ = [
    "NetworkRun",
    "flatten_scalars",
    "markdown_table",
    "read_benchmarks",
    "kinetics_table",
    "kinetics_section",
    "runs_table",
    "runs_section",
    "flat_section",
    "alignment_table",
    "alignment_section",
    "benchmark_section",
    "build_summary",
    "csv_text",
]

logger = logging.getLogger(__name__)

_RUN_KEYS = ("rate_hz", "sigma_analytic", "sigma_estimate", "n_spikes", "n_avalanches")
_CRITICALITY_LEAVES = (
    "value",
    "estimate",
    "status",
    "gamma_predicted",
    "conventional",
    "multistep_regression",
)


@dataclass(frozen=True)
class NetworkRun:
    """Artifacts of one (regime, control) run of the sweep.

    Attributes
    ----------
    regime : str
    control : str
        Wildcard text of the control value.
    summary_json : pathlib.Path
        ``R/network/runs/{regime}/{control}/summary.json``.
    criticality_json : pathlib.Path
        ``R/criticality/runs/{regime}/{control}/criticality.json``.
    """

    regime: str
    control: str
    summary_json: Path
    criticality_json: Path


def _read_json(path: str | os.PathLike) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def flatten_scalars(data: Mapping[str, Any], *, prefix: str = "") -> dict[str, Any]:
    """Dotted keys of every scalar (number, str, bool, None) in nested mappings.

    Lists and the ``provenance`` block are skipped.

    Parameters
    ----------
    data : Mapping
    prefix : str
        Prefix of the keys (used in recursion).

    Returns
    -------
    dict
        ``{"a.b": value}`` in the mapping's order.
    """
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if key == "provenance":
            continue
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten_scalars(value, prefix=f"{name}."))
        elif value is None or isinstance(value, str | bool | int | float):
            flat[name] = value
    return flat


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return f"{value:.4g}"
    return str(value)


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A GitHub-flavoured Markdown table, values formatted to 4 significant digits."""
    header = list(header)
    if not header:
        raise ValueError("header must name at least one column")
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for row in rows:
        row = list(row)
        if len(row) != len(header):
            raise ValueError(f"row {row} has {len(row)} cells, header has {len(header)}")
        lines.append("| " + " | ".join(_fmt(value) for value in row) + " |")
    return "\n".join(lines)


def kinetics_table(kinetics: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the fitted event-time distributions of ``kinetics.json``."""
    header = ["event", "family", "mean_ps", "lower_bound_mean_ps", "n_events", "n_censored"]
    rows = []
    for kind in EVENT_KINDS:
        fit = kinetics.get(kind) or {}
        rows.append([kind, *(fit.get(key) for key in header[1:])])
    return header, rows


def kinetics_section(kinetics: Mapping[str, Any]) -> str:
    """Fits, time calibration and the cleft-scale first passage of ``kinetics.json``."""
    parts = [
        "## Kinetics (MD → first passage; family = lowest AIC)",
        "",
        markdown_table(*kinetics_table(kinetics)),
    ]
    for block in (
        "time_calibration",
        "cleft_first_passage",
        "release_binding_probability",
        "receptor_occupancy",
    ):
        if block in kinetics:
            flat = flatten_scalars(kinetics[block])
            parts += ["", f"**{block}**: " + ", ".join(f"{k} = {_fmt(v)}" for k, v in flat.items())]
    return "\n".join(parts)


def _criticality_columns(records: Sequence[Mapping[str, Any]], max_columns: int) -> list[str]:
    """Keys of the run's own estimates (exponent values, statuses, branching ratios).

    A key is kept when its last component is one of ``_CRITICALITY_LEAVES`` and it is
    not a quoted reference value (``reference_*``); first-seen order.
    """
    columns: list[str] = []
    for flat in records:
        for key in flat:
            parts = key.split(".")
            if key in columns or parts[0].startswith("reference"):
                continue
            if parts[-1] in _CRITICALITY_LEAVES:
                columns.append(key)
    return columns[:max_columns]


def runs_table(
    runs: Sequence[NetworkRun], *, max_columns: int = 8
) -> tuple[list[str], list[list[Any]]]:
    """Header and rows (one per run): activity summary and criticality estimates.

    Parameters
    ----------
    runs : sequence of NetworkRun
        At least one run.
    max_columns : int
        At most this many criticality columns (exponent values, fit statuses,
        branching ratios; quoted reference values and fit details left out).
    """
    if not runs:
        raise ValueError("runs must hold at least one network run")
    summaries = [_read_json(run.summary_json) for run in runs]
    crit = [flatten_scalars(_read_json(run.criticality_json)) for run in runs]
    columns = _criticality_columns(crit, max_columns)
    rows = [
        [
            run.regime,
            run.control,
            *(summary.get(key) for key in _RUN_KEYS),
            *(flat.get(key) for key in columns),
        ]
        for run, summary, flat in zip(runs, summaries, crit, strict=True)
    ]
    return ["regime", "control", *_RUN_KEYS, *columns], rows


def runs_section(runs: Sequence[NetworkRun]) -> str:
    """The network sweep and criticality estimates as a Markdown section."""
    return "\n".join(["## Network sweep and criticality", "", markdown_table(*runs_table(runs))])


def alignment_table(alignment: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Header and rows (one per run and reference model) of ``alignment.json``'s ``runs``.

    Columns are the union of the rows' keys in first-seen order; a key a row lacks
    (e.g. the KS distances of a run without avalanches) is None.
    """
    records = alignment.get("runs", [])
    header: list[str] = []
    for record in records:
        header += [key for key in record if key not in header]
    return header, [[record.get(key) for key in header] for record in records]


def flat_section(title: str, data: Mapping[str, Any]) -> str:
    """Every scalar of a JSON artifact as a two-column table."""
    flat = flatten_scalars(data)
    return "\n".join([f"## {title}", "", markdown_table(["key", "value"], flat.items())])


def alignment_section(alignment: Mapping[str, Any]) -> str:
    """Best run per reference model and the per-run alignment table."""
    parts = [flat_section("Alignment with reference models", alignment)]
    header, rows = alignment_table(alignment)
    if rows:
        parts += ["", markdown_table(header, rows)]
    return "\n".join(parts)


def read_benchmarks(paths: Iterable[str | os.PathLike], root: str | os.PathLike) -> list[tuple]:
    """Wall time of each Snakemake benchmark file.

    Parameters
    ----------
    paths : iterable of path-like
        Benchmark TSV files (column ``s`` = wall-clock seconds).
    root : path-like
        Paths are reported relative to this.

    Returns
    -------
    list of (str, float)
        (relative path, seconds), sorted by path.
    """
    rows = []
    for path in paths:
        with open(path, encoding="utf-8", newline="") as handle:
            records = list(csv.DictReader(handle, delimiter="\t"))
        if not records or "s" not in records[0]:
            raise ValueError(f"{path}: not a Snakemake benchmark file (no 's' column)")
        seconds = sum(float(record["s"]) for record in records) / len(records)
        rows.append((os.path.relpath(path, root), seconds))
    return sorted(rows)


def benchmark_section(rows: Sequence[tuple[str, float]]) -> str:
    """Wall time per benchmarked job and per stage (first directory below benchmarks/)."""
    if not rows:
        return "## Run time\n\n(no benchmark files)"
    per_stage: dict[str, float] = {}
    for path, seconds in rows:
        parts = Path(path).parts
        stage = parts[parts.index("benchmarks") + 1] if "benchmarks" in parts[:-1] else parts[0]
        per_stage[stage] = per_stage.get(stage, 0.0) + seconds
    return "\n".join(
        [
            "## Run time (Snakemake benchmarks, wall-clock s)",
            "",
            markdown_table(["stage", "sum of job wall time (s)"], per_stage.items()),
            "",
            markdown_table(["benchmark", "s"], rows),
        ]
    )


def build_summary(
    config: Mapping[str, Any],
    *,
    provenance_block: Mapping[str, Any],
    kinetics_json: str | os.PathLike,
    runs: Sequence[NetworkRun],
    dynamic_range_json: str | os.PathLike,
    alignment_json: str | os.PathLike,
    benchmark_rows: Sequence[tuple[str, float]] = (),
) -> str:
    """The full ``summary.md`` text.

    Parameters
    ----------
    config : Mapping
        Validated configuration (replica count and sweep are quoted).
    provenance_block : Mapping
        ``synsoc.provenance.provenance(config)``.
    kinetics_json, dynamic_range_json, alignment_json : path-like
        Contract artifacts.
    runs : sequence of NetworkRun
    benchmark_rows : sequence of (str, float)
        From :func:`read_benchmarks`.

    Returns
    -------
    str
        Markdown text ending in a newline.
    """
    versions = provenance_block.get("package_versions", {})
    shown = ", ".join(f"{name} {versions[name]}" for name in sorted(versions))
    sweep = config.get("network", {}).get("sweep", {})
    parts = [
        "# synsoc results summary",
        "",
        f"- config hash: `{provenance_block.get('config_hash', '?')}`",
        f"- MD replicas: {config.get('md', {}).get('replicas', '?')}; "
        f"sweep regimes {sweep.get('regimes', '?')} × control values "
        f"{sweep.get('control_values', '?')}",
        f"- software: {shown}",
        "",
        kinetics_section(_read_json(kinetics_json)),
        "",
        runs_section(runs),
        "",
        flat_section("Dynamic range across the control parameter", _read_json(dynamic_range_json)),
        "",
        alignment_section(_read_json(alignment_json)),
        "",
        benchmark_section(benchmark_rows),
    ]
    return "\n".join(parts) + "\n"


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text of a table (None written as an empty cell), one line per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(["" if value is None else value for value in row] for row in rows)
    return buffer.getvalue()
