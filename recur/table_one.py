"""Table 1 (patient characteristics) as a tidy frame of raw numbers, with an
optional split by a grouping column and a p-value per variable.

A column's kind decides its shape: "number" -> median (range) and mean (SD);
"integer" with at most 6 distinct values (ECOG, stage numbers) -> counts per
integer level, else as a number; "category" / "text" -> n (%) per level;
"date" / "id" are left out. Levels come in their natural order (a Categorical's
order; else numbers numerically, stages I < II < III < IV, text alphabetically)
and missing values are counted on a last row of their own.

The p-values follow gtsummary's ``tbl_summary(by=) |> add_p()`` defaults:
categories: Pearson's chi-square test without continuity correction
(R ``chisq.test(correct = FALSE)``, gtsummary's "chisq.test.no.correct") when
every expected count is at least 5, otherwise Fisher's exact test (R
``fisher.test``); numbers: Wilcoxon rank-sum (Mann-Whitney U) for 2 groups (R
``wilcox.test`` defaults: exact when both groups have fewer than 50 values and
there are no ties, else the normal approximation with continuity correction),
Kruskal-Wallis for more (R ``kruskal.test``). Missing values are excluded.

>>> import pandas as pd
>>> df = pd.DataFrame({"rt_dose_gy": [60, 62.00000000000001, 66], "sex": ["M", "F", "M"]})
>>> t1 = table_one(df, ["rt_dose_gy", "sex"], kinds={"rt_dose_gy": "number", "sex": "category"})
>>> t1.loc[0, [MEDIAN, MIN, MAX]].astype(float).tolist()
[62.00000000000001, 60.0, 66.0]
"""

from __future__ import annotations

import math
import re
from typing import Callable, Literal, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.special import gammaln
from scipy.stats import MonteCarloMethod, chi2_contingency, fisher_exact, kruskal, mannwhitneyu

from recur.levels import level_label
from recur.schema import COLUMNS, is_tox_column
from recur.stats._prepare import group_levels
from recur.variables import ENDPOINTS

Kind = Literal["number", "integer", "category", "text", "date", "id"]

# Table 1 columns.
VARIABLE, LEVEL, KIND, N, PERCENT, MEDIAN, MIN, MAX, N_MISSING = (
    "variable", "level", "kind", "n", "percent", "median", "min", "max", "n_missing")
MEAN, SD, IS_MISSING, GROUP_N, P_VALUE, TEST = "mean", "sd", "is_missing", "group_n", "p_value", "test"
GROUP = "group"
ALL_PATIENTS = "All patients"
COLUMN_ORDER = [GROUP, GROUP_N, VARIABLE, LEVEL, KIND, IS_MISSING, N, PERCENT, MEDIAN, MIN, MAX, MEAN, SD,
                N_MISSING, P_VALUE, TEST]
MISSING_LEVEL = "missing"

# Test names, as written in the table's test column and its footnote.
CHI_SQUARE = "Pearson's chi-square"
FISHER = "Fisher's exact"
FISHER_MONTE_CARLO = "Fisher's exact (Monte Carlo)"
WILCOXON = "Wilcoxon rank-sum"
KRUSKAL = "Kruskal-Wallis"

DEFAULT_TABLE_ONE = ("age", "sex", "ecog", "histology", "stage_initial", "stage_recurrence", "egfr", "margin",
                     "recurrence_site", "recurrence_type", "concurrent_chemo", "rt_technique", "rt_dose_gy",
                     "rt_fractions", "bed_gy", "eqd2_gy", "gtv_cc", "ptv_cc", "dfi_months", "ttr_months",
                     "arm", "treatment_plan", "lesion_diameter_cm", "recurrence_region_count")
