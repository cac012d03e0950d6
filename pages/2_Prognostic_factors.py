"""Per endpoint, the Cox table (univariate and multivariable side by side) and
its forest plots; all endpoints at a glance in a compact overview."""

import streamlit as st

from recur.cox_table import MODELS, cox_table
from recur.figures import build_forest_figure
from recur.format import cox_table_display, model_sizes_caption
from recur.model_checks import PH_FOOTNOTE
from recur.safe_text import MESSAGE_LIMIT, plain
from recur.ui import cache
from recur.ui.controls import endpoint_control, screen_threshold_control
from recur.ui.downloads import download_table
from recur.ui.estimands import model_warnings, ph_footnote, rmst_link
from recur.ui.factor_controls import factor_controls
from recur.ui.page import guard, methods_caption, start_page
from recur.ui.presentation import controls_then_body, show_figure
from recur.ui.state import presenting
from recur.variables import ENDPOINT_NAMES

cohort, settings = start_page("Prognostic factors")
controls, body = controls_then_body()
left, right, _ = controls.columns(3)
settings = endpoint_control(cohort, settings, left)
settings = screen_threshold_control(settings, right)
with guard():
    factor_box = controls if presenting() else controls.expander("Factors and their coding",
                                                                 expanded=settings.factors is not None)
    with factor_box:
        settings = factor_controls(cohort, settings)
    screen = cache.prognostic(cohort, settings)
    frame = cache.frame(cohort, settings)

ep = settings.endpoint
if ep in cohort.endpoints:  # one endpoint at a time (the Survival page's): its table and forest plots
    key = settings.to_json()
    table = cache.keyed("cox_table", cohort, key, lambda: cox_table(screen, frame, ep))
    body.dataframe(table.display, hide_index=True, width="stretch")
    for note in table.footnotes:
        body.caption(plain(note, MESSAGE_LIMIT))
    if PH_FOOTNOTE in table.footnotes:
        with body:
            rmst_link()
    for model in MODELS:
        rows = table.model_rows(model)
        if not rows.empty:
            fig = cache.keyed("forest", cohort, (key, model), lambda: build_forest_figure(
                rows, title=f"{ENDPOINT_NAMES[ep]}: {model}"))
            show_figure(fig, f"forest_{model}", body)
    with body:
        download_table(f"Download the {ep.upper()} Cox table (CSV)", table.display, f"cox_{ep}.csv")
st.caption("Hazard ratios: a categorical factor's levels against its reference level (by default the most "
           "frequent level; change it under 'Factors and their coding'), a numeric factor per the stated step "
           "of its column; survival times in months.")

with st.expander("All endpoints: compact overview"):
    for model in MODELS:
        st.markdown(f"**{model.capitalize()} Cox models**")
        shown, sizes = cache.keyed("cox_overview", cohort, (settings.to_json(), model), lambda: (
            cox_table_display(screen.table, model), model_sizes_caption(screen.table, model)))
        if shown.empty:
            st.info(f"No factor reached univariate p < {settings.screen_p:g}; no multivariable model.")
            continue
        st.dataframe(shown, hide_index=True, width="stretch")
        st.caption(sizes)
        ph_footnote(screen, model)
notes = screen.table[screen.table.note != ""]
if not notes.empty:
    with st.expander(f"{len(notes)} estimate(s) could not be made: why"):
        st.dataframe(notes[["endpoint", "model", "term", "note"]], hide_index=True, width="stretch")

model_warnings(screen)
if not screen.ph.empty:
    violated = screen.ph[(screen.ph.p < 0.05) & (screen.ph.term != "GLOBAL") & (screen.ph.model == "multivariable")]
    if not violated.empty:
        terms = ", ".join(f"{plain(r.term)} ({r.endpoint.upper()})" for r in violated.itertuples())
        st.warning(f"Proportional hazards look violated (Schoenfeld test p < 0.05) for {terms}: read those "
                   "hazard ratios as averages over follow-up.")
    with st.expander("Proportional-hazards tests of the models"):
        st.dataframe(screen.ph[["endpoint", "model", "term", "chisq", "df", "p", "note"]], hide_index=True,
                     width="stretch")

methods_caption(screen.methods)
download_table("Download all Cox models (CSV)", screen.table, "cox_models.csv")
