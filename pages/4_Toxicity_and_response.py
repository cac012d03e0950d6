"""CTCAE grades per adverse event (acute / late) and response to treatment."""

import streamlit as st

from recur import tables
from recur.figures import build_response_figure, build_toxicity_figure
from recur.format import fmt_n_percent
from recur.ui import cache
from recur.ui.controls import grouping_control
from recur.ui.page import start_page

cohort, settings = start_page("Toxicity and response")
frame = cache.frame(cohort, settings)

st.subheader("Toxicity (worst CTCAE grade)")
tox = tables.toxicity_table(frame)
if tox.empty:
    st.info("No toxicity columns (tox_<event>, tox_acute_<event>, tox_late_<event>) in this cohort.")
else:
    st.plotly_chart(build_toxicity_figure(tox), width="stretch", key="toxicity")
    grade3 = tox.assign(**{"Grade >=3": [fmt_n_percent(n, p) for n, p in zip(tox.grade_3plus,
                                                                              tox.grade_3plus_percent)]})
    grade3 = grade3.rename(columns={f"grade_{g}": f"Grade {g}" for g in range(6)})
    st.dataframe(grade3[["event", "phase", "assessed", "Grade 3", "Grade 4", "Grade 5", "Grade >=3"]],
                 hide_index=True, width="stretch")

st.subheader("Response")
settings = grouping_control(cohort, settings, st.columns(3)[0], label="Split by")
resp = tables.response_table(frame, settings.group_by or None)
if resp["evaluable"].sum() == 0:
    st.info("No response column (CR / PR / SD / PD / NE) in this cohort.")
else:
    st.plotly_chart(build_response_figure(resp), width="stretch", key="response")
    st.dataframe(resp.assign(ORR=[f"{100 * o:.1f}% ({100 * lo:.1f}-{100 * hi:.1f})" if o == o else "-"
                                  for o, lo, hi in zip(resp.orr, resp.orr_lower, resp.orr_upper)])
                 .drop(columns=["orr", "orr_lower", "orr_upper"]), hide_index=True, width="stretch")
    st.caption("ORR = (CR + PR) / evaluable patients (NE excluded), exact Clopper-Pearson 95% CI.")
