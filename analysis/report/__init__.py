"""The report stage: ``summary.md`` and its tables, collected figures, activation figures.

The public API, importable from the subpackage::

    from analysis.report import ActivationConfig, markdown_table, plot_raster

* summary tables and sections (:mod:`analysis.report.summary`): :class:`NetworkRun`,
  :func:`markdown_table`, :func:`flatten_scalars`, :func:`kinetics_table`,
  :func:`runs_table`, :func:`alignment_table`, :func:`read_benchmarks`,
  :func:`figures_section`, :func:`build_summary`, ...;
* headline numbers and the end of a run (:mod:`analysis.report.headline`):
  :class:`Estimate`, :class:`RunEstimates`, :func:`read_run_estimates`,
  :func:`nearest_mean_field`, :func:`conclusion_paragraph`, :func:`end_of_run_message`
  (what the Snakefile's ``onsuccess:`` prints), ...;
* activation figures (:mod:`analysis.report.activation`): :class:`SpikeTrain`,
  :func:`load_spikes`, :func:`plot_raster`, :func:`plot_cascade`,
  :func:`plot_model_comparison` (matplotlib is imported inside the plot functions);
* configuration: :class:`ActivationConfig` (the ``report`` section).

The file-level steps the Snakemake rules call are in :mod:`analysis.report.jobs`
(``run_summary``, ``run_collect_figures``, ``run_activation``).
"""

from analysis.report.activation import (
    SpikeTrain,
    cascade_firing_times,
    largest_avalanche,
    load_spikes,
    plot_cascade,
    plot_model_comparison,
    plot_raster,
    select_window,
)
from analysis.report.config import ActivationConfig
from analysis.report.headline import (
    Estimate,
    Headline,
    RunEstimates,
    conclusion_paragraph,
    criticality_headlines,
    dynamic_range_headlines,
    end_of_run_message,
    format_duration_ms,
    kinetics_headlines,
    nearest_mean_field,
    read_run_estimates,
    report_command,
    rescaled_time_scale,
    synapse_headlines,
)
from analysis.report.summary import (
    NetworkRun,
    alignment_section,
    alignment_table,
    benchmark_section,
    build_summary,
    csv_text,
    dynamic_range_section,
    figures_section,
    flat_section,
    flatten_scalars,
    kinetics_section,
    kinetics_table,
    markdown_table,
    read_benchmarks,
    runs_section,
    runs_table,
    synapse_response_section,
)
from analysis.report.variants import variant_rows, write_variant_comparison

__all__ = [
    # summary
    "NetworkRun",
    "flatten_scalars",
    "markdown_table",
    "csv_text",
    "read_benchmarks",
    "kinetics_table",
    "kinetics_section",
    "synapse_response_section",
    "runs_table",
    "runs_section",
    "flat_section",
    "alignment_table",
    "alignment_section",
    "benchmark_section",
    "dynamic_range_section",
    "figures_section",
    "build_summary",
    # molecular variants side by side
    "variant_rows",
    "write_variant_comparison",
    # headline numbers, conclusion, end of a run
    "Estimate",
    "RunEstimates",
    "Headline",
    "read_run_estimates",
    "nearest_mean_field",
    "format_duration_ms",
    "kinetics_headlines",
    "synapse_headlines",
    "rescaled_time_scale",
    "criticality_headlines",
    "dynamic_range_headlines",
    "conclusion_paragraph",
    "report_command",
    "end_of_run_message",
    # activation figures
    "SpikeTrain",
    "load_spikes",
    "select_window",
    "largest_avalanche",
    "cascade_firing_times",
    "plot_raster",
    "plot_cascade",
    "plot_model_comparison",
    # configuration
    "ActivationConfig",
]
