"""Typed, validated configuration of the MD stage.

:meth:`MDConfig.from_section` fills the YAML ``md:`` section with the defaults of its
JSON schema (``synsoc/schemas/md.schema.yaml``, the only place defaults live) and turns
it into these frozen dataclasses, whose ``__post_init__`` checks the relations the
schema cannot express (release zone below the receptor plane, frames dividing the
run, ...) and the ranges again for callers that build a dataclass directly.
Units are in the field names: nm, ps, fs, K, kJ/mol, amu, mol/L.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from synsoc.config import validate_section
from synsoc.errors import ConfigError
from synsoc.validation import check_choice, check_int_at_least, check_positive

__all__ = [
    "GeometryConfig",
    "MoleculeConfig",
    "ExplicitConfig",
    "MDConfig",
]

SOLVENTS = ("implicit", "obc2", "gbn2", "explicit")
SALT_SCREENING_SOLVENTS = ("obc2", "gbn2", "explicit")
"""Solvent modes that honour ``salt_molar`` (GB Debye κ, or explicit ions)."""
PLATFORMS = ("auto", "CUDA", "OpenCL", "CPU", "Reference")
PRECISIONS = ("mixed", "single", "double")
_AMINO_ACIDS = set("ACDEFGHIKLMNPQRSTVWY")


@dataclass(frozen=True)
class GeometryConfig:
    """Slab geometry: walls at z = 0 and z = cleft_height_nm, square side lateral_nm."""

    lateral_nm: float
    cleft_height_nm: float
    release_z_min_nm: float
    release_z_max_nm: float
    receptor_z_nm: float
    min_separation_nm: float
    release_clearance_nm: float
    wall_k_kj_per_mol_nm2: float
    max_placement_attempts: int

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
            check_positive(f"geometry.{name}", getattr(self, name))
        check_positive("geometry.release_z_min_nm", self.release_z_min_nm, allow_zero=True)
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
        check_int_at_least("geometry.max_placement_attempts", self.max_placement_attempts, 1)


@dataclass(frozen=True)
class MoleculeConfig:
    """A capped peptide species: ACE-sequence-NME, ``count`` copies."""

    sequence: str
    count: int
    restraint_k_kj_per_mol_nm2: float

    def __post_init__(self) -> None:
        if not self.sequence or set(self.sequence) - _AMINO_ACIDS:
            raise ValueError(f"sequence must be one-letter amino acids, got {self.sequence!r}")
        check_int_at_least("count", self.count, 1)
        check_positive(
            "restraint_k_kj_per_mol_nm2", self.restraint_k_kj_per_mol_nm2, allow_zero=True
        )


@dataclass(frozen=True)
class ExplicitConfig:
    """Explicit-solvent settings (used only when ``solvent == 'explicit'``)."""

    water_model: str
    padding_nm: float
    cutoff_nm: float

    def __post_init__(self) -> None:
        check_choice("explicit.water_model", self.water_model, ("tip3p",))
        check_positive("explicit.padding_nm", self.padding_nm, allow_zero=True)
        check_positive("explicit.cutoff_nm", self.cutoff_nm)


@dataclass(frozen=True)
class MDConfig:
    """Everything the MD stage needs; see ``synsoc/schemas/md.schema.yaml``.

    Build it with :meth:`from_section` (``MDConfig.from_section({})`` is the default
    configuration); every field is required here because the defaults live only in the
    schema.
    """

    seed: int
    replicas: int
    solvent: str
    temperature_K: float
    salt_molar: float
    friction_per_ps: float
    timestep_fs: float
    hydrogen_mass_amu: float
    platform: str
    precision: str
    minimize_max_iterations: int
    equilibration_ps: float
    production_ps: float
    frame_interval_ps: float
    checkpoint_frames: int
    geometry: GeometryConfig
    transmitter: MoleculeConfig
    receptor: MoleculeConfig
    explicit: ExplicitConfig

    def __post_init__(self) -> None:
        check_int_at_least("seed", self.seed, 0)
        check_int_at_least("replicas", self.replicas, 1)
        check_choice("solvent", self.solvent, SOLVENTS)
        check_choice("platform", self.platform, PLATFORMS)
        check_choice("precision", self.precision, PRECISIONS)
        for name in (
            "temperature_K",
            "friction_per_ps",
            "timestep_fs",
            "production_ps",
            "frame_interval_ps",
            "hydrogen_mass_amu",
        ):
            check_positive(name, getattr(self, name))
        check_positive("salt_molar", self.salt_molar, allow_zero=True)
        if self.salt_molar > 0 and self.solvent not in SALT_SCREENING_SOLVENTS:
            raise ConfigError(
                f"md.salt_molar = {self.salt_molar} is not honoured by md.solvent "
                f"{self.solvent!r} (native OBC2 GBSAOBCForce has no salt screening): set "
                "md.salt_molar: 0, or choose md.solvent obc2 (OBC2 with Debye kappa), gbn2 "
                "or explicit (ions)"
            )
        check_positive("equilibration_ps", self.equilibration_ps, allow_zero=True)
        check_int_at_least("minimize_max_iterations", self.minimize_max_iterations, 0)
        check_int_at_least("checkpoint_frames", self.checkpoint_frames, 1)
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

    @classmethod
    def from_section(cls, section: Mapping[str, Any] | None = None) -> MDConfig:
        """Build from an ``md`` section; missing keys take the schema defaults.

        Parameters
        ----------
        section : Mapping, optional
            ``config["md"]``, complete or partial (``{}`` or ``None``: all defaults).

        Returns
        -------
        MDConfig

        Raises
        ------
        synsoc.errors.ConfigError
            The section violates the schema (names the key), or ``salt_molar > 0`` with a
            solvent that cannot screen salt (``implicit``).
        ValueError
            A relation between fields does not hold (names the fields).
        """
        data = validate_section("md", {} if section is None else dict(section))
        # variants are other md sections (synsoc.config.variant_md), not a field of this one
        data.pop("variants")
        data["geometry"] = GeometryConfig(**data["geometry"])
        data["transmitter"] = MoleculeConfig(**data["transmitter"])
        data["receptor"] = MoleculeConfig(**data["receptor"])
        data["explicit"] = ExplicitConfig(**data["explicit"])
        return cls(**data)

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
