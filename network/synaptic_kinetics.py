"""Synaptic kinetics of the network: :class:`SynapticKinetics` from ``kinetics.json`` or
from literature rates.

:func:`load_kinetics` reads the kinetics stage's ``kinetics.json`` and validates it,
raising :class:`synsoc.errors.KineticsError` naming the file and key;
:func:`literature_kinetics` computes the same quantities from the fixed rates of the
``literature`` synapse source (no MD).

Only the keys the network needs are read (docs/contracts.md, ``schema_version`` 2):
``cleft_first_passage.cdf_t_ms`` / ``cdf`` (delay distribution and p_ij) and
``receptor_occupancy.bound_fraction`` (efficacy); ``receptor_occupancy.mean_dwell_ms`` is
validated but only carried along (not used by the dynamics; ``null`` when dwells have
no physical time scale). A ``kinetics.json`` whose cleft first passage was omitted (no
valid time calibration, or first passages that may not be rescaled) is refused with
the kinetics stage's reason: the network needs physical delays.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.special import erfc

from network.config import LiteratureConfig
from synsoc.errors import KineticsError
from synsoc.validation import check_int_at_least

__all__ = ["SynapticKinetics", "load_kinetics", "literature_kinetics"]

logger = logging.getLogger(__name__)

_REQUIRED = {
    "schema_version": None,
    "cleft_first_passage": ("cdf_t_ms", "cdf"),
    "receptor_occupancy": ("bound_fraction", "mean_dwell_ms"),
}


@dataclass(frozen=True)
class SynapticKinetics:
    """What the network uses of the synaptic kinetics.

    Attributes
    ----------
    cdf_t_ms : np.ndarray, shape=(n,), dtype=float
        Increasing times (ms) of the cleft first-passage CDF.
    cdf : np.ndarray, shape=(n,), dtype=float
        Non-decreasing CDF values in [0, 1] (may stay below 1: some releases never bind).
    bound_fraction : float
        Receptor occupancy after a release, in [0, 1].
    mean_dwell_ms : float or None
        Mean bound time of a transmitter (ms), >= 0 (informational); ``None`` when the
        dwells have no physical time scale.
    source : str
        ``kinetics.json`` path or ``"literature"``.
    """

    cdf_t_ms: np.ndarray
    cdf: np.ndarray
    bound_fraction: float
    mean_dwell_ms: float | None
    source: str

    def __post_init__(self):
        t, c = np.asarray(self.cdf_t_ms, float), np.asarray(self.cdf, float)
        object.__setattr__(self, "cdf_t_ms", t)  # lists are accepted, arrays are stored
        object.__setattr__(self, "cdf", c)
        if t.ndim != 1 or t.shape != c.shape or t.size < 2:
            raise KineticsError(f"{self.source}: cdf_t_ms and cdf must be 1D of equal length >= 2")
        if not (np.all(np.isfinite(t)) and np.all(np.isfinite(c))):
            raise KineticsError(f"{self.source}: cdf_t_ms / cdf hold NaN or infinity")
        if np.any(np.diff(t) <= 0) or t[0] < 0:
            raise KineticsError(
                f"{self.source}: cleft_first_passage.cdf_t_ms must increase from >= 0"
            )
        if np.any(np.diff(c) < 0) or c[0] < 0 or c[-1] > 1:
            raise KineticsError(
                f"{self.source}: cleft_first_passage.cdf must be non-decreasing in [0, 1]"
            )
        if c[-1] <= 0:
            raise KineticsError(f"{self.source}: cleft_first_passage.cdf never rises above 0")
        if not 0 <= self.bound_fraction <= 1:
            raise KineticsError(
                f"{self.source}: receptor_occupancy.bound_fraction must be in [0, 1], "
                f"got {self.bound_fraction}"
            )
        if self.mean_dwell_ms is not None and not (
            np.isfinite(self.mean_dwell_ms) and self.mean_dwell_ms >= 0
        ):
            raise KineticsError(
                f"{self.source}: receptor_occupancy.mean_dwell_ms must be finite and >= 0, "
                f"got {self.mean_dwell_ms}"
            )

    def cdf_at(self, t_ms: float) -> float:
        """CDF of the cleft first-passage time at ``t_ms`` (ms; linear interpolation, 0 before
        ``cdf_t_ms[0]``, ``cdf[-1]`` after the last tabulated time)."""
        return float(np.interp(t_ms, self.cdf_t_ms, self.cdf, left=0.0, right=self.cdf[-1]))

    def sample_fpt_ms(self, size: int, *, rng: int | np.random.Generator) -> np.ndarray:
        """Inverse-transform samples of the first-passage time, conditional on binding.

        Parameters
        ----------
        size : int
            Number of samples.
        rng : int, np.random.SeedSequence or np.random.Generator
            Source of the uniforms (``np.random.default_rng(rng)``; a Generator is used
            as is).

        Returns
        -------
        np.ndarray, shape=(size,), dtype=float
            Times in ms, drawn as ``t = CDF^-1(U)`` with ``U ~ Uniform(cdf[0], cdf[-1])``.
        """
        check_int_at_least("size", size, 0)
        rng = np.random.default_rng(rng)
        t, c = self.cdf_t_ms, self.cdf
        u = rng.uniform(c[0], c[-1], size=size)
        # Generalized inverse of the piecewise-linear CDF: u in (c[k-1], c[k]] lies on the
        # segment k-1 -> k, which rises (c[k-1] < c[k]); a flat stretch is skipped whole.
        k = np.searchsorted(c, u, side="left")
        at_start = k == 0  # u == c[0]: the first time with CDF >= u
        k = np.maximum(k, 1)
        frac = (u - c[k - 1]) / np.where(at_start, 1.0, c[k] - c[k - 1])
        return np.where(at_start, t[0], t[k - 1] + frac * (t[k] - t[k - 1]))


def _need(data: dict, key: str, path: str):
    if key not in data:
        raise KineticsError(f"{path}: missing key '{key}'")
    return data[key]


def load_kinetics(path: str | os.PathLike) -> SynapticKinetics:
    """Read and validate ``kinetics.json`` (docs/contracts.md).

    Parameters
    ----------
    path : path-like
        The kinetics stage's ``R/kinetics/kinetics.json``.

    Returns
    -------
    SynapticKinetics

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    KineticsError
        If the file is not JSON, has another ``schema_version`` or misses a key (named as
        ``section.key``, with the file).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"kinetics file not found: {path}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise KineticsError(f"{path}: not valid JSON: {err}") from err
    if not isinstance(data, dict):
        raise KineticsError(f"{path}: the top level must be a JSON object")
    cleft = data.get("cleft_first_passage")
    if isinstance(cleft, dict) and cleft.get("status") == "omitted":
        raise KineticsError(
            f"{path}: the kinetics stage gave no physical time scale for the network "
            f"(cleft_first_passage omitted: {cleft.get('reason')}); see docs/kinetics.md "
            "on the diffusive regime, or set network.synapses.source: literature"
        )
    for section, keys in _REQUIRED.items():
        value = _need(data, section, str(path))
        for key in keys or ():
            if not isinstance(value, dict) or key not in value:
                raise KineticsError(f"{path}: missing key '{section}.{key}'")
    if data["schema_version"] != 2:
        raise KineticsError(f"{path}: schema_version {data['schema_version']!r} is not 2")
    values = {}
    for section, key, kind in (
        ("cleft_first_passage", "cdf_t_ms", "a list of numbers"),
        ("cleft_first_passage", "cdf", "a list of numbers"),
        ("receptor_occupancy", "bound_fraction", "a number"),
        ("receptor_occupancy", "mean_dwell_ms", "a number"),
    ):
        raw = data[section][key]
        if raw is None and key == "mean_dwell_ms":
            values[key] = None
            continue
        if raw is None:
            raise KineticsError(f"{path}: '{section}.{key}' is null")
        try:
            values[key] = np.asarray(raw, dtype=float) if kind.startswith("a list") else float(raw)
        except (TypeError, ValueError) as err:
            raise KineticsError(f"{path}: '{section}.{key}' must be {kind}") from err
    return SynapticKinetics(
        cdf_t_ms=values["cdf_t_ms"],
        cdf=values["cdf"],
        bound_fraction=values["bound_fraction"],
        mean_dwell_ms=values["mean_dwell_ms"],
        source=str(path),
    )


