"""Headline numbers, the conclusion paragraph and the message at the end of a run.

The same few numbers open ``summary.md`` and close a successful ``snakemake`` run:
the transmitter first-passage mean in simulated and physical time, the time
calibration, the binding rates, one release's synapse response and the physical λ,
the run nearest the mean-field
exponents (τ, α with 95 % CIs, its branching ratio and whether the crackling
relation holds) and where the dynamic range peaks. Everything is read from the stage
artifacts of docs/contracts.md; nothing is recomputed.

:func:`end_of_run_message` is what the Snakefile's ``onsuccess:`` prints. It reads
only the files that exist (a run with a partial target prints what it made) and
never raises: a damaged or missing artifact costs a line, not the run.

Times: the MD and its fits are in simulated ps; physical time = simulated time × s,
with the time-scale factor s = D_sim / D_target of ``kinetics.json``.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from synsoc.layout import ResultLayout

__all__ = [
    "MEAN_FIELD_EXPONENTS",
    "PS_PER_MS",
    "Estimate",
    "RunEstimates",
    "Headline",
    "format_duration_ms",
    "control_symbol",
    "read_run_estimates",
    "nearest_mean_field",
    "kinetics_headlines",
    "synapse_headlines",
    "rescaled_time_scale",
    "criticality_headlines",
    "dynamic_range_headlines",
    "conclusion_paragraph",
    "report_command",
    "end_of_run_message",
    "read_json_object",
    "json_block",
    "finite_number",
]

logger = logging.getLogger(__name__)

PS_PER_MS = 1.0e9
"""Picoseconds per millisecond."""

MEAN_FIELD_EXPONENTS = {"tau": 1.5, "alpha": 2.0}
"""Mean-field (critical branching process) size and duration exponents; used when a
``criticality.json`` does not quote ``reference_exponents.mean_field_branching``."""

_CONTROL_SYMBOLS = {"sigma0": "σ0", "lambda": "λ"}
_FAMILY_NAMES = {
    "expon": "exponential",
    "gamma": "gamma",
    "weibull_min": "Weibull",
    "lognorm": "log-normal",
    "invgauss": "inverse-Gaussian",
    "levy": "Lévy",
}
_MODEL_NAMES = {
    "branching": "branching process",
    "kinouchi_copelli": "Kinouchi–Copelli",
    "subcritical_branching": "subcritical branching",
    "levina": "Levina–Herrmann–Geisel",
}

# Errors an artifact that is missing, half-written or of another schema raises while
# it is read (json.JSONDecodeError is a ValueError).
_READ_ERRORS = (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError)


def read_json_object(path: str | os.PathLike) -> dict[str, Any]:
    """The JSON object in ``path`` (a ValueError naming the file if it holds another type)."""
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object, found {type(data).__name__}")
    return data


def finite_number(value: Any) -> float | None:
    """``value`` as a finite float, or None (bools, strings, NaN and inf are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _g(value: float, digits: int = 3) -> str:
    return f"{value:.{digits}g}"


def format_duration_ms(value_ms: float, digits: int = 3) -> str:
    """A physical duration given in ms, written in the unit that suits it.

    Parameters
    ----------
    value_ms : float
        Duration (ms), finite and >= 0.
    digits : int
        Significant digits.

    Returns
    -------
    str
        E.g. ``"2.18 ns"``, ``"0.608 µs"``... ``"1.5 s"``.

    Raises
    ------
    ValueError
        If ``value_ms`` is negative or not finite.
    """
    value = finite_number(value_ms)
    if value is None or value < 0:
        raise ValueError(f"value_ms must be a finite duration >= 0, got {value_ms!r}")
    for unit, per_ms in (("s", 1e-3), ("ms", 1.0), ("µs", 1e3), ("ns", 1e6)):
        if value * per_ms >= 1.0:
            return f"{_g(value * per_ms, digits)} {unit}"
    return f"{_g(value * PS_PER_MS, digits)} ps"


def control_symbol(control_name: str | None) -> str:
    """Display name of the sweep's control parameter (``"lambda"`` -> ``"λ"``)."""
    if not control_name:
        return "control"
    return _CONTROL_SYMBOLS.get(control_name, control_name)


@dataclass(frozen=True)
class Estimate:
    """A number with its 95 % confidence interval, as the stage JSONs store them.

    Attributes
    ----------
    value : float
    ci95 : tuple of (float, float) or None
        Lower and upper bound; None when the artifact gives no interval.
    """

    value: float
    ci95: tuple[float, float] | None = None

    @classmethod
    def from_json(cls, value: Any, ci95: Any = None) -> Estimate | None:
        """From a JSON number and ``[lo, hi]`` list; None when ``value`` is no number."""
        number = finite_number(value)
        if number is None:
            return None
        bounds = None
        if isinstance(ci95, list | tuple) and len(ci95) == 2:
            lo, hi = (finite_number(b) for b in ci95)
            if lo is not None and hi is not None:
                bounds = (lo, hi)
        return cls(number, bounds)

    def text(self, digits: int = 3) -> str:
        """``"1.54 [1.49, 1.62]"`` (value and 95 % CI), or the value alone."""
        if self.ci95 is None:
            return _g(self.value, digits)
        lo, hi = self.ci95
        return f"{_g(self.value, digits)} [{_g(lo, digits)}, {_g(hi, digits)}]"

    def covers(self, x: float) -> bool | None:
        """Whether ``x`` lies inside the 95 % CI (None without a CI)."""
        if self.ci95 is None:
            return None
        return self.ci95[0] <= x <= self.ci95[1]


@dataclass(frozen=True)
class RunEstimates:
    """The criticality estimates of one run of the sweep (from its ``criticality.json``).

    Attributes
    ----------
    regime, control : str
        The run (``control`` is the wildcard text of the control value).
    n_avalanches : int or None
    tau, alpha, gamma : Estimate or None
        Size exponent τ, duration exponent α, ⟨S⟩(T) exponent γ; None when undefined.
    gamma_predicted : Estimate or None
        (α − 1) / (τ − 1), the crackling-noise prediction of γ.
    crackling_holds : bool or None
        Whether γ and its prediction agree within their 95 % CIs (None when undefined).
    m_conventional, m_multistep : Estimate or None
        Branching ratio, conventional and multistep-regression (Wilting & Priesemann 2018).
    collapse_gamma : float or None
        γ of the shape collapse.
    gof_p_size, gof_p_duration : float or None
        Bootstrap goodness-of-fit p-values of the power laws (plausible when > 0.1).
    support_size, support_duration : str or None
        Clauset et al.'s support for a power law: none, moderate, good, with cut-off.
    mean_field : dict of str to float
        Mean-field τ and α quoted by the artifact.
    notes : tuple of str
        Why a part is undefined (``"exponents: only 4 avalanches ..."``).
    flags : tuple of str
        The run's flag messages (``criticality.json`` ``flags``: too few avalanches,
        supercritical, not quiescent).
    """

    regime: str
    control: str
    n_avalanches: int | None
    tau: Estimate | None
    alpha: Estimate | None
    gamma: Estimate | None
    gamma_predicted: Estimate | None
    crackling_holds: bool | None
    m_conventional: Estimate | None
    m_multistep: Estimate | None
    collapse_gamma: float | None
    gof_p_size: float | None
    gof_p_duration: float | None
    mean_field: Mapping[str, float]
    support_size: str | None = None
    support_duration: str | None = None
    notes: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``"static/1"``."""
        return f"{self.regime}/{self.control}"

    def distance_to_mean_field(self) -> float | None:
        """Euclidean distance of (τ, α) from the mean-field values; None if undefined."""
        if self.tau is None or self.alpha is None:
            return None
        return math.hypot(
            self.tau.value - self.mean_field["tau"], self.alpha.value - self.mean_field["alpha"]
        )


def json_block(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """``data[key]`` when it is a mapping, else an empty one (absent or malformed blocks)."""
    value = data.get(key)
    return value if isinstance(value, Mapping) else {}


def read_run_estimates(
    regime: str, control: str, criticality_json: str | os.PathLike
) -> RunEstimates:
    """Read the estimates of one run from its ``criticality.json``.

    Parameters
    ----------
    regime, control : str
        The run.
    criticality_json : path-like
        ``R/criticality/runs/{regime}/{control}/criticality.json``.

    Returns
    -------
    RunEstimates
        Undefined parts (``{"status": "undefined", "reason": ...}``) give None values
        and a note.

    Raises
    ------
    OSError, ValueError
        If the file cannot be read or is not a JSON object.
    """
    data = read_json_object(criticality_json)
    exponents = json_block(data, "exponents")
    notes = []
    for part in ("exponents", "shape_collapse", "branching_ratio"):
        block = json_block(data, part)
        if block.get("status") == "undefined":
            notes.append(f"{part.replace('_', ' ')}: {block.get('reason', 'undefined')}")
    gamma_block = json_block(exponents, "gamma")
    if gamma_block.get("status") == "undefined":
        notes.append(f"γ: {gamma_block.get('reason', 'undefined')}")

    def exponent(key: str) -> Estimate | None:
        block = json_block(exponents, key)
        return Estimate.from_json(block.get("value"), block.get("ci95"))

    relation = json_block(exponents, "scaling_relation")
    branching = json_block(data, "branching_ratio")
    holds = relation.get("holds_within_ci95")
    reference = json_block(json_block(data, "reference_exponents"), "mean_field_branching")
    mean_field = {
        key: finite_number(reference.get(key)) or default
        for key, default in MEAN_FIELD_EXPONENTS.items()
    }
    gof = json_block(data, "goodness_of_fit")
    verdict = json_block(data, "power_law_verdict")
    n_avalanches = data.get("n_avalanches")
    return RunEstimates(
        regime=regime,
        control=control,
        n_avalanches=n_avalanches if isinstance(n_avalanches, int) else None,
        tau=exponent("tau"),
        alpha=exponent("alpha"),
        gamma=exponent("gamma"),
        gamma_predicted=Estimate.from_json(
            relation.get("gamma_predicted"), relation.get("gamma_predicted_ci95")
        ),
        crackling_holds=holds if isinstance(holds, bool) else None,
        m_conventional=Estimate.from_json(
            branching.get("conventional"), branching.get("conventional_ci95")
        ),
        m_multistep=Estimate.from_json(
            branching.get("multistep_regression"), branching.get("multistep_regression_ci95")
        ),
        collapse_gamma=finite_number(json_block(data, "shape_collapse").get("gamma")),
        gof_p_size=finite_number(json_block(gof, "size").get("p_value")),
        gof_p_duration=finite_number(json_block(gof, "duration").get("p_value")),
        mean_field=mean_field,
        support_size=json_block(verdict, "size").get("support"),
        support_duration=json_block(verdict, "duration").get("support"),
        notes=tuple(notes),
        flags=tuple(
            str(flag.get("message"))
            for flag in data.get("flags", [])
            if isinstance(flag, Mapping) and flag.get("message")
        ),
    )


def nearest_mean_field(runs: Sequence[RunEstimates]) -> RunEstimates | None:
    """The run whose (τ, α) lies closest to the mean-field exponents.

    Closeness is the Euclidean distance in the (τ, α) plane; runs without both
    exponents are skipped; ties keep the first run.

    Returns
    -------
    RunEstimates or None
        None when no run has both exponents.
    """
    scored = [(run.distance_to_mean_field(), k, run) for k, run in enumerate(runs)]
    scored = [item for item in scored if item[0] is not None]
    return min(scored)[2] if scored else None


@dataclass(frozen=True)
class Headline:
    """One headline number: what it is and its value with units."""

    label: str
    text: str

    def line(self) -> str:
        """``"label: text"``."""
        return f"{self.label}: {self.text}"


def _nonnegative(value: Any) -> float | None:
    number = finite_number(value)
    return number if number is not None and number >= 0 else None


def rescaled_time_scale(kinetics: Mapping[str, Any], kind: str = "first_passage") -> float | None:
    """s of ``kinetics.json`` for ``kind`` when the calibration is valid and that kind
    may be rescaled (``time_calibration.rescaling.<kind>.rescaled``), else None."""
    calibration = json_block(kinetics, "time_calibration")
    s = finite_number(calibration.get("time_scale_factor"))
    rescaled = json_block(json_block(calibration, "rescaling"), kind).get("rescaled") is True
    return s if s is not None and s > 0 and rescaled else None


def _fit_mean_ci_ps(fit: Mapping[str, Any]) -> tuple[float, float] | None:
    """95 % CI of an event-time mean when the fit gives it: the exponential's scale."""
    if fit.get("family") not in ("expon", "exponential"):
        return None
    estimate = Estimate.from_json(0.0, json_block(fit, "params_ci95").get("scale"))
    return None if estimate is None else estimate.ci95


def kinetics_headlines(kinetics: Mapping[str, Any]) -> list[Headline]:
    """First passage (simulated and physical), time calibration, binding rates, cleft binding.

    Parameters
    ----------
    kinetics : Mapping
        Content of ``kinetics.json``.

    Returns
    -------
    list of Headline
        Up to four; blocks the JSON lacks are left out.
    """
    out = []
    s = rescaled_time_scale(kinetics)
    fit = json_block(kinetics, "first_passage")
    mean_ps = _nonnegative(fit.get("mean_ps"))
    bound_ps = _nonnegative(fit.get("lower_bound_mean_ps"))
    counts = f"{fit.get('n_events', '?')} events, {fit.get('n_censored', '?')} censored"
    if mean_ps is not None:
        ci = _fit_mean_ci_ps(fit)
        text = f"mean {_g(mean_ps)} ps"
        if ci is not None:
            text += f" [95 % CI {_g(ci[0])}, {_g(ci[1])}]"
        text += " of simulated time"
        if s is not None:
            text += f" = {format_duration_ms(mean_ps * s / PS_PER_MS)} of physical time"
        out.append(Headline("transmitter first passage (MD)", f"{text} ({counts})"))
    elif bound_ps is not None:
        text = f"mean >= {_g(bound_ps)} ps of simulated time (restricted mean; no finite fit)"
        if s is not None:
            text += f", >= {format_duration_ms(bound_ps * s / PS_PER_MS)} of physical time"
        out.append(Headline("transmitter first passage (MD)", f"{text} ({counts})"))
    calibration = json_block(kinetics, "time_calibration")
    d_sim = finite_number(calibration.get("D_sim_nm2_per_ns"))
    if calibration.get("status") in ("invalid", "omitted"):
        out.append(
            Headline(
                "time calibration",
                f"{calibration['status']}: no physical time scale ({calibration.get('reason')})",
            )
        )
    elif d_sim is not None and finite_number(calibration.get("time_scale_factor")) is not None:
        stderr = finite_number(calibration.get("D_sim_stderr_nm2_per_ns"))
        d_text = f"{_g(d_sim)} ± {_g(stderr, 2)}" if stderr is not None else _g(d_sim)
        target = finite_number(calibration.get("D_target_nm2_per_ns"))
        target_text = f" against D_target = {_g(target)} nm²/ns" if target is not None else ""
        s_all = finite_number(calibration.get("time_scale_factor"))
        out.append(
            Headline(
                "time calibration",
                f"D_sim = {d_text} nm²/ns (diffusive regime, wall-corrected){target_text}: "
                f"s = D_sim / D_target = {_g(s_all)} (physical time = simulated time × s)",
            )
        )
    rates = json_block(kinetics, "binding_rates")
    parts = []
    for key, name, unit in (
        ("k_on_per_M_per_s", "k_on", "M⁻¹ s⁻¹"),
        ("k_off_per_s", "k_off", "s⁻¹"),
        ("K_d_M", "K_d", "M"),
    ):
        estimate = Estimate.from_json(rates.get(key), rates.get(f"{key}_ci95"))
        if estimate is not None:
            parts.append(f"{name} = {estimate.text(3)} {unit}")
    if parts:
        out.append(
            Headline(
                "binding rates (model site, MD)",
                "; ".join(parts) + " (AMPA receptors: k_on 5e6–3e7 M⁻¹ s⁻¹, k_off 3–4e3 s⁻¹)",
            )
        )
    return out


def _run_name(run: RunEstimates, symbol: str) -> str:
    return f"{run.regime}, {symbol} = {run.control}"


def criticality_headlines(runs: Sequence[RunEstimates], *, symbol: str = "λ") -> list[Headline]:
    """The run nearest the mean-field exponents: τ, α, branching ratio, crackling relation.

    Parameters
    ----------
    runs : sequence of RunEstimates
    symbol : str
        Display name of the control parameter.
    """
    best = nearest_mean_field(runs)
    if best is None:
        if runs:
            return [Headline("criticality", f"exponents undefined in all {len(runs)} runs")]
        return []
    parts = [f"τ = {best.tau.text()}", f"α = {best.alpha.text()}"]
    if best.m_multistep is not None:
        parts.append(f"m = {best.m_multistep.text()} (multistep regression)")
    if best.crackling_holds is not None:
        parts.append(
            "crackling relation holds within 95 % CI"
            if best.crackling_holds
            else "crackling relation violated at 95 %"
        )
    mean_field = f"τ = {_g(best.mean_field['tau'])}, α = {_g(best.mean_field['alpha'])}"
    return [
        Headline(f"nearest mean field ({mean_field}): {_run_name(best, symbol)}", "; ".join(parts))
    ]


def synapse_headlines(
    synapse: Mapping[str, Any], physical: Sequence[tuple[str, Mapping[str, Any]]] = ()
) -> list[Headline]:
    """One release's response (``synapse_response.json``) and the physical runs' λ.

    Parameters
    ----------
    synapse : Mapping
        ``synapse_response.json``.
    physical : sequence of (str, Mapping)
        (regime, ``summary.json``) of the physical runs.
    """
    out = []
    cleft = json_block(synapse, "cleft")
    mean = json_block(json_block(synapse, "response"), "mean_synapse")
    ci = json_block(json_block(synapse, "response"), "ci95")
    peak, p, efficacy = (
        finite_number(cleft.get("peak_mM")),
        finite_number(mean.get("p_transmit")),
        finite_number(mean.get("efficacy_theta")),
    )
    if peak is not None and p is not None and efficacy is not None:
        eff_ci = ci.get("mean_synapse_efficacy_theta")
        eff = _g(efficacy) + (f" [{_g(eff_ci[0])}, {_g(eff_ci[1])}]" if eff_ci else "")
        out.append(
            Headline(
                f"synapse response ({synapse.get('source')} rates)",
                f"{_g(peak)} mM over the receptor patch; a synapse of "
                f"{_g(mean.get('n_receptors'))} receptors transmits with p = {_g(p)}, "
                f"efficacy {eff} θ",
            )
        )
    parts = []
    for regime, summary in physical:
        lam = finite_number(summary.get("lambda"))
        if lam is None:
            continue
        lam_ci = summary.get("lambda_ci95")
        text = f"{regime}: λ = {_g(lam)}" + (
            f" [{_g(lam_ci[0])}, {_g(lam_ci[1])}]" if lam_ci else ""
        )
        sigma = finite_number(summary.get("sigma_expected"))
        if sigma is not None:
            text += f", σ measured {_g(sigma)}"
        parts.append(text)
    if parts:
        out.append(Headline("physical synapses (λ = 1 is critical)", "; ".join(parts)))
    return out


def _control_text(entry: Mapping[str, Any]) -> str | None:
    """The control value of a run as text: the number (``f"{value:g}"``) or its label
    (``physical``); None when neither is given."""
    value = finite_number(entry.get("control_value"))
    if value is not None:
        return f"{value:g}"
    label = entry.get("control_label")
    return str(label) if label else None


def dynamic_range_headlines(
    dynamic_range: Mapping[str, Any], *, symbol: str = "λ"
) -> list[Headline]:
    """Where the dynamic range Δ peaks in each regime (``peak_per_regime``)."""
    peaks = json_block(dynamic_range, "peak_per_regime")
    items = []
    for regime, peak in peaks.items():
        if not isinstance(peak, Mapping):
            continue
        control, delta = _control_text(peak), finite_number(peak.get("delta_db"))
        if control is not None and delta is not None:
            items.append(f"{regime} at {symbol} = {control} ({_g(delta)} dB)")
        else:
            items.append(f"{regime} undefined")
    return [Headline("dynamic-range peak", "; ".join(items))] if items else []


def _sentence_list(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _kinetics_sentences(kinetics: Mapping[str, Any]) -> list[str]:
    out = []
    s = rescaled_time_scale(kinetics)
    fit = json_block(kinetics, "first_passage")
    mean_ps = _nonnegative(fit.get("mean_ps"))
    if mean_ps is not None:
        sentence = (
            f"In the MD, a released transmitter first reaches a receptor after "
            f"{_g(mean_ps)} ps of simulated time on average ({fit.get('n_events', '?')} "
            f"events, {fit.get('n_censored', '?')} censored; "
            f"{_FAMILY_NAMES.get(fit.get('family'), fit.get('family'))} fit)"
        )
        if s is not None:
            sentence += (
                f", which the time-scale factor s = {_g(s)} turns into "
                f"{format_duration_ms(mean_ps * s / PS_PER_MS)} of physical time"
            )
        out.append(sentence + ".")
    bound_ps = _nonnegative(fit.get("lower_bound_mean_ps"))
    if mean_ps is None and bound_ps is not None:
        family = _FAMILY_NAMES.get(fit.get("family"), fit.get("family"))
        sentence = (
            f"In the MD the first-passage fit ({family}, {fit.get('n_events', '?')} events, "
            f"{fit.get('n_censored', '?')} censored) has no finite mean; the restricted mean, a "
            f"lower bound, is {_g(bound_ps)} ps of simulated time"
        )
        if s is not None:
            sentence += f" (>= {format_duration_ms(bound_ps * s / PS_PER_MS)} of physical time)"
        out.append(sentence + ".")
    return out


def _criticality_sentences(runs: Sequence[RunEstimates], symbol: str) -> list[str]:
    if not runs:
        return []
    defined = [run for run in runs if run.tau is not None and run.alpha is not None]
    if not defined:
        return [f"No run of the sweep had enough avalanches for exponents ({len(runs)} runs)."]
    best = nearest_mean_field(defined)
    mf_tau, mf_alpha = best.mean_field["tau"], best.mean_field["alpha"]
    sentence = (
        f"Exponents are defined for {len(defined)} of {len(runs)} runs; the run closest to the "
        f"mean-field exponents (τ = {_g(mf_tau)}, α = {_g(mf_alpha)}) is "
        f"{_run_name(best, symbol)}, with τ = {best.tau.text()} and α = {best.alpha.text()}"
    )
    inside = [best.tau.covers(mf_tau), best.alpha.covers(mf_alpha)]
    if all(flag is True for flag in inside):
        sentence += " (both mean-field values inside the 95 % CIs)"
    elif any(flag is False for flag in inside):
        sentence += " (a mean-field value outside its 95 % CI)"
    if best.m_multistep is not None:
        sentence += f" and a branching ratio m = {best.m_multistep.text()} (multistep regression)"
    out = [sentence + "."]
    tested = [run for run in defined if run.crackling_holds is not None]
    if tested:
        holding = [run for run in tested if run.crackling_holds]
        if best.crackling_holds is None:
            best_text = ""
        elif best.crackling_holds:
            best_text = ", including that run"
        else:
            best_text = ", not including that run"
        out.append(
            f"The crackling-noise relation γ = (α − 1)/(τ − 1) holds within the 95 % CIs "
            f"in {len(holding)} of {len(tested)} runs{best_text}."
        )
    return out


def _dynamic_range_sentences(dynamic_range: Mapping[str, Any], symbol: str) -> list[str]:
    peaks = json_block(dynamic_range, "peak_per_regime")
    found = []
    for regime, peak in peaks.items():
        if isinstance(peak, Mapping):
            control, delta = _control_text(peak), finite_number(peak.get("delta_db"))
            if control is not None and delta is not None:
                found.append((regime, control, delta))
    if not found:
        return []
    prediction = "where Kinouchi & Copelli (2006) predict the maximum"
    at_one = [r for r, c, _ in found if c == "1"]
    if len(at_one) == len(found):
        values = _sentence_list([f"{r} {_g(d)} dB" for r, _, d in found])
        regimes = "In every regime" if len(found) > 1 else f"In the {found[0][0]} regime"
        return [f"{regimes} the dynamic range peaks at {symbol} = 1, {prediction} ({values})."]
    places = _sentence_list([f"{symbol} = {c} in the {r} regime ({_g(d)} dB)" for r, c, d in found])
    return [f"The dynamic range peaks at {places}; {symbol} = 1 is {prediction}."]


def _alignment_sentences(alignment: Mapping[str, Any], symbol: str) -> list[str]:
    """The best-scoring run and the controls' scores, with what the scale means."""
    runs = [
        r
        for r in alignment.get("runs", [])
        if isinstance(r, Mapping) and finite_number(r.get("score")) is not None
    ]
    if not runs:
        return []
    top = max(runs, key=lambda r: r["score"])
    n_high = sum(r["score"] >= 0.7 for r in runs)
    sentences = [
        f"Alignment with critical branching (expected fraction of its four signatures that "
        f"hold; 0.7 = the seed's '70 % equivalence'): {n_high} of {len(runs)} runs reach 0.7; "
        f"the highest is {top.get('regime')}, {symbol} = {top.get('control_label')} with "
        f"{top['score']:.2f} ± {top.get('score_sd') or 0.0:.2f}."
    ]
    controls = [
        f"{_MODEL_NAMES.get(r.get('regime'), r.get('regime'))} (σ0 = {r.get('control_label')}) "
        f"{r['score']:.2f}"
        for r in alignment.get("controls", [])
        if isinstance(r, Mapping) and finite_number(r.get("score")) is not None
    ]
    if controls:
        sentences.append(f"Controls on the same graph score {_sentence_list(controls)}.")
    return sentences


def conclusion_paragraph(
    *,
    kinetics: Mapping[str, Any] | None = None,
    runs: Sequence[RunEstimates] = (),
    dynamic_range: Mapping[str, Any] | None = None,
    alignment: Mapping[str, Any] | None = None,
    symbol: str = "λ",
) -> str:
    """A few sentences that say what the numbers show, generated from them.

    Parameters
    ----------
    kinetics, dynamic_range, alignment : Mapping, optional
        Contents of ``kinetics.json``, ``dynamic_range.json``, ``alignment.json``.
    runs : sequence of RunEstimates
    symbol : str
        Display name of the control parameter.

    Returns
    -------
    str
        One paragraph (no trailing newline); ``""`` when nothing is given.
    """
    sentences = [
        *_kinetics_sentences(kinetics or {}),
        *_criticality_sentences(runs, symbol),
        *_dynamic_range_sentences(dynamic_range or {}, symbol),
        *_alignment_sentences(alignment or {}, symbol),
    ]
    return " ".join(sentences)


def _display_path(path: str | os.PathLike) -> str:
    """``path`` relative to the working directory when it lies below it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (OSError, ValueError):
        return str(path)


def _config_words(configfiles, config_args) -> list[str]:
    words = []
    if configfiles:
        words += ["--configfile", *(_display_path(path) for path in configfiles)]
    if config_args:
        words += ["--config", *(str(arg) for arg in config_args)]
    return words


def report_command(configfiles: Sequence[str | os.PathLike] = (), config_args=()) -> str:
    """The shell command that builds the HTML report for the same configuration.

    Parameters
    ----------
    configfiles : sequence of path-like
        Config files given on the command line (``--configfile``); the workflow's
        default is not repeated.
    config_args : sequence of str
        ``--config`` overrides (``"key=value"``).
    """
    return shlex.join(
        ["snakemake", "--report", "report.html", *_config_words(configfiles, config_args)]
    )


def _workflow_cli(workflow: Any) -> tuple[list[Any], list[str]]:
    """Config files and ``--config`` arguments given on the command line of ``workflow``."""
    configfiles = list(getattr(workflow, "overwrite_configfiles", None) or [])
    settings = getattr(workflow, "config_settings", None)
    config_args = getattr(settings, "config_args", None) or []
    if isinstance(config_args, str):
        config_args = shlex.split(config_args)
    return configfiles, [str(arg) for arg in config_args]


def _attempt(problems: list[str], what: Any, func, *args):
    """``func(*args)``, or None with a note in ``problems`` when an artifact is unreadable."""
    try:
        return func(*args)
    except _READ_ERRORS as err:
        problems.append(f"{_display_path(what) if isinstance(what, Path) else what}: {err}")
        logger.debug("%s unreadable: %s", what, err)
        return None


def _message(
    results_dir: str, runs: Sequence[tuple[str, str]], configfiles, config_args
) -> list[str]:
    layout = ResultLayout(str(results_dir))
    summary = Path(layout.report("summary.md"))
    kinetics_path = Path(layout.kinetics("kinetics.json"))
    run_paths = [
        (
            regime,
            control,
            Path(layout.criticality_run("criticality.json", regime=regime, control=control)),
        )
        for regime, control in runs
    ]
    dynamic_path = Path(layout.criticality_sweep("dynamic_range.json"))
    alignment_path = Path(layout.criticality_sweep("alignment.json"))
    inputs = [kinetics_path, *(path for _, _, path in run_paths), dynamic_path, alignment_path]

    lines = []
    if summary.is_file():
        newer = [p for p in inputs if p.is_file() and p.stat().st_mtime > summary.stat().st_mtime]
        lines.append("synsoc: run complete.")
        note = ""
        if newer:
            note = (
                f"  (older than {_display_path(newer[0])}: not updated by this run; run the "
                "whole workflow to refresh it)"
            )
        lines.append(f"  summary:     {_display_path(summary)}{note}")
        figures = Path(layout.report("figures"))
        if figures.is_dir():
            count = sum(1 for _ in figures.rglob("*.png"))
            lines.append(f"  figures:     {_display_path(figures)}/ ({count} PNG)")
        lines.append(f"  HTML report: {report_command(configfiles, config_args)}")
    else:
        whole = shlex.join(["snakemake", *_config_words(configfiles, config_args)])
        lines.append(
            f"synsoc: done; {_display_path(summary)} was not among this run's targets: "
            f"`{whole}` runs the whole workflow and writes it, then "
            f"`{report_command(configfiles, config_args)}` builds the HTML report."
        )

    headlines: list[Headline] = []
    problems: list[str] = []
    if kinetics_path.is_file():
        kinetics = _attempt(problems, kinetics_path, read_json_object, kinetics_path)
        if kinetics is not None:
            headlines += _attempt(problems, kinetics_path, kinetics_headlines, kinetics) or []
    synapse_path = Path(layout.network_synapse("synapse_response.json"))
    if synapse_path.is_file():
        synapse = _attempt(problems, synapse_path, read_json_object, synapse_path)
        physical = []
        for regime, control in runs:
            path = Path(layout.network_run("summary.json", regime=regime, control=control))
            if control == "physical" and path.is_file():
                summary = _attempt(problems, path, read_json_object, path)
                if summary is not None:
                    physical.append((regime, summary))
        if synapse is not None:
            headlines += (
                _attempt(problems, synapse_path, synapse_headlines, synapse, physical) or []
            )
    estimates = []
    for regime, control, path in run_paths:
        if path.is_file():
            estimate = _attempt(problems, path, read_run_estimates, regime, control, path)
            if estimate is not None:
                estimates.append(estimate)
    headlines += _attempt(problems, "criticality", criticality_headlines, estimates) or []
    if dynamic_path.is_file():
        dynamic_range = _attempt(problems, dynamic_path, read_json_object, dynamic_path)
        if dynamic_range is not None:
            headlines += (
                _attempt(problems, dynamic_path, dynamic_range_headlines, dynamic_range) or []
            )
    if headlines:
        lines.append("  headline numbers:")
        lines += [f"    - {headline.line()}" for headline in headlines]
    lines += [f"  (left out, unreadable: {problem})" for problem in problems]
    return lines


def end_of_run_message(
    results_dir: str | os.PathLike,
    *,
    runs: Sequence[tuple[str, str]] = (),
    workflow: Any = None,
    configfiles: Sequence[str | os.PathLike] = (),
    config_args: Sequence[str] = (),
) -> str:
    """What a successful run prints: where the summary is, the report command, headlines.

    Reads only files that exist, so a run with a partial target reports what it has;
    never raises (the hook must not fail a run whose jobs all succeeded): an
    unexpected error is logged and yields a one-line message.

    Parameters
    ----------
    results_dir : path-like
        ``config["results_dir"]``.
    runs : sequence of (str, str)
        (regime, control label) of the sweep (the workflow's ``network_runs()``).
    workflow : snakemake.workflow.Workflow, optional
        The running workflow: the config files (``--configfile``) and ``--config``
        arguments of its command line are repeated in the report command.
    configfiles, config_args : sequence
        The same, given directly (used when ``workflow`` is None).

    Returns
    -------
    str
        Several lines, no trailing newline.
    """
    try:
        if workflow is not None:
            configfiles, config_args = _workflow_cli(workflow)
        return "\n".join(_message(str(results_dir), runs, configfiles, config_args))
    except Exception as err:  # noqa: BLE001 - a report hook must never fail the run
        logger.warning("end-of-run summary failed: %s", err, exc_info=True)
        return (
            f"synsoc: done (the end-of-run summary failed: {type(err).__name__}: {err}); "
            f"results are under {results_dir}"
        )
