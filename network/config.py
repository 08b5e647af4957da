"""Typed, frozen configuration of the network stage.

Built from the validated ``network`` section (``synsoc/schemas/network.schema.yaml``
fills every default); ``__post_init__`` re-checks the ranges so that library callers
that bypass the schema still get an error naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "GraphConfig",
    "LiteratureConfig",
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
    "REGIMES",
    "REFERENCE_MODELS",
]

REGIMES = ("static", "depressing", "homeostatic")
REFERENCE_MODELS = ("branching", "kinouchi_copelli", "levina")


def _positive(name: str, value: float) -> None:
    if not value > 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")


def _probability(name: str, value: float) -> None:
    if not 0 <= value <= 1:
        raise ValueError(f"{name} must be in [0, 1], got {value!r}")


@dataclass(frozen=True)
class GraphConfig:
    """Graph model, size and degree."""

    model: str = "erdos_renyi"
    n_neurons: int = 2000
    mean_degree: float = 10.0
    rewiring_probability: float = 0.1
    path: str | None = None
    direct_csr_above: int = 50000

    def __post_init__(self):
        models = ("erdos_renyi", "watts_strogatz", "barabasi_albert", "regular", "file")
        if self.model not in models:
            raise ValueError(f"graph.model must be one of {models}, got {self.model!r}")
        if self.n_neurons < 2:
            raise ValueError(f"graph.n_neurons must be >= 2, got {self.n_neurons}")
        _positive("graph.mean_degree", self.mean_degree)
        _probability("graph.rewiring_probability", self.rewiring_probability)
        if self.model == "file" and not self.path:
            raise ValueError("graph.path is required when graph.model is 'file'")


@dataclass(frozen=True)
class LiteratureConfig:
    """Fixed literature rates used by the ``literature`` synapse source."""

    cleft_width_nm: float = 20.0
    D_nm2_per_ns: float = 0.33
    k_on_per_M_per_s: float = 1.3e7
    glutamate_peak_mM: float = 1.0
    clearance_ms: float = 0.1

    def __post_init__(self):
        for name in (
            "cleft_width_nm",
            "D_nm2_per_ns",
            "k_on_per_M_per_s",
            "glutamate_peak_mM",
            "clearance_ms",
        ):
            _positive(f"synapses.literature.{name}", getattr(self, name))


@dataclass(frozen=True)
class SynapseConfig:
    """How synapses are drawn from the kinetics."""

    source: str = "kinetics"
    release_probability: float = 0.5
    window_ms: float = 1.0
    axonal_delay_ms: float = 1.0
    n_receptors: int = 20
    literature: LiteratureConfig = field(default_factory=LiteratureConfig)

    def __post_init__(self):
        if self.source not in ("kinetics", "literature"):
            raise ValueError(f"synapses.source must be kinetics or literature, got {self.source!r}")
        _probability("synapses.release_probability", self.release_probability)
        _positive("synapses.window_ms", self.window_ms)
        if self.axonal_delay_ms < 0:
            raise ValueError(f"synapses.axonal_delay_ms must be >= 0, got {self.axonal_delay_ms}")
        if self.n_receptors < 1:
            raise ValueError(f"synapses.n_receptors must be >= 1, got {self.n_receptors}")


@dataclass(frozen=True)
class NeuronConfig:
    """Neuron model and time step."""

    model: str = "probabilistic"
    dt_ms: float = 0.1
    threshold: float = 1.0
    reset: float = 0.0
    leak_tau_ms: float = 20.0
    refractory_ms: float = 1.0

    def __post_init__(self):
        if self.model not in ("probabilistic", "integrate"):
            raise ValueError(f"neuron.model must be probabilistic or integrate, got {self.model!r}")
        _positive("neuron.dt_ms", self.dt_ms)
        _positive("neuron.threshold", self.threshold)
        _positive("neuron.leak_tau_ms", self.leak_tau_ms)
        if self.reset >= self.threshold:
            raise ValueError(f"neuron.reset must be < threshold, got {self.reset}")
        if self.refractory_ms < 0:
            raise ValueError(f"neuron.refractory_ms must be >= 0, got {self.refractory_ms}")


@dataclass(frozen=True)
class DriveConfig:
    """External drive."""

    mode: str = "slow"
    rate_hz: float = 1.0
    weight: float = 1.1
    slow_interval_ms: float = 5.0

    def __post_init__(self):
        if self.mode not in ("slow", "poisson"):
            raise ValueError(f"drive.mode must be slow or poisson, got {self.mode!r}")
        _positive("drive.rate_hz", self.rate_hz)
        _positive("drive.weight", self.weight)
        if self.slow_interval_ms < 0:
            raise ValueError(f"drive.slow_interval_ms must be >= 0, got {self.slow_interval_ms}")


@dataclass(frozen=True)
class DepressingConfig:
    """Levina-Herrmann-Geisel depressing synapses."""

    use_fraction: float = 0.2
    recovery_tau_ms: float = 500.0

    def __post_init__(self):
        if not 0 < self.use_fraction <= 1:
            raise ValueError(
                f"regimes.depressing.use_fraction must be in (0, 1], got {self.use_fraction}"
            )
        _positive("regimes.depressing.recovery_tau_ms", self.recovery_tau_ms)


@dataclass(frozen=True)
class HomeostaticConfig:
    """Threshold adaptation toward a target rate."""

    target_rate_hz: float = 5.0
    eta: float = 0.02
    threshold_min: float = 0.05

    def __post_init__(self):
        _positive("regimes.homeostatic.target_rate_hz", self.target_rate_hz)
        _positive("regimes.homeostatic.eta", self.eta)
        _positive("regimes.homeostatic.threshold_min", self.threshold_min)


@dataclass(frozen=True)
class RunConfig:
    """Length and binning of one sweep run."""

    duration_ms: float = 4000.0
    chunk_steps: int = 200000
    max_spikes: int = 20_000_000
    bin_ms: float | str = "auto"

    def __post_init__(self):
        _positive("run.duration_ms", self.duration_ms)
        if self.chunk_steps < 1:
            raise ValueError(f"run.chunk_steps must be >= 1, got {self.chunk_steps}")
        if self.max_spikes < 1:
            raise ValueError(f"run.max_spikes must be >= 1, got {self.max_spikes}")
        if self.bin_ms != "auto":
            _positive("run.bin_ms", self.bin_ms)


@dataclass(frozen=True)
class SweepConfig:
    """Regimes x control values (sigma0)."""

    regimes: tuple[str, ...] = ("static", "depressing")
    control_values: tuple[float, ...] = (0.8, 0.9, 1.0, 1.1)

    def __post_init__(self):
        for regime in self.regimes:
            if regime not in REGIMES:
                raise ValueError(f"sweep.regimes: unknown regime {regime!r} (known: {REGIMES})")
        for value in self.control_values:
            _positive("sweep.control_values", value)


@dataclass(frozen=True)
class ResponseConfig:
    """Poisson-drive response curve."""

    drive_rates_hz: tuple[float, ...] = (0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000)
    duration_ms: float = 500.0

    def __post_init__(self):
        if len(self.drive_rates_hz) < 2:
            raise ValueError("response.drive_rates_hz needs at least two rates")
        for rate in self.drive_rates_hz:
            _positive("response.drive_rates_hz", rate)
        _positive("response.duration_ms", self.duration_ms)


@dataclass(frozen=True)
class ReferenceConfig:
    """Reference models (critical branching, Kinouchi-Copelli, Levina)."""

    duration_ms: float = 4000.0
    kc_refractory_steps: int = 9
    kc_rate_hz: float = 0.05
    levina_sigma0: float = 2.0

    def __post_init__(self):
        _positive("reference.duration_ms", self.duration_ms)
        if self.kc_refractory_steps < 1:
            raise ValueError("reference.kc_refractory_steps must be >= 1")
        _positive("reference.kc_rate_hz", self.kc_rate_hz)
        _positive("reference.levina_sigma0", self.levina_sigma0)


@dataclass(frozen=True)
class NetworkConfig:
    """The whole network section."""

    seed: int = 7
    graph: GraphConfig = field(default_factory=GraphConfig)
    synapses: SynapseConfig = field(default_factory=SynapseConfig)
    neuron: NeuronConfig = field(default_factory=NeuronConfig)
    drive: DriveConfig = field(default_factory=DriveConfig)
    depressing: DepressingConfig = field(default_factory=DepressingConfig)
    homeostatic: HomeostaticConfig = field(default_factory=HomeostaticConfig)
    run: RunConfig = field(default_factory=RunConfig)
    sweep: SweepConfig = field(default_factory=SweepConfig)
    response: ResponseConfig = field(default_factory=ResponseConfig)
    reference: ReferenceConfig = field(default_factory=ReferenceConfig)

    def __post_init__(self):
        if self.seed < 0:
            raise ValueError(f"network.seed must be >= 0, got {self.seed}")

    @classmethod
    def from_section(cls, section: Mapping[str, Any]) -> NetworkConfig:
        """Build from the validated ``network`` config section (defaults filled).

        Parameters
        ----------
        section : Mapping
            ``config["network"]`` after ``synsoc.config.validate_config``.
        """
        s = dict(section)
        synapses = dict(s.get("synapses", {}))
        literature = LiteratureConfig(**synapses.pop("literature", {}))
        regimes = s.get("regimes", {})
        sweep = dict(s.get("sweep", {}))
        response = dict(s.get("response", {}))
        return cls(
            seed=int(s.get("seed", 7)),
            graph=GraphConfig(**s.get("graph", {})),
            synapses=SynapseConfig(literature=literature, **synapses),
            neuron=NeuronConfig(**s.get("neuron", {})),
            drive=DriveConfig(**s.get("drive", {})),
            depressing=DepressingConfig(**regimes.get("depressing", {})),
            homeostatic=HomeostaticConfig(**regimes.get("homeostatic", {})),
            run=RunConfig(**s.get("run", {})),
            sweep=SweepConfig(
                regimes=tuple(sweep.get("regimes", SweepConfig.regimes)),
                control_values=tuple(
                    float(v) for v in sweep.get("control_values", SweepConfig.control_values)
                ),
            ),
            response=ResponseConfig(
                drive_rates_hz=tuple(
                    float(v) for v in response.get("drive_rates_hz", ResponseConfig.drive_rates_hz)
                ),
                duration_ms=float(response.get("duration_ms", ResponseConfig.duration_ms)),
            ),
            reference=ReferenceConfig(**s.get("reference", {})),
        )
