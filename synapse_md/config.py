"""Typed, validated configuration of the MD stage.

The YAML ``md:`` section is first validated by the JSON schema
(``synsoc/schemas/md.schema.yaml``, defaults filled in) and then turned into these
frozen dataclasses, whose ``__post_init__`` checks the relations the schema cannot
express (release zone below the receptor plane, frames dividing the run, ...).
Units are in the field names: nm, ps, fs, K, kJ/mol, amu, mol/L.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "GeometryConfig",
    "MoleculeConfig",
    "ExplicitConfig",
    "MDConfig",
    "md_config_from_mapping",
]

SOLVENTS = ("implicit", "gbn2", "explicit")
PLATFORMS = ("auto", "CUDA", "OpenCL", "CPU", "Reference")
PRECISIONS = ("mixed", "single", "double")
_AMINO_ACIDS = set("ACDEFGHIKLMNPQRSTVWY")
# Defaults of the two molecule species (the schema's defaults, kept in one place here).
_TRANSMITTER_DEFAULTS = {"sequence": "E", "count": 5, "restraint_k_kj_per_mol_nm2": 1000.0}
_RECEPTOR_DEFAULTS = {"sequence": "RR", "count": 4, "restraint_k_kj_per_mol_nm2": 1000.0}


def _positive(name: str, value: float, allow_zero: bool = False) -> None:
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be finite and {bound}, got {value!r}")


@dataclass(frozen=True)
class GeometryConfig:
    """Slab geometry: walls at z = 0 and z = cleft_height_nm, square side lateral_nm."""

    lateral_nm: float = 3.0
    cleft_height_nm: float = 2.6
    release_z_min_nm: float = 0.25
    release_z_max_nm: float = 1.2
    receptor_z_nm: float = 1.9
    min_separation_nm: float = 0.35
    release_clearance_nm: float = 0.55
    wall_k_kj_per_mol_nm2: float = 10000.0
    max_placement_attempts: int = 2000

    def __post_init__(self) -> None:
        for name in (
            "lateral_nm",
            "cleft_height_nm",
            "release_z_max_nm",
            "receptor_z_nm",
            "min_separation_nm",
            "release_clearance_nm",
            "wall_k_kj_per_mol_nm2",
        ):
            _positive(f"geometry.{name}", getattr(self, name))
        _positive("geometry.release_z_min_nm", self.release_z_min_nm, allow_zero=True)
        if not self.release_z_min_nm < self.release_z_max_nm <= self.cleft_height_nm:
            raise ValueError(
                "geometry.release_z_min_nm < release_z_max_nm <= cleft_height_nm is required, got "
                f"{self.release_z_min_nm}, {self.release_z_max_nm}, {self.cleft_height_nm}"
            )
        if not self.receptor_z_nm < self.cleft_height_nm:
            raise ValueError(
                f"geometry.receptor_z_nm ({self.receptor_z_nm}) must lie below "
                f"cleft_height_nm ({self.cleft_height_nm})"
            )
        if self.max_placement_attempts < 1:
            raise ValueError("geometry.max_placement_attempts must be >= 1")


@dataclass(frozen=True)
class MoleculeConfig:
    """A capped peptide species: ACE-sequence-NME, ``count`` copies."""

    sequence: str
    count: int
    restraint_k_kj_per_mol_nm2: float

    def __post_init__(self) -> None:
        if not self.sequence or set(self.sequence) - _AMINO_ACIDS:
            raise ValueError(f"sequence must be one-letter amino acids, got {self.sequence!r}")
        if self.count < 1:
            raise ValueError(f"count must be >= 1, got {self.count}")
        _positive("restraint_k_kj_per_mol_nm2", self.restraint_k_kj_per_mol_nm2, allow_zero=True)


@dataclass(frozen=True)
class ExplicitConfig:
    """Explicit-solvent settings (used only when ``solvent == 'explicit'``)."""

    water_model: str = "tip3p"
    padding_nm: float = 0.5
    cutoff_nm: float = 0.9

    def __post_init__(self) -> None:
        if self.water_model != "tip3p":
            raise ValueError(f"explicit.water_model must be 'tip3p', got {self.water_model!r}")
        _positive("explicit.padding_nm", self.padding_nm, allow_zero=True)
        _positive("explicit.cutoff_nm", self.cutoff_nm)


@dataclass(frozen=True)
class MDConfig:
    """Everything the MD stage needs; see ``synsoc/schemas/md.schema.yaml``."""

    seed: int = 2026
    replicas: int = 8
    solvent: str = "implicit"
    temperature_K: float = 300.0
    salt_molar: float = 0.15
    friction_per_ps: float = 0.1
    timestep_fs: float = 4.0
    hydrogen_mass_amu: float = 3.0
    platform: str = "auto"
    precision: str = "mixed"
    minimize_max_iterations: int = 1000
    equilibration_ps: float = 10.0
    production_ps: float = 40.0
    frame_interval_ps: float = 0.4
    checkpoint_frames: int = 25
    geometry: GeometryConfig = field(default_factory=GeometryConfig)
    transmitter: MoleculeConfig = field(
        default_factory=lambda: MoleculeConfig(**_TRANSMITTER_DEFAULTS)
    )
    receptor: MoleculeConfig = field(default_factory=lambda: MoleculeConfig(**_RECEPTOR_DEFAULTS))
    explicit: ExplicitConfig = field(default_factory=ExplicitConfig)

    def __post_init__(self) -> None:
        if self.seed < 0:
            raise ValueError(f"seed must be >= 0, got {self.seed}")
        if self.replicas < 1:
            raise ValueError(f"replicas must be >= 1, got {self.replicas}")
        for name, allowed in (
            ("solvent", SOLVENTS),
            ("platform", PLATFORMS),
            ("precision", PRECISIONS),
        ):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {allowed}, got {getattr(self, name)!r}")
        for name in (
            "temperature_K",
            "friction_per_ps",
            "timestep_fs",
            "production_ps",
            "frame_interval_ps",
            "hydrogen_mass_amu",
        ):
            _positive(name, getattr(self, name))
        _positive("salt_molar", self.salt_molar, allow_zero=True)
        _positive("equilibration_ps", self.equilibration_ps, allow_zero=True)
        if self.minimize_max_iterations < 0:
            raise ValueError("minimize_max_iterations must be >= 0")
        if self.checkpoint_frames < 1:
            raise ValueError("checkpoint_frames must be >= 1")
        steps = self.frame_interval_ps / self.timestep_ps
        if abs(steps - round(steps)) > 1e-6 or round(steps) < 1:
            raise ValueError(
                f"frame_interval_ps ({self.frame_interval_ps}) must be a whole number of "
                f"time steps ({self.timestep_fs} fs)"
            )
        frames = self.production_ps / self.frame_interval_ps
        if abs(frames - round(frames)) > 1e-6:
            raise ValueError(
                f"production_ps ({self.production_ps}) must be a whole number of frames "
                f"(frame_interval_ps = {self.frame_interval_ps})"
            )

    @property
    def timestep_ps(self) -> float:
        """Integration time step in ps."""
        return self.timestep_fs * 1e-3

    @property
    def steps_per_frame(self) -> int:
        """MD steps between two trajectory frames."""
        return round(self.frame_interval_ps / self.timestep_ps)

    @property
    def production_frames(self) -> int:
        """Frames after t = 0 (the trajectory also holds the t = 0 frame)."""
        return round(self.production_ps / self.frame_interval_ps)

    @property
    def equilibration_steps(self) -> int:
        """MD steps of restrained equilibration."""
        return round(self.equilibration_ps / self.timestep_ps)


def md_config_from_mapping(section: Mapping[str, Any]) -> MDConfig:
    """Build an :class:`MDConfig` from a schema-validated ``md`` section.

    Parameters
    ----------
    section : Mapping
        ``load_config(path)["md"]`` (defaults already filled in).

    Returns
    -------
    MDConfig
    """
    data = dict(section)
    data["geometry"] = GeometryConfig(**data.get("geometry", {}))
    data["explicit"] = ExplicitConfig(**data.get("explicit", {}))
    data["transmitter"] = MoleculeConfig(**{**_TRANSMITTER_DEFAULTS, **data.get("transmitter", {})})
    data["receptor"] = MoleculeConfig(**{**_RECEPTOR_DEFAULTS, **data.get("receptor", {})})
    return MDConfig(**data)
