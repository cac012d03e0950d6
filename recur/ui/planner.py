"""The study planner's widgets: the design typed in (or filled from the
cohort with one button), and the result (events, patients, trial length,
the justification paragraph, power and assumed-curve figures). The numbers
all come from ``recur.plan``."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import streamlit as st

from recur.cohort import Cohort
from recur.errors import RecurError
from recur.figures.plan import build_assumed_curves_figure, build_power_figure
from recur.format import fmt_number
from recur.plan import (ESCC_TRIAL, METHODS, CohortAssumptions, SampleSize, SurvivalDesign, assumptions_from_cohort,
                        justification, power_curve)
from recur.safe_text import MESSAGE_LIMIT, plain
from recur.settings import Settings
from recur.ui.controls import grouping_control
from recur.ui.state import seed_widget


class PlanKeys:
    """The planner's widget keys ("w." keys are kept across page switches) and its state."""

    EFFECT = "w.plan.effect"
    LANDMARK = "w.plan.landmark"
    SURVIVAL_1 = "w.plan.survival_1"
    SURVIVAL_2 = "w.plan.survival_2"
    MEDIAN_1 = "w.plan.median_1"
    MEDIAN_2 = "w.plan.median_2"
    HAZARD_RATIO = "w.plan.hazard_ratio"
    ALPHA = "w.plan.alpha"
    POWER = "w.plan.power"
    SIDED = "w.plan.sided"
    METHOD = "w.plan.method"
    ALLOCATION = "w.plan.allocation"
    ACCRUAL = "w.plan.accrual"
    DURATION = "w.plan.duration"
    FOLLOW_UP = "w.plan.follow_up"
    RATE = "w.plan.rate"
    DROPOUT_1 = "w.plan.dropout_1"
    DROPOUT_2 = "w.plan.dropout_2"
    DROPOUT_TIME = "w.plan.dropout_time"
    FROM_COHORT_BASIS = "w.plan.from_cohort_basis"
    PATIENTS_AVAILABLE = "w.plan.patients_available"
    FROM_COHORT_BUTTON = "plan.from_cohort_button"  # a button: not a "w." key (its value cannot be set)
    ASSUMPTIONS = "recur.plan.assumptions"  # the CohortAssumptions last taken
    ERROR = "recur.plan.error"  # why the last "take assumptions" failed


EFFECTS = {"rates": "Survival at a landmark", "medians": "Median survival", "hazard_ratio": "Hazard ratio"}
DURATIONS = {"follow_up": "Accrual + follow-up (patients computed)",
             "rate": "Accrual rate (follow-up computed)"}
BASES = {"landmark": "Rates at the landmark", "median": "Medians"}
_DEFAULTS = {PlanKeys.EFFECT: "rates", PlanKeys.LANDMARK: 12.0, PlanKeys.SURVIVAL_1: 70.0,
             PlanKeys.SURVIVAL_2: 60.0, PlanKeys.MEDIAN_1: 30.0, PlanKeys.MEDIAN_2: 20.0,
             PlanKeys.HAZARD_RATIO: 0.7, PlanKeys.ALPHA: ESCC_TRIAL.alpha, PlanKeys.POWER: 100 * ESCC_TRIAL.power,
             PlanKeys.SIDED: 2, PlanKeys.METHOD: ESCC_TRIAL.method, PlanKeys.ALLOCATION: 1.0,
             PlanKeys.ACCRUAL: ESCC_TRIAL.accrual_months, PlanKeys.DURATION: "follow_up",
             PlanKeys.FOLLOW_UP: ESCC_TRIAL.follow_up_months, PlanKeys.RATE: 10.0, PlanKeys.DROPOUT_1: 0.0,
             PlanKeys.DROPOUT_2: 0.0, PlanKeys.DROPOUT_TIME: 12.0, PlanKeys.FROM_COHORT_BASIS: "landmark"}


def _take_assumptions(cohort: Cohort, settings: Settings) -> None:
    """Button callback (runs before the widgets are drawn, so it may set them)."""
    state = st.session_state
    state.pop(PlanKeys.ERROR, None)
    try:
        found = assumptions_from_cohort(cohort, settings, float(state[PlanKeys.LANDMARK]),
                                        state[PlanKeys.FROM_COHORT_BASIS])
    except RecurError as exc:
        state[PlanKeys.ERROR] = str(exc)
        return
    state[PlanKeys.ASSUMPTIONS] = found
    if found.basis == "landmark":
        state[PlanKeys.EFFECT] = "rates"
        state[PlanKeys.SURVIVAL_1] = round(100 * found.experimental.survival, 1)
        state[PlanKeys.SURVIVAL_2] = round(100 * found.control.survival, 1)
    else:
        state[PlanKeys.EFFECT] = "medians"
        state[PlanKeys.MEDIAN_1] = round(found.experimental.median, 1)
        state[PlanKeys.MEDIAN_2] = round(found.control.median, 1)
    if found.accrual_per_month is not None:
        state[PlanKeys.RATE] = round(found.accrual_per_month, 2)


