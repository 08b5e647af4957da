"""Typed configuration of the report stage (the ``report:`` config section).

Every default lives in ``synsoc/schemas/report.schema.yaml``;
:meth:`ActivationConfig.from_section` fills them in through
:func:`synsoc.config.validate_section`. ``__post_init__`` re-checks the ranges for a
caller that builds the dataclass by hand.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from synsoc.config import validate_section
from synsoc.validation import check_int_at_least, check_positive

__all__ = ["ActivationConfig"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ActivationConfig:
    """Drawing settings of the activation figures (the config's ``report`` section).

    Build it with :meth:`from_section`, which takes every default from the schema.
    Which run is drawn (``activation_regime``, ``activation_control``) is chosen by the
    workflow, not here.

    Attributes
    ----------
    seed : int
        Seed of the cascade figure's spring layout.
    raster_window_ms : float
        Raster window length (ms).
    raster_max_neurons : int
        Neurons shown in the raster (the lowest indices).
    cascade_max_nodes : int
        Nodes drawn in the cascade figure.
    figure_dpi : int
        Resolution of the PNG figures.
    """

    seed: int
    raster_window_ms: float
    raster_max_neurons: int
    cascade_max_nodes: int
    figure_dpi: int

    def __post_init__(self) -> None:
        check_int_at_least("seed", self.seed, 0)
        check_positive("raster_window_ms", self.raster_window_ms)
        check_int_at_least("raster_max_neurons", self.raster_max_neurons, 1)
        check_int_at_least("cascade_max_nodes", self.cascade_max_nodes, 2)
        check_int_at_least("figure_dpi", self.figure_dpi, 50)

    @classmethod
    def from_section(cls, section: Mapping[str, Any] | None = None) -> ActivationConfig:
        """Build from a ``report`` section; missing keys take the schema defaults.

        Parameters
        ----------
        section : Mapping, optional
            ``config["report"]``, complete or partial; None (or empty) gives the schema
            defaults. Keys that are not drawing settings (the run choice) are ignored.

        Raises
        ------
        synsoc.errors.ConfigError
            If the section violates the schema (the message names the key).
        """
        full = validate_section("report", None if section is None else dict(section))
        return cls(**{f.name: full[f.name] for f in fields(cls)})
