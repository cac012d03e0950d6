"""Survival-page sections beyond KM (cumulative incidence with death as a
competing event, RMST), the landmark controls for post-baseline groupings,
and the PH / events-per-variable notes of the Prognostic factors page."""

from __future__ import annotations

import streamlit as st

from recur.analysis import SurvivalAnalysis
from recur.cohort import Cohort
from recur.errors import RecurError
from recur.estimands import death_is_censored, landmark_exclusions
from recur.figures.cif import build_cif_figure
from recur.format import cif_display, fmt_p, rmst_difference_text, rmst_display
from recur.model_checks import PH_FOOTNOTE, PH_VIOLATED
from recur.safe_text import MESSAGE_LIMIT, plain
from recur.screen import ScreenResult
from recur.settings import Settings
from recur.ui import cache
from recur.ui.downloads import download_table
from recur.ui.state import Keys, seed_widget, update
from recur.variables import ENDPOINT_NAMES

POST_BASELINE_WARNING = (
    "This grouping is known only after treatment started, so patients had to survive event-free long enough to "
    "be classified: comparing the groups from the start builds in immortal-time bias. Use the landmark analysis "
    "below, or read the curves as descriptive.")


def landmark_controls(cohort: Cohort, settings: Settings) -> Settings:
    """For a post-baseline grouping: the warning, the landmark time and the
    switch that analyses KM / log-rank from the landmark on."""
    if not (settings.group_by and cohort.is_post_baseline(settings.group_by)):
        return settings
    st.warning(POST_BASELINE_WARNING)
    left, right = st.columns([1, 2], vertical_alignment="bottom")
    seed_widget(Keys.LANDMARK_MONTHS, settings.landmark_months)
    months = left.number_input("Landmark (months after the time origin)", min_value=0.0, max_value=120.0,
                               step=1.0, key=Keys.LANDMARK_MONTHS, format="%g")
    if months != settings.landmark_months:
        settings = update(settings, landmark_months=float(months))
    seed_widget(Keys.LANDMARK_ON, settings.landmark_analysis)
    on = right.toggle(f"Landmark analysis: only patients event-free and followed at {months:g} months, "
                      "time counted from there", key=Keys.LANDMARK_ON)
    return update(settings, landmark_analysis=on) if on != settings.landmark_analysis else settings


def landmark_note(cohort: Cohort, result: SurvivalAnalysis) -> None:
    """How many patients the landmark left out, and who (with why)."""
    lm = result.landmark
    if lm is None:
        return
    reasons = "; ".join(f"{n} {reason}" for reason, n in lm.counts().items())
    st.info(f"Landmark analysis from {lm.landmark:g} months: {lm.n_excluded} patient(s) excluded"
            + (f" ({reasons})" if reasons else "") + ". Times are counted from the landmark.")
    if lm.n_excluded:
        with st.expander(f"The {lm.n_excluded} patient(s) excluded at the landmark"):
            st.dataframe(landmark_exclusions(cohort, lm), hide_index=True, width="stretch")


def competing_section(cohort: Cohort, settings: Settings) -> None:
    """Cumulative incidence of the failure (death competing) next to 1 - KM,
    with Gray's test, for failure endpoints whose rules censor death."""
    if settings.endpoint not in cohort.endpoints or not death_is_censored(settings):
        return
    st.subheader("Cumulative incidence, death as a competing event")
    try:
        result = cache.competing(cohort, settings)
    except RecurError as exc:
        st.info(plain(exc, MESSAGE_LIMIT))
        return
    name = ENDPOINT_NAMES[settings.endpoint]
    st.plotly_chart(build_cif_figure(result, title=f"{name}: cumulative incidence of the failure"),
                    width="stretch", key="cif_figure", config={"displaylogo": False})
    if result.gray is not None:
        st.markdown(f"**Gray's test** (failure) {fmt_p(result.gray_p)}")
    st.caption("Solid: cumulative incidence of the failure with death before it as a competing event "
               "(Aalen-Johansen). Dashed: 1 - Kaplan-Meier with death censored, which treats the dead as if they "
               "could still fail and so overstates the failure probability when many patients die first.")
    if result.landmark is not None:
        st.caption(f"From the landmark at {result.landmark.landmark:g} months ({result.landmark.n_excluded} "
                   "patient(s) excluded, as above): times counted from there.")
    table = cif_display(result)
    st.dataframe(table, hide_index=True, width="stretch")
    download_table("Download the cumulative incidence curves (CSV)", result.cif.curves,
                   f"cif_{settings.endpoint}.csv")


def rmst_section(cohort: Cohort, settings: Settings) -> Settings:
    """RMST per group to a chosen horizon, and the difference with its CI."""
    st.subheader("Restricted mean survival time")
    seed_widget(Keys.RMST_MONTHS, settings.rmst_months)
    tau = st.columns(3)[0].number_input("Horizon (months)", min_value=1.0, max_value=240.0, step=6.0,
                                        key=Keys.RMST_MONTHS, format="%g")
    if tau != settings.rmst_months:
        settings = update(settings, rmst_months=float(tau))
    try:
        result = cache.rmst(cohort, settings)
    except RecurError as exc:
        st.info(plain(exc, MESSAGE_LIMIT))
        return settings
    for note in result.notes:
        st.warning(plain(note, MESSAGE_LIMIT))
    st.dataframe(rmst_display(result), hide_index=True, width="stretch")
    for line in rmst_difference_text(result):
        st.markdown("**Difference** " + plain(line, MESSAGE_LIMIT))
    st.caption(f"RMST: the mean time alive and event-free over the first {tau:g} months (area under the "
               "Kaplan-Meier curve). Unlike the hazard ratio it needs no proportional hazards.")
    return settings


def model_warnings(screen: ScreenResult) -> None:
    """Too few events per coefficient, model by model."""
    for warning in screen.warnings:
        st.warning(plain(warning, MESSAGE_LIMIT))


def ph_footnote(screen: ScreenResult, model: str) -> None:
    """The PH footnote and a link to the RMST view under a table with a flagged term."""
    part = screen.table[screen.table["model"] == model]
    if PH_VIOLATED in part and part[PH_VIOLATED].any():
        st.caption(PH_FOOTNOTE)
        rmst_link()


def rmst_link() -> None:
    """Where a flagged hazard ratio sends the reader: the RMST view."""
    st.page_link("pages/1_Survival.py", label="Restricted mean survival time (Survival page)")
