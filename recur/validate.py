"""Type and value checks on a canonical cohort table. Never raises on bad
data: every bad value becomes missing and a ``Problem`` that names the
column, the patients and the fix."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from recur.schema import COLUMNS, IDENTIFYING_NAME_HINTS, VOCABULARIES, is_tox_column

Level = Literal["error", "warning"]
MAX_IDS_IN_MESSAGE = 8

# Date formats tried in order; the first that reads every value wins.
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", "%d/%m/%Y", "%m/%d/%Y", "%d-%m-%Y", "%Y%m%d",
                "%d %b %Y", "%d-%b-%Y", "%b %d, %Y")


@dataclass(frozen=True)
class Problem:
    """One finding about the data: error (a value cannot be used) or warning."""

    level: Level
    column: str
    patient_ids: tuple[str, ...]
    message: str
    rule: str


def id_list(ids) -> str:
    """'P001, P002 and 3 more' for messages."""
    ids = [str(i) for i in ids]
    shown = ", ".join(ids[:MAX_IDS_IN_MESSAGE])
    return shown + (f" and {len(ids) - MAX_IDS_IN_MESSAGE} more" if len(ids) > MAX_IDS_IN_MESSAGE else "")


def problem(level: Level, column: str, ids, message: str, rule: str) -> Problem:
    """Build a Problem whose message starts with the column and patients."""
    ids = tuple(str(i) for i in ids)
    who = f" (patients {id_list(ids)})" if ids else ""
    return Problem(level, column, ids, f"Column '{column}'{who}: {message}", rule)


def parse_dates(values: pd.Series) -> tuple[pd.Series, str | None, pd.Series]:
    """Parse a date column: returns (dates, format used, mask of unreadable values).

    Already-parsed datetimes (from XLSX / Parquet) pass through.
    """
    present = values.notna()
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.normalize(), None, pd.Series(False, index=values.index)
    as_text = values.where(present).astype(object)
    if pd.api.types.infer_dtype(as_text, skipna=True) in ("string", "empty"):
        is_ts = pd.Series(False, index=values.index)
    else:  # XLSX cells may mix real dates and text
        is_ts = as_text.map(lambda v: isinstance(v, (pd.Timestamp, np.datetime64)) or hasattr(v, "year"))
    text = as_text.where(~is_ts).astype(str)
    stamps = pd.to_datetime(as_text.where(is_ts), errors="coerce") if is_ts.any() else None
    best = None
    for fmt in DATE_FORMATS:
        parsed = pd.to_datetime(text, format=fmt, errors="coerce")
        if stamps is not None:
            parsed = parsed.where(~is_ts, stamps)
        n_ok = int((parsed.notna() & present).sum())
        if best is None or n_ok > best[0]:
            best = (n_ok, fmt, parsed)
        if n_ok == int(present.sum()):
            break
    _, fmt, parsed = best  # type: ignore[misc]
    bad = present & parsed.isna()
    return parsed.dt.normalize(), fmt, bad


def _looks_like_names(values: pd.Series) -> bool:
    """Mostly 'Firstname Lastname' (two or three capitalised words)."""
    text = values.dropna().astype(str).head(200)
    if len(text) < 3:
        return False
    return text.str.fullmatch(r"[A-Z][a-z'\-]+( [A-Z][a-z'\-]+){1,2}").mean() > 0.6


def _strip(values: pd.Series) -> pd.Series:
    """Trim text cells once; blank cells become missing."""
    if values.dtype != object:
        return values
    if pd.api.types.infer_dtype(values, skipna=True) != "string":
        return values.where(values.astype(str).str.strip() != "")
    text = values.str.strip()
    return text.where(text != "")


def _closest(value: str, choices: list[str]) -> str | None:
    hit = difflib.get_close_matches(value.lower(), [c.lower() for c in choices], n=1, cutoff=0.5)
    if not hit:
        return None
    return next(c for c in choices if c.lower() == hit[0])


def clean_table(table: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """Give each canonical column its type; collect problems.

    The returned frame has the same rows in the same order; ``patient_id`` is
    text (missing IDs replaced by 'row N', the spreadsheet row).
    """
    problems: list[Problem] = []
    df = table.copy()
    if "patient_id" not in df.columns:
        problems.append(problem("error", "patient_id", (), "column is missing; add a unique study ID per "
                                "patient (never a name or MRN). Row numbers are used meanwhile.", "missing_column"))
        df.insert(0, "patient_id", [f"row {i + 2}" for i in range(len(df))])
    ids = df["patient_id"].astype(object)
    empty = ids.isna() | (ids.astype(str).str.strip() == "")
    if empty.any():
        rows = [f"row {i + 2}" for i in np.nonzero(empty.to_numpy())[0]]
        problems.append(problem("error", "patient_id", rows, "no patient ID; fill in a unique study ID "
                                "(these rows are named by their spreadsheet row meanwhile).", "missing_id"))
        ids = ids.where(~empty, pd.Series([f"row {i + 2}" for i in range(len(df))], index=df.index))
    ids = ids.astype(str).str.strip()
    dup = ids.duplicated(keep=False)
    if dup.any():
        problems.append(problem("error", "patient_id", sorted(set(ids[dup])), "the same ID appears on more "
                                "than one row; give each patient one row and a unique ID.", "duplicate_id"))
    df["patient_id"] = ids
    if ids.str.fullmatch(r"\d{7,}").mean() > 0.5:
        problems.append(problem("warning", "patient_id", (), "IDs look like medical-record numbers; use "
                                "pseudonymised study IDs before sharing.", "privacy"))
    for col in df.columns:
        key = col.lower()
        if col not in COLUMNS and not is_tox_column(col) and _looks_like_names(df[col]):
            problems.append(problem("warning", col, (), "values look like personal names; remove the column: "
                                    "recur does not need it.", "privacy"))
        elif col not in COLUMNS and not is_tox_column(col) and any(h in key for h in IDENTIFYING_NAME_HINTS):
            problems.append(problem("warning", col, (), "looks like identifying data (a name, record number or "
                                    "birth date); remove it from the file: recur does not need it.", "privacy"))
    for col in list(df.columns):
        kind = COLUMNS.get(col, ("grade", "") if is_tox_column(col) else (None, ""))[0]
        if kind is None or kind in ("id", "text"):
            continue
        values = _strip(df[col])
        present = values.notna()
        if kind == "date":
            parsed, fmt, bad = parse_dates(values)
            if bad.any():
                problems.append(problem("error", col, ids[bad], "dates that cannot be read "
                                        f"({id_list(values[bad].astype(str).unique())}); write them as YYYY-MM-DD.",
                                        "unparseable_date"))
            if fmt and fmt != "%Y-%m-%d" and present.any():
                note = " (day and month order is ambiguous: check)" if fmt in ("%d/%m/%Y", "%m/%d/%Y") else ""
                problems.append(problem("warning", col, (), f"dates read with the format {fmt}{note}; "
                                        "ISO YYYY-MM-DD avoids any doubt.", "date_format"))
            df[col] = parsed
        elif kind in ("number", "integer", "event", "grade"):
            if (pd.api.types.infer_dtype(values, skipna=True) == "string"
                    and values.str.contains(",", regex=False).any()):
                values = values.str.replace(",", ".", regex=False)  # decimal commas
            num = pd.to_numeric(values, errors="coerce")
            bad = present & num.isna()
            if bad.any():
                problems.append(problem("error", col, ids[bad], "values that are not numbers "
                                        f"({id_list(values[bad].astype(str).unique())}); correct or leave empty.",
                                        "not_a_number"))
            num = _range_check(col, kind, num, ids, problems)
            df[col] = num
        elif kind == "category":
            df[col] = _normalise_category(col, values, present, ids, problems)
    return df, problems


def _range_check(col: str, kind: str, num: pd.Series, ids: pd.Series, problems: list[Problem]) -> pd.Series:
    rules = {
        "grade": (0, 5, "CTCAE grades run from 0 to 5"),
        "event": (0, 1, "use 1 for the event and 0 for censored"),
    }
    by_col = {"ecog": (0, 4, "ECOG runs from 0 to 4"), "kps": (0, 100, "KPS runs from 0 to 100"),
              "age": (0, 120, "age is in years"), "alpha_beta": (0.5, 30, "alpha/beta is in Gy, typically 2-10"),
              "rt_fractions": (1, 100, "a course has at least one fraction"),
              "prior_rt_fractions": (1, 100, "a course has at least one fraction")}
    lo, hi, why = by_col.get(col, rules.get(kind, (None, None, "")))
    if lo is not None:
        out = num.notna() & ((num < lo) | (num > hi) | ((kind in ("grade", "event", "integer")) & (num % 1 != 0)))
        if out.any():
            fix = "check the value" if col not in ("rt_fractions", "prior_rt_fractions") else \
                "enter the number of fractions (BED cannot be computed from 0)"
            problems.append(problem("error", col, ids[out], f"values outside {lo}-{hi} "
                                    f"({id_list(num[out].unique())}): {why}; {fix}. Treated as missing.",
                                    "out_of_range"))
            num = num.where(~out)
    if col.endswith("_months"):
        neg = num < 0
        if neg.any():
            problems.append(problem("error", col, ids[neg], "negative times; a time runs forward from the "
                                    "origin. Treated as missing.", "negative_time"))
            num = num.where(~neg)
        zero = num == 0
        if zero.any() and col not in ("dfi_months", "ttr_months"):
            problems.append(problem("warning", col, ids[zero], "time is 0: the event or censoring falls on "
                                    "the origin day; check the dates.", "zero_time"))
    elif kind == "number" and col != "age":
        neg = num < 0
        if neg.any():
            problems.append(problem("error", col, ids[neg], "negative values; doses and volumes are positive. "
                                    "Treated as missing.", "negative_value"))
            num = num.where(~neg)
    return num


def _normalise_category(col: str, values: pd.Series, present: pd.Series, ids: pd.Series,
                        problems: list[Problem]) -> pd.Series:
    vocab = VOCABULARIES.get(col, {})
    canon = sorted(set(vocab.values()))
    text = values.astype(str)
    mapped = text.str.lower().map(vocab)
    unknown = present & mapped.isna()
    for raw in sorted(text[unknown].unique()):
        who = ids[unknown & (text == raw)]
        guess = _closest(raw, canon + [k for k in vocab])
        hint = f"did you mean '{vocab.get(guess.lower(), guess)}'?" if guess else f"use one of {', '.join(canon)}."
        problems.append(problem("warning", col, who, f"'{raw}' is not a known value; {hint} "
                                "Treated as missing until corrected.", "unknown_category"))
    return mapped.where(present)
