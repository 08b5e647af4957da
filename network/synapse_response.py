"""The response of one synapse to one vesicle release, in physical units.

The chain (docs/synapse.md):

1. **Cleft transient** (:mod:`network.cleft`): N transmitters released at the centre of
   the cleft spread with the calibrated D and leave at the rim into the extracellular
   space; C(r, t) over the receptor patch, as the mean over :data:`N_RINGS` equal-area
   rings (a receptor near the release site sees a higher, earlier peak).
2. **Receptors** (:mod:`network.receptors`): every receptor follows a kinetic scheme
   driven by its ring's C(t): two-state binding with the MD k_on, k_off (``source:
   kinetics``) or the AMPA scheme of Jonas, Major & Sakmann 1993 (``source:
   literature``). Per receptor placed uniformly on the patch (the mean over rings): the
   open (bound) fraction o(t) and the probability p1 that it opens at least once.
3. **Membrane**: the open receptors drive a current g·ΔV per receptor into a point
   neuron of capacitance C_m and time constant τ_m; the postsynaptic potential per
   receptor is ``v1(t) = (g ΔV / C_m) ∫ o(s) exp(-(t - s)/τ_m) ds`` and its peak ``e1``
   (mV).

A synapse with n receptors (independent) then transmits, after a release, with
probability ``P_act(n) = 1 - (1 - p1)^n`` (at least one receptor activated) and, given
that, depolarizes by ``n e1 / P_act(n)`` on average; in units of the threshold
depolarization θ that is its efficacy. The mean depolarization per release, ``n e1``,
is what the probabilistic neuron's firing probability min(1, v/θ) responds to, so
``p_transmit × efficacy = p_release n e1 / θ`` exactly.

Uncertainty: every joint bootstrap draw of (k_on, k_off) from ``kinetics.json`` is run
through the same chain, giving draws of p1 and e1 that the network turns into CIs of
p_transmit, efficacy and λ.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from network.cleft import CleftGeometry, cleft_transient, radial_solution
from network.config import SynapseConfig
from network.receptors import (
    KineticScheme,
    drive_receptor,
    jonas_ampa_scheme,
    two_state_scheme,
)
from network.synaptic_kinetics import BindingRates
from synsoc.errors import KineticsError
from synsoc.validation import check_int_at_least

__all__ = [
    "SynapseResponse",
    "psp_per_receptor_mV",
    "compute_synapse_response",
    "load_synapse_response",
    "activation_probability",
    "ring_concentrations_mM",
    "patch_response",
    "PatchResponse",
    "N_RINGS",
]

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
_N_TIMES = 240  # points of the log-spaced transient; enough for < 0.5 % on e1
_WASHOUT_TAU_M = 5.0  # the washout runs 5 membrane time constants past the transient
_WASHOUT_POINTS = 60
N_RINGS = 8
"""Equal-area rings of the receptor patch the receptor response is averaged over."""


def activation_probability(p_single: float | np.ndarray, n_receptors) -> np.ndarray:
    """Probability that at least one of n independent receptors opens: 1 - (1 - p1)^n."""
    p = np.asarray(p_single, dtype=float)
    n = np.asarray(n_receptors, dtype=float)
    with np.errstate(divide="ignore"):  # p = 1: log1p(-1) = -inf, and the result is 1
        return np.where(p >= 1.0, 1.0, -np.expm1(n * np.log1p(-np.minimum(p, 1.0))))


def psp_per_receptor_mV(
    t_ms: np.ndarray, cumulative_open_ms: np.ndarray, cfg: SynapseConfig
) -> np.ndarray:
    """Postsynaptic potential per receptor, v1(t) = (g ΔV / C_m) ∫ o(s) e^{-(t-s)/τ_m} ds.

    The input is the receptor's expected open time from 0 to each grid time, which the
    receptor solution gives exactly (``ReceptorResponse.cumulative_open_ms``): within
    each interval the open fraction is taken at its exact mean (open-time increment /
    interval), so the charge is exact and only its timing within an interval is
    approximated, an error of order (interval / τ_m) on the potential. Point values of
    o(t) would not do: a fast receptor (MD rates, relaxation in ns) follows the
    stepwise concentration of the transient within each interval, and interpolating its
    end-point values misstates the charge (+2.2 % on the PSP peak at 240 points).

    Parameters
    ----------
    t_ms : np.ndarray, shape=(n,)
        Increasing times (ms), first > 0.
    cumulative_open_ms : np.ndarray, shape=(n,)
        Expected open time of one receptor from 0 to ``t_ms`` (ms), non-decreasing.
    cfg : SynapseConfig
        Conductance (pS), driving force (mV), capacitance (pF), τ_m (ms).

    Returns
    -------
    np.ndarray, shape=(n,)
        v1 in mV. pS × mV / pF = 10⁻³ mV/ms.
    """
    rate_mV_per_ms = (
        cfg.receptor_conductance_pS * cfg.driving_force_mV / cfg.membrane_capacitance_pF * 1e-3
    )
    tau = cfg.membrane_tau_ms
    t = np.concatenate([[0.0], np.asarray(t_ms, float)])
    charge = np.diff(np.concatenate([[0.0], np.asarray(cumulative_open_ms, float)]))
    dt = np.diff(t)
    decay = np.exp(-dt / tau)
    # ∫ over an interval of (mean open fraction) e^{-(t_end - s)/τ} ds
    source = rate_mV_per_ms * charge / dt * tau * (1.0 - decay)
    v = np.zeros(t.size)
    for k in range(dt.size):
        v[k + 1] = v[k] * decay[k] + source[k]
    return v[1:]


@dataclass(frozen=True)
class SynapseResponse:
    """What the network draws its synapses from (``synapse_response.json``).

    Attributes
    ----------
    source : str
        ``kinetics`` or ``literature``.
    scheme : str
        Receptor scheme that drives the network.
    p_open_single : float
        Probability that one receptor opens at least once after a release (p1).
    psp_per_receptor_mV : float
        Peak postsynaptic potential per receptor (e1, mV; mean over releases).
    latency_ms : float
        Time from release to the peak of the open fraction (the synaptic current's peak).
    threshold_mV : float
        Depolarization to threshold, the unit of the efficacies.
    draws_p_open_single, draws_psp_per_receptor_mV : np.ndarray, shape=(n_draws,)
        The same two numbers for every joint bootstrap draw of (k_on, k_off) (empty for
        the literature source or without CIs).
    source_path : str
        The file read (or ``"computed"``).
    """

    source: str
    scheme: str
    p_open_single: float
    psp_per_receptor_mV: float
    latency_ms: float
    threshold_mV: float
    draws_p_open_single: np.ndarray
    draws_psp_per_receptor_mV: np.ndarray
    source_path: str = "computed"

    def __post_init__(self):
        where = self.source_path
        if not 0 <= self.p_open_single <= 1:
            raise KineticsError(
                f"{where}: p_open_single must be in [0, 1], got {self.p_open_single}"
            )
        for name in ("psp_per_receptor_mV", "latency_ms"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise KineticsError(f"{where}: {name} must be finite and >= 0, got {value}")
        if not (math.isfinite(self.threshold_mV) and self.threshold_mV > 0):
            raise KineticsError(f"{where}: threshold_mV must be > 0, got {self.threshold_mV}")
        p = np.asarray(self.draws_p_open_single, float)
        e = np.asarray(self.draws_psp_per_receptor_mV, float)
        if p.shape != e.shape or p.ndim != 1:
            raise KineticsError(f"{where}: the draws must be two lists of equal length")
        object.__setattr__(self, "draws_p_open_single", p)
        object.__setattr__(self, "draws_psp_per_receptor_mV", e)

    def transmission(
        self, n_receptors: np.ndarray, release_probability: float, *, draw: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Transmission probability and efficacy (θ units) of synapses with n receptors.

        Parameters
        ----------
        n_receptors : np.ndarray
            Receptor count of each synapse (>= 1).
        release_probability : float
            Vesicle release probability.
        draw : int, optional
            Use bootstrap draw ``draw`` instead of the point estimate.

        Returns
        -------
        p_transmit, efficacy : np.ndarray
            ``p_release P_act(n)`` and ``n e1 / (P_act(n) θ)`` (0 where P_act = 0).
        """
        if draw is None:
            p1, e1 = self.p_open_single, self.psp_per_receptor_mV
        else:
            p1, e1 = self.draws_p_open_single[draw], self.draws_psp_per_receptor_mV[draw]
        n = np.asarray(n_receptors, dtype=float)
        active = activation_probability(p1, n)
        with np.errstate(divide="ignore", invalid="ignore"):
            efficacy = np.where(active > 0, n * e1 / (active * self.threshold_mV), 0.0)
        return release_probability * active, efficacy

    @property
    def n_draws(self) -> int:
        """Number of bootstrap draws."""
        return int(self.draws_p_open_single.size)


def _geometry(cfg: SynapseConfig, D_um2_per_ms: float) -> CleftGeometry:
    c = cfg.cleft
    return CleftGeometry(
        n_transmitters=c.n_transmitters,
        height_nm=c.height_nm,
        radius_nm=c.radius_nm,
        patch_radius_nm=c.patch_radius_nm,
        D_cleft_um2_per_ms=D_um2_per_ms,
        D_free_um2_per_ms=c.D_free_um2_per_ms,
        ecs_volume_fraction=c.ecs_volume_fraction,
        ecs_tortuosity=c.ecs_tortuosity,
        uptake_tau_ms=c.uptake_tau_ms,
        rim="ecs",
    )


def ring_concentrations_mM(
    geometry: CleftGeometry, t_ms: np.ndarray, n_rings: int = N_RINGS
) -> tuple[np.ndarray, np.ndarray]:
    """Free transmitter concentration over rings of the receptor patch of near-equal area.

    Receptors sit anywhere on the patch with equal probability; near the release site
    they see a higher, earlier peak than at the patch edge. The rings are made of whole
    cells of the solution (their edges are cell faces): a cell belongs to ring
    ``floor(n_rings x A / A_patch)``, A the patch area inside the cell's middle, so ring k
    spans radii of about ``a sqrt(k/n) .. a sqrt((k+1)/n)``. A patch of fewer cells than
    ``n_rings`` gets one ring per cell.

    Parameters
    ----------
    geometry : CleftGeometry
    t_ms : np.ndarray, shape=(n_times,)
        Output times (ms), increasing, > 0.
    n_rings : int
        Rings wanted (>= 1).

    Returns
    -------
    concentration : np.ndarray, shape=(n, n_times)
        Volume-weighted mean concentration (mM) over each ring, n <= n_rings rings.
    weight : np.ndarray, shape=(n,)
        Each ring's share of the patch area (near 1/n_rings; exact shares of its cells),
        summing to 1: the probability that a receptor placed uniformly on the patch sits
        in it.
    """
    check_int_at_least("n_rings", n_rings, 1)
    solution = radial_solution(geometry, t_ms)
    cells = np.flatnonzero(solution.in_patch)  # inner to outer
    volume = solution.volume_um3[cells]
    middle = (np.cumsum(volume) - volume / 2) / volume.sum()
    ring = np.minimum((middle * n_rings).astype(np.int64), n_rings - 1)
    rows, volumes = [], []
    for k in np.unique(ring):
        mask = np.zeros(solution.in_patch.size, bool)
        mask[cells[ring == k]] = True
        rows.append(solution.mean_mM(mask))
        volumes.append(volume[ring == k].sum())
    # the eigen solution leaves round-off (~1e-13 mM) where nothing has arrived yet
    return np.maximum(np.array(rows), 0.0), np.array(volumes) / np.sum(volumes)


@dataclass(frozen=True)
class PatchResponse:
    """Mean response of a receptor placed uniformly on the patch.

    Attributes
    ----------
    t_ms : np.ndarray, shape=(n_times,)
    open_fraction : np.ndarray, shape=(n_times,)
        Open (conducting) probability of a receptor, averaged over the rings.
    p_ever_open : float
        Probability that the receptor opens at least once, averaged over the rings.
    psp_mV : np.ndarray, shape=(n_times,)
        Postsynaptic potential per receptor (mV), :func:`psp_per_receptor_mV`.
    """

    t_ms: np.ndarray
    open_fraction: np.ndarray
    p_ever_open: float
    psp_mV: np.ndarray

    @property
    def latency_ms(self) -> float:
        """Time of the open fraction's peak (the synaptic current's peak), ms."""
        return float(self.t_ms[int(np.argmax(self.open_fraction))])

    @property
    def peak_open_fraction(self) -> float:
        """Largest open fraction."""
        return float(self.open_fraction.max())


def _with_washout(
    t_ms: np.ndarray, rings: tuple[np.ndarray, np.ndarray], cfg: SynapseConfig
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Extend the grid past the transient with no free transmitter, up to
    ``t_max + _WASHOUT_TAU_M x tau_m``: receptors keep closing and the potential keeps
    rising after ``t_max`` (AMPA deactivation takes ms, the membrane integrates for
    tens), so its peak may lie beyond the transient. The free concentration left at
    ``t_max`` (micromolar and falling) is set to 0 there."""
    concentrations, weights = rings
    end = t_ms[-1] + _WASHOUT_TAU_M * cfg.membrane_tau_ms
    tail = np.geomspace(t_ms[-1], end, _WASHOUT_POINTS + 1)[1:]
    zeros = np.zeros((concentrations.shape[0], tail.size))
    return np.concatenate([t_ms, tail]), (np.hstack([concentrations, zeros]), weights)


def patch_response(
    scheme: KineticScheme,
    t_ms: np.ndarray,
    rings: tuple[np.ndarray, np.ndarray],
    cfg: SynapseConfig,
) -> PatchResponse:
    """Drive ``scheme`` with every ring's concentration and average over the rings.

    ``rings`` is what :func:`ring_concentrations_mM` returns (concentrations, weights).
    """
    concentrations, weights = rings
    responses = [drive_receptor(scheme, t_ms, ring) for ring in concentrations]
    open_fraction = np.average([r.open_fraction for r in responses], axis=0, weights=weights)
    open_time = np.average([r.cumulative_open_ms for r in responses], axis=0, weights=weights)
    return PatchResponse(
        t_ms=np.asarray(t_ms, float),
        open_fraction=open_fraction,
        p_ever_open=float(np.average([r.p_ever_open for r in responses], weights=weights)),
        psp_mV=psp_per_receptor_mV(t_ms, open_time, cfg),
    )


def _scheme_block(
    scheme: KineticScheme,
    t_ms: np.ndarray,
    rings: tuple[np.ndarray, np.ndarray],
    cfg: SynapseConfig,
) -> dict[str, Any]:
    """Response of one scheme: receptor numbers, PSP per receptor, mean synapse."""
    receptor = patch_response(scheme, t_ms, rings, cfg)
    n = cfg.n_receptors
    active = float(activation_probability(receptor.p_ever_open, n))
    e1 = float(receptor.psp_mV.max())
    return {
        "scheme": scheme.name,
        "p_open_single": receptor.p_ever_open,
        "psp_per_receptor_mV": e1,
        "latency_ms": receptor.latency_ms,
        "peak_open_fraction": receptor.peak_open_fraction,
        "mean_synapse": {
            "n_receptors": n,
            "p_activation": active,
            "p_transmit": cfg.release_probability * active,
            "psp_mV": n * e1,
            "efficacy_theta": n * e1 / (active * cfg.threshold_mV) if active > 0 else 0.0,
            "peak_open_receptors": n * receptor.peak_open_fraction,
            "peak_current_pA": n
            * receptor.peak_open_fraction
            * cfg.receptor_conductance_pS
            * cfg.driving_force_mV
            * 1e-3,
        },
        "time_course": {
            "t_ms": receptor.t_ms.tolist(),
            "open_fraction": receptor.open_fraction.tolist(),
            "psp_per_receptor_mV": receptor.psp_mV.tolist(),
        },
    }


def _ci(samples: np.ndarray) -> list[float] | None:
    samples = np.asarray(samples, float)
    if samples.size < 2:
        return None
    low, high = np.percentile(samples, [2.5, 97.5])
    return [float(low), float(high)]


def compute_synapse_response(
    cfg: SynapseConfig, rates: BindingRates | None
) -> tuple[SynapseResponse, dict[str, Any]]:
    """Run the chain release -> cleft -> receptors -> membrane for one synapse.

    Parameters
    ----------
    cfg : SynapseConfig
        ``NetworkConfig.from_section(section).synapses``.
    rates : BindingRates or None
        MD rates (``source: kinetics``); None for the literature source.

    Returns
    -------
    response : SynapseResponse
        What the network uses.
    document : dict
        JSON-ready ``synapse_response.json`` body (without provenance): the cleft
        transient, the driving scheme's response with CIs, the JMS 1993 AMPA scheme
        beside it, and the time courses for the figure.
    """
    if cfg.source == "kinetics":
        if rates is None:
            raise ValueError("network.synapses.source 'kinetics' needs the MD binding rates")
        D = rates.D_um2_per_ms
        scheme = two_state_scheme(rates.k_on_per_M_per_s, rates.k_off_per_s)
    else:
        D = cfg.cleft.literature_D_um2_per_ms
        scheme = jonas_ampa_scheme()
    geometry = _geometry(cfg, D)
    transient = cleft_transient(geometry, t_max_ms=cfg.cleft.t_max_ms, n_times=_N_TIMES)
    t_ms, rings = _with_washout(
        transient.t_ms, ring_concentrations_mM(geometry, transient.t_ms), cfg
    )
    main = _scheme_block(scheme, t_ms, rings, cfg)
    draws_p, draws_e = [], []
    if rates is not None and cfg.n_bootstrap != 0:
        count = rates.draws_k_on_per_M_per_s.size
        if cfg.n_bootstrap is not None:
            count = min(cfg.n_bootstrap, count)
        for k_on, k_off in zip(
            rates.draws_k_on_per_M_per_s[:count], rates.draws_k_off_per_s[:count], strict=True
        ):
            receptor = patch_response(two_state_scheme(k_on, k_off), t_ms, rings, cfg)
            draws_p.append(receptor.p_ever_open)
            draws_e.append(float(receptor.psp_mV.max()))
    response = SynapseResponse(
        source=cfg.source,
        scheme=scheme.name,
        p_open_single=main["p_open_single"],
        psp_per_receptor_mV=main["psp_per_receptor_mV"],
        latency_ms=main["latency_ms"],
        threshold_mV=cfg.threshold_mV,
        draws_p_open_single=np.asarray(draws_p),
        draws_psp_per_receptor_mV=np.asarray(draws_e),
    )
    mean_draws = [
        response.transmission(np.array([cfg.n_receptors]), cfg.release_probability, draw=i)
        for i in range(response.n_draws)
    ]
    main["ci95"] = {
        "p_open_single": _ci(response.draws_p_open_single),
        "psp_per_receptor_mV": _ci(response.draws_psp_per_receptor_mV),
        "mean_synapse_p_transmit": _ci([p[0] for p, _ in mean_draws]),
        "mean_synapse_efficacy_theta": _ci([e[0] for _, e in mean_draws]),
        "n_draws": response.n_draws,
        "method": "joint cluster-bootstrap draws of (k_on, k_off) from kinetics.json, "
        "each run through the same cleft transient, receptor scheme and membrane",
    }
    document = {
        "schema_version": SCHEMA_VERSION,
        "source": cfg.source,
        "threshold_mV": cfg.threshold_mV,
        "release_probability": cfg.release_probability,
        "axonal_delay_ms": cfg.axonal_delay_ms,
        "membrane": {
            "receptor_conductance_pS": cfg.receptor_conductance_pS,
            "driving_force_mV": cfg.driving_force_mV,
            "membrane_capacitance_pF": cfg.membrane_capacitance_pF,
            "membrane_tau_ms": cfg.membrane_tau_ms,
        },
        "rates": None
        if rates is None
        else {
            "k_on_per_M_per_s": rates.k_on_per_M_per_s,
            "k_on_per_M_per_s_ci95": rates.k_on_ci95,
            "k_off_per_s": rates.k_off_per_s,
            "k_off_per_s_ci95": rates.k_off_ci95,
            "K_d_M": rates.K_d_M,
            "source": rates.source,
        },
        "cleft": {
            **{key: value for key, value in transient.to_dict().items() if key != "table"},
            "geometry": {  # JSON has no infinity: no uptake is null
                key: None if isinstance(value, float) and math.isinf(value) else value
                for key, value in dataclasses.asdict(geometry).items()
            },
            "D_cleft_um2_per_ms": D,
            "time_course": {
                "t_ms": transient.t_ms.tolist(),
                "patch_mM": transient.patch_mM.tolist(),
                "cleft_mM": transient.cleft_mM.tolist(),
            },
        },
        "response": main,
        "draws": {
            "p_open_single": response.draws_p_open_single.tolist(),
            "psp_per_receptor_mV": response.draws_psp_per_receptor_mV.tolist(),
        },
        "comparison": None
        if cfg.source == "literature"
        else _scheme_block(jonas_ampa_scheme(), t_ms, rings, cfg),
    }
    logger.info(
        "synapse response (%s, %s): p1 %.3g, PSP %.3g mV per receptor, latency %.3g ms",
        cfg.source,
        scheme.name,
        response.p_open_single,
        response.psp_per_receptor_mV,
        response.latency_ms,
    )
    return response, document


def load_synapse_response(path: str | os.PathLike) -> SynapseResponse:
    """Read ``synapse_response.json`` (written by :func:`network.jobs.run_synapse_response`).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    KineticsError
        If a key is missing or holds a bad value (named, with the file).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"synapse response file not found: {path}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("schema_version") != SCHEMA_VERSION:
            raise KineticsError(
                f"{path}: schema_version {data.get('schema_version')!r} is not {SCHEMA_VERSION}"
            )
        main = data["response"]
        return SynapseResponse(
            source=str(data["source"]),
            scheme=str(main["scheme"]),
            p_open_single=float(main["p_open_single"]),
            psp_per_receptor_mV=float(main["psp_per_receptor_mV"]),
            latency_ms=float(main["latency_ms"]),
            threshold_mV=float(data["threshold_mV"]),
            draws_p_open_single=np.asarray(data["draws"]["p_open_single"], float),
            draws_psp_per_receptor_mV=np.asarray(data["draws"]["psp_per_receptor_mV"], float),
            source_path=str(path),
        )
    except json.JSONDecodeError as err:
        raise KineticsError(f"{path}: not valid JSON: {err}") from err
    except KeyError as err:
        raise KineticsError(f"{path}: missing key {err}") from err
    except (TypeError, ValueError) as err:
        raise KineticsError(f"{path}: bad value: {err}") from err
