"""One source for where results live and what the shared tables hold.

The stages meet only through files. Their paths, the names that appear in them
(regimes, reference models, event kinds) and the columns of the tables that cross a
stage boundary are defined here once and used by the Snakemake rules, the stage
packages, their command lines and the report. ``docs/contracts.md`` describes the same
contract for people.

Path methods of :class:`ResultLayout` take wildcard values as keyword arguments; left
at their defaults they return Snakemake wildcard patterns (``"{replica}"``), so one
method serves a rule's ``output:`` and a job's concrete path::

    layout = ResultLayout("results")
    layout.md_replica("trajectory.xtc")             # results/md/replica_{replica}/...
    layout.md_replica("trajectory.xtc", replica=3)  # results/md/replica_3/...
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "REGIMES",
    "REFERENCE_MODELS",
    "EVENT_KINDS",
    "EVENT_COLUMNS",
    "EVENT_RESOLUTION_COLUMN",
    "AVALANCHE_COLUMNS",
    "BIN_SCAN_COLUMNS",
    "RESPONSE_COLUMNS",
    "ResultLayout",
    "control_label",
    "control_number",
    "PHYSICAL",
]

REGIMES = ("static", "depressing", "homeostatic")
"""Network regimes: fixed weights, depressing (Levina-Herrmann-Geisel), homeostatic threshold."""

REFERENCE_MODELS = ("branching", "kinouchi_copelli", "levina", "subcritical_branching")
"""Reference avalanche models the criticality stage compares each run with."""

EVENT_KINDS = ("first_passage", "dwell", "rebinding")
"""Kinds of binding event in ``events.parquet``."""

EVENT_COLUMNS = (
    "replica",
    "transmitter",
    "receptor",
    "kind",
    "start_ps",
    "duration_ps",
    "censored",
)
"""Columns of the kinetics events tables (one row per event)."""

EVENT_RESOLUTION_COLUMN = "resolution_ps"
"""Optional events column: the time grid of start and end (the trajectory's frame
interval, ps). Absent or 0: times are exact (events from another engine or an
experiment); the fits then use the exact-time likelihood."""

AVALANCHE_COLUMNS = (
    "avalanche_id",
    "start_ms",
    "size",
    "duration_bins",
    "duration_ms",
    "bin_ms",
    "profile",
)
"""Columns of ``avalanches.parquet`` (one row per avalanche; ``profile`` = spikes per bin)
and of ``cascades.parquet`` (one row per causal avalanche; ``duration_bins`` and
``profile`` count generations, ``bin_ms`` is NaN)."""

BIN_SCAN_COLUMNS = ("bin_ms", "bin_steps", "size", "duration_bins")
"""Columns of ``bin_scan.parquet``: binned avalanches of one run at several bin widths."""

RESPONSE_COLUMNS = ("drive_rate_hz", "response_rate_hz")
"""Columns of a response curve (Poisson drive rate against mean firing rate)."""


PHYSICAL = "physical"
"""Control value of a run whose synapses are the synapse response's (no calibration)."""


def control_number(label: float | str) -> float | None:
    """Numeric control value (the target lambda) of a label; None for ``"physical"``.

    Parameters
    ----------
    label : float or str
        A value of ``network.sweep.control_values`` or its ``control_label``.
    """
    return None if label == PHYSICAL else float(label)


def control_label(value: float | str) -> str:
    """Text of a control-parameter value in paths and wildcards (``f"{value:g}"``).

    Parameters
    ----------
    value : float or str
        A value of ``network.sweep.control_values``; a string is returned unchanged
        (a wildcard pattern or a label already formatted).
    """
    return value if isinstance(value, str) else f"{value:g}"


