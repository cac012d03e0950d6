"""Settings made to fit a cohort: choices that name columns or levels the
cohort does not have (a filter, a grouping, a factor, a reference level, a
trend, a column mapping, a cutoff on a text column, a column type, a time
unit, a level recoding or order, a sheet) are dropped, each with a one-line notice, so a choice made on one file never blocks pages on another.

Example: ``fit_to_cohort(Settings(filters=(Filter("no_such", ("a",)),)), cohort)``
gives ``filters=()`` and the notice "The subgroup filter on 'no_such' was
removed: this cohort has no such column."
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from recur.cohort import Cohort
from recur.factors import factor_options
from recur.safe_text import clip
from recur.settings import Filter, Settings


def _q(text: str) -> str:
    return repr(clip(text))


def fit_to_cohort(settings: Settings, cohort: Cohort) -> tuple[Settings, tuple[str, ...]]:
    """``settings`` without the choices ``cohort`` cannot honour, and one notice per choice dropped."""
    notices: list[str] = []
    data = cohort.data

    cutoffs = []
    for cut in settings.cutoffs:
        if cut.variable in data and not pd.api.types.is_numeric_dtype(data[cut.variable]):
            notices.append(f"The cutoff on {_q(cut.variable)} was removed: that column is not numeric here.")
        else:
            cutoffs.append(cut)
    settings = replace(settings, cutoffs=tuple(cutoffs))

    categorical = set(cohort.categorical_columns())
    filters = []
    for f in settings.filters:
        if f.column not in categorical:
            why = "this cohort has no such column" if f.column not in data else "it is not a categorical column here"
            notices.append(f"The subgroup filter on {_q(f.column)} was removed: {why}.")
            continue
        levels = set(cohort.levels(f.column))
        kept = tuple(v for v in f.values if v in levels)
        if f.values and not kept:
            notices.append(f"The subgroup filter on {_q(f.column)} was removed: none of its values is in this cohort.")
            continue
        if len(kept) < len(f.values):
            notices.append(f"The subgroup filter on {_q(f.column)} kept only the values present in this cohort.")
        filters.append(Filter(f.column, kept))
    settings = replace(settings, filters=tuple(filters))

    groupings = {c.label for c in settings.cutoffs if c.variable in data} | categorical
    if settings.group_by and settings.group_by not in groupings:
        notices.append(f"The grouping {_q(settings.group_by)} was removed: it is not available in this cohort.")
        settings = replace(settings, group_by="")

    if settings.factors is not None:
        options = set(factor_options(cohort, settings))
        gone = [f for f in settings.factors if f not in options]
        if gone:
            notices.append(f"Factor(s) {clip(', '.join(map(repr, gone)))} were removed from the Cox screen: "
                           "not in this cohort.")
            settings = replace(settings, factors=tuple(f for f in settings.factors if f in options))
    references = tuple((c, lv) for c, lv in settings.references if c in categorical and lv in cohort.levels(c))
    trends = tuple((c, lvs) for c, lvs in settings.trends
                   if c in categorical and set(lvs) <= set(cohort.levels(c)))
    if len(references) < len(settings.references) or len(trends) < len(settings.trends):
        notices.append("Reference levels or trends naming columns or levels not in this cohort were removed.")
        settings = replace(settings, references=references, trends=trends)

    mapping = tuple((a, b) for a, b in settings.mapping if a in cohort.raw_columns)
    if len(mapping) < len(settings.mapping):
        notices.append("Column mappings naming columns not in this file were removed.")
        settings = replace(settings, mapping=mapping)
    return _fit_reading(settings, cohort, notices), tuple(notices)


def _fit_reading(settings: Settings, cohort: Cohort, notices: list[str]) -> Settings:
    """Drop how-to-read choices (column types, time units, level recodings and
    orders, the sheet) that name columns, levels or sheets this cohort lacks."""
    data = cohort.data
    types = tuple((c, k) for c, k in settings.column_types if c in data)
    units = tuple((c, u) for c, u in settings.time_units if c in data)
    if len(types) < len(settings.column_types) or len(units) < len(settings.time_units):
        notices.append("Column types or time units naming columns not in this cohort were removed.")
    recodes = tuple((c, pairs) for c, pairs in settings.recodes if c in data)
    orders = tuple((c, levels) for c, levels in settings.level_orders if c in data)
    for what, col in [("recoding", c) for c, _ in settings.recodes if c not in data] + [
            ("order", c) for c, _ in settings.level_orders if c not in data]:
        notices.append(f"The level {what} of {_q(col)} was removed: this cohort has no such column.")
    sheet = settings.sheet if settings.sheet in cohort.sheets else ""
    if settings.sheet and not sheet:
        notices.append(f"The sheet choice {_q(settings.sheet)} was removed: this file has no such sheet.")
    return replace(settings, column_types=types, time_units=units, recodes=recodes, level_orders=orders,
                   sheet=sheet)
