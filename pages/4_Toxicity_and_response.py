"""CTCAE grades per adverse event (acute / late) and response to treatment,
for all patients and, optionally, per group."""

from recur import tables
from recur.figures import build_response_figure, build_toxicity_figure
from recur.format import response_display, toxicity_display
from recur.ui import cache
from recur.ui.controls import grouping_control
from recur.ui.page import guard, start_page
from recur.ui.presentation import controls_then_body, show_figure

cohort, settings = start_page("Toxicity and response")
controls, body = controls_then_body()
settings = grouping_control(cohort, settings, controls.columns(3)[0], label="Split by")
with guard():
    frame = cache.frame(cohort, settings)
    by = settings.group_by or None
    tox = tables.toxicity_table(frame, by)
    resp = tables.response_table(frame, by)

body.subheader("Toxicity (worst CTCAE grade)")
if tox.empty:
    body.info("No toxicity columns (tox_<event>, tox_acute_<event>, tox_late_<event>) in this cohort.")
else:
    show_figure(build_toxicity_figure(tox), "toxicity", body)
    body.dataframe(toxicity_display(tox), hide_index=True, width="stretch")
    body.caption("n (%) of the patients assessed for that event; rows in the order of the bars. "
                 "Acute and late: split at 90 days after the end of radiotherapy.")

body.subheader("Response")
if resp["evaluable"].sum() == 0:
    body.info("No response column (CR / PR / SD / PD / NE) in this cohort.")
else:
    show_figure(build_response_figure(resp), "response", body)
    body.dataframe(response_display(resp), hide_index=True, width="stretch")
    body.caption("ORR = (CR + PR) / evaluable patients (NE excluded), exact Clopper-Pearson 95% CI.")
