"""The sample-size paragraph of a protocol, written from a design and its
result so that every number in it is the one the planner computed."""

from __future__ import annotations

from recur.format import fmt_number, landmark_label
from recur.plan.survival import METHODS, SampleSize, SurvivalDesign

REFERENCES = {"schoenfeld": "Schoenfeld 1981", "freedman": "Freedman 1982", "hsieh_freedman": "Hsieh 1992"}


def percent_text(p: float) -> str:
    """0.7 -> '70%', 0.6483 -> '64.8%'."""
    return f"{fmt_number(100 * p)}%"


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def effect_text(design: SurvivalDesign) -> str:
    """'a 1-year overall survival of 70% in the experimental arm versus 60% in the control arm'."""
    ep, when = design.endpoint, landmark_label(design.landmark_months)
    if design.hazard_ratio is not None:
        control = (f"a {when} {ep} of {percent_text(design.survival_2)}" if design.survival_2 is not None
                   else f"a median {ep} of {fmt_number(design.median_2)} months")
        return f"a hazard ratio of {design.hazard_ratio:g} (experimental versus control) with {control} in the control arm"
    if design.survival_1 is not None:
        return (f"a {when} {ep} of {percent_text(design.survival_1)} in the experimental arm versus "
                f"{percent_text(design.survival_2)} in the control arm")
    return (f"a median {ep} of {fmt_number(design.median_1)} months in the experimental arm versus "
            f"{fmt_number(design.median_2)} months in the control arm")


def justification(design: SurvivalDesign, result: SampleSize) -> str:
    """One paragraph, ready to paste into a protocol: test, alpha, power,
    effect and hazard ratio, events (method), accrual, follow-up, allocation,
    drop-out, patients per arm, the expected time to the analysis, where the
    assumptions come from, and how it was computed."""
    sided = "two-sided" if design.sided == 2 else "one-sided"
    text = (f"The sample size was calculated for a comparison of {design.endpoint} between the experimental and "
            f"the control arm with the {sided} log-rank test at a significance level of {design.alpha:g} and a "
            f"power of {percent_text(design.power)}. Assuming {effect_text(design)}, that is a hazard ratio of "
            f"{result.hazard_ratio:.3f} under exponential survival, {METHODS[design.method]}'s formula requires "
            f"{result.events_needed} events. ")
    conditions = ([f"uniform accrual over {design.accrual_months:g} months",
                   f"{design.follow_up_months:g} months of further follow-up"]
                  if design.accrual_per_month is None else
                  [f"uniform accrual of {design.accrual_per_month:g} patients per month over "
                   f"{design.accrual_months:g} months"])
    if design.allocation_ratio != 1:
        conditions.append(f"a {design.allocation_ratio:g}:1 allocation (experimental:control)")
    if design.dropout_1 or design.dropout_2:
        conditions.append(f"a drop-out of {percent_text(design.dropout_1)} (experimental) and "
                          f"{percent_text(design.dropout_2)} (control) by {design.dropout_months:g} months")
    arms = f"{result.patients_needed} patients ({result.patients_1_needed} experimental, " \
           f"{result.patients_2_needed} control)"
    text += f"With {_and(conditions)}, "
    if design.accrual_per_month is None:
        text += (f"{arms} are needed to observe them; the analysis is expected "
                 f"{fmt_number(result.analysis_months)} months after the first patient is enrolled.")
    else:
        text += (f"{arms} are enrolled and the events are expected {fmt_number(result.follow_up_months)} months "
                 f"after accrual ends, {fmt_number(result.analysis_months)} months after the first patient is "
                 "enrolled.")
    if design.basis:
        text += f" {design.basis}"
    return text + (f" Patients needed were computed from the probability of an event by the analysis (Kim & Tsiatis "
                   f"1990; {REFERENCES[design.method]}) with recur, which reproduces R's "
                   "rpact::getSampleSizeSurvival.")
