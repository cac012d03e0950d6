"""Univariate and multivariable Cox across endpoints, with forest plots."""

import streamlit as st

from recur.errors import RecurError
from recur.figures import build_forest_figure
from recur.format import fmt_hr, fmt_p_value
from recur.ui import cache
from recur.ui.controls import screen_threshold_control
from recur.ui.page import methods_caption, start_page
from recur.variables import ENDPOINT_NAMES

cohort, settings = start_page("Prognostic factors")
settings = screen_threshold_control(settings, st.columns(3)[0])

try:
    screen = cache.prognostic(cohort, settings)
except RecurError as exc:
    st.error(str(exc))
    st.stop()

table = screen.table.assign(
    **{"HR (95% CI)": [fmt_hr(h, lo, hi) for h, lo, hi in zip(screen.table.hr, screen.table.lower, screen.table.upper)],
       "p": [fmt_p_value(p) for p in screen.table.p]})
for model in ("univariate", "multivariable"):
    part = table[table.model == model]
    st.subheader(f"{model.capitalize()} Cox models")
    if part.empty:
        st.info(f"No factor reached univariate p < {settings.screen_p:g}; no multivariable model.")
        continue
    shown = part.rename(columns={"endpoint": "Endpoint", "term": "Factor", "reference": "Reference",
                                 "n_events": "Events", "note": "Note"})
    shown["Endpoint"] = shown["Endpoint"].str.upper()
    st.dataframe(shown[["Endpoint", "Factor", "Reference", "HR (95% CI)", "p", "n", "Events", "Note"]],
                 hide_index=True, width="stretch")

st.subheader("Forest plots")
tabs = st.tabs([ep.upper() for ep in cohort.endpoints])
for tab, ep in zip(tabs, cohort.endpoints):
    with tab:
        for model in ("univariate", "multivariable"):
            rows = screen.table[(screen.table.endpoint == ep) & (screen.table.model == model)]
            if not rows.empty:
                st.plotly_chart(build_forest_figure(rows, title=f"{ENDPOINT_NAMES[ep]}: {model}"),
                                width="stretch", key=f"forest_{ep}_{model}")
methods_caption(screen.methods)
st.download_button("Download the Cox table (CSV)", screen.table.to_csv(index=False), "cox_models.csv")
