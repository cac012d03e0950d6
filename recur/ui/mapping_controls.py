"""The Cohort page's reading step: which sheet, how each column maps and is
read (kind, time unit), the day/month order of ambiguous dates, how the file
was read and which rows are not patients. Every choice goes to Settings."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from recur.cohort import Cohort
from recur.mapping import propose_mapping
from recur.safe_text import MESSAGE_LIMIT, plain
from recur.schema import COLUMNS
from recur.settings import KINDS, TIME_UNITS, Settings
from recur.ui import cache
from recur.ui.state import CohortSource, Keys, seed_choice, update

TIME_COLUMNS = tuple(c for c in COLUMNS if c.endswith("_months"))
# Kinds the reader gives schema columns by themselves (not offered as overrides).
FIXED_KINDS = ("event", "grade", "multi")
ORDER_CHOICES = {"dmy": "Day first (31/12/2020)", "mdy": "Month first (12/31/2020)"}


def sheet_control(cohort: Cohort, settings: Settings) -> Settings:
    """A sheet selectbox when the workbook has several sheets."""
    if len(cohort.sheets) < 2:
        return settings
    sheets = list(cohort.sheets)
    seed_choice(Keys.SHEET, cohort.sheet if cohort.sheet in sheets else sheets[0], sheets)
    chosen = st.selectbox("Sheet with the patients", sheets, key=Keys.SHEET,
                          help="The workbook has several sheets; recur read the one holding patient_id.")
    if chosen != cohort.sheet:
        settings = update(settings, sheet=chosen)
        st.rerun()
    return settings


def _is_fixed(column: str) -> bool:
    """A schema column whose kind the data dictionary fixes (a type override would not apply)."""
    return COLUMNS.get(column, ("text",))[0] not in ("text",)


def mapping_editor(cohort: Cohort, settings: Settings) -> Settings:
    """Your column -> recur column, how it is read ('Read as') and, for time
    columns, the unit it is written in. Applied with one button."""
    proposed = propose_mapping(list(cohort.raw_columns))
    chosen = dict(settings.mapping)
    rows = []
    for col in cohort.raw_columns:
        target = chosen.get(col, cohort.renames.get(col, proposed[col] or ""))
        name = target or col
        rows.append({"Your column": col, "recur column": target, "Read as": cohort.kinds.get(name, ""),
                     "Unit": cohort.time_units.get(name, "months") if name in TIME_COLUMNS else None})
    kinds = list(KINDS) + [k for k in FIXED_KINDS if k in cohort.kinds.values()]
    edited = st.data_editor(rows, key=Keys.MAPPING, hide_index=True, width="stretch",
                            column_config={
                                "recur column": st.column_config.SelectboxColumn(
                                    options=[""] + list(COLUMNS), help="Leave empty to keep the column as it is"),
                                "Read as": st.column_config.SelectboxColumn(
                                    options=kinds, help="number, integer, category (a factor), date, text "
                                                        "(free text, not analysed) or id. Columns of the data "
                                                        "dictionary keep the kind it gives them."),
                                "Unit": st.column_config.SelectboxColumn(
                                    options=list(TIME_UNITS), help="Time columns (os_months, dfi_months, ...): the "
                                                                   "unit the file writes them in; recur converts "
                                                                   "to months (days / 30.4375).")},
                            disabled=["Your column"])
    st.caption("Times are analysed in months on every page; a time column written in days, weeks or years is "
               "converted (months = days / 30.4375 = weeks × 7 / 30.4375 = years × 12).")
    if not st.button("Apply mapping", key=Keys.APPLY_MAPPING_BUTTON):
        return settings
    mapping = tuple((r["Your column"], r["recur column"]) for r in edited
                    if r["recur column"] and r["recur column"] != r["Your column"])
    types, units = dict(settings.column_types), dict(settings.time_units)
    for r in edited:
        name = r["recur column"] or r["Your column"]
        if r["Read as"] in KINDS and r["Read as"] != cohort.kinds.get(name) and not _is_fixed(name):
            types[name] = r["Read as"]
        if name in TIME_COLUMNS and r["Unit"] in TIME_UNITS and r["Unit"] != cohort.time_units.get(name, "months"):
            units[name] = r["Unit"]
    changes = {"mapping": mapping, "column_types": tuple(types.items()), "time_units": tuple(units.items())}
    if any(getattr(settings, k) != v for k, v in changes.items()):
        settings = update(settings, **changes)
        st.rerun()
    return settings


def date_order_consequences(source: CohortSource, settings: Settings) -> dict[str, tuple[int, int]]:
    """Per reading (dmy, mdy): patients with dates out of order (rule
    "date_order") and endpoint exclusions, from loading the file each way."""
    out = {}
    for order in ORDER_CHOICES:
        cohort = cache.load(source, replace(settings, date_order=order))
        out_of_order = {i for p in cohort.problems if p.rule == "date_order" for i in p.patient_ids}
        out[order] = (len(out_of_order), len(cohort.exclusions))
    return out


def _consequence(counts: tuple[int, int]) -> str:
    bad, excluded = counts
    return (f"{bad} patient(s) would have dates out of order (e.g. follow-up before RT start), "
            f"{excluded} endpoint exclusion(s)")


def date_order_question(cohort: Cohort, settings: Settings, source: CohortSource) -> Settings:
    """Ask once, when the file's dates do not show their day/month order, with
    what each reading would mean; the choice goes to ``Settings.date_order``."""
    auto = cohort if settings.date_order == "auto" else cache.load(source, replace(settings, date_order="auto"))
    if auto.date_order is None or auto.date_order.status != "ambiguous":
        return settings
    counts = date_order_consequences(source, settings)
    with st.container(border=True):
        st.markdown("**How are the dates written?** No date in this file shows whether it is day first or month "
                    "first (no day above 12). Until you choose, recur reads them day first.")
        options = list(ORDER_CHOICES)
        seed_choice(Keys.DATE_ORDER, settings.date_order if settings.date_order in options else None, options + [None])
        order = st.radio("Dates are written", options, key=Keys.DATE_ORDER,
                         format_func=lambda o: f"{ORDER_CHOICES[o]}: {_consequence(counts[o])}")
    if order is not None and order != settings.date_order:
        update(settings, date_order=order)
        st.rerun()  # the page below shows the cohort read this way
    return settings


def reading_notes(cohort: Cohort) -> None:
    """How the file was read (format, encoding, sheet, date order), and the rows
    that are not patients, so rows in file = loaded + listed."""
    st.subheader("How the file was read")
    for note in cohort.read_notes:
        st.caption(plain(note, MESSAGE_LIMIT))
    dropped = len(cohort.dropped_rows)
    st.caption(f"Rows in the file: {cohort.file_rows} = {len(cohort.data)} patients loaded + {dropped} row(s) "
               "listed below as not patients.")
    if dropped:
        with st.expander(f"{dropped} row(s) of the file are not patients"):
            st.dataframe(cohort.dropped_rows, hide_index=True, width="stretch")
