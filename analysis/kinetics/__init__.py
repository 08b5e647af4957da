"""Kinetics stage: MD trajectories -> binding events -> censored survival fits -> kinetics.json.

Import from this package, not from its modules (the modules are the implementation
and may move)::

    from analysis.kinetics import CensoredSample, fit_survival, KineticsConfig

Events
    :class:`HysteresisCutoffs`, :func:`events_from_distances`, :func:`hysteresis_bound`,
    :func:`pair_min_distances`, :func:`atom_pairs_for_groups`,
    :func:`group_atoms_by_molecule`, :func:`empty_events` (columns and kinds:
    ``synsoc.layout.EVENT_COLUMNS``, ``synsoc.layout.EVENT_KINDS``).
Trajectory reading
    :class:`ReplicaDistances`, :func:`read_replica`, :func:`distance_atoms`,
    :func:`groups_from_build`, :func:`groups_from_selections`, :func:`select_atoms`
    (selections checked: empty, misspelt keywords), :func:`load_topology`,
    :func:`load_trajectory` (bad files are InputErrors naming them),
    :func:`save_replica_distances`, :func:`load_replica_distances`.
Censored waiting times
    :class:`CensoredSample`, :data:`FAMILIES`, :class:`Family`, :func:`kaplan_meier`,
    :func:`fit_family`, :func:`fit_survival`, :func:`bootstrap_ci`, :func:`gof_pvalue`,
    :func:`ks_distance` and their results :class:`KaplanMeier`, :class:`FamilyFit`,
    :class:`SurvivalFit`.
Time calibration and its validity
    :func:`msd_curve`, :func:`fit_diffusion`, :func:`confined_msd_nm2`, :func:`unwrap`,
    :func:`frame_interval_ps`, :class:`MSDCurve`, :class:`Calibration`, :data:`MIN_MOLECULES`;
    :func:`rescaling_checks`, :func:`not_rescaled`, :class:`KindRescaling`,
    :data:`RESCALED_KINDS`, :func:`first_passage_bias`,
    :func:`kramers_transmission`, :func:`mean_free_path_nm`,
    :func:`thermal_speed_nm_per_ps`, :func:`well_frequency_per_ps`,
    :data:`FIRST_PASSAGE_BIAS_PER_KNUDSEN`, :data:`BOLTZMANN_KJ_PER_MOL_K`.
Binding rates and the Markov-state-model cross-check
    :func:`estimate_binding_rates`, :class:`BindingRates`, :class:`Rate`,
    :func:`telegraph_exposures`, :func:`receptor_concentration_molar`,
    :func:`smoluchowski_rate_M_per_s`, :data:`AVOGADRO_PER_MOL`,
    :data:`AMPA_GLUTAMATE_KON_M_PER_S`, :data:`AMPA_GLUTAMATE_KOFF_PER_S`,
    :data:`AMPA_GLUTAMATE_REFERENCE`; :func:`msm_binding_times`,
    :class:`MSMBindingTimes`, :func:`nearest_receptor_distances`,
    :func:`distance_state_edges`, :func:`discretize_distances`,
    :func:`implied_timescales_ps`.
F(r, t), P(r, t)
    :func:`compute_surfaces`, :class:`Surfaces`.
Assembly of ``kinetics.json``
    :class:`KineticsConfig`, :func:`build_kinetics`, :func:`calibrate`,
    :func:`fit_events`, :func:`event_sample`, :func:`event_resolution_ps`,
    :func:`fit_block`, :func:`bound_distance_std_nm`, :func:`check_events`,
    :class:`MDContext`, :func:`md_context`, :func:`msm_block`, :func:`omitted`,
    :class:`KineticsAnalysis`, :data:`SCHEMA_VERSION`.
Figures
    :data:`FIGURE_STEMS`, :func:`write_figures`, :func:`plot_waiting_times`,
    :func:`plot_surfaces`, :func:`plot_msd` (matplotlib is imported only when drawing).
Inspection of a running replica
    :func:`inspect_replica`, :func:`inspect_trajectory`, :func:`find_replica_files`,
    :func:`atom_groups`, :func:`format_inspection`, :func:`plot_inspection`,
    :class:`Inspection`, :class:`ReplicaFiles`, :data:`TRAJECTORY_SUFFIXES`.

Public modules, used by name: :mod:`analysis.kinetics.jobs` (the file-level steps
``run_events``, ``run_merge``, ``run_surfaces``, ``run_fit`` the Snakemake rules
call), :mod:`analysis.kinetics.testsystems` (seeded Brownian/Langevin systems with
analytic answers), :mod:`analysis.kinetics.cli` and
:mod:`analysis.kinetics.inspect_cli` (``synsoc`` subcommands).
"""

