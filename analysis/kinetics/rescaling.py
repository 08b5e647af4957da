"""Which event kinds may be mapped to physical time by s = D_sim / D_target, and how wrong.

Rescaling simulated times by s assumes every simulated time scale is proportional to
1/D, i.e. to the friction γ. That holds for overdamped (Smoluchowski) dynamics and
fails in two ways in Langevin dynamics at moderate γ; both are measured, not assumed:

* **First passages and rebindings** are diffusive searches for a capture sphere of
  radius a = ``r_on``. Inertia carries a transmitter a mean free path
  ℓ = √(kT/M) / γ before its velocity decorrelates; capture then differs from the
  overdamped prediction by a relative amount proportional to the Knudsen number
  Kn = ℓ / a. Langevin simulations of first passage to an absorbing sphere
  (tests/kinetics/test_langevin_oracles.py, three geometries) give
  ⟨T⟩_Langevin / ⟨T⟩_overdamped − 1 ≈ ``FIRST_PASSAGE_BIAS_PER_KNUDSEN`` × Kn for
  Kn ≲ 0.1 (0.26 at γ = 3/ps, Kn = 0.077; 0.16 at γ = 5/ps; 0.94 at γ = 1/ps).
* **Dwells** are escapes over the barrier of the bound well (Kramers). Their time is
  proportional to γ only when γ ≫ ω (the well frequency): at friction ratio g = γ/ω
  Kramers' rate is κ(g) = g (√(g²/4 + 1) − g/2) times the overdamped one, so a
  D-rescaled dwell is too long by 1/κ − 1 (κ = 0.94 at g = 4, 0.57 at g = 0.86). The
  well frequency is estimated from the spread of the bound distance,
  ω = √(kT / (M σ_r²)) (harmonic well; an estimate, reported as such).

A kind is rescaled when its predicted systematic error is at most ``max_bias``
(config ``kinetics.max_rescaling_bias``); its physical times are then reported with
that error beside them, else only in simulated time, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from synsoc.validation import check_positive

__all__ = [
    "BOLTZMANN_KJ_PER_MOL_K",
    "FIRST_PASSAGE_BIAS_PER_KNUDSEN",
    "thermal_speed_nm_per_ps",
    "mean_free_path_nm",
    "first_passage_bias",
    "kramers_transmission",
    "well_frequency_per_ps",
    "KindRescaling",
    "RESCALED_KINDS",
    "not_rescaled",
    "rescaling_checks",
]

BOLTZMANN_KJ_PER_MOL_K = 0.0083144626
"""Molar gas constant R = N_A k_B (kJ mol⁻¹ K⁻¹)."""

FIRST_PASSAGE_BIAS_PER_KNUDSEN = 3.6
"""Slope of the relative first-passage bias against Kn = ℓ / a, fitted through the origin to
Langevin runs at Kn <= 0.1 (tests/kinetics/langevin_sims.py, 2000 particles each, standard
errors 0.03–0.04): (a, r0, R) = (0.45, 0.8, 1.5) nm at Kn 0.077 / 0.046 -> 0.26 / 0.16;
(0.3, 0.5, 1.2) at 0.069 -> 0.29; (0.6, 1.2, 2.0) at 0.087 -> 0.30. At larger Kn the
bias grows faster (0.64 at Kn 0.17, 0.94 at 0.23)."""


def thermal_speed_nm_per_ps(mass_amu: float, temperature_K: float) -> float:
    """√(kT/M) in nm/ps (1 kJ/g = 1 nm²/ps²); 0.104 nm/ps for 230 amu at 300 K."""
    check_positive("mass_amu", mass_amu)
    check_positive("temperature_K", temperature_K)
    return float(np.sqrt(BOLTZMANN_KJ_PER_MOL_K * temperature_K / mass_amu))


def mean_free_path_nm(
    momentum_relaxation_ps: float, mass_amu: float, temperature_K: float
) -> float:
    """ℓ = √(kT/M) τ_p (nm): the distance a velocity persists (τ_p = 1/γ, ps)."""
    check_positive("momentum_relaxation_ps", momentum_relaxation_ps)
    return thermal_speed_nm_per_ps(mass_amu, temperature_K) * momentum_relaxation_ps


def first_passage_bias(knudsen: float) -> float:
    """Predicted relative excess of a Langevin first-passage time over the overdamped one."""
    check_positive("knudsen", knudsen, allow_zero=True)
    return FIRST_PASSAGE_BIAS_PER_KNUDSEN * float(knudsen)


def kramers_transmission(friction_ratio: float) -> float:
    """κ(g) = g (√(g²/4 + 1) − g/2): Kramers escape rate over its overdamped limit at g = γ/ω."""
    check_positive("friction_ratio", friction_ratio)
    g = float(friction_ratio)
    # g (sqrt(g^2/4 + 1) - g/2) rewritten without cancellation at large g.
    return g / (np.sqrt(g * g / 4.0 + 1.0) + g / 2.0)


def well_frequency_per_ps(distance_std_nm: float, mass_amu: float, temperature_K: float) -> float:
    """ω = √(kT / (M σ²)) (1/ps) of a harmonic well whose coordinate spreads by σ (nm)."""
    check_positive("distance_std_nm", distance_std_nm)
    return thermal_speed_nm_per_ps(mass_amu, temperature_K) / float(distance_std_nm)


RESCALED_KINDS = ("first_passage", "rebinding", "dwell")
"""Event kinds whose simulated times may be mapped to physical time."""


@dataclass(frozen=True)
class KindRescaling:
    """Whether one event kind's times may be multiplied by s.

    Attributes
    ----------
    kind : str
    rescaled : bool
    predicted_bias : float or None
        Predicted relative error of the rescaled times (positive: too long).
    criterion : str
        The quantity behind the prediction, with its value.
    """

    kind: str
    rescaled: bool
    predicted_bias: float | None
    criterion: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "rescaled": bool(self.rescaled),
            "predicted_bias": self.predicted_bias,
            "criterion": self.criterion,
        }


def not_rescaled(reason: str) -> dict[str, KindRescaling]:
    """Every kind kept in simulated time, for one ``reason``."""
    return {kind: KindRescaling(kind, False, None, reason) for kind in RESCALED_KINDS}


def rescaling_checks(
    *,
    calibration_valid: bool,
    momentum_relaxation_ps: float | None,
    mass_amu: float | None,
    temperature_K: float | None,
    capture_radius_nm: float,
    bound_distance_std_nm: float | None,
    max_bias: float,
) -> dict[str, KindRescaling]:
    """Decide per event kind whether simulated times may be rescaled by s.

    Parameters
    ----------
    calibration_valid : bool
        A valid time calibration exists (else nothing is rescaled).
    momentum_relaxation_ps : float, optional
        τ_p = 1/γ (ps); unknown -> nothing is rescaled.
    mass_amu, temperature_K : float, optional
        Transmitter mass and temperature; unknown -> nothing is rescaled.
    capture_radius_nm : float
        Binding cut-off r_on (nm).
    bound_distance_std_nm : float, optional
        Standard deviation of the binding distance in bound frames (nm); ``None``
        when nothing was bound (dwells are then not rescaled).
    max_bias : float
        Largest accepted predicted relative error (> 0).

    Returns
    -------
    dict of str to KindRescaling
        Keys ``first_passage``, ``rebinding``, ``dwell``.
    """
    check_positive("capture_radius_nm", capture_radius_nm)
    check_positive("max_bias", max_bias)
    if not calibration_valid:
        return not_rescaled("time calibration invalid")
    if momentum_relaxation_ps is None or mass_amu is None or temperature_K is None:
        return not_rescaled("friction, transmitter mass or temperature unknown (no build.json)")
    ell = mean_free_path_nm(momentum_relaxation_ps, mass_amu, temperature_K)
    knudsen = ell / capture_radius_nm
    bias = first_passage_bias(knudsen)
    search = (
        f"Kn = mean free path {ell:.3g} nm / capture radius {capture_radius_nm:g} nm "
        f"= {knudsen:.3g}"
    )
    result = {
        k: KindRescaling(k, bool(bias <= max_bias), float(bias), search)
        for k in ("first_passage", "rebinding")
    }
    if bound_distance_std_nm is None or not bound_distance_std_nm > 0:
        result["dwell"] = KindRescaling("dwell", False, None, "no bound frames")
        return result
    omega = well_frequency_per_ps(bound_distance_std_nm, mass_amu, temperature_K)
    g = 1.0 / (momentum_relaxation_ps * omega)
    kappa = kramers_transmission(g)
    result["dwell"] = KindRescaling(
        "dwell",
        bool(1.0 / kappa - 1.0 <= max_bias),
        float(1.0 / kappa - 1.0),
        f"Kramers: gamma / omega_well = {g:.3g} (omega from the bound distance spread "
        f"{bound_distance_std_nm:.3g} nm), transmission {kappa:.3g}",
    )
    return result