@dataclass(frozen=True)
class ResultLayout:
    """Every result path below ``root`` (``config["results_dir"]``).

    Parameters
    ----------
    root : str
        The results folder; all paths are ``root``-relative strings joined with ``/``.
    """

    root: str = "results"

    # ---- MD ------------------------------------------------------------------
    def md_system(self, name: str) -> str:
        """``R/md/system/<name>``: the shared build (topology.pdb, system.xml, build.json)."""
        return f"{self.root}/md/system/{name}"

    def md_replica(self, name: str, *, replica: int | str = "{replica}") -> str:
        """``R/md/replica_<replica>/<name>``: the replica's own start (equilibrated.xml: its
        transmitter placement after minimization and restrained equilibration) and its
        release run (trajectory, state, checkpoint, replica.json)."""
        return f"{self.root}/md/replica_{replica}/{name}"

    # ---- kinetics ------------------------------------------------------------
    def kinetics(self, name: str) -> str:
        """``R/kinetics/<name>``: events.parquet, surfaces.npz, kinetics.json."""
        return f"{self.root}/kinetics/{name}"

    def kinetics_replica(self, kind: str, suffix: str, *, replica: int | str = "{replica}") -> str:
        """``R/kinetics/<kind>/replica_<replica>.<suffix>`` (per-replica events, distances)."""
        return f"{self.root}/kinetics/{kind}/replica_{replica}.{suffix}"

    def kinetics_figure(self, stem: str, ext: str) -> str:
        """``R/kinetics/figures/<stem>.<ext>``."""
        return f"{self.root}/kinetics/figures/{stem}.{ext}"

    # ---- network -------------------------------------------------------------
    def network(self, name: str) -> str:
        """``R/network/<name>`` (graph.graphml)."""
        return f"{self.root}/network/{name}"

    def network_synapse(self, name: str) -> str:
        """``R/network/synapse/<name>``: synapse_response.json and its figure."""
        return f"{self.root}/network/synapse/{name}"

    def network_run(
        self, name: str, *, regime: str = "{regime}", control: float | str = "{control}"
    ) -> str:
        """``R/network/runs/<regime>/<control>/<name>``: spikes, avalanches, summary."""
        return f"{self.root}/network/runs/{regime}/{control_label(control)}/{name}"

    def network_response(
        self, *, regime: str = "{regime}", control: float | str = "{control}"
    ) -> str:
        """``R/network/response/<regime>/<control>.parquet`` (response curve)."""
        return f"{self.root}/network/response/{regime}/{control_label(control)}.parquet"

    def network_reference(self, name: str, *, model: str = "{model}") -> str:
        """``R/network/reference/<model>/<name>``: avalanches.parquet, summary.json."""
        return f"{self.root}/network/reference/{model}/{name}"

    # ---- criticality ---------------------------------------------------------
    def criticality_run(
        self, name: str, *, regime: str = "{regime}", control: float | str = "{control}"
    ) -> str:
        """``R/criticality/runs/<regime>/<control>/<name>``: criticality.json, figures/."""
        return f"{self.root}/criticality/runs/{regime}/{control_label(control)}/{name}"

    def criticality_reference(self, name: str, *, model: str = "{model}") -> str:
        """``R/criticality/reference/<model>/<name>``: criticality.json, figures/ of a control
        model."""
        return f"{self.root}/criticality/reference/{model}/{name}"

    def criticality_sweep(self, name: str) -> str:
        """``R/criticality/sweep/<name>``: dynamic_range.json, alignment.json, ..."""
        return f"{self.root}/criticality/sweep/{name}"

    # ---- report, logs, benchmarks ---------------------------------------------
    def report(self, name: str) -> str:
        """``R/report/<name>``: summary.md, figures/, tables/."""
        return f"{self.root}/report/{name}"

    def log(self, stage: str, name: str) -> str:
        """``R/logs/<stage>/<name>.log`` (a rule's ``log:``)."""
        return f"{self.root}/logs/{stage}/{name}.log"

    def benchmark(self, stage: str, name: str) -> str:
        """``R/benchmarks/<stage>/<name>.tsv`` (a rule's ``benchmark:``)."""
        return f"{self.root}/benchmarks/{stage}/{name}.tsv"
