"""Trial report: completion of the planned dose, 1/2/3-year OS and PFS per
arm, and the flow of patients from the file to each analysis."""

import streamlit as st

from recur.dose import DOSE_FORMULA
from recur.format import completion_display, flow_display, trial_survival_display
from recur.safe_text import MESSAGE_LIMIT, plain
from recur.ui import cache
from recur.ui.controls import grouping_control
from recur.ui.downloads import download_table
from recur.ui.page import guard, methods_caption, start_page
from recur.variables import ORIGIN_LABELS

cohort, settings = start_page("Trial report")
settings = grouping_control(cohort, settings, st.columns(3)[0], label="Arms")
with guard():
    report = cache.trial(cohort, settings)
if not settings.group_by:
    st.caption("No grouping chosen: " + ("the arm column is used." if report.arm else "all patients together."))
for note in report.notes:
    st.info(plain(note, MESSAGE_LIMIT))

st.subheader("Completion of the planned dose")
if report.completion.empty:
    st.info("Completion needs rt_completed (yes / no), or planned_dose_gy with the delivered rt_dose_gy.")
else:
    st.dataframe(completion_display(report.completion), hide_index=True, width="stretch")
    st.caption("Rate among patients whose completion is recorded; exact (Clopper-Pearson) 95% CI.")

st.subheader("Overall and progression-free survival at 1, 2 and 3 years")
survival = trial_survival_display(report.survival)
st.dataframe(survival, hide_index=True, width="stretch")
st.caption(f"Time origin: {ORIGIN_LABELS[settings.rules.origin]}. PFS: any progression"
           + (" or death." if settings.rules.pfs_death_is_event else "; death without it censored."))
if report.survival:
    methods_caption(next(iter(report.survival.values())).methods)
download_table("Download the survival table (CSV)", survival, "trial_survival.csv")

st.subheader("Flow of patients")
flow = flow_display(report.flow)
st.dataframe(flow, hide_index=True, width="stretch")
with st.expander(f"Patients left out of a step ({len(report.exclusions)})"):
    st.dataframe(report.exclusions, hide_index=True, width="stretch")
download_table("Download the flow (CSV)", flow, "trial_flow.csv")
download_table("Download the exclusions (CSV)", report.exclusions, "trial_exclusions.csv")
st.caption(f"Dose: {DOSE_FORMULA}")
