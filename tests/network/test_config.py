"""NetworkConfig.from_section: every default from the schema, errors naming the key."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import network_config

from network import DriveSpec, Dynamics, NetworkConfig, Synapses, build_graph, simulate
from network.config import GraphConfig
from synsoc.config import ConfigError, schema_default, validate_section


def test_input_validation():
    with pytest.raises(ConfigError, match="network.graph.n_neurons"):
        network_config(graph={"n_neurons": 1})
    with pytest.raises(ValueError, match="graph.path"):
        network_config(graph={"model": "file"})
    with pytest.raises(ValueError, match="graph.mean_degree"):
        GraphConfig(
            model="erdos_renyi",
            n_neurons=10,
            mean_degree=float("nan"),
            rewiring_probability=0.1,
            path=None,
            direct_csr_above=50_000,
        )


def test_defaults_come_from_the_schema():
    default = NetworkConfig.from_section()
    assert default == NetworkConfig.from_section({})
    assert default.seed == schema_default("network", "seed")
    section = validate_section("network")
    assert default.graph == GraphConfig(**section["graph"])
    assert default.sweep.control_values == tuple(section["sweep"]["control_values"])
    assert default.synapses.cleft.n_transmitters == 4000
    # a complete section (as load_config returns it) builds the same configuration
    assert NetworkConfig.from_section(section) == default
    partial = network_config(
        graph={"n_neurons": 300}, regimes={"depressing": {"use_fraction": 0.5}}
    )
    assert partial.graph.n_neurons == 300 and partial.graph.model == default.graph.model
    assert partial.depressing.use_fraction == 0.5
    assert partial.depressing.recovery_tau_ms == default.depressing.recovery_tau_ms


def test_rng_accepts_a_seed_or_a_generator():
    cfg = network_config(graph={"n_neurons": 200, "mean_degree": 6}).graph
    a = build_graph(cfg, rng=3)
    b = build_graph(cfg, rng=np.random.default_rng(3))
    assert np.array_equal(a.indices, b.indices) and np.array_equal(a.indptr, b.indptr)
    m = a.n_edges
    syn = Synapses(a, np.ones(m, np.int32), np.full(m, 0.15), np.ones(m), 0.1)
    drive = DriveSpec("poisson", rate_hz=50.0)
    by_seed = simulate(syn, Dynamics(), drive, 50.0, rng=11)
    by_sequence = simulate(syn, Dynamics(), drive, 50.0, rng=np.random.SeedSequence(11))
    by_generator = simulate(syn, Dynamics(), drive, 50.0, rng=np.random.default_rng(11))
    assert by_seed.step.size > 50
    for other in (by_sequence, by_generator):
        assert np.array_equal(by_seed.step, other.step)
        assert np.array_equal(by_seed.neuron, other.neuron)
    # a Generator spawns fresh streams at every call
    generator = np.random.default_rng(11)
    first = simulate(syn, Dynamics(), drive, 50.0, rng=generator)
    second = simulate(syn, Dynamics(), drive, 50.0, rng=generator)
    assert np.array_equal(first.step, by_seed.step)
    assert not np.array_equal(second.step[:50], first.step[:50])