MAX_INTEGER_LEVELS = 6  # an integer column with at most this many values is shown as categories
MAX_EXTRA_LEVELS = 12  # an extra text column with more distinct values is free text, left out
DERIVED_NUMBERS = ("dose_per_fraction", "bed_gy", "eqd2_gy", "cumulative_dose_gy", "cumulative_eqd2_gy",
                   "dfi_months", "ttr_months", "phase1_bed_gy", "phase1_eqd2_gy", "phase2_bed_gy", "phase2_eqd2_gy",
                   "recurrence_region_count")
DERIVED_OTHER = ("failure_pattern", "failure_pattern_first")
_SCHEMA_KINDS: dict[str, Kind] = {"event": "category", "grade": "integer"}
_CUTOFF_LABEL = re.compile(r"\s(<=|>=|<|>)\S")  # 'BED >=78 Gy': a cutoff's group column, not a user column
_ENDPOINT_COLUMN = re.compile(rf"^({'|'.join(ENDPOINTS)})_")
FISHER_MAX_TABLES = 1_000_000  # beyond this many tables, Fisher's p is simulated (fixed seed)
FISHER_RESAMPLES = 100_000
FISHER_SEED = 20240601


# ---------------------------------------------------------------- kinds and variables

def _is_numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)


def _inferred_kind(s: pd.Series) -> Kind:
    if pd.api.types.is_datetime64_any_dtype(s):
        return "date"
    if _is_numeric(s):
        x = s.dropna().to_numpy(dtype=float)
        return "integer" if len(x) and np.all(np.mod(x, 1) == 0) else "number"
    return "category"


def default_kinds(df: pd.DataFrame) -> dict[str, Kind]:
    """Column -> kind for Table 1: the schema's kind for canonical columns
    (events as categories, toxicity grades as integers), "number" for the
    derived doses and intervals, and for other columns a kind read from the
    dtype (dates; integer-valued numbers as "integer"; other numbers; else
    "category").

    For a bare DataFrame (a notebook); a loaded cohort carries the kinds its
    columns were read as (``Cohort.kinds``), which the app passes instead.

    >>> default_kinds(pd.DataFrame({"ecog": [0, 1], "bed_gy": [72.0, 80.0], "smoker": ["y", "n"]}))
    {'ecog': 'integer', 'bed_gy': 'number', 'smoker': 'category'}
    """
    kinds: dict[str, Kind] = {}
    for col in df.columns:
        if col in DERIVED_NUMBERS:
            kinds[col] = "number"
        elif col in COLUMNS:
            schema_kind = COLUMNS[col][0]
            kinds[col] = _SCHEMA_KINDS.get(schema_kind, schema_kind)  # type: ignore[assignment]
        elif is_tox_column(str(col)):
            kinds[col] = "integer"
        else:
            kinds[col] = _inferred_kind(df[col])
    return kinds


def default_variables(df: pd.DataFrame, kinds: Mapping[str, str] | None = None) -> list[str]:
    """Table 1's rows: the usual characteristics present in ``df``
    (``DEFAULT_TABLE_ONE``), then the user's extra columns: numbers and
    categories with at least 2 values, but not IDs, dates, free text (more
    than 12 distinct values), toxicity grades, endpoint columns, derived
    columns or cutoff group columns."""
    kinds = dict(kinds) if kinds is not None else default_kinds(df)
    chosen = [v for v in DEFAULT_TABLE_ONE if v in df]
    for col in df.columns:
        name = str(col)
        if (col in chosen or col in COLUMNS or col in DERIVED_NUMBERS or col in DERIVED_OTHER
                or is_tox_column(name) or _ENDPOINT_COLUMN.match(name) or name.endswith("_event")
                or _CUTOFF_LABEL.search(name)):
            continue
        kind = kinds.get(col) or _inferred_kind(df[col])
        values = df[col].dropna()
        if kind in ("date", "id") or values.nunique() < 2:
            continue
        if kind in ("category", "text") and values.nunique() > MAX_EXTRA_LEVELS:
            continue
        chosen.append(col)
    return chosen


