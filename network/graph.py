"""Directed graphs of the network as CSR arrays (edges are synapses).

networkx builds the graph models for N up to ``graph.direct_csr_above``; above it the
Erdős–Rényi and random out-regular models are generated directly as CSR arrays with
vectorized numpy (networkx needs ~1 KB per edge), which is what makes N = 10^5 - 10^6
neurons feasible. Watts–Strogatz and Barabási–Albert always go through networkx.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np

from network.config import GraphConfig
from synsoc.errors import GraphFileError

__all__ = ["Graph", "build_graph", "from_networkx", "load_graph_file"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Graph:
    """A directed graph in CSR form.

    Attributes
    ----------
    indptr : np.ndarray, shape=(n_neurons + 1,), dtype=int64
        Out-edges of neuron i are ``indices[indptr[i]:indptr[i + 1]]``.
    indices : np.ndarray, shape=(n_edges,), dtype=int32
        Target neurons, sorted within each row, no self loops.
    n_neurons : int
    """

    indptr: np.ndarray
    indices: np.ndarray
    n_neurons: int

    def __post_init__(self):
        if self.indptr.shape != (self.n_neurons + 1,) or self.indptr[0] != 0:
            raise ValueError("indptr must have shape (n_neurons + 1,) and start at 0")
        if self.indptr[-1] != self.indices.size or np.any(np.diff(self.indptr) < 0):
            raise ValueError("indptr must be non-decreasing and end at len(indices)")
        if self.indices.size and (self.indices.min() < 0 or self.indices.max() >= self.n_neurons):
            raise ValueError("indices must lie in [0, n_neurons)")

    @property
    def n_edges(self) -> int:
        """Number of directed edges (synapses)."""
        return int(self.indices.size)

    @property
    def out_degree(self) -> np.ndarray:
        """Out-degree per neuron, shape=(n_neurons,), dtype=int64."""
        return np.diff(self.indptr)

    def sources(self) -> np.ndarray:
        """Source neuron of every edge, shape=(n_edges,), dtype=int32."""
        return np.repeat(np.arange(self.n_neurons, dtype=np.int32), self.out_degree)


def _from_edges(src: np.ndarray, dst: np.ndarray, n: int) -> Graph:
    """CSR from edge arrays; drops self loops and duplicate edges."""
    keep = src != dst
    key = np.unique(src[keep].astype(np.int64) * n + dst[keep])
    src, dst = key // n, (key % n).astype(np.int32)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    return Graph(indptr=indptr, indices=dst, n_neurons=n)


def from_networkx(graph: nx.Graph) -> Graph:
    """CSR of a networkx graph (undirected edges become two directed synapses).

    Nodes are numbered 0..N-1 in the graph's node order.
    """
    if graph.number_of_nodes() < 2:
        raise ValueError(f"graph must have >= 2 nodes, got {graph.number_of_nodes()}")
    index = {node: i for i, node in enumerate(graph.nodes())}
    edges = np.array([(index[u], index[v]) for u, v in graph.edges()], dtype=np.int64).reshape(
        -1, 2
    )
    src, dst = edges[:, 0], edges[:, 1]
    if not graph.is_directed():
        src, dst = np.concatenate([src, dst]), np.concatenate([dst, src])
    return _from_edges(src, dst, graph.number_of_nodes())


def _direct_random(n: int, degrees: np.ndarray, rng: np.random.Generator, exact: bool) -> Graph:
    """Uniform random targets (no self loops) for the given out-degrees, as CSR.

    With ``exact`` the duplicates are redrawn until every row has its degree; otherwise
    they are dropped (a fraction ~K/(2N) of edges, negligible where this path is used).
    """
    src = np.repeat(np.arange(n, dtype=np.int64), degrees)
    dst = rng.integers(0, n - 1, size=src.size)
    dst += dst >= src  # skip the self loop
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


def load_graph_file(path: str | os.PathLike) -> Graph:
    """Read a GraphML file (suffix ``.graphml``) or a whitespace/comma separated edge list.

    An edge list has one ``source target`` pair per line; blank lines and lines starting
    with ``#`` are skipped. Nodes are numbered in order of first appearance.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    GraphFileError
        If it cannot be parsed (the message names the file, and the line of an edge
        list), or has fewer than two nodes or no edges.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"graph file not found: {path}")
    try:
        if path.suffix.lower() == ".graphml":
            graph = nx.read_graphml(path)
        else:
            graph = nx.DiGraph()
            lines = path.read_text(encoding="utf-8").replace(",", " ").splitlines()
            for number, line in enumerate(lines, start=1):
                fields = line.split()
                if not fields or fields[0].startswith("#"):
                    continue
                if len(fields) != 2:
                    raise GraphFileError(
                        f"{path}:{number}: an edge list line must be 'source target', got "
                        f"{len(fields)} fields: {line.strip()[:60]!r} (GraphML needs the "
                        "suffix .graphml)"
                    )
                graph.add_edge(*fields)
    except GraphFileError:
        raise
    except (nx.NetworkXError, TypeError, ValueError, SyntaxError) as err:
        raise GraphFileError(f"{path}: not a readable graph file: {err}") from err
    if graph.number_of_nodes() < 2 or graph.number_of_edges() == 0:
        raise GraphFileError(f"{path}: graph needs >= 2 nodes and >= 1 edge")
    return from_networkx(graph)


def build_graph(cfg: GraphConfig, *, rng: int | np.random.Generator) -> Graph:
    """Build the configured graph.

    Parameters
    ----------
    cfg : GraphConfig
        ``NetworkConfig.from_section(section).graph``.
    rng : int, np.random.SeedSequence or np.random.Generator
        Source of every random choice (``np.random.default_rng(rng)``; a Generator is
        used as is; networkx gets an integer seed drawn from it).

    Returns
    -------
    Graph
    """
    rng = np.random.default_rng(rng)
    if cfg.model == "file":
        return load_graph_file(cfg.path)
    n, k = cfg.n_neurons, cfg.mean_degree
    if k >= n - 1:
        raise ValueError(f"graph.mean_degree must be < n_neurons - 1, got {k}")
    direct = n > cfg.direct_csr_above
    if cfg.model == "regular":
        graph = _direct_random(n, np.full(n, round(k), dtype=np.int64), rng, exact=True)
    elif cfg.model == "erdos_renyi" and direct:
        degrees = rng.binomial(n - 1, k / (n - 1), size=n)
        graph = _direct_random(n, degrees, rng, exact=False)
    else:
        seed = int(rng.integers(2**31))
        if cfg.model == "erdos_renyi":
            nx_graph = nx.fast_gnp_random_graph(n, k / (n - 1), seed=seed, directed=True)
        elif cfg.model == "watts_strogatz":
            nx_graph = nx.watts_strogatz_graph(
                n, max(2, 2 * round(k / 2)), cfg.rewiring_probability, seed=seed
            )
        else:
            nx_graph = nx.barabasi_albert_graph(n, max(1, round(k / 2)), seed=seed)
        graph = from_networkx(nx_graph)
    logger.info(
        "graph %s: N=%d, %d synapses (mean out-degree %.2f)%s",
        cfg.model,
        n,
        graph.n_edges,
        graph.n_edges / n,
        " [direct CSR]" if direct else "",
    )
    return graph
