"""Prognostic factors for the Cox screen: which columns may enter, how a
cutoff is named so the choice survives a threshold change, and the coding
(reference level or ordered trend) each factor gets.

A cutoff factor is stored as ``cutoff:<variable>`` and resolved to the
current cutoff's group column ("BED >=78 Gy") at analysis time."""

from __future__ import annotations

import pandas as pd

from recur.cohort import Cohort
from recur.levels import level_text
from recur.settings import Settings
from recur.variables import variable_label

CUTOFF_PREFIX = "cutoff:"
OUTCOME_COLUMNS = frozenset({"failure_pattern", "failure_pattern_first", "distant_sites", "synthetic"})
CLINICAL_DEFAULTS = ("sex", "ecog", "histology", "egfr", "concurrent_chemo", "stage_recurrence")


def cutoff_factor(variable: str) -> str:
    return f"{CUTOFF_PREFIX}{variable}"


def is_cutoff_factor(factor: str) -> bool:
    return factor.startswith(CUTOFF_PREFIX)


def factor_column(settings: Settings, factor: str) -> str | None:
    """The analysis-frame column of a factor; None for a cutoff no longer defined."""
    if not is_cutoff_factor(factor):
        return factor
    variable = factor[len(CUTOFF_PREFIX):]
    cut = next((c for c in settings.cutoffs if c.variable == variable), None)
    return cut.label if cut else None


def factor_label(settings: Settings, factor: str) -> str:
    """How a factor is shown: the cutoff's label, else the column's label."""
    if is_cutoff_factor(factor):
        return factor_column(settings, factor) or f"{factor[len(CUTOFF_PREFIX):]} (cutoff removed)"
    return variable_label(factor)[0]


def _varies(series: pd.Series) -> bool:
    return series.nunique(dropna=True) >= 2


def factor_options(cohort: Cohort, settings: Settings) -> list[str]:
    """Every factor the screen can take: the cutoffs, then categorical and
    numeric columns that vary (outcomes such as failure patterns left out)."""
    data = cohort.data
    cuts = [cutoff_factor(c.variable) for c in settings.cutoffs if c.variable in data]
    columns = [c for c in cohort.categorical_columns() + cohort.numeric_columns()
               if c not in OUTCOME_COLUMNS and _varies(data[c])]
    return cuts + columns


def default_factors(cohort: Cohort, settings: Settings, frame: pd.DataFrame) -> tuple[str, ...]:
    """The papers' usual screen: the cutoffs that split the selection in two,
    plus the common clinical factors present."""
    cuts = [cutoff_factor(c.variable) for c in settings.cutoffs if c.label in frame and frame[c.label].nunique() == 2]
    clinical = [c for c in CLINICAL_DEFAULTS if c in frame and _varies(frame[c])]
    return tuple(cuts + clinical)



def default_reference(values: pd.Series) -> str | None:
    """The Cox reference level a categorical factor gets unless the user picks
    one: its most frequent level (the first in level order on a tie), so hazard
    ratios compare against the usual patient; None without any value.

    >>> default_reference(pd.Series(["b", "a", "b"]))
    'b'
    """
    text = level_text(values).dropna()
    if text.empty:
        return None
    counts = text.value_counts()
    order = [str(v) for v in values.cat.categories] if isinstance(values.dtype, pd.CategoricalDtype) \
        else sorted(counts.index)
    return max((lv for lv in order if lv in counts), key=lambda lv: (counts[lv], -order.index(lv)))
