"""Failure patterns (whole follow-up and first failure) and distant sites,
for all patients and, optionally, per group."""

import streamlit as st

from recur import tables
from recur.figures import build_failure_pattern_figure, build_sites_figure
from recur.format import failure_pattern_display, failure_rates_display, failure_type_display
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
    types = tables.failure_type_table(frame, by)
    regions = tables.recurrence_regions_table(frame)
show_figure(build_failure_pattern_figure(ever, title="Failure pattern over the whole follow-up"), "pattern_ever", body)
show_figure(build_failure_pattern_figure(first, title="Failure pattern at first failure (sites within 28 days "
                                                      "count together)"), "pattern_first", body)
body.dataframe(failure_pattern_display(ever, first), hide_index=True, width="stretch")
body.subheader("Distant sites")
if sites.empty:
    body.info("No distant sites recorded (column distant_sites).")
else:
    show_figure(build_sites_figure(sites, len(frame), title="Patients with each distant site"), "sites", body)
body.subheader("In-field, out-of-field and distant failure")
body.dataframe(failure_type_display(types), hide_index=True, width="stretch")
if "date_regional_failure" in frame:
    with guard(body):
        rates = cache.out_of_field(cohort, settings)
    body.markdown(f"**Rate of {rates.failure}** from the time origin")
    body.dataframe(failure_rates_display(rates.table, rates.counts), hide_index=True, width="stretch")
    body.caption(f"Estimate: {rates.method}." + (f" Not in the rate: {len(rates.excluded)} patient(s) without the "
                                                "dates needed." if len(rates.excluded) else ""))
if not regions.empty:
    body.subheader("Regions involved by the recurrence")
    body.dataframe(regions, hide_index=True, width="stretch")
