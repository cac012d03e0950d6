"""The Cohort page's levels step: proposed merges of spellings of one level
(accepted one click each, or all at once) and a small editor to rename, merge
and order the levels of any categorical column. Everything is stored in
``Settings.recodes`` / ``level_orders`` and applied by the core at load."""

from __future__ import annotations

import streamlit as st

from recur.cohort import DERIVED_CATEGORIES, Cohort
from recur.levels import merge_recodes, propose_merges
from recur.safe_text import plain
from recur.settings import Settings
from recur.ui.state import Keys, forget_widgets, seed_choice, update

Recodes = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]


def add_recodes(recodes: Recodes, column: str, pairs: tuple[tuple[str, str], ...]) -> Recodes:
    """``recodes`` with ``pairs`` (current level -> new level) added for ``column``.
    The stored recoding maps the file's spellings, so earlier pairs that led to a
    level now renamed are redirected (a -> b then b -> c gives a -> c, b -> c)."""
    new = dict(pairs)
    current = dict(dict(recodes).get(column, ()))
    merged = {old: new.get(target, target) for old, target in current.items()}
    merged.update({old: target for old, target in new.items() if old not in merged})
    merged = {old: target for old, target in merged.items() if old != target}
    rest = tuple((c, p) for c, p in recodes if c != column)
    return rest + ((column, tuple(merged.items())),) if merged else rest


def recodable_columns(cohort: Cohort) -> list[str]:
    """Categorical columns whose levels are text the user may rename (not derived ones, not scores)."""
    return [c for c in cohort.categorical_columns() if cohort.kinds.get(c) == "category"
            and c not in DERIVED_CATEGORIES]


def merge_proposals(cohort: Cohort) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """Column -> proposed merges (target, spellings) on the data as recoded now."""
    out = {}
    for col, kind in cohort.kinds.items():
        if kind == "category" and col in cohort.data and col not in DERIVED_CATEGORIES:
            if proposals := propose_merges(cohort.data[col]):
                out[col] = proposals
    return out


def _spellings(spellings: tuple[str, ...]) -> str:
    return ", ".join(f"'{plain(s, 40)}'" for s in spellings)


def merge_proposals_section(cohort: Cohort, settings: Settings) -> Settings:
    """One row per proposed merge with its own button, and 'accept all'."""
    proposals = merge_proposals(cohort)
    if not proposals:
        return settings
    total = sum(map(len, proposals.values()))
    st.markdown(f"**{total} group(s) of spellings look like one level.** Merge them, or they are analysed as "
                "different groups.")
    recodes = settings.recodes
    for col, groups in proposals.items():
        for target, spellings in groups:
            left, right = st.columns([4, 1], vertical_alignment="center")
            counts = cohort.data[col].astype(str).value_counts()
            left.markdown(f"{plain(col)}: {_spellings(spellings)} → '{plain(target, 40)}' "
                          f"(n = {' + '.join(str(int(counts.get(s, 0))) for s in spellings)})")
            if right.button("Merge", key=Keys.accept_merge(col, target), width="stretch"):
                settings = update(settings, recodes=add_recodes(recodes, col, merge_recodes([(target, spellings)])))
                st.rerun()
    if total > 1 and st.button("Merge all proposed", key=Keys.ACCEPT_ALL_BUTTON):
        for col, groups in proposals.items():
            recodes = add_recodes(recodes, col, merge_recodes(groups))
        settings = update(settings, recodes=recodes)
        st.rerun()
    return settings


def level_editor(cohort: Cohort, settings: Settings) -> Settings:
    """Rename or merge (give two levels one name) and order the levels of one column."""
    columns = recodable_columns(cohort)
    if not columns:
        return settings
    seed_choice(Keys.LEVEL_COLUMN, columns[0], columns)
    col = st.selectbox("Edit the levels of", columns, key=Keys.LEVEL_COLUMN)
    levels = cohort.levels(col)
    counts = cohort.data[col].astype(str).value_counts()
    editor_key = Keys.level_editor(col, tuple(levels))
    rows = [{"Level": lv, "n": int(counts.get(lv, 0)), "New name": lv, "Order": i + 1}
            for i, lv in enumerate(levels)]
    edited = st.data_editor(rows, key=editor_key, hide_index=True, width="stretch",
                            disabled=["Level", "n"],
                            column_config={"New name": st.column_config.TextColumn(
                                               help="Give two levels the same name to merge them."),
                                           "Order": st.column_config.NumberColumn(
                                               min_value=1, step=1, help="Order in tables, legends and trends; "
                                                                         "the first is not the Cox reference "
                                                                         "(the most frequent level is, by default).")})
    left, right = st.columns(2)
    if left.button("Apply to the levels", key=Keys.APPLY_LEVELS_BUTTON, width="stretch"):
        pairs = tuple((r["Level"], str(r["New name"]).strip()) for r in edited
                      if r["New name"] is not None and str(r["New name"]).strip()
                      and str(r["New name"]).strip() != r["Level"])
        ranked = sorted(edited, key=lambda r: (r["Order"] if r["Order"] is not None else len(rows) + 1))
        new_names = dict(pairs)
        order = tuple(dict.fromkeys(new_names.get(r["Level"], r["Level"]) for r in ranked))
        orders = tuple((c, o) for c, o in settings.level_orders if c != col)
        if [r["Order"] for r in edited] != [r["Order"] for r in rows] or col in dict(settings.level_orders):
            orders += ((col, order),)
        forget_widgets([editor_key])
        settings = update(settings, recodes=add_recodes(settings.recodes, col, pairs), level_orders=orders)
        st.rerun()
    if (col in dict(settings.recodes) or col in dict(settings.level_orders)) and right.button(
            "Back to the file's levels", key=Keys.RESET_LEVELS_BUTTON, width="stretch"):
        forget_widgets([editor_key])
        settings = update(settings, recodes=tuple((c, p) for c, p in settings.recodes if c != col),
                          level_orders=tuple((c, o) for c, o in settings.level_orders if c != col))
        st.rerun()
    recoded = dict(settings.recodes).get(col, ())
    if recoded:
        st.caption("Recoded: " + "; ".join(f"'{plain(a, 40)}' → '{plain(b, 40)}'" for a, b in recoded))
    return settings
