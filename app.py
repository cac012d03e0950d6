"""recur home page: the cohort. Load (demo or upload), map columns, see the
validation report and Table 1. Run with `make run`."""

import streamlit as st

from recur import tables
from recur.demo import PUBLISHED_RULES
from recur.format import table_one_display, table_one_footnote
from recur.io import UPLOAD_TYPES
from recur.safe_text import plain
from recur.ui import cache
from recur.ui.controls import grouping_label, grouping_options
from recur.ui.downloads import download_table
from recur.ui.levels_controls import level_editor, merge_proposals, merge_proposals_section
from recur.ui.mapping_controls import date_order_question, mapping_editor, reading_notes, sheet_control
from recur.ui.page import open_source, start_page, upload_limit_mb
from recur.ui.state import DEMOS, CohortSource, Keys, current_source, demo_source, set_rules, set_source

cohort, settings = start_page("Cohort", needs_patients=False)

left, right = st.columns(2)
demo = left.selectbox("Demo cohort", list(DEMOS), key=Keys.DEMO, index=None, placeholder="Open a demo cohort…")
if demo and st.session_state.get(Keys.OPENED_DEMO) != demo:
    st.session_state[Keys.OPENED_DEMO] = demo
    set_source(demo_source(demo))
    st.rerun()
upload = right.file_uploader("Upload a cohort (CSV, TSV, XLSX or Parquet)", type=UPLOAD_TYPES,
                             key=Keys.UPLOAD, help=f"Up to {upload_limit_mb()} MB. Kept in this browser session's "
                                                   "memory only; never written to disk.")
if upload is not None:
    source = CohortSource(upload.name, upload.getvalue(), False)
    if st.session_state.get(Keys.LAST_UPLOAD) != source.key:  # a new file, not the one already opened
        st.session_state[Keys.LAST_UPLOAD] = source.key  # tried once, even if opening it fails
        open_source(source, settings)
        st.rerun()

st.subheader(f"{plain(cohort.source_name)}: {len(cohort.data)} patients")
published = PUBLISHED_RULES.get(cohort.source_name) if current_source().is_demo else None
if published and settings.rules != published[0]:
    note, button = st.columns([3, 1.2], vertical_alignment="center")
    note.caption(f"The publication this demo imitates used: {published[1]}. The sidebar shows recur's defaults.")
    if button.button("Use the paper's rules", width="stretch", key=Keys.PUBLISHED_RULES_BUTTON):
        set_rules(settings, published[0])
        st.rerun()
settings = sheet_control(cohort, settings)
settings = date_order_question(cohort, settings, current_source())
with st.expander("Column mapping", expanded=bool(cohort.errors) and not current_source().is_demo):
    settings = mapping_editor(cohort, settings)
proposals = merge_proposals(cohort)
with st.expander("Levels" + (f": {sum(map(len, proposals.values()))} merge(s) proposed" if proposals else ""),
                 expanded=bool(proposals or settings.recodes or settings.level_orders)):
    settings = merge_proposals_section(cohort, settings)
    settings = level_editor(cohort, settings)
reading_notes(cohort)

report = cohort.problems_frame()
n_err = int((report["level"] == "error").sum())
st.subheader("Validation report")
if report.empty:
    st.success("No problems found.")
else:
    (st.error if n_err else st.warning)(f"{n_err} error(s) and {len(report) - n_err} warning(s).")
    st.dataframe(report, hide_index=True, width="stretch")
    download_table("Download the report (CSV)", report, "validation_report.csv")
if not cohort.exclusions.empty:
    counts = cohort.exclusion_counts()
    st.caption("Excluded from an endpoint: " + ", ".join(f"{k.upper()} {v}" for k, v in counts.items()))
    with st.expander("Excluded rows"):
        st.dataframe(cohort.exclusions, hide_index=True, width="stretch")

st.subheader("Table 1")
selected = cache.frame(cohort, settings)
if selected.empty:
    st.caption("Table 1 needs at least one patient in the subgroup.")
else:
    splits = [o for o in grouping_options(cohort, settings) if not o or o in selected]
    left, right = st.columns([1, 2], vertical_alignment="bottom")
    mean_sd = left.toggle("Mean (SD) too", help="Numbers as mean (SD) under their median (range).")
    split = right.selectbox("Split by", splits, index=splits.index(settings.group_by) if settings.group_by in splits
                            else 0, format_func=lambda o: grouping_label(cohort, o) if o else "No split",
                            help="Adds a p-value per row.")
    t1 = tables.table_one(selected, tables.default_variables(selected, cohort.kinds), by=split or None,
                          kinds=cohort.kinds)  # the kinds every column was read as, once, at load
    table_one = table_one_display(t1, mean_sd=mean_sd)
    st.dataframe(table_one, hide_index=True, width="stretch", height="content")
    st.caption(table_one_footnote(t1, split or None))
    download_table("Download Table 1 (CSV)", table_one, "table1.csv")
