"""Typed configuration of the kinetics stage (the ``kinetics:`` section, schema-validated)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from analysis.kinetics.events import HysteresisCutoffs
from analysis.kinetics.survival import FAMILIES
from synsoc.config import validate_config

__all__ = ["KineticsConfig"]


@dataclass(frozen=True)
class KineticsConfig:
    """Kinetics parameters; see ``synsoc/schemas/kinetics.schema.yaml`` for each key."""

    seed: int
    r_on_nm: float
    r_off_nm: float
    transmitter_atom_names: tuple[str, ...]
    receptor_atom_names: tuple[str, ...]
    periodic: bool
    chunk_frames: int
    families: tuple[str, ...]
    n_bootstrap: int
    n_gof_bootstrap: int
    D_target_nm2_per_ns: float
    msd_dims: str
    msd_unbound_only: bool
    msd_max_lag_fraction: float
    msd_slope_tolerance: float
    msd_min_window_ratio: float
    cleft_width_nm: float
    release_window_ms: float
    surface_r_max_nm: float
    surface_n_r: int
    surface_n_t: int
    surface_stride: int

    def __post_init__(self) -> None:
        HysteresisCutoffs(self.r_on_nm, self.r_off_nm)
        unknown = [f for f in self.families if f not in FAMILIES]
        if unknown:
            raise ValueError(f"families: unknown {unknown}; choose from {sorted(FAMILIES)}")
        if self.msd_dims not in ("lateral", "3d"):
            raise ValueError(f"msd_dims must be 'lateral' or '3d', got {self.msd_dims!r}")

    @property
    def cutoffs(self) -> HysteresisCutoffs:
        """The two binding cut-offs."""
        return HysteresisCutoffs(self.r_on_nm, self.r_off_nm)

    @property
    def msd_axes(self) -> tuple[int, ...]:
        """Cartesian axes of the MSD."""
        return (0, 1) if self.msd_dims == "lateral" else (0, 1, 2)

    @classmethod
    def from_section(cls, section: Mapping[str, Any]) -> KineticsConfig:
        """Build from a ``kinetics`` section; missing keys take the schema defaults."""
        full = validate_config({"kinetics": dict(section)})["kinetics"]
        values = {}
        for f in fields(cls):
            value = full[f.name]
            values[f.name] = tuple(value) if isinstance(value, list) else value
        return cls(**values)
