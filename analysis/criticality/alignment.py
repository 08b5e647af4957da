"""Alignment of a run's avalanches with critical branching: an equivalence score.

The seed's "70 % equivalence with existing network models" is made concrete against the
*analytic* signatures of the universality class those models share at criticality
(mean-field critical branching; Harris 1963, Sethna et al. 2001, Beggs & Plenz 2003),
never against another simulation of this project:

=====================  ====================================  =========  ========
criterion              measured                              reference  margin δ
=====================  ====================================  =========  ========
``tau``                size exponent τ                        3/2       0.1
``alpha``              duration exponent α                    2         0.25
``scaling_relation``   γ − (α − 1)/(τ − 1) (crackling noise)  0         0.3
``branching_ratio``    branching ratio m                      1         0.02
=====================  ====================================  =========  ========

(default margins, ``criticality.alignment_margins``). For each criterion the score takes
the probability that the quantity lies within ±δ of its reference, given its estimate
and 95 % interval (normal, standard error = interval width / 3.92):

    p_k = Φ((ref + δ − x) / se) − Φ((ref − δ − x) / se)

A branching ratio of 1 is what *defines* the critical point; the three exponent criteria
are its consequences and are correlated with each other (any self-consistent power law
passes all three). The score is therefore

    score = p_m × (p_τ + p_α + p_relation) / 3

the probability that the branching ratio is critical times the expected fraction of the
scale-invariance signatures that hold. A criterion the data cannot measure (too few
avalanches, no power-law fit, γ undefined, an activity series without autocorrelation
for the branching ratio) counts 0: a run earns no credit for a signature it cannot
show, and a wide interval earns less than a narrow one at the same estimate. The score's
uncertainty is the standard deviation of ``B × F`` where B ~ Bernoulli(p_m) and F is the
fraction of exponent criteria that hold, each independently with probability p_k.

"70 % equivalence" on this scale means score ≥ 0.7: the branching ratio is within its
margin of 1 with probability ≥ 0.7 *and* on average at least 70 % of the exponent
signatures hold. The calibration in docs/criticality.md gives the scores of critical,
near-critical, subcritical, non-branching and surrogate controls and of one run binned
two ways.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scipy import stats

__all__ = [
    "ALIGNMENT_DEFINITION",
    "CRITERIA",
    "DEFAULT_MARGINS",
    "Criterion",
    "CriterionResult",
    "AlignmentScore",
    "alignment_score",
    "equivalence_probability",
]

_CI_TO_SE = 2.0 * stats.norm.ppf(0.975)  # width of a 95 % normal interval in SE (3.92)


@dataclass(frozen=True)
class Criterion:
    """One signature of critical branching.

    Attributes
    ----------
    name : str
        Key in ``criticality.alignment_margins`` and in the JSON.
    label : str
        What is measured, for tables.
    reference : float
        Its value for mean-field critical branching (dimensionless).
    source : str
        Where the reference comes from.
    """

    name: str
    label: str
    reference: float
    source: str


CRITERIA = (  # the branching ratio last: the score is p_m x mean of the others
    Criterion("tau", "size exponent τ", 1.5, "critical branching, P(S) ~ S^-3/2 (Harris 1963)"),
    Criterion("alpha", "duration exponent α", 2.0, "critical branching, P(T) ~ T^-2 (Harris 1963)"),
    Criterion(
        "scaling_relation",
        "γ − (α − 1)/(τ − 1)",
        0.0,
        "crackling-noise scaling relation (Sethna, Dahmen & Myers 2001)",
    ),
    Criterion("branching_ratio", "branching ratio m", 1.0, "critical point m = 1 (Harris 1963)"),
)
"""The criteria of the score, in order."""

ALIGNMENT_DEFINITION = (
    "score = p_m x mean(p_tau, p_alpha, p_relation), p_k = P(|x - reference| <= margin) "
    "with x normal, SE = 95 % CI width / 3.92 (references of mean-field critical "
    "branching: m 1, tau 3/2, alpha 2, gamma - (alpha-1)/(tau-1) 0); an undefined "
    "criterion counts 0; score_sd = SD of Bernoulli(p_m) x (fraction of exponent criteria "
    "that hold). '70 % equivalence' = score >= 0.7"
)
"""One-line definition recorded in every JSON that holds a score."""

DEFAULT_MARGINS = {"tau": 0.1, "alpha": 0.25, "scaling_relation": 0.3, "branching_ratio": 0.02}
"""Default equivalence margins δ (the schema's defaults; docs/criticality.md says why)."""


def equivalence_probability(value: float, ci95, reference: float, margin: float) -> float:
    """Probability that a quantity lies within ``reference ± margin``.

    Parameters
    ----------
    value : float
        The estimate.
    ci95 : sequence of two floats
        Its 95 % interval, in either order; the standard error is its width / 3.92.
    reference, margin : float
        Centre and half-width of the equivalence band (same unit as ``value``).

    Returns
    -------
    float
        ``Φ((ref + δ − x)/se) − Φ((ref − δ − x)/se)`` in [0, 1]; with a zero-width
        interval, 1 inside the band and 0 outside.
    """
    se = abs(float(ci95[1]) - float(ci95[0])) / _CI_TO_SE
    if se <= 0:
        return float(abs(value - reference) <= margin * (1 + 1e-9))
    upper = stats.norm.cdf((reference + margin - value) / se)
    lower = stats.norm.cdf((reference - margin - value) / se)
    return float(max(0.0, upper - lower))


@dataclass(frozen=True)
class CriterionResult:
    """One criterion evaluated on one run.

    Attributes
    ----------
    criterion : Criterion
    margin : float
    value : float or None
        The estimate; None when the data cannot give it.
    ci95 : tuple of float or None
    probability : float
        Probability that the quantity lies within the margin (0 when undefined).
    note : str
        ``"ok"`` or why the quantity is undefined.
    """

    criterion: Criterion
    margin: float
    value: float | None
    ci95: tuple[float, float] | None
    probability: float
    note: str

    def as_dict(self) -> dict:
        """JSON-ready dictionary."""
        return {
            "criterion": self.criterion.name,
            "label": self.criterion.label,
            "value": self.value,
            "ci95": None if self.ci95 is None else list(self.ci95),
            "reference": self.criterion.reference,
            "margin": self.margin,
            "probability_within_margin": self.probability,
            "source": self.criterion.source,
            "note": self.note,
        }


@dataclass(frozen=True)
class AlignmentScore:
    """The equivalence score of one run.

    Attributes
    ----------
    criteria : tuple of CriterionResult
    score : float
        ``p_m`` times the mean probability of the exponent criteria, in [0, 1].
    score_sd : float
        Standard deviation of ``B × F`` (module docstring).
    """

    criteria: tuple[CriterionResult, ...]
    score: float
    score_sd: float

    @property
    def n_within_margin(self) -> int:
        """Criteria whose estimate lies within its margin."""
        return sum(
            r.value is not None and abs(r.value - r.criterion.reference) <= r.margin
            for r in self.criteria
        )

    def as_dict(self) -> dict:
        """JSON-ready dictionary."""
        return {
            "reference": "mean-field critical branching (analytic)",
            "definition": ALIGNMENT_DEFINITION,
            "score": self.score,
            "score_sd": self.score_sd,
            "n_within_margin": self.n_within_margin,
            "n_criteria": len(self.criteria),
            "criteria": [r.as_dict() for r in self.criteria],
        }


def _number(value: Any) -> float | None:
    """``value`` as a finite float; None for anything else (bools, None, NaN, strings)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _estimate(block: Any, value_key: str, ci_key: str) -> tuple[float | None, Any, str]:
    """(value, sorted ci95, note) of a JSON block, or (None, None, reason) when undefined."""
    if not isinstance(block, Mapping) or block.get("status") == "undefined":
        reason = block.get("reason") if isinstance(block, Mapping) else None
        return None, None, f"undefined: {reason or 'not measured'}"
    value, ci = _number(block.get(value_key)), block.get(ci_key)
    bounds = [_number(v) for v in ci] if isinstance(ci, list | tuple) and len(ci) == 2 else []
    if value is None or len(bounds) != 2 or None in bounds:
        return None, None, f"undefined: no {value_key} with a 95 % interval"
    return value, (min(bounds), max(bounds)), "ok"


def _branching(block: Any) -> tuple[float | None, Any, str]:
    """(value, ci95, note) of the branching ratio: the trees' offspring per spike, or the
    multistep regression, undefined when the activity has no autocorrelation (the lag-1
    slope's interval reaches 0: the MR fit of r_k = b m^k is then degenerate and its m
    arbitrary, e.g. m = 1.08 [0.95, 1.29] on white noise)."""
    if isinstance(block, Mapping) and "offspring_per_spike" in block:
        return _estimate(block, "offspring_per_spike", "offspring_per_spike_ci95")
    conventional = _estimate(block, "conventional", "conventional_ci95")
    if conventional[0] is not None and conventional[1][0] <= 0.0:
        low, high = conventional[1]
        return (
            None,
            None,
            (f"undefined: no autocorrelation (r_1 95 % CI [{low:.3g}, {high:.3g}] reaches 0)"),
        )
    return _estimate(block, "multistep_regression", "multistep_regression_ci95")


def _measurements(criticality: Mapping[str, Any]) -> dict[str, tuple]:
    """(value, ci95, note) of every criterion from a ``criticality.json`` block."""
    exponents = criticality.get("exponents")
    defined = isinstance(exponents, Mapping) and exponents.get("status") != "undefined"
    if not defined:
        undefined = _estimate(exponents, "value", "ci95")
        out = {"tau": undefined, "alpha": undefined, "scaling_relation": undefined}
    else:
        out = {
            "tau": _estimate(exponents.get("tau"), "value", "ci95"),
            "alpha": _estimate(exponents.get("alpha"), "value", "ci95"),
            "scaling_relation": _estimate(
                exponents.get("scaling_relation"),
                "gamma_minus_predicted",
                "gamma_minus_predicted_ci95",
            ),
        }
    out["branching_ratio"] = _branching(criticality.get("branching_ratio"))
    return out


def alignment_score(
    criticality: Mapping[str, Any], margins: Mapping[str, float] | None = None
) -> AlignmentScore:
    """Equivalence score of one data set with mean-field critical branching.

    Parameters
    ----------
    criticality : Mapping
        The analysis of one avalanche data set (``criticality.json`` or its
        ``cascades`` block): ``exponents`` (τ, α and the scaling relation with 95 %
        intervals) and ``branching_ratio`` (``multistep_regression``, or for causal
        trees ``offspring_per_spike``, with its interval). Undefined blocks
        (``{"status": "undefined", ...}``) count 0.
    margins : Mapping of str to float, optional
        Equivalence margin per criterion name (:data:`DEFAULT_MARGINS` where missing).

    Returns
    -------
    AlignmentScore
    """
    margins = {**DEFAULT_MARGINS, **(margins or {})}
    measured = _measurements(criticality)
    results = []
    for criterion in CRITERIA:
        value, ci95, note = measured[criterion.name]
        margin = float(margins[criterion.name])
        probability = (
            0.0
            if value is None
            else equivalence_probability(value, ci95, criterion.reference, margin)
        )
        results.append(CriterionResult(criterion, margin, value, ci95, probability, note))
    p_m = results[-1].probability
    p_exp = [r.probability for r in results[:-1]]
    k = len(p_exp)
    mean_f = sum(p_exp) / k
    var_f = sum(q * (1.0 - q) for q in p_exp) / k**2
    score = p_m * mean_f
    variance = p_m * (var_f + mean_f**2) - score**2
    return AlignmentScore(tuple(results), float(score), float(math.sqrt(max(variance, 0.0))))
