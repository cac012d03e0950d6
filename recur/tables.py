"""Clinician tables as tidy DataFrames of raw numbers (formatting lives in
``recur.format``): Table 1, response, toxicity, failure patterns, sites."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from scipy.stats import beta

from recur.derive import FAILURE_PATTERNS
from recur.schema import DISTANT_SITES, RESPONSES, is_tox_column
from recur.stats._prepare import group_levels

# Table 1 columns.
VARIABLE, LEVEL, KIND, N, PERCENT, MEDIAN, MIN, MAX, N_MISSING = (
    "variable", "level", "kind", "n", "percent", "median", "min", "max", "n_missing")
GROUP = "group"
DEFAULT_TABLE_ONE = ("age", "sex", "ecog", "histology", "stage_initial", "stage_recurrence", "egfr", "margin",
                     "recurrence_site", "recurrence_type", "concurrent_chemo", "rt_technique", "rt_dose_gy",
                     "rt_fractions", "bed_gy", "eqd2_gy", "gtv_cc", "ptv_cc", "dfi_months", "ttr_months")


def _groups(df: pd.DataFrame, by: str | None) -> list[tuple[str, pd.DataFrame]]:
    parts = [("All patients", df)]
    if by:
        g = df[by]
        parts += [(str(lv), df[g == lv]) for lv in group_levels(g.dropna())]
    return parts


def table_one(df: pd.DataFrame, variables: Sequence[str] | None = None, by: str | None = None) -> pd.DataFrame:
    """Patient characteristics: median (range) for numbers, n (%) per level
    for categories (percent of non-missing), missing counted separately.

    Rows: group, variable, level, kind ('numeric' / 'categorical'), n, percent,
    median, min, max, n_missing.
    """
    variables = [v for v in (variables or DEFAULT_TABLE_ONE) if v in df]
    rows = []
    for label, part in _groups(df, by):
        for var in variables:
            s = part[var]
            missing = int(s.isna().sum())
            if pd.api.types.is_numeric_dtype(s) and s.nunique() > 6:
                rows.append({GROUP: label, VARIABLE: var, LEVEL: "", KIND: "numeric", N: int(s.notna().sum()),
                             MEDIAN: s.median(), MIN: s.min(), MAX: s.max(), N_MISSING: missing})
                continue
            counts = s.value_counts(sort=False)
            if not isinstance(s.dtype, pd.CategoricalDtype):
                counts = counts.sort_index()
            total = int(s.notna().sum())
            for level, n in counts.items():
                rows.append({GROUP: label, VARIABLE: var, LEVEL: str(level), KIND: "categorical", N: int(n),
                             PERCENT: 100 * n / total if total else np.nan, N_MISSING: missing})
            if missing:
                rows.append({GROUP: label, VARIABLE: var, LEVEL: "missing", KIND: "categorical", N: missing,
                             PERCENT: np.nan, N_MISSING: missing})
    return pd.DataFrame(rows, columns=[GROUP, VARIABLE, LEVEL, KIND, N, PERCENT, MEDIAN, MIN, MAX, N_MISSING])


def clopper_pearson(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Exact binomial CI for k/n (Clopper & Pearson 1934)."""
    a = (1 - level) / 2
    lo = beta.ppf(a, k, n - k + 1) if k > 0 else 0.0
    hi = beta.ppf(1 - a, k + 1, n - k) if k < n else 1.0
    return float(lo), float(hi)


def response_table(df: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Best response counts (CR/PR/SD/PD/NE) and the objective response rate
    (CR+PR among evaluable, i.e. not NE) with its exact 95% CI."""
    rows = []
    for label, part in _groups(df, by):
        r = part["response"] if "response" in part else pd.Series(dtype=object)
        counts = {k: int((r == k).sum()) for k in RESPONSES}
        evaluable = sum(v for k, v in counts.items() if k != "NE")
        responders = counts["CR"] + counts["PR"]
        lo, hi = clopper_pearson(responders, evaluable) if evaluable else (np.nan, np.nan)
        rows.append({GROUP: label, **counts, "missing": int(r.isna().sum()), "evaluable": evaluable,
                     "orr": responders / evaluable if evaluable else np.nan, "orr_lower": lo, "orr_upper": hi})
    return pd.DataFrame(rows)


def toxicity_table(df: pd.DataFrame) -> pd.DataFrame:
    """Per adverse-event column: patients by worst grade 0-5, grade >= 3 n (%),
    and the phase (acute / late / any) parsed from the column name."""
    rows = []
    for col in [c for c in df if is_tox_column(c)]:
        phase, event = "any", col[4:]
        for prefix in ("acute_", "late_"):
            if event.startswith(prefix):
                phase, event = prefix[:-1], event[len(prefix):]
        g = pd.to_numeric(df[col], errors="coerce")
        assessed = int(g.notna().sum())
        row = {"column": col, "event": event.replace("_", " "), "phase": phase, "assessed": assessed}
        row.update({f"grade_{k}": int((g == k).sum()) for k in range(6)})
        row["grade_3plus"] = int((g >= 3).sum())
        row["grade_3plus_percent"] = 100 * row["grade_3plus"] / assessed if assessed else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def failure_pattern_table(df: pd.DataFrame, view: str = "ever", by: str | None = None) -> pd.DataFrame:
    """Patients per failure pattern ('ever': whole follow-up; 'first': at first
    failure), with percent of the group."""
    col = "failure_pattern" if view == "ever" else "failure_pattern_first"
    rows = []
    if col not in df:
        return pd.DataFrame(columns=[GROUP, "pattern", N, PERCENT])
    for label, part in _groups(df, by):
        total = len(part)
        for pattern in FAILURE_PATTERNS:
            n = int((part[col] == pattern).sum())
            if n or pattern != FAILURE_PATTERNS[-1]:
                rows.append({GROUP: label, "pattern": pattern, N: n, PERCENT: 100 * n / total if total else np.nan})
    return pd.DataFrame(rows)


def distant_sites_table(df: pd.DataFrame) -> pd.DataFrame:
    """Patients with each distant site (a patient may count under several)."""
    if "distant_sites" not in df:
        return pd.DataFrame(columns=["site", N])
    lists = df["distant_sites"].dropna().astype(str).str.split(";")
    counts: dict[str, int] = {}
    for sites in lists:
        for site in {s.strip() for s in sites if s.strip()}:
            counts[site] = counts.get(site, 0) + 1
    order = [s for s in DISTANT_SITES if s in counts] + sorted(set(counts) - set(DISTANT_SITES))
    return pd.DataFrame({"site": order, N: [counts[s] for s in order]})
