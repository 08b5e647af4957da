"""Threshold-neuron networks driven by MD-derived synaptic kinetics.

The public API, importable from ``network`` itself::

    from network import NetworkConfig, build_network, regime_dynamics, simulate

* configuration: :class:`NetworkConfig` (``NetworkConfig.from_section(config["network"])``;
  the schema fills every default);
* building blocks: :func:`build_graph` (:class:`Graph`), :func:`load_kinetics` /
  :func:`literature_kinetics` (:class:`SynapticKinetics`), :func:`draw_synapses`
  (:class:`Synapses`), :func:`analytic_sigma`, :func:`gain_for_sigma`;
* dynamics: :func:`simulate` (:class:`Dynamics`, :class:`DriveSpec` ->
  :class:`SpikeRecord`), :func:`poisson_drive_events`;
* avalanches: :func:`bin_counts`, :func:`auto_bin_steps`, :func:`extract_avalanches`;
* the single-neuron first-passage oracle: :class:`DriftDiffusionNeuron`,
  :func:`simulate_isis`, :func:`inverse_gaussian_isi`;
* file-level jobs the Snakemake rules call: :func:`run_graph`, :func:`run_sweep_point`,
  :func:`run_response`, :func:`run_reference` (and :func:`build_network`,
  :func:`regime_dynamics` that they share).

Randomness is one ``rng`` argument (a seed or a ``numpy.random.Generator``); the jobs
derive theirs from ``network.seed`` (see :mod:`network.jobs`).
"""

from network.avalanches import auto_bin_steps, bin_counts, extract_avalanches
from network.config import NetworkConfig
from network.engine import DriveSpec, Dynamics, SpikeRecord, poisson_drive_events, simulate
from network.graph import Graph, build_graph, from_networkx, load_graph_file
from network.jobs import (
    RunOutcome,
    build_network,
    job_seed,
    regime_dynamics,
    resolve_kinetics,
    run_graph,
    run_reference,
    run_response,
    run_sweep_point,
)
from network.neuron import DriftDiffusionNeuron, inverse_gaussian_isi, simulate_isis
from network.synapses import (
    Synapses,
    analytic_sigma,
    draw_synapses,
    gain_for_sigma,
    write_graphml,
)
from network.synaptic_kinetics import SynapticKinetics, literature_kinetics, load_kinetics

__all__ = [
    # configuration
    "NetworkConfig",
    # graph, kinetics, synapses
    "Graph",
    "build_graph",
    "from_networkx",
    "load_graph_file",
    "SynapticKinetics",
    "load_kinetics",
    "literature_kinetics",
    "Synapses",
    "draw_synapses",
    "analytic_sigma",
    "gain_for_sigma",
    "write_graphml",
    # dynamics
    "Dynamics",
    "DriveSpec",
    "SpikeRecord",
    "simulate",
    "poisson_drive_events",
    # avalanches
    "auto_bin_steps",
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
    "resolve_kinetics",
    "job_seed",
    "run_graph",
    "run_sweep_point",
    "run_response",
    "run_reference",
]