# ---------------------------------------------------------------- natural order

_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5}
_STAGE = re.compile(r"^(?:stage\s*)?(IV|V|I{1,3})([A-C]?[0-9]?)$", re.IGNORECASE)
_CHUNKS = re.compile(r"(\d+(?:\.\d+)?)")


def natural_key(value: object) -> tuple:
    """Sort key: numbers numerically (also numbers written as text), then
    stages 'I' < 'IIA' < 'IIB' < 'III' < 'IV', then text alphabetically with
    the numbers inside it compared as numbers ('rT1-2' < 'rT3-4' < 'rT10')."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return (0, float(value), ())
    text = str(value).strip()
    try:
        return (0, float(text), ())
    except ValueError:
        pass
    stage = _STAGE.match(text)
    if stage and (stage.group(1).isupper() or text.lower().startswith("stage")):
        return (1, float(_ROMAN[stage.group(1).upper()]), (stage.group(2).upper(),))
    chunks = tuple((0, float(c), "") if i % 2 else (1, 0.0, c.lower())
                   for i, c in enumerate(_CHUNKS.split(text)) if c)
    return (2, 0.0, chunks)


def _levels(s: pd.Series) -> list[str]:
    """Level labels of a categorical variable in natural order."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return list(dict.fromkeys(level_label(c) for c in s.cat.categories))
    values = sorted(s.dropna().unique(), key=natural_key)
    return list(dict.fromkeys(level_label(v) for v in values))


# ---------------------------------------------------------------- tests of association

def _drop_empty(table: np.ndarray) -> np.ndarray:
    table = table[table.sum(axis=1) > 0]
    return table[:, table.sum(axis=0) > 0]


