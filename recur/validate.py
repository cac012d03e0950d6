"""Type and value checks on a canonical cohort table. Never raises on bad
data: every bad value becomes missing and a ``Problem`` that names the
column, the patients and the fix."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal, Mapping, Sequence

import numpy as np
import pandas as pd

from recur.dates import DateOrder, OrderDecision, ParsedDates, decide_order, parse_date_columns
from recur.distinct import Values, codes_and_distinct, map_distinct, present_head
from recur.frames import with_columns
from recur.io.contract import CodedColumn, CodedTable, categorical_cells
from recur.safe_text import clip
from recur.schema import COLUMNS, IDENTIFYING_NAME_HINTS, VOCABULARIES, is_tox_column
from recur.settings import KINDS
from recur.values import TIME_UNITS_TO_MONTHS, ParsedNumbers, infer_kind, parse_number_columns, unit_family

Level = Literal["error", "warning"]
MAX_IDS_IN_MESSAGE = 8
_RECORD_NUMBER = re.compile(r"\d{7,}")  # seven digits or more: a hospital's record number
FILE = "(file)"  # the column of findings about the file itself (rows, not values)
MAX_MONTHS = 1200  # 100 years
MAX_MAGNITUDE = 1e12  # no clinical number comes near; beyond it sums and variances overflow
MULTI_VALUED = ("distant_sites", "recurrence_regions")  # ';'-separated lists: never a grouping
NUMBER_KINDS = ("number", "integer", "event", "grade")  # kinds whose cells are read as numbers


@dataclass(frozen=True)
class Problem:
    """One finding about the data: error (a value cannot be used) or warning."""

    level: Level
    column: str
    patient_ids: tuple[str, ...]
    message: str
    rule: str


def id_list(ids) -> str:
    """'P001, P002 and 3 more' for messages (each cut to 40 characters)."""
    ids = [clip(i, 40) for i in ids]
    shown = ", ".join(ids[:MAX_IDS_IN_MESSAGE])
    return shown + (f" and {len(ids) - MAX_IDS_IN_MESSAGE} more" if len(ids) > MAX_IDS_IN_MESSAGE else "")


def problem(level: Level, column: str, ids, message: str, rule: str) -> Problem:
    """Build a Problem whose message starts with the column and patients."""
    ids = tuple(str(i) for i in ids)
    if column == FILE:
        return Problem(level, column, ids, f"File{', ' + id_list(ids) if ids else ''}: {message}", rule)
    who = f" (patients {id_list(ids)})" if ids else ""
    return Problem(level, column, ids, f"Column '{clip(column)}'{who}: {message}", rule)


def _looks_like_names(values: Values) -> bool:
    """Mostly 'Firstname Lastname' (two or three capitalised words)."""
    text = present_head(values, 200)
    if len(text) < 3:
        return False
    return text.str.fullmatch(r"[A-Z][a-z'\-]+( [A-Z][a-z'\-]+){1,2}").mean() > 0.6


def _closest(value: str, choices: list[str]) -> str | None:
    hit = difflib.get_close_matches(value.lower(), [c.lower() for c in choices], n=1, cutoff=0.5)
    if not hit:
        return None
    return next(c for c in choices if c.lower() == hit[0])


@dataclass(frozen=True)
class Cleaned:
    """A typed canonical table and what was found on the way."""

    data: pd.DataFrame
    problems: list[Problem]
    kinds: dict[str, str]  # column -> number / integer / category / date / text / id / event / grade / multi
    # Text columns (category / text / multi) are still coded (Categorical): ``plain_text`` turns them into str cells.
    date_order: OrderDecision


def _clean_ids(column: CodedColumn | None, rows: np.ndarray, problems: list[Problem]) -> pd.Series:
    """Each patient's ID (text); a row without one is named 'row N' after its
    file row. Works on the coded column: the distinct IDs once, then codes."""
    missing_column = column is None
    if column is None:
        problems.append(problem("error", "patient_id", (), "column is missing; add a unique study ID per "
                                "patient (never a name or MRN). Row numbers are used meanwhile.", "missing_column"))
        column = CodedColumn(np.full(len(rows), -1, dtype=np.int64), np.array([], dtype=object))
    cells, codes, texts = column.cells(), column.codes, column.texts
    empty = codes < 0
    repeated = np.append(np.bincount(codes[~empty], minlength=len(texts)) > 1, False)  # (the last: code -1)
    dup = repeated[codes]  # an ID on two rows or more
    if empty.any():
        row_names = np.array([f"row {r}" for r in rows[empty]], dtype=object)
        if not missing_column:
            problems.append(problem("error", "patient_id", row_names, "no patient ID; fill in a unique study ID "
                                    "(these rows are named by their spreadsheet row meanwhile).", "missing_id"))
        cells[empty] = row_names
        taken = set(row_names) & set(texts)  # an ID written as a row name: the named row and it collide
        if taken:
            dup |= np.array([c in taken for c in cells])
    ids = pd.Series(cells, name="patient_id", dtype=object)
    if dup.any():
        problems.append(problem("error", "patient_id", sorted(set(cells[dup])), "the same ID appears on more "
                                "than one row; give each patient one row and a unique ID.", "duplicate_id"))
    first = cells[:1000]  # a look at the first thousand is enough
    if len(first) and sum(_RECORD_NUMBER.fullmatch(i) is not None for i in first) > 0.5 * len(first):
        problems.append(problem("warning", "patient_id", (), "IDs look like medical-record numbers; use "
                                "pseudonymised study IDs before sharing.", "privacy"))
    return ids


def _privacy(columns: Mapping[str, CodedColumn], problems: list[Problem]) -> None:
    for col, values in columns.items():
        if col in COLUMNS or is_tox_column(col):
            continue
        if _looks_like_names(values):
            problems.append(problem("warning", col, (), "values look like personal names; remove the column: "
                                    "recur does not need it.", "privacy"))
        elif any(h in col.lower() for h in IDENTIFYING_NAME_HINTS):
            problems.append(problem("warning", col, (), "looks like identifying data (a name, record number or "
                                    "birth date); remove it from the file: recur does not need it.", "privacy"))


def column_kind(col: str, values: Values, types: Mapping[str, str]) -> str:
    """The kind a column is read as: the user's choice, else the schema's,
    else what its values are (``recur.values.infer_kind``)."""
    if col == "patient_id":
        return "id"
    schema = COLUMNS.get(col, ("grade", "") if is_tox_column(col) else (None, ""))[0]
    if schema in ("number", "integer", "date", "event", "grade", "category"):
        return schema
    if col in MULTI_VALUED:
        return "multi"
    if col in types and types[col] in KINDS:
        return types[col]
    inferred = infer_kind(values)
    if schema == "text":  # histology, stages, sites: factors unless free text
        return "text" if inferred == "text" else "category"
    return inferred


def clean_table(table: CodedTable, types: Mapping[str, str] | None = None, units: Mapping[str, str] | None = None,
                date_order: DateOrder = "auto") -> Cleaned:
    """Give each column of a reader's table its kind and type; collect problems.

    ``types``: the user's kind per column; ``units``: time unit per
    ``*_months`` column ('days', 'weeks', 'months', 'years'); ``date_order``:
    the user's day/month order ('auto' decides from the data). Dates and
    numbers are read from the codes; only the columns that stay text become
    pandas Categoricals. Rows are numbered 0..n-1 (a row without an ID is
    named after its file row, ``table.index``).
    """
    if len(set(table.names)) < len(table.names):
        raise ValueError("clean_table takes one column per name: pass table.first_of_each()")
    problems: list[Problem] = []
    columns = dict(zip(table.names, table.coded))
    ids = _clean_ids(columns.get("patient_id"), table.index.to_numpy(), problems)
    _privacy(columns, problems)
    kinds = {col: column_kind(col, values, types or {}) for col, values in columns.items()}
    if "patient_id" not in kinds:
        kinds = {"patient_id": "id", **kinds}
    date_cols = {c: columns[c] for c, k in kinds.items() if k == "date"}
    decision = decide_order(date_cols, date_order)
    _report_date_order(decision, problems)
    dates = parse_date_columns(date_cols, decision.order)
    numbers = parse_number_columns({c: columns[c] for c, k in kinds.items() if k in NUMBER_KINDS})
    index = ids.index
    data: dict[str, pd.Series] = {}
    for col, kind in kinds.items():
        values = columns.get(col)
        if col == "patient_id":
            data[col] = ids
        elif kind == "date":
            data[col] = _clean_dates(col, values, dates[col], ids, problems)
        elif kind in NUMBER_KINDS:
            unit = (units or {}).get(col, "months")
            data[col] = _clean_numbers(col, kind, values, numbers[col], ids, problems, unit)
        elif kind == "category" and col in VOCABULARIES:
            data[col] = _normalise_category(col, values, ids, problems)
        else:  # stays text, coded
            data[col] = pd.Series(values.categorical(), index=index, name=col)
    return Cleaned(pd.DataFrame(data, index=index, copy=False), problems, kinds, decision)


def plain_text(data: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The coded text ``columns`` of a cleaned table as plain str / None cells
    (what the analyses take); the distinct values stay shared, not copied."""
    return with_columns(data, {col: categorical_cells(data[col].array) for col in columns
                               if col in data and isinstance(data[col].dtype, pd.CategoricalDtype)})