def cohort_controls(cohort: Cohort, settings: Settings) -> Settings:
    """Grouping, landmark and basis, and the "Take assumptions from this cohort" button."""
    for key, value in _DEFAULTS.items():
        seed_widget(key, value)
    with st.container(border=True):
        st.markdown("**Assumptions from this cohort**: the two groups of a grouping, for the endpoint chosen on "
                    "the Survival page, with the sidebar's cutoffs and subgroup.")
        left, middle, right = st.columns(3, vertical_alignment="bottom")
        settings = grouping_control(cohort, settings, left, label="Groups to compare")
        middle.number_input("Landmark (months)", min_value=0.5, max_value=240.0, step=6.0, format="%g",
                            key=PlanKeys.LANDMARK)
        right.radio("Take", list(BASES), format_func=BASES.get, key=PlanKeys.FROM_COHORT_BASIS, horizontal=True)
        st.button("Take assumptions from this cohort", key=PlanKeys.FROM_COHORT_BUTTON, on_click=_take_assumptions,
                  args=(cohort, settings), type="primary")
        if PlanKeys.ERROR in st.session_state:
            st.error(plain(st.session_state[PlanKeys.ERROR], MESSAGE_LIMIT))
        found = st.session_state.get(PlanKeys.ASSUMPTIONS)
        if found is not None:
            st.caption(plain(found.sentence(), MESSAGE_LIMIT))
    return settings


def design_inputs() -> SurvivalDesign:
    """The design as typed in (arm 1 experimental, arm 2 control)."""
    st.subheader("Design")
    c1, c2, c3 = st.columns(3)
    effect = c1.radio("Effect given as", list(EFFECTS), format_func=EFFECTS.get, key=PlanKeys.EFFECT)
    landmark = float(st.session_state[PlanKeys.LANDMARK])
    kw: dict = {"landmark_months": landmark}
    if effect == "rates":
        kw["survival_1"] = c2.number_input(f"Experimental arm: survival at {landmark:g} months (%)", 0.1, 99.9,
                                           step=1.0, format="%g", key=PlanKeys.SURVIVAL_1) / 100
        kw["survival_2"] = c3.number_input(f"Control arm: survival at {landmark:g} months (%)", 0.1, 99.9,
                                           step=1.0, format="%g", key=PlanKeys.SURVIVAL_2) / 100
    elif effect == "medians":
        kw["median_1"] = c2.number_input("Experimental arm: median (months)", 0.1, 1200.0, step=1.0, format="%g",
                                         key=PlanKeys.MEDIAN_1)
        kw["median_2"] = c3.number_input("Control arm: median (months)", 0.1, 1200.0, step=1.0, format="%g",
                                         key=PlanKeys.MEDIAN_2)
    else:
        kw["hazard_ratio"] = c2.number_input("Hazard ratio (experimental / control)", 0.01, 100.0, step=0.05,
                                             format="%g", key=PlanKeys.HAZARD_RATIO)
        kw["survival_2"] = c3.number_input(f"Control arm: survival at {landmark:g} months (%)", 0.1, 99.9,
                                           step=1.0, format="%g", key=PlanKeys.SURVIVAL_2) / 100
    c1, c2, c3, c4 = st.columns(4)
    kw["alpha"] = c1.number_input("Significance level α", 0.001, 0.5, step=0.01, format="%g", key=PlanKeys.ALPHA)
    kw["power"] = c2.number_input("Power (%)", 1.0, 99.9, step=5.0, format="%g", key=PlanKeys.POWER) / 100
    kw["sided"] = c3.radio("Test", [2, 1], format_func=lambda s: f"{'two' if s == 2 else 'one'}-sided",
                           key=PlanKeys.SIDED, horizontal=True)
    kw["method"] = c4.selectbox("Events by", list(METHODS), format_func=METHODS.get, key=PlanKeys.METHOD)
    c1, c2, c3, c4 = st.columns(4)
    kw["allocation_ratio"] = c1.number_input("Allocation (experimental : control = x : 1)", 0.1, 10.0, step=0.5,
                                             format="%g", key=PlanKeys.ALLOCATION)
    kw["accrual_months"] = c2.number_input("Accrual (months)", 0.5, 600.0, step=6.0, format="%g",
                                           key=PlanKeys.ACCRUAL)
    duration = c3.radio("Duration from", list(DURATIONS), format_func=DURATIONS.get, key=PlanKeys.DURATION)
    if duration == "follow_up":
        kw["follow_up_months"] = c4.number_input("Follow-up after accrual (months)", 0.0, 600.0, step=6.0,
                                                 format="%g", key=PlanKeys.FOLLOW_UP)
    else:
        kw["accrual_per_month"] = c4.number_input("Accrual rate (patients per month)", 0.01, 10000.0, step=1.0,
                                                  format="%g", key=PlanKeys.RATE)
    c1, c2, c3, _ = st.columns(4)
    kw["dropout_1"] = c1.number_input("Drop-out, experimental arm (%)", 0.0, 99.0, step=1.0, format="%g",
                                      key=PlanKeys.DROPOUT_1) / 100
    kw["dropout_2"] = c2.number_input("Drop-out, control arm (%)", 0.0, 99.0, step=1.0, format="%g",
                                      key=PlanKeys.DROPOUT_2) / 100
    kw["dropout_months"] = c3.number_input("... by (months)", 0.5, 600.0, step=6.0, format="%g",
                                           key=PlanKeys.DROPOUT_TIME)
    design = SurvivalDesign(**kw)
    return _with_cohort_basis(design)


