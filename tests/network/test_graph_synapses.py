"""Graph models, graph files, synapse draws and the analytic branching ratio."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from conftest import network_config

import network.graph
from network.graph import _direct_random, _from_edges, build_graph, load_graph_file
from network.synapse_response import SynapseResponse
from network.synapses import analytic_sigma, draw_receptor_counts, draw_synapses, write_graphml
from synsoc.errors import GraphFileError


@pytest.mark.parametrize("model", ["erdos_renyi", "watts_strogatz", "barabasi_albert", "regular"])
def test_graph_models_mean_degree(model):
    cfg = network_config(graph={"model": model, "n_neurons": 800, "mean_degree": 8}).graph
    graph = build_graph(cfg, rng=np.random.default_rng(0))
    assert graph.n_edges / graph.n_neurons == pytest.approx(8, rel=0.1)
    assert not np.any(graph.sources() == graph.indices)
    if model == "regular":
        assert np.all(graph.out_degree == 8)


def test_direct_csr_erdos_renyi_degree_statistics():
    cfg = network_config(
        graph={"n_neurons": 60_000, "mean_degree": 10, "direct_csr_above": 50_000}
    ).graph
    graph = build_graph(cfg, rng=np.random.default_rng(1))
    deg = graph.out_degree
    assert deg.mean() == pytest.approx(10, abs=0.05)
    assert deg.var() == pytest.approx(10, rel=0.05)  # binomial ~ Poisson(10)
    assert np.bincount(graph.indices, minlength=cfg.n_neurons).mean() == pytest.approx(10, abs=0.05)


def edge_list_direct_random(n, degrees, rng, exact):
    """The direct generator as one edge list (int64 draws, one global unique): the
    reference the row-block generator must equal bitwise."""
    src = np.repeat(np.arange(n, dtype=np.int64), degrees)
    dst = rng.integers(0, n - 1, size=src.size)
    dst += dst >= src
    graph = _from_edges(src, dst, n)
    while exact and graph.n_edges < src.size:
        missing = degrees - graph.out_degree
        extra_src = np.repeat(np.arange(n, dtype=np.int64), missing)
        extra = rng.integers(0, n - 1, size=extra_src.size)
        extra += extra >= extra_src
        graph = _from_edges(
            np.concatenate([graph.sources().astype(np.int64), extra_src]),
            np.concatenate([graph.indices.astype(np.int64), extra]),
            n,
        )
    return graph


@pytest.mark.parametrize(("n", "k", "exact"), [(40, 12, True), (3000, 10, True), (5000, 7, False)])
def test_row_block_generator_equals_the_edge_list_construction(monkeypatch, n, k, exact):
    monkeypatch.setattr(network.graph, "_BLOCK_EDGES", 1000)  # many blocks, rows split none
    for seed in range(3):
        degrees = np.random.default_rng(seed).binomial(n - 1, k / (n - 1), size=n)
        if exact:
            degrees = np.full(n, k, np.int64)
        new = _direct_random(n, degrees, np.random.default_rng(seed), exact)
        old = edge_list_direct_random(n, degrees, np.random.default_rng(seed), exact)
        assert new.indices.dtype == np.int32 and new.indptr.dtype == np.int64
        assert np.array_equal(new.indptr, old.indptr)
        assert np.array_equal(new.indices, old.indices)
        if exact:
            assert np.all(new.out_degree == k)


def test_graph_files(tmp_path):
    edges = tmp_path / "g.edges"
    edges.write_text("# comment\na b\nb c\nc a\n")
    graph = load_graph_file(edges)
    assert (graph.n_neurons, graph.n_edges) == (3, 3)
    gml = tmp_path / "g.graphml"
    nx.write_graphml(nx.cycle_graph(5), gml)
    assert load_graph_file(gml).n_edges == 10
    bad = tmp_path / "bad.graphml"
    bad.write_text("<graphml><broken")
    with pytest.raises(GraphFileError, match="bad.graphml"):
        load_graph_file(bad)
    # GraphML under another suffix is not silently read as an edge list of XML tokens
    xml = tmp_path / "g.xml"
    nx.write_graphml(nx.cycle_graph(5), xml)
    with pytest.raises(GraphFileError, match=r"g\.xml:\d+: .*'source target'"):
        load_graph_file(xml)
    weighted = tmp_path / "w.csv"
    weighted.write_text("a,b\nb,c,0.5\n")
    with pytest.raises(GraphFileError, match=r"w\.csv:2: .*3 fields"):
        load_graph_file(weighted)
    with pytest.raises(FileNotFoundError, match="missing.edges"):
        load_graph_file(tmp_path / "missing.edges")
    with pytest.raises(ValueError, match="graph.path"):
        network_config(graph={"model": "file"})


def _response(p1=0.5, e1_mV=0.3):
    return SynapseResponse(
        source="literature",
        scheme="test",
        p_open_single=p1,
        psp_per_receptor_mV=e1_mV,
        latency_ms=0.46,
        threshold_mV=15.0,
        draws_p_open_single=np.array([]),
        draws_psp_per_receptor_mV=np.array([]),
    )


def test_synapse_draws_and_graphml_roundtrip(tmp_path):
    net = network_config(
        graph={"n_neurons": 300, "mean_degree": 5},
        synapses={"release_probability": 0.8, "axonal_delay_ms": 0.5, "n_receptors": 10},
    )
    graph = build_graph(net.graph, rng=np.random.default_rng(0))
    syn = draw_synapses(graph, _response(), net.synapses, 0.1, rng=np.random.default_rng(3))
    n = draw_receptor_counts(graph.n_edges, 10, rng=np.random.default_rng(3))
    assert n.mean() == pytest.approx(10, rel=0.05) and n.min() >= 1
    active = 1 - 0.5**n
    assert np.allclose(syn.p_transmit, 0.8 * active)
    assert np.allclose(syn.efficacy, n * 0.3 / (active * 15.0))
    # the mean depolarization per spike is p_release n e1 / theta, whatever p1
    assert np.allclose(syn.p_transmit * syn.efficacy, 0.8 * n * 0.3 / 15.0)
    assert np.all(syn.p_release == 0.8)
    # delay = 0.5 ms axonal + 0.46 ms to the current's peak, in 0.1 ms steps
    assert np.all(syn.delay_steps == 10)
    path = tmp_path / "graph.graphml"
    write_graphml(path, syn, "test")
    back = nx.read_graphml(path)
    assert back.number_of_edges() == graph.n_edges
    d = next(iter(back.edges(data=True)))[2]
    assert set(d) == {"delay_ms", "p_transmit", "efficacy"}


def test_mean_field_sigma_against_brute_force():
    net = network_config(graph={"n_neurons": 200, "mean_degree": 6}, synapses={"n_receptors": 4})
    graph = build_graph(net.graph, rng=np.random.default_rng(2))
    syn = draw_synapses(graph, _response(), net.synapses, 0.1, rng=np.random.default_rng(1))
    gain = 2.5
    brute = (
        sum(syn.p_transmit[s] * min(1.0, gain * syn.efficacy[s]) for s in range(graph.n_edges))
        / graph.n_neurons
    )
    assert analytic_sigma(syn, gain) == pytest.approx(brute, rel=1e-9)
