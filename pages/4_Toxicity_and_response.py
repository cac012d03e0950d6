"""CTCAE grades per adverse event (acute / late) and response to treatment."""

import streamlit as st

from recur import tables
from recur.figures import build_response_figure, build_toxicity_figure
from recur.format import response_display, toxicity_display
from recur.ui import cache
from recur.ui.controls import grouping_control
from recur.ui.page import guard, start_page

cohort, settings = start_page("Toxicity and response")
with guard():
    tox = tables.toxicity_table(cache.frame(cohort, settings))

st.subheader("Toxicity (worst CTCAE grade)")
if tox.empty:
    st.info("No toxicity columns (tox_<event>, tox_acute_<event>, tox_late_<event>) in this cohort.")
else:
    st.plotly_chart(build_toxicity_figure(tox), width="stretch", key="toxicity")
    st.dataframe(toxicity_display(tox), hide_index=True, width="stretch")

st.subheader("Response")
settings = grouping_control(cohort, settings, st.columns(3)[0], label="Split by")
with guard():
    resp = tables.response_table(cache.frame(cohort, settings), settings.group_by or None)
if resp["evaluable"].sum() == 0:
    st.info("No response column (CR / PR / SD / PD / NE) in this cohort.")
else:
    st.plotly_chart(build_response_figure(resp), width="stretch", key="response")
    st.dataframe(response_display(resp), hide_index=True, width="stretch")
    st.caption("ORR = (CR + PR) / evaluable patients (NE excluded), exact Clopper-Pearson 95% CI.")
