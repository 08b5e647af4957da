"""Typed configuration of the criticality stage (the ``criticality:`` config section)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from analysis.criticality.powerlaw_compare import ALTERNATIVES

__all__ = ["CriticalityConfig", "REFERENCE_MODELS"]

REFERENCE_MODELS = ("branching", "kinouchi_copelli", "levina")


@dataclass(frozen=True)
class CriticalityConfig:
    """Parameters of the avalanche analysis; see synsoc/schemas/criticality.schema.yaml.

    Bootstrap counts are replicates; ``*_bins`` are time bins of the avalanche data.
    """

    seed: int = 2026
    min_avalanches: int = 50
    min_tail: int = 10
    gof_bootstrap: int = 10
    exponent_bootstrap: int = 30
    branching_bootstrap: int = 50
    branching_k_max_bins: int = 40
    branching_blocks: int = 20
    gamma_min_avalanches: int = 5
    gamma_fit_decades: float = 1.0
    collapse_min_avalanches: int = 20
    collapse_min_duration_bins: int = 4
    llr_alternatives: tuple[str, ...] = ALTERNATIVES
    reference_models: tuple[str, ...] = REFERENCE_MODELS

    def __post_init__(self):
        for name in (
            "min_avalanches",
            "min_tail",
            "gof_bootstrap",
            "exponent_bootstrap",
            "branching_bootstrap",
            "branching_k_max_bins",
            "branching_blocks",
            "gamma_min_avalanches",
            "collapse_min_avalanches",
        ):
            low = 1 if name == "gof_bootstrap" else 2
            if getattr(self, name) < low:
                raise ValueError(f"criticality.{name} must be >= {low}, got {getattr(self, name)}")
        if self.collapse_min_duration_bins < 2:
            raise ValueError("criticality.collapse_min_duration_bins must be >= 2")
        if self.gamma_fit_decades <= 0:
            raise ValueError("criticality.gamma_fit_decades must be > 0")
        unknown = set(self.llr_alternatives) - set(ALTERNATIVES)
        if unknown:
            raise ValueError(f"criticality.llr_alternatives: unknown {sorted(unknown)}")
        unknown = set(self.reference_models) - set(REFERENCE_MODELS)
        if unknown:
            raise ValueError(f"criticality.reference_models: unknown {sorted(unknown)}")

    @classmethod
    def from_mapping(cls, section: Mapping[str, Any]) -> CriticalityConfig:
        """Build from the validated ``criticality`` section of the configuration."""
        known = {f.name for f in fields(cls)}
        extra = set(section) - known
        if extra:
            raise ValueError(f"criticality: unknown keys {sorted(extra)}")
        values = dict(section)
        for key in ("llr_alternatives", "reference_models"):
            if key in values:
                values[key] = tuple(values[key])
        return cls(**values)
