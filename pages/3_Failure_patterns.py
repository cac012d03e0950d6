"""Failure patterns (whole follow-up and first failure) and distant sites,
for all patients and, optionally, per group."""

import streamlit as st

from recur import tables
from recur.figures import build_failure_pattern_figure, build_sites_figure
from recur.format import failure_pattern_display
from recur.ui import cache
from recur.ui.controls import grouping_control
from recur.ui.page import guard, start_page
from recur.ui.presentation import controls_then_body, show_figure

cohort, settings = start_page("Failure patterns")
controls, body = controls_then_body()
settings = grouping_control(cohort, settings, controls.columns(3)[0], label="Split by")
with guard():
    frame = cache.frame(cohort, settings)
    by = settings.group_by or None
    ever = tables.failure_pattern_table(frame, "ever", by)
if ever.empty:
    st.error("This cohort has no failure dates (date_local_failure, date_regional_failure, "
             "date_distant_failure), so failure patterns cannot be shown.")
    st.stop()
with guard():
    first = tables.failure_pattern_table(frame, "first", by)
    sites = tables.distant_sites_table(frame)
show_figure(build_failure_pattern_figure(ever, title="Failure pattern over the whole follow-up"), "pattern_ever", body)
show_figure(build_failure_pattern_figure(first, title="Failure pattern at first failure (sites within 28 days "
                                                      "count together)"), "pattern_first", body)
body.dataframe(failure_pattern_display(ever, first), hide_index=True, width="stretch")
body.subheader("Distant sites")
if sites.empty:
    body.info("No distant sites recorded (column distant_sites).")
else:
    show_figure(build_sites_figure(sites, len(frame), title="Patients with each distant site"), "sites", body)
