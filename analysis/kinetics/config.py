"""Typed configuration of the kinetics stage (the ``kinetics:`` section, schema-validated)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from analysis.kinetics.events import HysteresisCutoffs
from analysis.kinetics.families import FAMILIES
from synsoc.config import validate_section
from synsoc.validation import check_choice, check_int_at_least, check_positive

__all__ = ["KineticsConfig"]

_MSD_AXES = {"lateral": (0, 1), "3d": (0, 1, 2)}
"""Cartesian axes of the MSD for each ``msd_dims`` value."""


@dataclass(frozen=True)
class KineticsConfig:
    """Kinetics parameters; see ``synsoc/schemas/kinetics.schema.yaml`` for each key.

    No field has a default: :meth:`from_section` fills missing keys from the schema,
    the one place defaults live. ``__post_init__`` repeats the schema's bounds so a
    library caller that builds the object directly gets an error naming the field.
    """

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
    msd_start_factor: float
    msd_slope_tolerance: float
    msd_min_window_ratio: float
    msd_max_rel_rms: float
    max_rescaling_bias: float
    msm_lag_ps: float
    msm_n_states: int
    surface_r_max_nm: float
    surface_n_r: int
    surface_n_t: int
    surface_stride: int

    def __post_init__(self) -> None:
        HysteresisCutoffs(self.r_on_nm, self.r_off_nm)
        unknown = [f for f in self.families if f not in FAMILIES]
        if unknown:
            raise ValueError(f"families: unknown {unknown}; choose from {sorted(FAMILIES)}")
        check_choice("msd_dims", self.msd_dims, tuple(_MSD_AXES))
        check_int_at_least("seed", self.seed, 0)
        check_int_at_least("chunk_frames", self.chunk_frames, 1)
        if check_int_at_least("n_bootstrap", self.n_bootstrap, 0) == 1:
            raise ValueError("n_bootstrap must be 0 (no CIs) or >= 2, got 1")
        check_int_at_least("n_gof_bootstrap", self.n_gof_bootstrap, 0)
        for name in (
            "D_target_nm2_per_ns",
            "msd_max_lag_fraction",
            "msd_slope_tolerance",
            "msd_start_factor",
            "msd_max_rel_rms",
            "max_rescaling_bias",
            "msm_lag_ps",
            "surface_r_max_nm",
        ):
            check_positive(name, getattr(self, name))
        if self.msd_max_lag_fraction > 1:
            raise ValueError(
                f"msd_max_lag_fraction must be in (0, 1], got {self.msd_max_lag_fraction!r}"
            )
        if self.msd_slope_tolerance >= 1:
            raise ValueError(
                f"msd_slope_tolerance must be in (0, 1), got {self.msd_slope_tolerance!r}"
            )
        if not self.msd_min_window_ratio > 1:
            raise ValueError(f"msd_min_window_ratio must be > 1, got {self.msd_min_window_ratio!r}")
        check_int_at_least("msm_n_states", self.msm_n_states, 4)
        check_int_at_least("surface_n_r", self.surface_n_r, 2)
        check_int_at_least("surface_n_t", self.surface_n_t, 2)
        check_int_at_least("surface_stride", self.surface_stride, 0)

    @property
    def cutoffs(self) -> HysteresisCutoffs:
        """The two binding cut-offs."""
        return HysteresisCutoffs(self.r_on_nm, self.r_off_nm)

    @property
    def msd_axes(self) -> tuple[int, ...]:
        """Cartesian axes of the MSD."""
        return _MSD_AXES[self.msd_dims]

    @classmethod
    def from_section(
        cls, section: Mapping[str, Any] | None = None, *, source: str | None = None
    ) -> KineticsConfig:
        """Build from a ``kinetics`` section; missing keys take the schema defaults.

        Parameters
        ----------
        section : Mapping, optional
            The ``kinetics:`` section as given (possibly partial); omitted: all defaults.
        source : str, optional
            Name used in error messages (e.g. the config file).

        Raises
        ------
        synsoc.errors.ConfigError
            When the section violates ``synsoc/schemas/kinetics.schema.yaml``.
        """
        given = None if section is None else dict(section)
        full = validate_section("kinetics", given, source=source)
        values = {}
        for f in fields(cls):
            value = full[f.name]
            values[f.name] = tuple(value) if isinstance(value, list) else value
        return cls(**values)
