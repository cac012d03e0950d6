"""Kaplan-Meier curves, medians and landmark rates for an endpoint and grouping."""

import streamlit as st

from recur.cutoffs import marked_title, register_note
from recur.figures import build_km_figure
from recur.format import fmt_median_ci, survival_summary_display
from recur.safe_text import MESSAGE_LIMIT, plain
from recur.ui import cache
from recur.ui.controls import endpoint_control, grouping_control, toggle_control
from recur.ui.downloads import download_table
from recur.ui.estimands import competing_section, landmark_controls, landmark_note, rmst_section
from recur.ui.page import guard, methods_caption, start_page
from recur.ui.presentation import KM_HEIGHT, controls_then_body, show_figure
from recur.ui.state import Keys, presenting
from recur.variables import ORIGIN_LABELS

cohort, settings = start_page("Survival")
controls, body = controls_then_body()
c1, c2, c3, c4, c5 = controls.columns([1.3, 1.3, 0.8, 1.0, 0.9], vertical_alignment="bottom")
settings = endpoint_control(cohort, settings, c1)
settings = grouping_control(cohort, settings, c2)
settings = toggle_control(settings, "show_ci", Keys.SHOW_CI, "95% CI bands", c3)
settings = toggle_control(settings, "extended_risk_table", Keys.EXTENDED, "KMunicate table", c4)
settings = landmark_controls(cohort, settings)
settings = toggle_control(settings, "show_hr", Keys.SHOW_HR, "HR on the figure", c5)

first, second = body.container(), body.container()  # fixed slots: the figure keeps its place whatever the notes
notes_box, figure_box = (second, first) if presenting() else (first, second)
with guard(notes_box):
    result = cache.survival(cohort, settings)

for note in result.notes:
    notes_box.warning(plain(note, MESSAGE_LIMIT))
key = settings.to_json()
fig = cache.keyed("km_figure", cohort, key, lambda: build_km_figure(
    result.km, result.logrank, title=marked_title(result.title, settings), show_ci=settings.show_ci,
    extended_table=settings.extended_risk_table, hazard_ratios=result.hazard_ratios if settings.show_hr else None))
show_figure(fig, "km_figure", figure_box, presentation_height=KM_HEIGHT)
if result.logrank is not None:
    lr = result.logrank
    st.markdown(f"**Log-rank** χ² = {lr.chisq:.3f}, df = {lr.df}, p = {lr.p:.4g}")
st.dataframe(cache.keyed("km_summary", cohort, key, lambda: survival_summary_display(result.km)), hide_index=True,
             width="stretch")
landmark_note(cohort, result)
notes = []
if result.n_excluded_endpoint:
    notes.append(f"{result.n_excluded_endpoint} patient(s) without usable data for this endpoint")
if result.n_missing_group:
    notes.append(f"{result.n_missing_group} patient(s) missing the grouping variable")
if result.n_filtered:
    notes.append(f"{result.n_filtered} patient(s) outside the subgroup filter")
if notes:
    st.caption("Not in the analysis: " + "; ".join(notes) + ".")
st.caption(f"Median follow-up (reverse Kaplan-Meier): {fmt_median_ci(*result.followup)} months. "
           f"Time origin: {ORIGIN_LABELS[settings.rules.origin]}.")
if note := register_note(settings):
    st.caption(plain(note, MESSAGE_LIMIT))
methods_caption(result.km.methods)
download_table("Download the curve data (CSV)", result.km.curves, f"km_{settings.endpoint}.csv")
competing_section(cohort, settings)
settings = rmst_section(cohort, settings)