from analysis.kinetics.assembly import (
    SCHEMA_VERSION,
    KineticsAnalysis,
    MDContext,
    bound_distance_std_nm,
    build_kinetics,
    calibrate,
    check_events,
    event_resolution_ps,
    event_sample,
    fit_block,
    fit_events,
    md_context,
    msm_block,
    omitted,
)
from analysis.kinetics.calibration import (
    MIN_MOLECULES,
    Calibration,
    MSDCurve,
    confined_msd_nm2,
    fit_diffusion,
    frame_interval_ps,
    msd_curve,
    unwrap,
)
from analysis.kinetics.censored import CensoredSample
from analysis.kinetics.config import KineticsConfig
from analysis.kinetics.events import (
    HysteresisCutoffs,
    atom_pairs_for_groups,
    empty_events,
    events_from_distances,
    group_atoms_by_molecule,
    hysteresis_bound,
    pair_min_distances,
)
from analysis.kinetics.extraction import (
    ReplicaDistances,
    distance_atoms,
    groups_from_build,
    groups_from_selections,
    load_replica_distances,
    load_topology,
    load_trajectory,
    read_replica,
    save_replica_distances,
    select_atoms,
)
from analysis.kinetics.families import FAMILIES, Family
from analysis.kinetics.inspect import (
    TRAJECTORY_SUFFIXES,
    Inspection,
    ReplicaFiles,
    atom_groups,
    find_replica_files,
    format_inspection,
    inspect_replica,
    inspect_trajectory,
    plot_inspection,
)
from analysis.kinetics.msm import (
    MSMBindingTimes,
    discretize_distances,
    distance_state_edges,
    implied_timescales_ps,
    msm_binding_times,
    nearest_receptor_distances,
)
from analysis.kinetics.plots import (
    FIGURE_STEMS,
    plot_msd,
    plot_surfaces,
    plot_waiting_times,
    write_figures,
)
from analysis.kinetics.rates import (
    AMPA_GLUTAMATE_KOFF_PER_S,
    AMPA_GLUTAMATE_KON_M_PER_S,
    AMPA_GLUTAMATE_REFERENCE,
    AVOGADRO_PER_MOL,
    BindingRates,
    Rate,
    estimate_binding_rates,
    receptor_concentration_molar,
    smoluchowski_rate_M_per_s,
    telegraph_exposures,
)
from analysis.kinetics.rescaling import (
    BOLTZMANN_KJ_PER_MOL_K,
    FIRST_PASSAGE_BIAS_PER_KNUDSEN,
    RESCALED_KINDS,
    KindRescaling,
    first_passage_bias,
    kramers_transmission,
    mean_free_path_nm,
    not_rescaled,
    rescaling_checks,
    thermal_speed_nm_per_ps,
    well_frequency_per_ps,
)
from analysis.kinetics.surfaces import Surfaces, compute_surfaces
from analysis.kinetics.survival import (
    FamilyFit,
    KaplanMeier,
    SurvivalFit,
    bootstrap_ci,
    fit_family,
    fit_survival,
    gof_pvalue,
    kaplan_meier,
    ks_distance,
)

__all__ = [
    # events
    "HysteresisCutoffs",
    "atom_pairs_for_groups",
    "empty_events",
    "events_from_distances",
    "group_atoms_by_molecule",
    "hysteresis_bound",
    "pair_min_distances",
    # trajectory reading
    "ReplicaDistances",
    "distance_atoms",
    "groups_from_build",
    "groups_from_selections",
    "load_replica_distances",
    "load_topology",
    "load_trajectory",
    "read_replica",
    "save_replica_distances",
    "select_atoms",
    # censored waiting times
    "CensoredSample",
    "FAMILIES",
    "Family",
    "FamilyFit",
    "KaplanMeier",
    "SurvivalFit",
    "bootstrap_ci",
    "fit_family",
    "fit_survival",
    "gof_pvalue",
    "kaplan_meier",
    "ks_distance",
    # time calibration
    "Calibration",
    "MIN_MOLECULES",
    "MSDCurve",
    "confined_msd_nm2",
    "fit_diffusion",
    "frame_interval_ps",
    "msd_curve",
    "unwrap",
    "BOLTZMANN_KJ_PER_MOL_K",
    "FIRST_PASSAGE_BIAS_PER_KNUDSEN",
    "KindRescaling",
    "RESCALED_KINDS",
    "first_passage_bias",
    "kramers_transmission",
    "mean_free_path_nm",
    "not_rescaled",
    "rescaling_checks",
    "thermal_speed_nm_per_ps",
    "well_frequency_per_ps",
    # binding rates, MSM cross-check
    "AMPA_GLUTAMATE_KOFF_PER_S",
    "AMPA_GLUTAMATE_KON_M_PER_S",
    "AMPA_GLUTAMATE_REFERENCE",
    "AVOGADRO_PER_MOL",
    "BindingRates",
    "Rate",
    "estimate_binding_rates",
    "receptor_concentration_molar",
    "smoluchowski_rate_M_per_s",
    "telegraph_exposures",
    "MSMBindingTimes",
    "discretize_distances",
    "distance_state_edges",
    "implied_timescales_ps",
    "msm_binding_times",
    "nearest_receptor_distances",
    # F(r, t), P(r, t)
    "Surfaces",
    "compute_surfaces",
    # assembly
    "KineticsConfig",
    "KineticsAnalysis",
    "MDContext",
    "msm_block",
    "omitted",
    "SCHEMA_VERSION",
    "bound_distance_std_nm",
    "build_kinetics",
    "calibrate",
    "check_events",
    "event_resolution_ps",
    "event_sample",
    "fit_block",
    "fit_events",
    "md_context",
    # figures
    "FIGURE_STEMS",
    "plot_msd",
    "plot_surfaces",
    "plot_waiting_times",
    "write_figures",
    # inspection
    "TRAJECTORY_SUFFIXES",
    "Inspection",
    "ReplicaFiles",
    "atom_groups",
    "find_replica_files",
    "format_inspection",
    "inspect_replica",
    "inspect_trajectory",
    "plot_inspection",
]