def _report_date_order(decision: OrderDecision, problems: list[Problem]) -> None:
    if decision.status == "conflict":
        problems.append(problem("warning", "dates", (), f"the file mixes day-first and month-first dates "
                                f"({decision.evidence}); all are read day first. Write dates as YYYY-MM-DD.",
                                "date_order_conflict"))
    elif decision.status == "ambiguous":
        problems.append(problem("warning", "dates", (), "no date in the file shows whether it is written day "
                                "first or month first; read day first. Choose the order on the Cohort page.",
                                "date_order_ambiguous"))


def _texts_at(values: CodedColumn, mask: np.ndarray) -> str:
    """The distinct texts of the cells at ``mask`` (present cells), as a list for a message."""
    return id_list(values.texts[pd.unique(values.codes[mask])])


def _clean_dates(col: str, values: CodedColumn, parsed: ParsedDates, ids: pd.Series,
                 problems: list[Problem]) -> pd.Series:
    for mask, message, rule in (
            (parsed.impossible, "dates that are not on the calendar ({}); correct the day or month.",
             "impossible_date"),
            (parsed.implausible, "dates before 1900 or more than a year ahead ({}); correct the year.",
             "implausible_date"),
            (parsed.unreadable, "values that cannot be read as dates ({}); write them as YYYY-MM-DD.",
             "unparseable_date")):
        if mask.any():
            problems.append(problem("error", col, ids[mask], message.format(_texts_at(values, mask)), rule))
    return parsed.values


