"""Criticality of neuronal avalanches: power laws, scaling, shape collapse, branching ratio.

The public API, importable from the subpackage::

    from analysis.criticality import fit_power_law, bootstrap_gof, branching_ratio

* power laws: :func:`fit_power_law` (discrete/continuous MLE with x_min search),
  :func:`bootstrap_gof` (Clauset et al. p-value), :func:`compare_alternatives`
  (likelihood-ratio tests), samplers;
* avalanche statistics: :func:`avalanche_scaling` (tau, alpha, gamma, crackling
  relation), :func:`shape_collapse`, :func:`branching_ratio` (conventional and
  multistep regression; offspring per spike of causal trees), :func:`dynamic_range`,
  :func:`alignment_score` (equivalence with critical branching);
* one run at once: :func:`analyse_avalanches`; configuration: :class:`CriticalityConfig`;
* test systems with known answers: :func:`galton_watson_avalanches`,
  :func:`subsampled_branching_series`.

The file-level steps the Snakemake rules call are in :mod:`analysis.criticality.jobs`
(``run_criticality``, ``run_dynamic_range``, ``run_alignment``); figures in
:mod:`analysis.criticality.plots` (imported only there, it loads matplotlib). Options
are keyword-only and randomness is one ``rng`` argument (an int seed or a
``numpy.random.Generator``).
"""

from analysis.criticality.alignment import AlignmentScore, alignment_score, equivalence_probability
from analysis.criticality.avalanche_analysis import (
    REFERENCE_EXPONENTS,
    analyse_avalanches,
    fit_exponents,
)
from analysis.criticality.branching import (
    BranchingResult,
    branching_ratio,
    lag_regression_slopes,
    tree_branching_ratio,
)
from analysis.criticality.collapse import (
    CollapseResult,
    collapse_error,
    mean_profiles,
    shape_collapse,
)
from analysis.criticality.config import CriticalityConfig
from analysis.criticality.powerlaw_compare import (
    ALTERNATIVES,
    SIGNIFICANCE,
    LlrResult,
    compare_alternatives,
)
from analysis.criticality.powerlaw_fit import (
    PowerLawFit,
    discrete_power_law_counts,
    fit_power_law,
    fit_power_law_counts,
    hurwitz_zeta,
    power_law_loglik_pointwise,
    sample_continuous_power_law,
    sample_discrete_power_law,
)
from analysis.criticality.powerlaw_gof import (
    GofResult,
    bootstrap_gof,
    synthetic_counts,
    synthetic_replicate,
)
from analysis.criticality.response_curve import DynamicRange, dynamic_range, peak_per_regime
from analysis.criticality.scaling import (
    ScalingResult,
    avalanche_scaling,
    fit_gamma,
    fit_gamma_log_binned,
    mean_size_per_duration,
)
from analysis.criticality.tables import read_avalanches, read_response_curve
from analysis.criticality.testsystems import (
    galton_watson_avalanches,
    subsampled_branching_series,
)

__all__ = [
    # power laws
    "PowerLawFit",
    "discrete_power_law_counts",
    "fit_power_law",
    "fit_power_law_counts",
    "hurwitz_zeta",
    "power_law_loglik_pointwise",
    "sample_discrete_power_law",
    "sample_continuous_power_law",
    "GofResult",
    "bootstrap_gof",
    "synthetic_counts",
    "synthetic_replicate",
    "LlrResult",
    "compare_alternatives",
    "ALTERNATIVES",
    "SIGNIFICANCE",
    # avalanche statistics
    "ScalingResult",
    "avalanche_scaling",
    "mean_size_per_duration",
    "fit_gamma",
    "fit_gamma_log_binned",
    "CollapseResult",
    "shape_collapse",
    "mean_profiles",
    "collapse_error",
    "BranchingResult",
    "branching_ratio",
    "lag_regression_slopes",
    "DynamicRange",
    "dynamic_range",
    "peak_per_regime",
    "AlignmentScore",
    "alignment_score",
    "equivalence_probability",
    "tree_branching_ratio",
    # one run
    "REFERENCE_EXPONENTS",
    "analyse_avalanches",
    "fit_exponents",
    "read_avalanches",
    "read_response_curve",
    "CriticalityConfig",
    # test systems
    "galton_watson_avalanches",
    "subsampled_branching_series",
]
