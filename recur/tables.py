"""Clinician tables as tidy DataFrames of raw numbers (formatting lives in
``recur.format``): Table 1, response, toxicity, failure patterns, sites."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import beta

from recur.derive import FAILURE_PATTERNS, FAILURE_TYPES, failure_types
from recur.schema import DISTANT_SITES, ESCC_REGIONS, RESPONSES, is_tox_column
from recur.stats._prepare import group_levels
# Table 1 lives in recur.table_one; its names stay importable from here.
from recur.table_one import (DEFAULT_TABLE_ONE, FISHER_MONTE_CARLO, FISHER_RESAMPLES, GROUP,  # noqa: F401
                             GROUP_N, IS_MISSING, KIND, LEVEL, MAX, MEAN, MEDIAN, MIN, N, N_MISSING, P_VALUE,
                             PERCENT, SD, TEST, VARIABLE, default_kinds, default_variables, table_one)


def _groups(df: pd.DataFrame, by: str | None) -> list[tuple[str, pd.DataFrame]]:
    parts = [("All patients", df)]
    if by:
        g = df[by]
        parts += [(str(lv), df[g == lv]) for lv in group_levels(g.dropna())]
    return parts


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


PHASES = ("acute", "late", "any")  # table and bar order: acute events, then late, then whole-course


def toxicity_table(df: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Per adverse-event column (phase acute / late / any from its name) and,
    with ``by``, per group after all patients: patients assessed, by worst
    grade 0-5, any grade (1-5) and grade >= 3, each count with its percent of
    the assessed patients (``grade_1_percent``, ``any_grade_percent``, ...).

    Rows: acute events, then late ones, then whole-course ones, each in column
    order, the groups of an event together; the toxicity figure draws its
    bars in this order."""
    columns = []
    for col in [c for c in df if is_tox_column(c)]:
        phase, event = "any", col[4:]
        for prefix in ("acute_", "late_"):
            if event.startswith(prefix):
                phase, event = prefix[:-1], event[len(prefix):]
        columns.append((PHASES.index(phase), col, phase, event))
    rows = []
    for _, col, phase, event in sorted(columns, key=lambda c: c[0]):
        for label, part in _groups(df, by):
            g = pd.to_numeric(part[col], errors="coerce")
            assessed = int(g.notna().sum())
            row = {GROUP: label, "column": col, "event": event.replace("_", " "), "phase": phase,
                   "assessed": assessed}
            counts = {f"grade_{k}": int((g == k).sum()) for k in range(6)}
            counts["any_grade"] = int(g.between(1, 5).sum())
            counts["grade_3plus"] = int((g >= 3).sum())
            row.update(counts)
            row.update({f"{k}_percent": 100 * n / assessed if assessed else np.nan for k, n in counts.items()
                        if k != "grade_0"})
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


def failure_type_table(df: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Patients with each kind of failure (in-field (local), out-of-field
    regional, distant) over the whole follow-up and as (part of) the first
    failure, n and percent of the group; only kinds whose date column exists."""
    columns = [GROUP, "failure", "n_ever", "percent_ever", "n_first", "percent_first"]
    flags = failure_types(df)
    kinds = [k for k in FAILURE_TYPES if k in flags]
    rows = []
    for label, part in _groups(df, by):
        f, total = flags.loc[part.index], len(part)
        for kind in kinds:
            ever, first = int(f[kind].sum()), int(f[f"{kind} first"].sum())
            rows.append({GROUP: label, "failure": kind, "n_ever": ever, "n_first": first,
                         "percent_ever": 100 * ever / total if total else np.nan,
                         "percent_first": 100 * first / total if total else np.nan})
    return pd.DataFrame(rows, columns=columns)


def _multi_value_counts(df: pd.DataFrame, column: str, order: tuple[str, ...], name: str) -> pd.DataFrame:
    """Patients with each value of a ';'-separated column (a patient may count
    under several); known values in ``order`` first, then others by name."""
    if column not in df:
        return pd.DataFrame(columns=[name, N])
    lists = df[column].dropna().astype(str).str.split(";")
    counts: dict[str, int] = {}
    for values in lists:
        for value in {v.strip() for v in values if v.strip()}:
            counts[value] = counts.get(value, 0) + 1
    ordered = [v for v in order if v in counts] + sorted(set(counts) - set(order))
    return pd.DataFrame({name: ordered, N: [counts[v] for v in ordered]})


def distant_sites_table(df: pd.DataFrame) -> pd.DataFrame:
    """Patients with each distant site (a patient may count under several)."""
    return _multi_value_counts(df, "distant_sites", DISTANT_SITES, "site")


def recurrence_regions_table(df: pd.DataFrame) -> pd.DataFrame:
    """Patients with each region involved by the recurrence (ESCC: I-IV; a
    patient may count under several)."""
    return _multi_value_counts(df, "recurrence_regions", ESCC_REGIONS, "region")