def _clean_numbers(col: str, kind: str, values: CodedColumn, parsed: ParsedNumbers, ids: pd.Series,
                   problems: list[Problem], unit: str) -> np.ndarray:
    family = unit_family(col)
    if parsed.not_numbers.any():
        shown = _texts_at(values, parsed.not_numbers)
        problems.append(problem("error", col, ids[parsed.not_numbers], f"values that are not numbers ({shown}); "
                                "correct or leave empty.", "not_a_number"))
    if parsed.non_finite.any():
        problems.append(problem("error", col, ids[parsed.non_finite], "values that are not finite numbers (inf or "
                                "nan written out); enter the value or leave the cell empty. Treated as missing.",
                                "non_finite"))
    if parsed.with_units.any():
        example = values.texts[values.codes[parsed.with_units][0]]
        problems.append(problem("warning", col, ids[parsed.with_units], "units written in the cells (e.g. "
                                f"'{clip(example, 20)}') were read and converted; keep the unit in the column name "
                                "instead.", "unit_in_cell"))
    num = parsed.values.copy()  # (the range check writes into it)
    if family == "time" and unit != "months":
        num = np.where(parsed.with_units, num, num * TIME_UNITS_TO_MONTHS[unit])
    num = _range_check(col, kind, num, ids, problems)
    if family == "time":
        _plausible_time(col, num, unit, problems)
    return num


def _wrong_unit(months: np.ndarray) -> bool:
    """A whole column implausible in months (median over 20 years): its unit, not
    its patients, is wrong."""
    present = months[~np.isnan(months)]
    return bool(len(present)) and float(np.median(present)) > 240


def _plausible_time(col: str, months: np.ndarray, unit: str, problems: list[Problem]) -> None:
    """Warn when a time column's values do not fit its unit (days read as months)."""
    present = months[~np.isnan(months)]
    if not len(present):
        return
    median, longest = float(np.median(present)), float(present.max())
    if _wrong_unit(months) or longest > 600:
        likely = "days" if median > 1000 else "weeks"  # 20 years is ~1,040 weeks and ~7,300 days
        problems.append(problem("warning", col, (), f"read in {unit}, the median is {median:,.0f} months and the "
                                f"longest {longest / 12:,.0f} years: implausible. The values are probably in "
                                f"{likely}; choose the unit of this column in the column mapping.",
                                "implausible_unit"))


# (low, high, why) of the values a number can take, by column, else by kind
RANGE_BY_KIND = {"grade": (0, 5, "CTCAE grades run from 0 to 5"),
                 "event": (0, 1, "use 1 for the event and 0 for censored")}
