"""Typed configuration of the criticality stage (the ``criticality:`` config section).

Every default lives in ``synsoc/schemas/criticality.schema.yaml``;
:meth:`CriticalityConfig.from_section` fills them in through
:func:`synsoc.config.validate_section`. ``__post_init__`` re-checks the ranges for a
caller that builds the dataclass by hand.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from analysis.criticality.alignment import DEFAULT_MARGINS
from analysis.criticality.powerlaw_compare import ALTERNATIVES
from synsoc.config import validate_section
from synsoc.layout import REFERENCE_MODELS
from synsoc.validation import check_int_at_least, check_positive

__all__ = ["CriticalityConfig"]

logger = logging.getLogger(__name__)

_AT_LEAST = {
    "seed": 0,
    "min_avalanches": 2,
    "min_tail": 2,
    "fixed_xmin": 1,
    "gof_bootstrap": 1,
    "exponent_bootstrap": 2,
    "branching_bootstrap": 2,
    "branching_k_max_bins": 2,
    "branching_blocks": 2,
    "gamma_min_avalanches": 2,
    "collapse_min_avalanches": 2,
    "collapse_min_duration_bins": 2,
}


@dataclass(frozen=True)
class CriticalityConfig:
    """Parameters of the avalanche analysis; see synsoc/schemas/criticality.schema.yaml.

    Build it with :meth:`from_section`, which takes every default from the schema.
    Bootstrap counts are replicates; ``*_bins`` are time bins of the avalanche data.

    Attributes
    ----------
    seed : int
        Root seed; each run derives its own from ``SeedSequence([seed, crc32(label)])``.
    min_avalanches : int
        Fewer avalanches leave exponents, fits and collapse undefined.
    min_tail : int
        Smallest tail an x_min candidate may leave (samples).
    min_tail_fraction : float
        Smallest fraction of the samples an x_min candidate's tail must hold.
    alpha_range : tuple of float
        (low, high) plausible exponents of the x_min search.
    fixed_xmin : int
        Fixed cut-off of the second set of likelihood-ratio tests.
    gof_bootstrap, exponent_bootstrap, branching_bootstrap : int
        Replicates of the goodness-of-fit p-value, the exponent CIs and the
        branching-ratio CIs.
    branching_k_max_bins : int
        Largest lag of the multistep regression (bins).
    branching_blocks : int
        Blocks of the branching-ratio block bootstrap.
    gamma_min_avalanches : int
        Avalanches per duration in the <S>(T) fit.
    gamma_fit_decades : float
        Width of the <S>(T) fit window (decades of T).
    collapse_min_avalanches : int
        Avalanches per duration in the shape collapse.
    collapse_min_duration_bins : int
        Shortest duration in the shape collapse (bins).
    llr_alternatives : tuple of str
        Alternatives of the likelihood-ratio tests (of ``ALTERNATIVES``).
    alignment_margins : dict of str to float
        Equivalence margin per criterion of the alignment score (missing criteria take
        :data:`analysis.criticality.alignment.DEFAULT_MARGINS`).
    reference_models : tuple of str
        Control models simulated on the run's graph and scored like the runs (of
        ``synsoc.layout.REFERENCE_MODELS``).
    """

    seed: int
    min_avalanches: int
    min_tail: int
    min_tail_fraction: float
    alpha_range: tuple[float, float]
    fixed_xmin: int
    gof_bootstrap: int
    exponent_bootstrap: int
    branching_bootstrap: int
    branching_k_max_bins: int
    branching_blocks: int
    gamma_min_avalanches: int
    gamma_fit_decades: float
    collapse_min_avalanches: int
    collapse_min_duration_bins: int
    llr_alternatives: tuple[str, ...]
    alignment_margins: dict[str, float]
    reference_models: tuple[str, ...]

    @property
    def guards(self) -> dict[str, Any]:
        """Keyword arguments of the guarded x_min search (``fit_power_law``)."""
        return {
            "min_tail": self.min_tail,
            "min_tail_fraction": self.min_tail_fraction,
            "alpha_range": self.alpha_range,
        }

    def __post_init__(self):
        for name, low in _AT_LEAST.items():
            check_int_at_least(f"criticality.{name}", getattr(self, name), low)
        check_positive("criticality.gamma_fit_decades", self.gamma_fit_decades)
        if not 0 <= self.min_tail_fraction <= 1:
            raise ValueError(
                f"criticality.min_tail_fraction must be in [0, 1], got {self.min_tail_fraction}"
            )
        low, high = self.alpha_range
        if not 1 <= low < high:
            raise ValueError(
                f"criticality.alpha_range must be [low, high] with 1 <= low < high, "
                f"got {list(self.alpha_range)}"
            )
        unknown = set(self.llr_alternatives) - set(ALTERNATIVES)
        if unknown:
            raise ValueError(f"criticality.llr_alternatives: unknown {sorted(unknown)}")
        unknown = set(self.reference_models) - set(REFERENCE_MODELS)
        if unknown:
            raise ValueError(f"criticality.reference_models: unknown {sorted(unknown)}")

    @classmethod
    def from_section(cls, section: Mapping[str, Any] | None = None) -> CriticalityConfig:
        """Build from a ``criticality`` section; missing keys take the schema defaults.

        Parameters
        ----------
        section : Mapping, optional
            ``config["criticality"]``, complete or partial; None (or empty) gives the
            schema defaults.

        Raises
        ------
        synsoc.errors.ConfigError
            If the section violates the schema (the message names the key).
        """
        full = validate_section("criticality", None if section is None else dict(section))
        values = {f.name: full[f.name] for f in fields(cls)}
        for key in ("llr_alternatives", "reference_models", "alpha_range"):
            values[key] = tuple(values[key])
        values["alignment_margins"] = {**DEFAULT_MARGINS, **values["alignment_margins"]}
        return cls(**values)