def literature_kinetics(cfg: LiteratureConfig, *, n_grid: int = 400) -> SynapticKinetics:
    """Kinetics from DESIGN.md's reference values (no MD).

    First passage across the cleft (width x0) by free 1D diffusion (Levy):
    ``CDF(t) = erfc(x0 / sqrt(4 D t))``; receptor occupancy after a glutamate pulse of
    concentration C lasting t_c: ``1 - exp(-k_on C t_c)``; mean dwell ``1 / k_off`` is not
    in the table, so the exposure time t_c stands for it.

    Parameters
    ----------
    cfg : LiteratureConfig
        ``NetworkConfig.from_section(section).synapses.literature``.
    n_grid : int
        Points of the tabulated CDF (log-spaced from 1e-3 to 1e3 Levy times x0^2/(4D)).

    Returns
    -------
    SynapticKinetics
    """
    check_int_at_least("n_grid", n_grid, 2)
    levy_time_ms = cfg.cleft_width_nm**2 / (4.0 * cfg.D_nm2_per_ns) * 1e-6  # ns -> ms
    t_ms = levy_time_ms * np.logspace(-3, 3, n_grid)
    cdf = erfc(np.sqrt(levy_time_ms / t_ms))
    rate_per_ms = (
        cfg.k_on_per_M_per_s * cfg.glutamate_peak_mM * 1e-3 * 1e-3
    )  # M^-1 s^-1 * M -> 1/ms
    bound = 1.0 - np.exp(-rate_per_ms * cfg.clearance_ms)
    logger.info("literature kinetics: Levy time %.3g ms, bound fraction %.3f", levy_time_ms, bound)
    return SynapticKinetics(
        cdf_t_ms=t_ms,
        cdf=cdf,
        bound_fraction=float(bound),
        mean_dwell_ms=cfg.clearance_ms,
        source="literature",
    )
