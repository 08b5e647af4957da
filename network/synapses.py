"""Synapses drawn from the synapse response: delays, transmission probabilities, efficacies.

For synapse (i -> j) with ``n_ij ~ max(1, Poisson(n_receptors))`` receptors
(:mod:`network.synapse_response`, docs/synapse.md):

* transmission probability ``p_ij = p_release * (1 - (1 - p1)^n_ij)`` (a release
  activates at least one receptor); release probability ``p_release``;
* efficacy ``eps_ij = n_ij e1 / (P_act(n_ij) theta)``, the mean postsynaptic potential given
  activation in units of the threshold depolarization; the weight used by the dynamics is
  ``w_ij = gain * eps_ij * theta`` (gain 1 in the physical mode);
* delay ``d_ij = axonal_delay + latency`` (release to the peak of the synaptic current),
  rounded to whole time steps (>= 1).
"""

from __future__ import annotations

import html
import logging
import os
from dataclasses import dataclass

import numpy as np

from network.config import SynapseConfig
from network.graph import Graph
from network.synapse_response import SynapseResponse
from synsoc.io import write_text
from synsoc.validation import check_positive

__all__ = [
    "Synapses",
    "draw_receptor_counts",
    "draw_synapses",
    "analytic_sigma",
    "write_graphml",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Synapses:
    """Graph plus per-synapse parameters (arrays aligned with ``graph.indices``).

    Attributes
    ----------
    graph : Graph
    delay_steps : np.ndarray, shape=(n_edges,), dtype=int32
        Delay in time steps (>= 1).
    p_transmit : np.ndarray, shape=(n_edges,), dtype=float64
        Probability that a presynaptic spike is transmitted.
    efficacy : np.ndarray, shape=(n_edges,), dtype=float64
        Gain-free efficacy in units of the threshold.
    dt_ms : float
        Time step the delays are discretized to.
    p_release : np.ndarray or None, shape=(n_edges,), dtype=float64
        Probability that a presynaptic spike releases a vesicle, >= ``p_transmit`` (a
        release may activate no receptor). Depressing synapses spend resource on every
        release. None: every release transmits (``p_release = p_transmit``).
    """

    graph: Graph
    delay_steps: np.ndarray
    p_transmit: np.ndarray
    efficacy: np.ndarray
    dt_ms: float
    p_release: np.ndarray | None = None

    def __post_init__(self):
        m = self.graph.n_edges
        for name in ("delay_steps", "p_transmit", "efficacy"):
            if getattr(self, name).shape != (m,):
                raise ValueError(f"{name} must have shape ({m},)")
        if m and self.delay_steps.min() < 1:
            raise ValueError("delay_steps must be >= 1")
        if m and not (self.p_transmit.min() >= 0 and self.p_transmit.max() <= 1):
            raise ValueError("p_transmit must lie in [0, 1]")
        if m and not (np.all(np.isfinite(self.efficacy)) and self.efficacy.min() >= 0):
            raise ValueError("efficacy must be finite and >= 0")
        if self.p_release is None:
            object.__setattr__(self, "p_release", self.p_transmit)
        elif self.p_release.shape != (m,) or (
            m and not (np.all(self.p_release >= self.p_transmit) and self.p_release.max() <= 1)
        ):
            raise ValueError(f"p_release must have shape ({m},) and lie in [p_transmit, 1]")

    @property
    def max_delay_steps(self) -> int:
        """Longest synaptic delay (steps); 1 without synapses."""
        return int(self.delay_steps.max()) if self.graph.n_edges else 1

    @property
    def mean_release_probability(self) -> float:
        """Mean of ``p_release`` over the synapses; 1 without synapses."""
        return float(np.mean(self.p_release)) if self.graph.n_edges else 1.0

    def replace(self, **changes) -> Synapses:
        """Copy with some arrays replaced (reference models reuse the graph)."""
        fields = dict(
            graph=self.graph,
            delay_steps=self.delay_steps,
            p_transmit=self.p_transmit,
            efficacy=self.efficacy,
            dt_ms=self.dt_ms,
            p_release=self.p_release,
        )
        if "p_transmit" in changes and "p_release" not in changes:
            fields["p_release"] = None  # a new transmission probability: release = transmission
        fields.update(changes)
        return Synapses(**fields)


def draw_receptor_counts(n_edges: int, mean: float, *, rng: np.random.Generator) -> np.ndarray:
    """Receptors per synapse, ``max(1, Poisson(mean))`` (int64, shape (n_edges,))."""
    return np.maximum(1, rng.poisson(mean, size=n_edges))


def draw_synapses(
    graph: Graph,
    response: SynapseResponse,
    cfg: SynapseConfig,
    dt_ms: float,
    *,
    rng: int | np.random.Generator,
) -> Synapses:
    """Receptor counts, then delays, transmission probabilities and efficacies of every edge.

    Parameters
    ----------
    graph : Graph
    response : SynapseResponse
        One synapse's response to a release (``synapse_response.json``).
    cfg : SynapseConfig
        ``NetworkConfig.from_section(section).synapses``.
    dt_ms : float
        Time step (ms) the delays are rounded to.
    rng : int, np.random.SeedSequence or np.random.Generator
        Source of the receptor counts (``np.random.default_rng(rng)``; a Generator is
        used as is).

    Returns
    -------
    Synapses
        With ``p_release`` = the configured release probability.
    """
    check_positive("dt_ms", dt_ms)
    rng = np.random.default_rng(rng)
    m = graph.n_edges
    receptors = draw_receptor_counts(m, cfg.n_receptors, rng=rng)
    p, efficacy = response.transmission(receptors, cfg.release_probability)
    delay_ms = cfg.axonal_delay_ms + response.latency_ms
    delay_steps = np.full(m, max(1, int(np.rint(delay_ms / dt_ms))), np.int32)
    logger.info(
        "synapses: mean p_transmit %.3g, delay %.3f ms (%d steps), mean efficacy %.3g theta",
        p.mean() if m else 0.0,
        delay_ms,
        delay_steps[0] if m else 0,
        efficacy.mean() if m else 0.0,
    )
    return Synapses(
        graph,
        delay_steps,
        p.astype(np.float64),
        efficacy.astype(np.float64),
        dt_ms,
        p_release=np.full(m, cfg.release_probability),
    )


def analytic_sigma(synapses: Synapses, gain: float) -> float:
    """Mean-field branching ratio, ``mean_i sum_j p_ij min(1, gain eps_ij)``.

    The mean offspring of a spike at a uniformly chosen neuron of a quiescent network
    (no refractory collisions). In a cascade spikes visit neurons in proportion to the
    transmission matrix's left Perron vector, so the offspring per network spike is the
    spectral radius λ (:mod:`network.spectral`), equal to this only on homogeneous graphs.
    """
    check_positive("gain", gain, allow_zero=True)
    n = synapses.graph.n_neurons
    return float(np.sum(synapses.p_transmit * np.minimum(1.0, gain * synapses.efficacy)) / n)


def write_graphml(path: str | os.PathLike, synapses: Synapses, description: str) -> None:
    """Write the synapse graph as GraphML with delay, probability and efficacy per edge.

    Streams text directly (networkx's writer needs ~1 KB per edge), so 10^6 synapses are
    fine; networkx, Gephi and Cytoscape read the file.
    """
    g = synapses.graph
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
        '<key id="delay_ms" for="edge" attr.name="delay_ms" attr.type="double"/>',
        '<key id="p_transmit" for="edge" attr.name="p_transmit" attr.type="double"/>',
        '<key id="efficacy" for="edge" attr.name="efficacy" attr.type="double"/>',
        '<key id="description" for="graph" attr.name="description" attr.type="string"/>',
        '<graph id="synsoc" edgedefault="directed">',
        f'<data key="description">{html.escape(description)}</data>',
    ]
    nodes = [f'<node id="{i}"/>' for i in range(g.n_neurons)]
    delay_ms = synapses.delay_steps * synapses.dt_ms
    edges = [
        f'<edge source="{s}" target="{t}"><data key="delay_ms">{d:.6g}</data>'
        f'<data key="p_transmit">{p:.6g}</data><data key="efficacy">{e:.6g}</data></edge>'
        for s, t, d, p, e in zip(
            g.sources().tolist(),
            g.indices.tolist(),
            delay_ms.tolist(),
            synapses.p_transmit.tolist(),
            synapses.efficacy.tolist(),
            strict=True,
        )
    ]
    write_text(path, "\n".join(head + nodes + edges + ["</graph>", "</graphml>", ""]))
