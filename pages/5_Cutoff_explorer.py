"""Cutoff explorer: scan every cutpoint of a numeric variable, with p-values
adjusted for the search, the stability of the chosen cut, and a button that
applies it to the sidebar (marked data-derived in the cutoff register)."""

import streamlit as st

from recur.cutoffs import exploration_text, pvalue_table, scan_summary, scan_warning
from recur.figures.cutpoints import build_bootstrap_figure, build_cutpoint_scan_figure
from recur.format import fmt_number, variable_title
from recur.safe_text import MESSAGE_LIMIT, plain
from recur.ui.controls import endpoint_control
from recur.ui.cutoff_explorer import (ExplorerKeys, apply_button, cached_bootstrap, cached_scan, count_exploration,
                                      explorer_controls, marks, permutation_wanted,
                                      with_permutation)
from recur.ui.downloads import download_table
from recur.ui.page import guard, methods_caption, start_page
from recur.ui.state import seed_widget
from recur.variables import ENDPOINT_NAMES, variable_label

cohort, settings = start_page("Cutoff explorer")
c1, c2, c3 = st.columns([1.2, 1.2, 1.4], vertical_alignment="bottom")
settings = endpoint_control(cohort, settings, c1)
variable, minprop, maxprop = explorer_controls(cohort, settings, c2, c3)
with guard():
    result = cached_scan(cohort, settings, variable, minprop, maxprop)
settings = count_exploration(settings, result)

name, unit = variable_label(variable)
sidebar, default = marks(settings, variable)
fig = build_cutpoint_scan_figure(result, x_label=variable_title(variable), sidebar=sidebar, default=default,
                                 title=f"{ENDPOINT_NAMES[settings.endpoint]} by {name}: every cutpoint")
st.plotly_chart(fig, width="stretch", key="cutpoint_scan_figure", config={"displaylogo": False})
st.markdown(plain(scan_summary(result, unit), MESSAGE_LIMIT))
if permutation_wanted(result):
    with st.spinner("Permutation test: 9,999 permutations..."):
        result = with_permutation(cohort, settings, result)
st.warning(plain(scan_warning(result), MESSAGE_LIMIT))
st.dataframe(pvalue_table(result), hide_index=True, width="stretch")
for note in result.notes:
    st.caption(plain(note, MESSAGE_LIMIT))
if result.n_dropped:
    st.caption(f"Not in the scan: {result.n_dropped} patient(s) without {plain(name)} or without "
               f"{ENDPOINT_NAMES[settings.endpoint].lower()} data.")

st.subheader("Is the cut stable?")
seed_widget(ExplorerKeys.BOOTSTRAP, False)
if st.checkbox("Bootstrap the selected cut (200 resamples of the patients, seeded)", key=ExplorerKeys.BOOTSTRAP):
    with guard():
        cuts = cached_bootstrap(cohort, settings, variable, minprop, maxprop)
    st.plotly_chart(build_bootstrap_figure(cuts, selected=result.cutpoint, x_label=variable_title(variable)),
                    width="stretch", key="cutpoint_bootstrap_figure", config={"displaylogo": False})
    same = int((cuts == result.cutpoint).sum())
    st.caption(f"{same} of {len(cuts)} resamples select the same cut ({fmt_number(result.cutpoint)}); a wide "
               "spread means the threshold is noise rather than a property of the disease.")

apply_button(settings, result)
st.caption(f"The cut splits {plain(name)} into x <= cut and x > cut. Applied, it is marked data-derived in the "
           f"cutoff register, with the count of cutpoints explored ({exploration_text(settings)}).")
methods_caption(result.methods)
download_table("Download the scan (CSV)", result.scan, f"cutpoint_scan_{variable}.csv")
