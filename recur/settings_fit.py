"""Settings made to fit a cohort: choices that name columns or levels the
cohort does not have (a filter, a grouping, a factor, a reference level, a
trend, a column mapping, a cutoff on a text column) are dropped, each with a
one-line notice, so a choice made on one file never blocks pages on another.

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
    return settings, tuple(notices)
