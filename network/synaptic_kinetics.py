"""Receptor binding rates the synapse response is built on: from ``kinetics.json`` or none.

:func:`load_binding_rates` reads the kinetics stage's ``kinetics.json`` (docs/contracts.md,
``schema_version`` 2) and returns :class:`BindingRates`: the two-state k_on (M⁻¹ s⁻¹) and
k_off (s⁻¹) in physical time with their 95 % CIs, the joint cluster-bootstrap draws
of the two (``binding_rates.bootstrap_draws``) and the diffusion coefficient that
defines the MD's physical time scale (``time_calibration.D_target_nm2_per_ns``, the
calibrated D; 1 nm²/ns = 1 µm²/ms). Everything else in the file is the kinetics stage's
business. A file without physical rates (no valid time calibration, too few events) is
refused with the kinetics stage's own reason, naming the file and key.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from synsoc.errors import KineticsError

__all__ = ["BindingRates", "load_binding_rates"]


@dataclass(frozen=True)
class BindingRates:
    """Two-state binding rates in physical time, with their uncertainty.

    Attributes
    ----------
    k_on_per_M_per_s : float
        Second-order binding rate constant (M⁻¹ s⁻¹), > 0.
    k_off_per_s : float
        Unbinding rate (s⁻¹), > 0.
    k_on_ci95, k_off_ci95 : tuple of float or None
        95 % confidence intervals (None where the kinetics stage gave none).
    draws_k_on_per_M_per_s, draws_k_off_per_s : np.ndarray, shape=(n_draws,)
        Joint bootstrap draws (same resample for both; empty without CIs).
    D_um2_per_ms : float
        Diffusion coefficient of the transmitter in physical time (µm²/ms), the one the
        MD time scale was calibrated to.
    source : str
        The ``kinetics.json`` path.
    """

    k_on_per_M_per_s: float
    k_off_per_s: float
    k_on_ci95: tuple[float, float] | None
    k_off_ci95: tuple[float, float] | None
    draws_k_on_per_M_per_s: np.ndarray
    draws_k_off_per_s: np.ndarray
    D_um2_per_ms: float
    source: str

    def __post_init__(self):
        for name in ("k_on_per_M_per_s", "k_off_per_s", "D_um2_per_ms"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise KineticsError(f"{self.source}: {name} must be finite and > 0, got {value}")
        on = np.asarray(self.draws_k_on_per_M_per_s, float)
        off = np.asarray(self.draws_k_off_per_s, float)
        if on.shape != off.shape or on.ndim != 1:
            raise KineticsError(
                f"{self.source}: binding_rates.bootstrap_draws must hold two lists of equal length"
            )
        if on.size and not (
            np.all(np.isfinite(on) & (on > 0)) and np.all(np.isfinite(off) & (off > 0))
        ):
            raise KineticsError(
                f"{self.source}: binding_rates.bootstrap_draws must be finite and > 0"
            )
        object.__setattr__(self, "draws_k_on_per_M_per_s", on)
        object.__setattr__(self, "draws_k_off_per_s", off)

    @property
    def K_d_M(self) -> float:
        """Dissociation constant k_off / k_on (M)."""
        return self.k_off_per_s / self.k_on_per_M_per_s


def _read_json(path: Path) -> dict:
    if not path.is_file():
        raise FileNotFoundError(f"kinetics file not found: {path}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise KineticsError(f"{path}: not valid JSON: {err}") from err
    if not isinstance(data, dict):
        raise KineticsError(f"{path}: the top level must be a JSON object")
    if data.get("schema_version") != 2:
        raise KineticsError(f"{path}: schema_version {data.get('schema_version')!r} is not 2")
    return data


def _section(data: dict, key: str, path: Path) -> dict:
    value = data.get(key)
    if not isinstance(value, dict):
        raise KineticsError(f"{path}: missing section '{key}'")
    return value


def _ci(rates: dict, key: str, path: Path) -> tuple[float, float] | None:
    ci = rates.get(f"{key}_ci95")
    if ci is None:
        return None
    try:
        low, high = (float(v) for v in ci)
    except (TypeError, ValueError) as err:
        raise KineticsError(f"{path}: 'binding_rates.{key}_ci95' must be [low, high]") from err
    return low, high


def load_binding_rates(path: str | os.PathLike) -> BindingRates:
    """Read the physical binding rates of ``kinetics.json``.

    Parameters
    ----------
    path : path-like
        The kinetics stage's ``R/kinetics/kinetics.json``.

    Returns
    -------
    BindingRates

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    KineticsError
        If the file is not JSON, has another ``schema_version``, misses a section, or has
        no physical k_on or k_off (the message carries the kinetics stage's reason from
        ``binding_rates.unavailable``).
    """
    path = Path(path)
    data = _read_json(path)
    rates = _section(data, "binding_rates", path)
    calibration = _section(data, "time_calibration", path)
    values = {}
    for key in ("k_on_per_M_per_s", "k_off_per_s"):
        value = rates.get(key)
        if value is None:
            reason = (rates.get("unavailable") or {}).get(key, "missing")
            raise KineticsError(
                f"{path}: 'binding_rates.{key}' is unavailable ({reason}); the synapse "
                "response needs physical rates (docs/kinetics.md), or set "
                "network.synapses.source: literature"
            )
        try:
            values[key] = float(value)
        except (TypeError, ValueError) as err:
            raise KineticsError(f"{path}: 'binding_rates.{key}' must be a number") from err
    try:
        D = float(calibration["D_target_nm2_per_ns"])
    except (KeyError, TypeError, ValueError) as err:
        raise KineticsError(
            f"{path}: 'time_calibration.D_target_nm2_per_ns' must be a number"
        ) from err
    draws = rates.get("bootstrap_draws") or {}
    return BindingRates(
        k_on_per_M_per_s=values["k_on_per_M_per_s"],
        k_off_per_s=values["k_off_per_s"],
        k_on_ci95=_ci(rates, "k_on_per_M_per_s", path),
        k_off_ci95=_ci(rates, "k_off_per_s", path),
        draws_k_on_per_M_per_s=np.asarray(draws.get("k_on_per_M_per_s", []), float),
        draws_k_off_per_s=np.asarray(draws.get("k_off_per_s", []), float),
        D_um2_per_ms=D,
        source=str(path),
    )