def _with_cohort_basis(design: SurvivalDesign) -> SurvivalDesign:
    """The design with the cohort's sentence and endpoint when its effect is still the one taken from it."""
    found: CohortAssumptions | None = st.session_state.get(PlanKeys.ASSUMPTIONS)
    if found is None:
        return design
    taken = found.apply(design)
    rounded = replace(taken, survival_1=_round(taken.survival_1, 3), survival_2=_round(taken.survival_2, 3),
                      median_1=_round(taken.median_1, 1), median_2=_round(taken.median_2, 1))
    same = all(_round(getattr(design, f), 3) == _round(getattr(rounded, f), 3)
               for f in ("survival_1", "survival_2", "median_1", "median_2", "landmark_months", "hazard_ratio"))
    return replace(design, basis=taken.basis, endpoint=taken.endpoint) if same else design


def _round(x: float | None, digits: int) -> float | None:
    return None if x is None else round(x, digits)


def show_result(design: SurvivalDesign, result: SampleSize) -> None:
    """The three numbers, the justification paragraph and the figures."""
    c1, c2, c3 = st.columns(3)
    c1.metric("Events needed", result.events_needed, help=f"{design.method.replace('_', '-')}: "
              f"{result.events:.1f} unrounded (as rpact prints it)")
    c2.metric("Patients needed", result.patients_needed,
              help=f"{result.patients_1_needed} experimental + {result.patients_2_needed} control "
                   f"({result.patients:.1f} unrounded)")
    c3.metric("Expected trial length", f"{fmt_number(result.analysis_months)} months",
              help="From the first patient's entry to the analysis: accrual + follow-up.")
    st.caption(f"Hazard ratio {result.hazard_ratio:.3f} (experimental / control); medians "
               f"{fmt_number(result.median_1)} vs {fmt_number(result.median_2)} months; accrual "
               f"{result.accrual_per_month:.2f} patients per month; follow-up after accrual "
               f"{fmt_number(result.follow_up_months)} months; probability of an event by the analysis "
               f"{result.event_probability:.3f}.")
    found: CohortAssumptions | None = st.session_state.get(PlanKeys.ASSUMPTIONS)
    if found is not None and found.accrual_per_month:
        st.caption(f"At the cohort's observed accrual ({found.accrual_per_month:.2f} patients per month), "
                   f"{result.patients_needed} patients take {fmt_number(result.patients_needed / found.accrual_per_month)}"
                   " months to enrol.")
    left, right, _ = st.columns(3, vertical_alignment="bottom")
    seed_widget(PlanKeys.PATIENTS_AVAILABLE, result.patients_needed)
    available = left.number_input("Patients you can enrol", 2, 100000, step=10, key=PlanKeys.PATIENTS_AVAILABLE,
                                  help="Accrued over the same months and analysed at the same time as planned.")
    right.metric(f"Power with {available} patients", f"{100 * power_curve(result, [available])[0].power:.1f}%")
    st.markdown("**Sample-size justification** (copy into the protocol)")
    st.code(justification(design, result), language=None, wrap_lines=True)
    sizes = np.linspace(max(result.patients / 4, 2.0), 2 * result.patients, 60)
    left, right = st.columns(2)
    left.plotly_chart(build_power_figure(power_curve(result, list(sizes)), result, title="Power by patients"),
                      width="stretch", key="plan_power", config={"displaylogo": False})
    right.plotly_chart(build_assumed_curves_figure(result, title="Survival the design assumes"),
                       width="stretch", key="plan_curves", config={"displaylogo": False})
