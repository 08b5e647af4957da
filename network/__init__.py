"""Threshold-neuron networks whose synapses respond to a release as the MD rates say.

The public API, importable from ``network`` itself::

    from network import NetworkConfig, build_network, regime_dynamics, simulate

* configuration: :class:`NetworkConfig` (``NetworkConfig.from_section(config["network"])``;
  the schema fills every default);
* the synapse response: :func:`load_binding_rates` (:class:`BindingRates` of
  kinetics.json), :func:`cleft_transient` (:class:`CleftGeometry`), the receptor schemes
  :func:`two_state_scheme`, :func:`jonas_ampa_scheme` and :func:`drive_receptor`,
  :func:`compute_synapse_response` / :func:`load_synapse_response`
  (:class:`SynapseResponse`);
* building blocks: :func:`build_graph` (:class:`Graph`), :func:`draw_synapses`
  (:class:`Synapses`), :func:`analytic_sigma`, :func:`spectral_radius`,
  :func:`gain_for_lambda`;
* dynamics: :func:`simulate` (:class:`Dynamics`, :class:`DriveSpec` ->
  :class:`SpikeRecord`, in memory or streamed to ``spike_dir``, reopened with
  :func:`load_spike_files`), :func:`poisson_drive_events`;
* avalanches: :func:`causal_avalanches` (trees of :attr:`SpikeRecord.parent`),
  :func:`bin_counts`, :func:`auto_bin_steps`, :func:`extract_avalanches`, :func:`bin_scan`;
* the single-neuron first-passage oracle: :class:`DriftDiffusionNeuron`,
  :func:`simulate_isis`, :func:`inverse_gaussian_isi`;
* file-level jobs the Snakemake rules call: :func:`run_synapse_response`,
  :func:`run_graph`, :func:`run_sweep_point`,
  :func:`run_response`, :func:`run_reference` (and :func:`build_network`,
  :func:`regime_dynamics` that they share).

Randomness is one ``rng`` argument (a seed or a ``numpy.random.Generator``); the jobs
derive theirs from ``network.seed`` (see :mod:`network.jobs`).
"""

from network.avalanches import (
    auto_bin_steps,
    bin_counts,
    bin_scan,
    causal_avalanches,
    extract_avalanches,
)
from network.cleft import CleftGeometry, cleft_transient
from network.config import NetworkConfig
from network.engine import DriveSpec, Dynamics, SpikeRecord, poisson_drive_events, simulate
from network.graph import Graph, build_graph, from_networkx, load_graph_file
from network.jobs import (
    RunOutcome,
    build_network,
    job_seed,
    regime_dynamics,
    run_graph,
    run_reference,
    run_response,
    run_sweep_point,
    run_synapse_response,
)
from network.neuron import DriftDiffusionNeuron, inverse_gaussian_isi, simulate_isis
from network.receptors import drive_receptor, jonas_ampa_scheme, two_state_scheme
from network.spectral import gain_for_lambda, spectral_radius
from network.spike_files import load_spike_files
from network.synapse_response import (
    SynapseResponse,
    compute_synapse_response,
    load_synapse_response,
)
from network.synapses import Synapses, analytic_sigma, draw_synapses, write_graphml
from network.synaptic_kinetics import BindingRates, load_binding_rates

__all__ = [
    # configuration
    "NetworkConfig",
    # graph, kinetics, synapses
    "Graph",
    "build_graph",
    "from_networkx",
    "load_graph_file",
    "BindingRates",
    "load_binding_rates",
    "CleftGeometry",
    "cleft_transient",
    "two_state_scheme",
    "jonas_ampa_scheme",
    "drive_receptor",
    "SynapseResponse",
    "compute_synapse_response",
    "load_synapse_response",
    "Synapses",
    "draw_synapses",
    "analytic_sigma",
    "spectral_radius",
    "gain_for_lambda",
    "write_graphml",
    # dynamics
    "Dynamics",
    "DriveSpec",
    "SpikeRecord",
    "simulate",
    "poisson_drive_events",
    "load_spike_files",
    # avalanches
    "auto_bin_steps",
    "bin_scan",
    "causal_avalanches",
    "bin_counts",
    "extract_avalanches",
    # single-neuron oracle
    "DriftDiffusionNeuron",
    "simulate_isis",
    "inverse_gaussian_isi",
    # jobs
    "RunOutcome",
    "build_network",
    "regime_dynamics",
    "run_synapse_response",
    "job_seed",
    "run_graph",
    "run_sweep_point",
    "run_response",
    "run_reference",
]
