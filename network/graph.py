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

_BLOCK_EDGES = 1 << 20  # edges per row block of the direct generator (~60 MB of temporaries)


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


def _sorted_unique(keys: np.ndarray) -> np.ndarray:
    """``np.unique(keys)`` of a 1-D integer array, by a sort and a mask of first
    occurrences (numpy 2.4's ``unique`` is ~15x slower than its sort on 10^6 int64 keys)."""
    keys = np.sort(keys)
    if keys.size < 2:
        return keys
    first = np.empty(keys.size, bool)
    first[0] = True
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    return keys[first]


def _from_edges(src: np.ndarray, dst: np.ndarray, n: int) -> Graph:
    """CSR from edge arrays; drops self loops and duplicate edges."""
    keep = src != dst
    key = _sorted_unique(src[keep].astype(np.int64) * n + dst[keep])
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


def _row_blocks(indptr: np.ndarray):
    """Row ranges ``[r0, r1)`` of about ``_BLOCK_EDGES`` edges each (at least one row)."""
    n = indptr.size - 1
    r0 = 0
    while r0 < n:
        end = np.searchsorted(indptr, indptr[r0] + _BLOCK_EDGES, side="right") - 1
        r1 = min(n, max(r0 + 1, int(end)))
        yield r0, r1
        r0 = r1


def _row_sources(indptr: np.ndarray, r0: int, r1: int) -> np.ndarray:
    """Source neuron of every edge of rows ``[r0, r1)``, dtype=int64."""
    return np.repeat(np.arange(r0, r1, dtype=np.int64), np.diff(indptr[r0 : r1 + 1]))


def _draw_targets(indptr: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Uniform targets other than the source for rows of ``diff(indptr)`` edges (int32).

    One draw of ``integers(0, n - 1)`` for all edges (the same values as int64), then
    targets >= the source move up by one, row block by row block.
    """
    n = indptr.size - 1
    dst = rng.integers(0, n - 1, size=int(indptr[-1]), dtype=np.int32)
    for r0, r1 in _row_blocks(indptr):
        block = dst[indptr[r0] : indptr[r1]]
        block += block >= _row_sources(indptr, r0, r1)
    return dst


def _union_rows(n: int, pieces: list[tuple[np.ndarray, np.ndarray]]) -> Graph:
    """CSR of the union of row-wise edge lists, rows sorted and without duplicates.

    Each piece is ``(indptr, targets)``: the targets of row i are
    ``targets[indptr[i]:indptr[i + 1]]`` (any order, duplicates allowed). Rows are merged
    block by block (``_BLOCK_EDGES`` edges), so the temporaries stay bounded and the
    result equals ``_from_edges`` of all edges (keys of distinct blocks do not mix).
    """
    combined = sum(indptr for indptr, _ in pieces)  # edges per row over all pieces
    indices = np.empty(int(combined[-1]), np.int32)
    counts = np.zeros(n, np.int64)
    filled = 0
    for r0, r1 in _row_blocks(combined):
        keys = [
            _row_sources(indptr, r0, r1) * n + targets[indptr[r0] : indptr[r1]]
            for indptr, targets in pieces
        ]
        key = _sorted_unique(np.concatenate(keys))
        indices[filled : filled + key.size] = key % n
        counts[r0:r1] = np.bincount(key // n - r0, minlength=r1 - r0)
        filled += key.size
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return Graph(indptr=indptr, indices=indices[:filled].copy(), n_neurons=n)


def _direct_random(n: int, degrees: np.ndarray, rng: np.random.Generator, exact: bool) -> Graph:
    """Uniform random targets (no self loops) for the given out-degrees, as CSR.

    With ``exact`` the duplicates are redrawn until every row has its degree; otherwise
    they are dropped (a fraction ~K/(2N) of edges, negligible where this path is used).
    Memory: the int32 targets and the CSR result (~8 bytes per edge) plus temporaries of
    one row block; the graph is the one the edge-list construction ``_from_edges`` gives.
    """
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(degrees, out=indptr[1:])
    graph = _union_rows(n, [(indptr, _draw_targets(indptr, rng))])
    while exact and graph.n_edges < indptr[-1]:
        extra = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(degrees - graph.out_degree, out=extra[1:])
        graph = _union_rows(n, [(graph.indptr, graph.indices), (extra, _draw_targets(extra, rng))])
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
