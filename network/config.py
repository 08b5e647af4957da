"""Typed, frozen configuration of the network stage.

:meth:`NetworkConfig.from_section` is the one way in: it completes the ``network``
section with the schema's defaults (``synsoc/schemas/network.schema.yaml``, through
:func:`synsoc.config.validate_section`) and builds the nested dataclasses from it, so
no default is written in code. ``__post_init__`` re-checks the ranges so that library
callers that build a dataclass by hand still get an error naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from synsoc.config import validate_section
from synsoc.layout import PHYSICAL, REGIMES
from synsoc.validation import (
    check_choice,
    check_int_at_least,
    check_positive,
    check_probability,
)

__all__ = [
    "GraphConfig",
    "CleftConfig",
    "SynapseConfig",
    "NeuronConfig",
    "DriveConfig",
    "DepressingConfig",
    "HomeostaticConfig",
    "RunConfig",
    "SweepConfig",
    "ResponseConfig",
    "ReferenceConfig",
    "NetworkConfig",
]

_GRAPH_MODELS = ("erdos_renyi", "watts_strogatz", "barabasi_albert", "regular", "file")


@dataclass(frozen=True)
class GraphConfig:
    """Graph model, size and degree (``network.graph``)."""

    model: str
    n_neurons: int
    mean_degree: float
    rewiring_probability: float
    path: str | None
    direct_csr_above: int

    def __post_init__(self):
        check_choice("graph.model", self.model, _GRAPH_MODELS)
        check_int_at_least("graph.n_neurons", self.n_neurons, 2)
        check_positive("graph.mean_degree", self.mean_degree)
        check_probability("graph.rewiring_probability", self.rewiring_probability)
        check_int_at_least("graph.direct_csr_above", self.direct_csr_above, 2)
        if self.model == "file" and not self.path:
            raise ValueError("graph.path is required when graph.model is 'file'")


@dataclass(frozen=True)
class CleftConfig:
    """Cleft geometry and extracellular space (``network.synapses.cleft``)."""

    n_transmitters: int
    height_nm: float
    radius_nm: float
    patch_radius_nm: float
    D_free_um2_per_ms: float
    ecs_volume_fraction: float
    ecs_tortuosity: float
    uptake_tau_ms: float
    literature_D_um2_per_ms: float
    t_max_ms: float

    def __post_init__(self):
        check_int_at_least("synapses.cleft.n_transmitters", self.n_transmitters, 1)
        for name in (
            "height_nm",
            "radius_nm",
            "patch_radius_nm",
            "D_free_um2_per_ms",
            "literature_D_um2_per_ms",
            "t_max_ms",
        ):
            check_positive(f"synapses.cleft.{name}", getattr(self, name))
        check_positive("synapses.cleft.uptake_tau_ms", self.uptake_tau_ms, allow_inf=True)
        if not 0 < self.ecs_volume_fraction <= 1:
            raise ValueError(
                "synapses.cleft.ecs_volume_fraction must be in (0, 1], "
                f"got {self.ecs_volume_fraction}"
            )
        if self.ecs_tortuosity < 1:
            raise ValueError(
                f"synapses.cleft.ecs_tortuosity must be >= 1, got {self.ecs_tortuosity}"
            )
        if self.patch_radius_nm > self.radius_nm:
            raise ValueError(
                f"synapses.cleft.patch_radius_nm ({self.patch_radius_nm}) must not exceed "
                f"radius_nm ({self.radius_nm})"
            )


@dataclass(frozen=True)
class SynapseConfig:
    """The synapse response and how synapses are drawn from it (``network.synapses``)."""

    source: str
    release_probability: float
    axonal_delay_ms: float
    n_receptors: float
    receptor_conductance_pS: float
    driving_force_mV: float
    membrane_capacitance_pF: float
    membrane_tau_ms: float
    threshold_mV: float
    n_bootstrap: int | None
    cleft: CleftConfig

    def __post_init__(self):
        check_choice("synapses.source", self.source, ("kinetics", "literature"))
        if not 0 < self.release_probability <= 1:
            raise ValueError(
                f"synapses.release_probability must be in (0, 1], got {self.release_probability}"
            )
        check_positive("synapses.axonal_delay_ms", self.axonal_delay_ms, allow_zero=True)
        for name in (
            "n_receptors",
            "receptor_conductance_pS",
            "driving_force_mV",
            "membrane_capacitance_pF",
            "membrane_tau_ms",
            "threshold_mV",
        ):
            check_positive(f"synapses.{name}", getattr(self, name))
        if self.n_bootstrap is not None:
            check_int_at_least("synapses.n_bootstrap", self.n_bootstrap, 0)


@dataclass(frozen=True)
class NeuronConfig:
    """Neuron model and time step (``network.neuron``)."""

    model: str
    dt_ms: float
    threshold: float
    reset: float
    leak_tau_ms: float
    refractory_ms: float

    def __post_init__(self):
        check_choice("neuron.model", self.model, ("probabilistic", "integrate"))
        check_positive("neuron.dt_ms", self.dt_ms)
        check_positive("neuron.threshold", self.threshold)
        # inf: a perfect (non-leaking) integrator
        check_positive("neuron.leak_tau_ms", self.leak_tau_ms, allow_inf=True)
        if self.reset >= self.threshold:
            raise ValueError(f"neuron.reset must be < threshold, got {self.reset}")
        check_positive("neuron.refractory_ms", self.refractory_ms, allow_zero=True)


@dataclass(frozen=True)
class DriveConfig:
    """External drive (``network.drive``)."""

    mode: str
    rate_hz: float
    weight: float
    slow_interval_ms: float

    def __post_init__(self):
        check_choice("drive.mode", self.mode, ("slow", "poisson"))
        check_positive("drive.rate_hz", self.rate_hz)
        # inf: every drive event fires its neuron, as the slow-drive kick does
        check_positive("drive.weight", self.weight, allow_inf=True)
        check_positive("drive.slow_interval_ms", self.slow_interval_ms, allow_zero=True)


@dataclass(frozen=True)
class DepressingConfig:
    """Levina-Herrmann-Geisel depressing synapses (``network.regimes.depressing``)."""

    use_fraction: float
    recovery_tau_ms: float | str
    tau_per_neuron: float
    warmup_recovery_times: float

    def __post_init__(self):
        if not 0 < self.use_fraction <= 1:
            raise ValueError(
                f"regimes.depressing.use_fraction must be in (0, 1], got {self.use_fraction}"
            )
        if self.recovery_tau_ms != "auto":
            # inf: resources never recover
            check_positive(
                "regimes.depressing.recovery_tau_ms", self.recovery_tau_ms, allow_inf=True
            )
        check_positive("regimes.depressing.tau_per_neuron", self.tau_per_neuron)
        check_positive(
            "regimes.depressing.warmup_recovery_times", self.warmup_recovery_times, allow_zero=True
        )


@dataclass(frozen=True)
class HomeostaticConfig:
    """Threshold adaptation toward a target rate (``network.regimes.homeostatic``)."""

    target_rate_hz: float
    eta: float
    threshold_min: float

    def __post_init__(self):
        check_positive("regimes.homeostatic.target_rate_hz", self.target_rate_hz)
        check_positive("regimes.homeostatic.eta", self.eta)
        check_positive("regimes.homeostatic.threshold_min", self.threshold_min)


@dataclass(frozen=True)
class RunConfig:
    """Length and binning of one sweep run (``network.run``)."""

    duration_ms: float
    chunk_steps: int
    max_spikes: int
    bin_ms: float | str

    def __post_init__(self):
        check_positive("run.duration_ms", self.duration_ms)
        check_int_at_least("run.chunk_steps", self.chunk_steps, 1)
        check_int_at_least("run.max_spikes", self.max_spikes, 1)
        if self.bin_ms != "auto":
            check_positive("run.bin_ms", self.bin_ms)


@dataclass(frozen=True)
class SweepConfig:
    """Regimes x control values (``network.sweep``): ``"physical"`` or a target lambda."""

    regimes: tuple[str, ...]
    control_values: tuple[float | str, ...]

    def __post_init__(self):
        for regime in self.regimes:
            check_choice("sweep.regimes", regime, REGIMES)
        for value in self.control_values:
            if value != PHYSICAL:
                check_positive("sweep.control_values", value)


@dataclass(frozen=True)
class ResponseConfig:
    """Poisson-drive response curve (``network.response``)."""

    drive_rates_hz: tuple[float, ...]
    duration_ms: float
    warmup_ms: float

    def __post_init__(self):
        if len(self.drive_rates_hz) < 2:
            raise ValueError("response.drive_rates_hz needs at least two rates")
        for rate in self.drive_rates_hz:
            check_positive("response.drive_rates_hz", rate)
        check_positive("response.duration_ms", self.duration_ms)
        check_positive("response.warmup_ms", self.warmup_ms, allow_zero=True)


@dataclass(frozen=True)
class ReferenceConfig:
    """Control models: critical and subcritical branching, Kinouchi-Copelli, Levina
    (``network.reference``)."""

    duration_ms: float
    kc_refractory_steps: int
    kc_rate_hz: float
    levina_sigma0: float
    subcritical_m: float

    def __post_init__(self):
        check_positive("reference.duration_ms", self.duration_ms)
        check_int_at_least("reference.kc_refractory_steps", self.kc_refractory_steps, 1)
        check_positive("reference.kc_rate_hz", self.kc_rate_hz)
        check_positive("reference.levina_sigma0", self.levina_sigma0)
        if not 0 < self.subcritical_m < 1:
            raise ValueError(f"reference.subcritical_m must be in (0, 1), got {self.subcritical_m}")


@dataclass(frozen=True)
class NetworkConfig:
    """The whole ``network`` section; build it with :meth:`from_section`."""

    seed: int
    graph: GraphConfig
    synapses: SynapseConfig
    neuron: NeuronConfig
    drive: DriveConfig
    depressing: DepressingConfig
    homeostatic: HomeostaticConfig
    run: RunConfig
    sweep: SweepConfig
    response: ResponseConfig
    reference: ReferenceConfig

    def __post_init__(self):
        check_int_at_least("network.seed", self.seed, 0)

    @classmethod
    def from_section(cls, section: Mapping[str, Any] | None = None) -> NetworkConfig:
        """Build from a ``network`` configuration section; the schema fills the defaults.

        Parameters
        ----------
        section : Mapping, optional
            ``config["network"]``, complete (after ``synsoc.config.load_config``) or
            partial, e.g. ``{"graph": {"n_neurons": 300}}``; empty when omitted.

        Returns
        -------
        NetworkConfig

        Raises
        ------
        ConfigError
            If the section violates ``network.schema.yaml`` (naming the key).
        ValueError
            If a cross-field rule fails (e.g. ``graph.path`` missing for a file graph).
        """
        s = validate_section("network", section)
        synapses = dict(s["synapses"])
        cleft = CleftConfig(**synapses.pop("cleft"))
        regimes = s["regimes"]
        sweep = s["sweep"]
        response = s["response"]
        return cls(
            seed=int(s["seed"]),
            graph=GraphConfig(**s["graph"]),
            synapses=SynapseConfig(cleft=cleft, **synapses),
            neuron=NeuronConfig(**s["neuron"]),
            drive=DriveConfig(**s["drive"]),
            depressing=DepressingConfig(**regimes["depressing"]),
            homeostatic=HomeostaticConfig(**regimes["homeostatic"]),
            run=RunConfig(**s["run"]),
            sweep=SweepConfig(
                regimes=tuple(sweep["regimes"]),
                control_values=tuple(
                    v if v == PHYSICAL else float(v) for v in sweep["control_values"]
                ),
            ),
            response=ResponseConfig(
                drive_rates_hz=tuple(float(v) for v in response["drive_rates_hz"]),
                duration_ms=float(response["duration_ms"]),
                warmup_ms=float(response["warmup_ms"]),
            ),
            reference=ReferenceConfig(**s["reference"]),
        )
