"""File-level steps of the report stage: the functions the Snakemake rules call.

* :func:`run_summary` — ``R/report/summary.md`` and the CSV tables under
  ``R/report/tables/`` (rule ``report_summary``).
* :func:`run_collect_figures` — stage PNG figures copied under ``R/report/figures/``
  (rule ``report_collect_figures``).
* :func:`run_activation` — raster, cascade and model-comparison figures (rule
  ``report_activation``).

Each reads the stage artifacts of docs/contracts.md and writes atomically; nothing here
recomputes science.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

from analysis.report.activation import (
    load_spikes,
    plot_cascade,
    plot_model_comparison,
    plot_raster,
)
from analysis.report.config import ActivationConfig
from analysis.report.headline import read_json_object
from analysis.report.summary import (
    SWEEP_FIGURE_PREFIX,
    NetworkRun,
    alignment_table,
    build_summary,
    csv_text,
    kinetics_table,
    read_benchmarks,
    runs_table,
)
from synsoc.io import atomic_path, save_figure, write_text
from synsoc.provenance import provenance

__all__ = ["run_summary", "run_collect_figures", "run_activation"]

logger = logging.getLogger(__name__)


def run_summary(
    config: Mapping[str, Any],
    *,
    kinetics_json: str | os.PathLike,
    runs: Sequence[NetworkRun],
    dynamic_range_json: str | os.PathLike,
    alignment_json: str | os.PathLike,
    synapse_json: str | os.PathLike,
    summary_md: str | os.PathLike,
    tables: Mapping[str, str | os.PathLike],
    benchmark_paths: Iterable[str | os.PathLike] = (),
    figures: Sequence[str | os.PathLike] = (),
) -> None:
    """Write ``summary.md`` and the report's CSV tables atomically.

    Parameters
    ----------
    config : Mapping
        Validated configuration.
    kinetics_json, dynamic_range_json, alignment_json : path-like
        ``R/kinetics/kinetics.json``, ``R/criticality/sweep/dynamic_range.json`` and
        ``R/criticality/sweep/alignment.json``.
    synapse_json : path-like
        ``R/network/synapse/synapse_response.json``.
    runs : sequence of NetworkRun
        The runs of the sweep.
    summary_md : path-like
        Destination of the Markdown summary.
    tables : Mapping
        Destinations of the ``"kinetics"``, ``"criticality"`` and ``"alignment"`` CSVs.
    benchmark_paths : iterable of path-like
        Snakemake benchmark TSVs (wall time per stage).
    figures : sequence of path-like
        Figures (PNG files, or directories of them) listed, grouped by stage, at the
        end of the summary with links relative to it.
    """
    missing = {"kinetics", "criticality", "alignment"} - set(tables)
    if missing:
        raise ValueError(f"tables lacks destinations for {sorted(missing)}")
    root = Path(summary_md).parent
    text = build_summary(
        config,
        provenance_block=provenance(config),
        kinetics_json=kinetics_json,
        runs=runs,
        dynamic_range_json=dynamic_range_json,
        alignment_json=alignment_json,
        synapse_json=synapse_json,
        benchmark_rows=read_benchmarks(benchmark_paths, root=root.parent),
        figures=figures,
        figure_root=root,
    )
    write_text(summary_md, text)
    write_text(tables["kinetics"], csv_text(*kinetics_table(read_json_object(kinetics_json))))
    write_text(tables["criticality"], csv_text(*runs_table(runs)))
    write_text(tables["alignment"], csv_text(*alignment_table(read_json_object(alignment_json))))
    logger.info("wrote %s and %d tables", summary_md, len(tables))


def run_collect_figures(
    results_dir: str | os.PathLike,
    kinetics_dest: str | os.PathLike,
    criticality_dest: str | os.PathLike,
) -> dict[str, int]:
    """Copy the stage PNG figures into the report's figure directories.

    ``R/kinetics/figures/*.png`` go to ``kinetics_dest``;
    ``R/criticality/runs/{regime}/{control}/figures/*.png`` go to
    ``criticality_dest`` as ``{regime}_{control}_{name}.png`` and
    ``R/criticality/sweep/**/*.png`` as ``sweep_all_{name}.png``: flat names that the
    report's pattern ``{regime}_{control}_{figure}.png`` parses into its labels (regime
    ``sweep``, control ``all`` for the figures across the sweep).

    Parameters
    ----------
    results_dir : path-like
        The results root ``R``.
    kinetics_dest, criticality_dest : path-like
        Destination directories (created).

    Returns
    -------
    dict of str to int
        Number of figures copied per stage.

    Raises
    ------
    ValueError
        If ``results_dir`` is not a directory, or a run's regime or control holds ``_``
        (its name would not parse into labels).
    """
    root = Path(results_dir)
    if not root.is_dir():
        raise ValueError(f"results_dir is not a directory: {root}")
    plan: dict[str, list[tuple[Path, Path]]] = {"kinetics": [], "criticality": []}
    for src in sorted((root / "kinetics" / "figures").glob("*.png")):
        plan["kinetics"].append((src, Path(kinetics_dest) / src.name))
    for src in sorted((root / "criticality" / "runs").glob("*/*/figures/*.png")):
        regime, control = src.parts[-4], src.parts[-3]
        if "_" in regime + control:
            raise ValueError(f"regime and control must not contain '_' (report labels): {src}")
        plan["criticality"].append((src, Path(criticality_dest) / f"{regime}_{control}_{src.name}"))
    for src in sorted((root / "criticality" / "sweep").rglob("*.png")):
        dest = Path(criticality_dest) / f"{SWEEP_FIGURE_PREFIX}{src.name}"
        plan["criticality"].append((src, dest))
    for dest in (kinetics_dest, criticality_dest):
        Path(dest).mkdir(parents=True, exist_ok=True)
    for pairs in plan.values():
        for src, dest in pairs:
            with atomic_path(dest) as tmp:
                shutil.copyfile(src, tmp)
    counts = {stage: len(pairs) for stage, pairs in plan.items()}
    logger.info("collected stage figures: %s", counts)
    return counts


def run_activation(
    spikes_npz: str | os.PathLike,
    avalanches_parquet: str | os.PathLike,
    graph_graphml: str | os.PathLike,
    *,
    references: Mapping[str, str | os.PathLike],
    run_label: str,
    config: ActivationConfig,
    outputs: Mapping[str, str | os.PathLike],
) -> None:
    """Draw and save the three activation figures (PNG + SVG each).

    Parameters
    ----------
    spikes_npz, avalanches_parquet, graph_graphml : path-like
        Artifacts of the network run shown.
    references : mapping of str to path-like
        Reference model -> its ``avalanches.parquet``.
    run_label : str
        Column title of the MD-parameterized run in the comparison.
    config : ActivationConfig
        Drawing settings (:meth:`ActivationConfig.from_section`).
    outputs : mapping
        ``"raster"``, ``"cascade"``, ``"comparison"`` -> PNG path (the SVG goes beside it).
    """
    missing = {"raster", "cascade", "comparison"} - set(outputs)
    if missing:
        raise ValueError(f"outputs lacks {sorted(missing)}")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    spikes = load_spikes(spikes_npz)
    avalanches = pd.read_parquet(avalanches_parquet)
    logger.info("%d spikes, %d avalanches in %s", len(spikes.time_ms), len(avalanches), spikes_npz)
    figures = {
        "raster": plot_raster(
            spikes,
            avalanches,
            window_ms=config.raster_window_ms,
            max_neurons=config.raster_max_neurons,
        ),
        "comparison": plot_model_comparison(
            {run_label: avalanches}
            | {model: pd.read_parquet(path) for model, path in references.items()}
        ),
    }
    if avalanches.empty:
        raise ValueError(f"{avalanches_parquet} holds no avalanche to draw on the network")
    graph = nx.read_graphml(graph_graphml)
    figures["cascade"] = plot_cascade(
        graph, spikes, avalanches, max_nodes=config.cascade_max_nodes, rng=config.seed
    )
    for name, fig in figures.items():
        save_figure(fig, outputs[name], dpi=config.figure_dpi)
        plt.close(fig)
