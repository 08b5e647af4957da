"""Figure of the synapse response (PNG + SVG, axes with units, caption in the title).

``synapse_response.png``: (a) transmitter concentration over the receptor patch and the
whole cleft after one release; (b) open (bound) fraction of one receptor for the
driving scheme and, where the MD rates drive the network, the Jonas, Major & Sakmann
1993 AMPA scheme beside it; (c) the mean postsynaptic potential of a synapse with the
mean receptor count, in mV and in units of the threshold.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from synsoc.io import save_figure

__all__ = ["plot_synapse_response"]


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _label(block: dict[str, Any]) -> str:
    names = {
        "two_state": "two-state (MD k_on, k_off)",
        "jonas_major_sakmann_1993_ampa": "AMPA, Jonas et al. 1993",
    }
    return names.get(block["scheme"], block["scheme"])


def plot_synapse_response(document: dict[str, Any], stem: str | os.PathLike) -> list[Path]:
    """Draw the cleft transient, receptor open fraction and PSP of ``synapse_response.json``.

    Parameters
    ----------
    document : dict
        The body :func:`network.synapse_response.compute_synapse_response` returns.
    stem : path-like
        Destination without suffix (``.png`` and ``.svg`` are written).

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    plt = _pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    cleft = document["cleft"]["time_course"]
    t = np.asarray(cleft["t_ms"])
    axes[0].loglog(t, cleft["patch_mM"], label="receptor patch")
    axes[0].loglog(t, cleft["cleft_mM"], "--", label="whole cleft")
    axes[0].axhline(1.1, color="0.6", lw=0.8, ls=":", label="Clements 1992 peak")
    axes[0].set(xlabel="time after release (ms)", ylabel="free transmitter (mM)")
    axes[0].set_ylim(bottom=max(1e-6, float(np.min(cleft["patch_mM"])) * 0.5))
    axes[0].legend(fontsize=8)
    blocks = [document["response"]] + ([document["comparison"]] if document["comparison"] else [])
    threshold = document["threshold_mV"]
    for block in blocks:
        course = block["time_course"]
        n = block["mean_synapse"]["n_receptors"]
        axes[1].semilogx(course["t_ms"], course["open_fraction"], label=_label(block))
        psp = n * np.asarray(course["psp_per_receptor_mV"])
        axes[2].semilogx(course["t_ms"], psp, label=f"{_label(block)}, {n:g} receptors")
    for ax in axes[1:]:  # the two schemes differ by orders of magnitude
        top = max(line.get_ydata().max() for line in ax.get_lines())
        ax.set_yscale("log")
        ax.set_ylim(top * 1e-7, top * 2)
    axes[1].set(xlabel="time after release (ms)", ylabel="open fraction per receptor")
    axes[1].legend(fontsize=8)
    axes[2].set(xlabel="time after release (ms)", ylabel="mean postsynaptic potential (mV)")
    secondary = axes[2].secondary_yaxis(
        "right", functions=(lambda v: v / threshold, lambda v: v * threshold)
    )
    secondary.set_ylabel("units of the threshold θ")
    axes[2].legend(fontsize=8)
    main = document["response"]["mean_synapse"]
    fig.suptitle(
        f"One release: {document['cleft']['peak_mM']:.3g} mM peak over the receptor patch; "
        f"a synapse of {main['n_receptors']:g} receptors transmits with p = "
        f"{main['p_transmit']:.3g} and efficacy {main['efficacy_theta']:.3g} θ "
        f"({document['source']} rates)",
        fontsize=10,
    )
    fig.tight_layout()
    paths = save_figure(fig, stem)
    plt.close(fig)
    return paths