def _ranges(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each i, the integers lo[i]..hi[i]: (index i per value, value)."""
    counts = np.maximum(hi - lo + 1, 0)
    owner = np.repeat(np.arange(len(lo)), counts)
    starts = np.cumsum(counts) - counts
    return owner, lo[owner] + np.arange(int(counts.sum())) - starts[owner]


def fisher_exact_rxc(table: np.ndarray) -> float | None:
    """Two-sided Fisher's exact p for an r x c table (as R ``fisher.test``):
    the probability, given the margins, of all tables no more probable than
    the observed one (relative tolerance 1e-7, as R). Enumerates the tables;
    returns None when there are more than ``FISHER_MAX_TABLES`` (partial)
    tables, to keep the page quick."""
    t = _drop_empty(np.asarray(table, dtype=np.int64))
    if t.shape[0] < 2 or t.shape[1] < 2:
        return 1.0
    if t.shape[1] > t.shape[0]:
        t = t.T
    rows, cols, n = t.sum(axis=1), t.sum(axis=0), int(t.sum())
    const = gammaln(rows + 1).sum() + gammaln(cols + 1).sum() - gammaln(n + 1)
    observed = const - gammaln(t + 1).sum()
    left = rows[None, :].copy()  # remaining row sums of each partial table
    cost = np.zeros(1)  # sum of log(x!) over the cells filled so far
    for c in cols[:-1]:  # fill one column (all partial tables at once); the last is what remains
        owner, need, added = np.arange(len(left)), np.full(len(left), int(c)), np.zeros(len(left))
        cells = np.zeros((len(left), 0), dtype=np.int64)
        for i in range(len(rows)):
            room = left[owner, i + 1:].sum(axis=1)
            pick, x = _ranges(np.maximum(0, need - room), np.minimum(left[owner, i], need))
            if len(pick) > FISHER_MAX_TABLES:
                return None
            owner, need, added = owner[pick], need[pick] - x, added[pick] + gammaln(x + 1)
            cells = np.column_stack([cells[pick], x])
        left, cost = left[owner] - cells, cost[owner] + added
    logp = const - cost - gammaln(left + 1).sum(axis=1)
    keep = logp <= observed + math.log1p(1e-7)
    return float(min(1.0, np.exp(logp[keep]).sum()))


def categorical_test(table: np.ndarray) -> tuple[float, str]:
    """(p, test name) for a levels x groups count table, as gtsummary's
    ``add_p()``: chi-square without continuity correction when every expected
    count is >= 5, else Fisher's exact test. Empty rows and columns are
    dropped first (R drops unused factor levels); NaN when fewer than 2 levels
    or 2 groups remain."""
    t = _drop_empty(np.asarray(table, dtype=np.int64))
    if t.shape[0] < 2 or t.shape[1] < 2:
        return float("nan"), ""
    expected = np.outer(t.sum(axis=1), t.sum(axis=0)) / t.sum()
    if expected.min() >= 5:
        return float(chi2_contingency(t, correction=False).pvalue), CHI_SQUARE
    if t.shape == (2, 2):
        return float(fisher_exact(t).pvalue), FISHER
    p = fisher_exact_rxc(t)
    if p is not None:
        return p, FISHER
    method = MonteCarloMethod(n_resamples=FISHER_RESAMPLES, rng=np.random.default_rng(FISHER_SEED))
    return float(fisher_exact(t, method=method).pvalue), FISHER_MONTE_CARLO


def numeric_test(groups: Sequence[np.ndarray]) -> tuple[float, str]:
    """(p, test name) comparing numbers across groups: Wilcoxon rank-sum for 2
    groups with R ``wilcox.test``'s defaults (exact when both groups have
    fewer than 50 values and no value is tied, else the normal approximation
    with continuity and tie correction), Kruskal-Wallis for more. Groups
    without values are left out; NaN when fewer than 2 remain or all values
    are equal."""
    groups = [np.asarray(g, dtype=float) for g in groups if len(g)]
    pooled = np.concatenate(groups) if groups else np.zeros(0)
    if len(groups) < 2 or np.unique(pooled).size < 2:
        return float("nan"), ""
    if len(groups) == 2:
        x, y = groups
        exact = len(x) < 50 and len(y) < 50 and np.unique(pooled).size == pooled.size
        res = mannwhitneyu(x, y, alternative="two-sided", use_continuity=True,
                           method="exact" if exact else "asymptotic")
        return float(res.pvalue), WILCOXON
    return float(kruskal(*groups).pvalue), KRUSKAL


# ---------------------------------------------------------------- the table

def _shape(s: pd.Series, kind: str | None) -> Literal["numeric", "categorical", "skip"]:
    if kind in ("date", "id"):
        return "skip"
    if pd.api.types.is_datetime64_any_dtype(s):
        return "skip"
    numeric = _is_numeric(s)
    if kind == "number":
        return "numeric" if numeric else "categorical"
    if kind == "integer":
        if not numeric:
            return "categorical"
        return "categorical" if s.nunique() <= MAX_INTEGER_LEVELS else "numeric"
    if kind in ("category", "text"):
        return "categorical"
    return "numeric" if numeric and not isinstance(s.dtype, pd.CategoricalDtype) else "categorical"


def _as_numbers(s: pd.Series, kind: str | None) -> pd.Series:
    """Numbers written as text become numbers when every value parses."""
    if _is_numeric(s) or kind not in ("number", "integer"):
        return s
    x = pd.to_numeric(s, errors="coerce")
    return x if x.notna().sum() == s.notna().sum() else s


def _group_order(g: pd.Series) -> list:
    """The split's groups in natural order (a Categorical's own order)."""
    if isinstance(g.dtype, pd.CategoricalDtype):
        return group_levels(g.dropna())
    return sorted(g.dropna().unique(), key=natural_key)


def _group_parts(df: pd.DataFrame, by: str | None) -> list[tuple[str, pd.DataFrame]]:
    parts = [(ALL_PATIENTS, df)]
    if by:
        g = df[by]
        parts += [(level_label(lv), df[g == lv]) for lv in _group_order(g)]
    return parts


def table_one(df: pd.DataFrame, variables: Sequence[str] | None = None, by: str | None = None, *,
              kinds: Mapping[str, str] | None = None,
              pick: Callable[[pd.DataFrame, Mapping[str, str] | None], list[str]] = default_variables,
              ) -> pd.DataFrame:
    """Patient characteristics, overall and (with ``by``) per group with a p-value.

    ``variables``: columns in order (default ``pick(df, kinds)``, i.e.
    ``default_variables``); ``kinds``: column -> "number" / "integer" /
    "category" / "text" / "date" / "id" (default: read from the dtype, see the
    module docstring); ``by``: a grouping column (rows where it is missing
    count in "All patients" only).

    Returns a tidy frame, one row per (group, variable, level): ``kind``
    "numeric" rows hold n, median, min, max, mean, sd (SD with n - 1);
    "categorical" rows hold n and percent of the non-missing values; a row
    with ``is_missing`` True (level "missing") closes a variable that has
    missing values. ``group_n`` is the group's size; ``p_value`` and ``test``
    repeat on every row of a variable (NaN / "" without ``by``).
    """
    names = list(variables) if variables is not None else pick(df, kinds)
    kinds = kinds or {}
    parts = _group_parts(df, by)
    by_values = df[by] if by else None
    rows: list[dict] = []
    for var in [v for v in names if v in df and v != by]:
        kind = kinds.get(var)
        s_all = _as_numbers(df[var], kind)
        shape = _shape(s_all, kind)
        if shape == "skip":
            continue
        has_missing = bool(s_all.isna().any())
        p, test = float("nan"), ""
        if shape == "numeric":
            if by:
                p, test = numeric_test([s_all[(by_values == lv).to_numpy()].dropna().to_numpy(dtype=float)
                                        for lv in _group_order(by_values)])
            for label, part in parts:
                s = s_all.loc[part.index].dropna().astype(float)
                rows.append({GROUP: label, GROUP_N: len(part), VARIABLE: var, LEVEL: "", KIND: "numeric",
                             IS_MISSING: False, N: len(s),
                             MEDIAN: s.median() if len(s) else np.nan, MIN: s.min() if len(s) else np.nan,
                             MAX: s.max() if len(s) else np.nan, MEAN: s.mean() if len(s) else np.nan,
                             SD: s.std(ddof=1) if len(s) > 1 else np.nan,
                             N_MISSING: int(len(part) - len(s)), P_VALUE: p, TEST: test})
        else:
            labels = s_all.map(level_label, na_action="ignore")
            levels = _levels(s_all)
            if by:
                table = pd.crosstab(labels, by_values).reindex(index=levels, fill_value=0)
                p, test = categorical_test(table.to_numpy())
            for label, part in parts:
                lab = labels.loc[part.index]
                counts = lab.value_counts()
                total = int(lab.notna().sum())
                missing = int(len(lab) - total)
                for level in levels:
                    n = int(counts.get(level, 0))
                    rows.append({GROUP: label, GROUP_N: len(part), VARIABLE: var, LEVEL: level,
                                 KIND: "categorical", IS_MISSING: False, N: n,
                                 PERCENT: 100 * n / total if total else np.nan, N_MISSING: missing,
                                 P_VALUE: p, TEST: test})
        if has_missing:
            for label, part in parts:
                missing = int(s_all.loc[part.index].isna().sum())
                rows.append({GROUP: label, GROUP_N: len(part), VARIABLE: var, LEVEL: MISSING_LEVEL,
                             KIND: "numeric" if shape == "numeric" else "categorical", IS_MISSING: True,
                             N: missing, N_MISSING: missing, P_VALUE: p, TEST: test})
    out = pd.DataFrame(rows, columns=COLUMN_ORDER)
    return out.astype({IS_MISSING: bool})
