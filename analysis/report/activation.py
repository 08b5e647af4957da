"""Activation patterns: the pictures people look at first.

* :func:`plot_raster` — spike raster of one network run with its avalanches shaded
  and the population activity per time bin underneath.
* :func:`plot_cascade` — one large avalanche drawn on the network (networkx spring
  layout of the neurons it reached and their neighbours), nodes coloured by the
  time they first fired in the cascade.
* :func:`plot_model_comparison` — the MD-parameterized network beside the reference
  models (critical branching, Kinouchi–Copelli, Levina): avalanche-size CCDF with
  the mean-field τ = 3/2 guide and the temporal profiles of the longest avalanches.

Inputs follow docs/contracts.md: ``spikes.npz`` (``step``, ``neuron``, ``dt_ms``,
``n_neurons``, ``bin_ms``, ``bin_counts``), ``avalanches.parquet`` (``start_ms``,
``size``, ``duration_bins``, ``duration_ms``, ``bin_ms``, ``profile``) and the
GraphML graph. Time in ms.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from synsoc.validation import check_int_at_least, check_positive

__all__ = [
    "SpikeTrain",
    "load_spikes",
    "select_window",
    "largest_avalanche",
    "cascade_firing_times",
    "plot_raster",
    "plot_cascade",
    "plot_model_comparison",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SpikeTrain:
    """Spikes of one network run.

    Attributes
    ----------
    time_ms : np.ndarray, shape=(n_spikes,), dtype=float
        Spike times (ms), ``step * dt_ms``.
    neuron : np.ndarray, shape=(n_spikes,), dtype=int
    n_neurons : int
    bin_ms : float
        Avalanche time bin (ms).
    bin_counts : np.ndarray, shape=(n_bins,), dtype=int
        Spikes per bin.
    """

    time_ms: np.ndarray
    neuron: np.ndarray
    n_neurons: int
    bin_ms: float
    bin_counts: np.ndarray

    def __post_init__(self) -> None:
        if self.time_ms.shape != self.neuron.shape:
            raise ValueError("time_ms and neuron must have the same shape")
        if self.n_neurons < 1:
            raise ValueError(f"n_neurons must be >= 1, got {self.n_neurons}")
        if not np.isfinite(self.bin_ms) or self.bin_ms <= 0:
            raise ValueError(f"bin_ms must be positive, got {self.bin_ms}")


def load_spikes(path) -> SpikeTrain:
    """Read a contract ``spikes.npz``.

    Parameters
    ----------
    path : path-like

    Returns
    -------
    SpikeTrain
    """
    with np.load(path) as data:
        return SpikeTrain(
            time_ms=data["step"].astype(float) * float(data["dt_ms"]),
            neuron=data["neuron"].astype(int),
            n_neurons=int(data["n_neurons"]),
            bin_ms=float(data["bin_ms"]),
            bin_counts=data["bin_counts"].astype(int),
        )


def select_window(avalanches: pd.DataFrame, window_ms: float) -> tuple[float, float]:
    """A raster window of length ``window_ms`` centred on the largest avalanche.

    Parameters
    ----------
    avalanches : pandas.DataFrame
        Contract avalanche table.
    window_ms : float
        Window length (ms), > 0.

    Returns
    -------
    (start_ms, end_ms) : tuple of float
    """
    check_positive("window_ms", window_ms)
    if avalanches.empty:
        return 0.0, float(window_ms)
    big = largest_avalanche(avalanches)
    centre = big["start_ms"] + 0.5 * big["duration_ms"]
    start = max(0.0, centre - 0.5 * window_ms)
    return float(start), float(start + window_ms)


def largest_avalanche(avalanches: pd.DataFrame) -> pd.Series:
    """The row of the largest avalanche (earliest among equal sizes)."""
    if avalanches.empty:
        raise ValueError("avalanches is empty")
    return avalanches.sort_values(["size", "start_ms"], ascending=[False, True]).iloc[0]


def cascade_firing_times(
    spikes: SpikeTrain, start_ms: float, duration_ms: float
) -> dict[int, float]:
    """First firing time of every neuron inside an avalanche.

    Parameters
    ----------
    spikes : SpikeTrain
    start_ms, duration_ms : float
        Avalanche span [start, start + duration) in ms.

    Returns
    -------
    dict of int to float
        Neuron -> first spike time relative to ``start_ms`` (ms).
    """
    if duration_ms <= 0:
        raise ValueError(f"duration_ms must be > 0, got {duration_ms}")
    inside = (spikes.time_ms >= start_ms) & (spikes.time_ms < start_ms + duration_ms)
    times = spikes.time_ms[inside] - start_ms
    neurons = spikes.neuron[inside]
    order = np.argsort(times, kind="stable")
    first: dict[int, float] = {}
    for neuron, time in zip(neurons[order], times[order], strict=True):
        first.setdefault(int(neuron), float(time))
    return first


def plot_raster(
    spikes: SpikeTrain, avalanches: pd.DataFrame, *, window_ms: float, max_neurons: int
):
    """Spike raster with avalanches shaded, population activity below.

    Parameters
    ----------
    spikes : SpikeTrain
    avalanches : pandas.DataFrame
        Contract avalanche table of the same run.
    window_ms : float
        Length of the time window shown (ms), centred on the largest avalanche.
    max_neurons : int
        Neurons shown (the lowest indices), >= 1.

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_int_at_least("max_neurons", max_neurons, 1)
    import matplotlib.pyplot as plt

    start, end = select_window(avalanches, window_ms)
    shown = (spikes.time_ms >= start) & (spikes.time_ms < end) & (spikes.neuron < max_neurons)
    fig, (ax_r, ax_a) = plt.subplots(
        2, 1, figsize=(10, 5.5), sharex=True, gridspec_kw={"height_ratios": [3, 1]}
    )
    spans = avalanches[(avalanches["start_ms"] + avalanches["duration_ms"] > start)]
    spans = spans[spans["start_ms"] < end]
    for row in spans.itertuples():
        for ax in (ax_r, ax_a):
            ax.axvspan(
                row.start_ms, row.start_ms + row.duration_ms, color="orange", alpha=0.25, lw=0
            )
    ax_r.scatter(spikes.time_ms[shown], spikes.neuron[shown], s=2, c="k", marker="|")
    ax_r.set_ylabel(f"neuron (first {min(max_neurons, spikes.n_neurons)})")
    ax_r.set_ylim(-0.5, min(max_neurons, spikes.n_neurons) - 0.5)
    ax_r.set_title(f"spike raster, avalanches shaded ({len(spans)} in window)")
    first_bin = int(start // spikes.bin_ms)
    last_bin = min(int(np.ceil(end / spikes.bin_ms)), len(spikes.bin_counts))
    bins = np.arange(first_bin, last_bin)
    ax_a.step(
        bins * spikes.bin_ms, spikes.bin_counts[first_bin:last_bin], where="post", c="k", lw=0.8
    )
    ax_a.set_xlabel("network time (ms)")
    ax_a.set_ylabel(f"spikes / {spikes.bin_ms:g} ms bin")
    ax_a.set_xlim(start, end)
    fig.tight_layout()
    return fig


def plot_cascade(
    graph: nx.Graph,
    spikes: SpikeTrain,
    avalanches: pd.DataFrame,
    *,
    max_nodes: int,
    rng: int | np.random.Generator | None = None,
):
    """The largest avalanche drawn on the network, nodes coloured by firing time.

    Parameters
    ----------
    graph : networkx.Graph or DiGraph
        Nodes are neuron indices (GraphML string ids are converted to int).
    spikes : SpikeTrain
    avalanches : pandas.DataFrame
        Non-empty contract avalanche table.
    max_nodes : int
        Cap on drawn nodes (fired neurons first, then their neighbours), >= 2.
    rng : int or numpy.random.Generator, optional
        Seed or generator of the spring layout (passed to networkx as ``seed``); None
        draws fresh entropy.

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_int_at_least("max_nodes", max_nodes, 2)
    import matplotlib.pyplot as plt

    graph = nx.relabel_nodes(graph, {node: int(node) for node in graph.nodes})
    big = largest_avalanche(avalanches)
    first = cascade_firing_times(spikes, float(big["start_ms"]), float(big["duration_ms"]))
    fired = sorted(first, key=first.get)[:max_nodes]
    keep = list(fired)
    kept = set(keep)
    for node in fired:
        for neighbour in graph.successors(node) if graph.is_directed() else graph.neighbors(node):
            if len(keep) >= max_nodes:
                break
            if neighbour not in kept:
                keep.append(neighbour)
                kept.add(neighbour)
    sub = graph.subgraph(keep)
    pos = nx.spring_layout(sub, seed=rng)
    fig, ax = plt.subplots(figsize=(7, 6))
    nx.draw_networkx_edges(sub, pos, ax=ax, alpha=0.15, width=0.5, arrows=False)
    quiet = [node for node in sub.nodes if node not in first]
    nx.draw_networkx_nodes(sub, pos, nodelist=quiet, node_color="lightgrey", node_size=12, ax=ax)
    fired_nodes = [node for node in sub.nodes if node in first]
    nodes = nx.draw_networkx_nodes(
        sub,
        pos,
        nodelist=fired_nodes,
        node_color=[first[n] for n in fired_nodes],
        cmap="plasma",
        node_size=30,
        ax=ax,
    )
    fig.colorbar(nodes, ax=ax, label="first firing time in the cascade (ms)")
    shown = f"; earliest {len(fired)} drawn" if len(fired) < len(first) else ""
    ax.set_title(
        f"largest avalanche: size {int(big['size'])}, {float(big['duration_ms']):g} ms, "
        f"{len(first)} neurons{shown}"
    )
    ax.set_axis_off()
    fig.tight_layout()
    return fig


def _ccdf(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values and P(X >= x) of each."""
    x = np.sort(np.asarray(values, dtype=float))
    distinct, first = np.unique(x, return_index=True)
    return distinct, 1.0 - first / len(x)


def plot_model_comparison(
    models: Mapping[str, pd.DataFrame], *, min_profile_bins: int = 3, max_profiles: int = 300
):
    """The MD-parameterized network beside the reference models.

    Parameters
    ----------
    models : mapping of str to pandas.DataFrame
        Label -> contract avalanche table; one column of panels per model.
    min_profile_bins : int
        Avalanches shorter than this (bins) are not drawn as profiles.
    max_profiles : int
        At most this many profiles (the longest) are drawn per model.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not models:
        raise ValueError("models must hold at least one avalanche table")
    import matplotlib.pyplot as plt

    n = len(models)
    fig, axes = plt.subplots(2, n, figsize=(3.2 * n, 6), squeeze=False)
    for column, (label, table) in enumerate(models.items()):
        ax_s, ax_p = axes[0, column], axes[1, column]
        ax_s.set_title(label, fontsize=10)
        if table.empty:
            ax_s.text(0.5, 0.5, "no avalanches", ha="center", transform=ax_s.transAxes)
            ax_p.set_axis_off()
            continue
        x, ccdf = _ccdf(table["size"].to_numpy())
        ax_s.loglog(x, ccdf, ".", ms=3, c="k", label="data")
        guide = ccdf[0] * (x / x[0]) ** -0.5
        ax_s.loglog(x, guide, "--", c="crimson", lw=1, label="τ = 3/2")
        ax_s.set_xlabel("avalanche size S (spikes)")
        ax_s.set_ylabel("P(size ≥ S)")
        ax_s.legend(fontsize=7)
        long = table[table["duration_bins"] >= min_profile_bins]
        long = long.nlargest(max_profiles, "duration_bins")
        grid = np.linspace(0.0, 1.0, 21)
        rescaled = []
        for row in long.itertuples():
            profile = np.asarray(row.profile, dtype=float)
            phase = (np.arange(len(profile)) + 0.5) / len(profile)
            ax_p.plot(phase, profile / profile.mean(), c="grey", alpha=0.15, lw=0.5)
            rescaled.append(np.interp(grid, phase, profile / profile.mean()))
        if rescaled:
            ax_p.plot(grid, np.mean(rescaled, axis=0), c="k", lw=2, label="mean")
            ax_p.legend(fontsize=7)
        ax_p.set_xlabel("t / T (avalanche duration)")
        ax_p.set_ylabel("spikes per bin / mean")
        ax_p.set_title(f"{len(long)} avalanches ≥ {min_profile_bins} bins", fontsize=8)
    fig.tight_layout()
    return fig