RANGE_BY_COLUMN = {"ecog": (0, 4, "ECOG runs from 0 to 4"), "kps": (0, 100, "KPS runs from 0 to 100"),
                   "age": (0, 120, "age is in years"), "alpha_beta": (0.5, 30, "alpha/beta is in Gy, typically 2-10"),
                   "rt_fractions": (1, 100, "a course has at least one fraction"),
                   "prior_rt_fractions": (1, 100, "a course has at least one fraction"),
                   "rt_dose_gy": (0, 200, "a course's physical dose is in Gy"),
                   "prior_rt_dose_gy": (0, 200, "a course's physical dose is in Gy"),
                   "bed_gy": (0, 1000, "BED is in Gy"), "gtv_cc": (0, 100_000, "volumes are in cm³"),
                   "ptv_cc": (0, 100_000, "volumes are in cm³"),
                   "phase1_dose_gy": (0, 200, "a phase's physical dose is in Gy"),
                   "phase2_dose_gy": (0, 200, "a phase's physical dose is in Gy"),
                   "planned_dose_gy": (0, 200, "a course's physical dose is in Gy"),
                   "phase1_fractions": (1, 100, "a phase has at least one fraction"),
                   "phase2_fractions": (1, 100, "a phase has at least one fraction"),
                   "treatment_plan": (1, 4, "the trial's plans are numbered 1-4"),
                   "lesion_diameter_cm": (0, 50, "the diameter is in cm")}


def _range_check(col: str, kind: str, num: np.ndarray, ids: pd.Series, problems: list[Problem]) -> np.ndarray:
    """``num`` (a copy, changed in place) with values out of their range made missing, each reported."""
    with np.errstate(invalid="ignore"):
        huge = np.abs(num) > MAX_MAGNITUDE
        if huge.any():
            problems.append(problem("error", col, ids[huge], f"values beyond ±{MAX_MAGNITUDE:.0e} "
                                    f"({id_list(pd.unique(num[huge]))}) cannot be a measurement; correct them. "
                                    "Treated as missing.", "absurd_value"))
            num[huge] = np.nan
        lo, hi, why = RANGE_BY_COLUMN.get(col, RANGE_BY_KIND.get(kind, (None, None, "")))
        if lo is not None:
            out = (num < lo) | (num > hi)  # (NaN compares False)
            if kind in ("grade", "event", "integer"):
                out |= (num % 1 != 0) & ~np.isnan(num)
            if out.any():
                fix = "check the value" if not col.endswith("fractions") else \
                    "enter the number of fractions (BED cannot be computed from 0)"
                problems.append(problem("error", col, ids[out], f"values outside {lo}-{hi} "
                                        f"({id_list(pd.unique(num[out]))}): {why}; {fix}. Treated as missing.",
                                        "out_of_range"))
                num[out] = np.nan
        if col.endswith("_months"):
            neg = num < 0
            if neg.any():
                problems.append(problem("error", col, ids[neg], "negative times; a time runs forward from the "
                                        "origin. Treated as missing.", "negative_time"))
                num[neg] = np.nan
            absurd = (num > MAX_MONTHS) & (not _wrong_unit(num))
            if absurd.any():
                problems.append(problem("error", col, ids[absurd], f"times over {MAX_MONTHS // 12} years "
                                        f"({id_list(pd.unique(num[absurd]))} months) are not possible; check the "
                                        "value and its unit. Treated as missing.", "absurd_time"))
                num[absurd] = np.nan
            zero = num == 0
            if zero.any() and col not in ("dfi_months", "ttr_months"):
                problems.append(problem("warning", col, ids[zero], "time is 0: the event or censoring falls on "
                                        "the origin day; check the dates.", "zero_time"))
        elif kind == "number" and col in COLUMNS and col != "age":
            neg = num < 0
            if neg.any():
                problems.append(problem("error", col, ids[neg], "negative values; doses and volumes are positive. "
                                        "Treated as missing.", "negative_value"))
                num[neg] = np.nan
    return num


def _normalise_category(col: str, values: CodedColumn, ids: pd.Series, problems: list[Problem]) -> pd.Series:
    """A vocabulary column's spellings mapped to its canonical levels, once per
    distinct spelling; an unknown spelling is missing and a warning with a guess."""
    vocab = VOCABULARIES.get(col, {})
    canon = sorted(set(vocab.values()))
    codes, spellings = codes_and_distinct(values)
    for k in sorted(range(len(spellings)), key=lambda k: str(spellings[k])):
        raw = str(spellings[k])
        if raw.lower() in vocab:
            continue
        guess = _closest(raw, canon + list(vocab))
        hint = f"did you mean '{vocab.get(guess.lower(), guess)}'?" if guess else f"use one of {', '.join(canon)}."
        problems.append(problem("warning", col, ids[codes == k], f"'{clip(raw, 40)}' is not a known value; {hint} "
                                "Treated as missing until corrected.", "unknown_category"))
    return map_distinct(values, lambda v: vocab.get(str(v).lower()), name=col)
