"""Dates as clinicians type them. One day/month order per file, decided from
the evidence in all date columns together: a first number above 12 proves
day-first, a second above 12 proves month-first. When nothing settles it the
user is asked, once, with what each reading would mean."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from recur.distinct import Values, by_distinct, by_distinct_columns, distinct_counts

DateOrder = Literal["auto", "dmy", "mdy"]
ORDER_NAMES = {"dmy": "day first (DD/MM/YYYY)", "mdy": "month first (MM/DD/YYYY)"}
UNAMBIGUOUS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y-%m-%d %H:%M:%S", "%d %b %Y", "%d-%b-%Y",
               "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%d-%b-%y")
BY_ORDER = {"dmy": ("%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%y", "%d.%m.%y", "%d-%m-%y"),
            "mdy": ("%m/%d/%Y", "%m-%d-%Y", "%m.%d.%Y", "%m/%d/%y", "%m-%d-%y")}
# A cheap shape test per format family: a format is tried only on values of its shape.
_SHAPES = {"%Y-": r"^\s*\d{4}-", "%Y/": r"^\s*\d{4}/", "%Y.": r"^\s*\d{4}\.", "%Y%": r"^\s*\d{8}\s*$",
           "%d ": r"[A-Za-z]", "%d-%b": r"[A-Za-z]", "%b ": r"[A-Za-z]", "%B ": r"[A-Za-z]",
           "%d/": r"^\s*\d{1,2}/", "%d.": r"^\s*\d{1,2}\.", "%d-%m": r"^\s*\d{1,2}-\d",
           "%m/": r"^\s*\d{1,2}/", "%m-": r"^\s*\d{1,2}-\d", "%m.": r"^\s*\d{1,2}\."}
_DAY_OR_MONTH_FIRST = re.compile(r"\n\s*\d{1,2}[/.\-]")  # on "\n" + the lines: a line starting d/m/y-shaped
_NUMERIC = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})\s*$")
_DATE_LIKE = re.compile(r"^\s*\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4}(\s.*)?$|^\s*\d{8}\s*$")
EARLIEST = pd.Timestamp("1900-01-01")


@dataclass(frozen=True)
class OrderDecision:
    """The file's day/month order and why: 'settled' by the data, 'chosen' by
    the user, 'ambiguous' (nothing settles it; day first is assumed until the
    user chooses), 'conflict' (both orders proven) or 'none' (no such dates)."""

    order: Literal["dmy", "mdy"]
    status: Literal["settled", "chosen", "ambiguous", "conflict", "none"]
    evidence: str = ""


def decide_order(columns: Mapping[str, Values], chosen: DateOrder = "auto") -> OrderDecision:
    """One order for every date column of a file (see the module docstring)."""
    day_first, month_first, ambiguous = [], [], 0
    for col, values in columns.items():
        texts = distinct_counts(values)[0].tolist()
        if not _DAY_OR_MONTH_FIRST.search("\n" + _joined(texts)):  # one pass: no d/m/y-shaped value (ISO dates)
            continue
        for text in texts:  # a plain loop: a few thousand distinct dates per column
            m = _NUMERIC.match(str(text))
            if m is None:
                continue
            a, b = int(m.group(1)), int(m.group(2))
            if a > 12 and not any(c == col for c, _ in day_first):
                day_first.append((col, text))
            if b > 12 and not any(c == col for c, _ in month_first):
                month_first.append((col, text))
            ambiguous += a <= 12 and b <= 12
    if chosen in ORDER_NAMES:
        return OrderDecision(chosen, "chosen")  # type: ignore[arg-type]
    if day_first and month_first:
        return OrderDecision("dmy", "conflict", f"'{day_first[0][1]}' in {day_first[0][0]} can only be day first, "
                             f"'{month_first[0][1]}' in {month_first[0][0]} only month first")
    if day_first:
        return OrderDecision("dmy", "settled", f"'{day_first[0][1]}' in {day_first[0][0]}")
    if month_first:
        return OrderDecision("mdy", "settled", f"'{month_first[0][1]}' in {month_first[0][0]}")
    return OrderDecision("dmy", "ambiguous" if ambiguous else "none")


def _joined(texts: list) -> str:
    """The values as one text, a line each (for one regex pass over them all)."""
    try:
        return "\n".join(texts)
    except TypeError:  # a value that is not text (an in-memory table)
        return "\n".join(map(str, texts))


@dataclass(frozen=True)
class ParsedDates:
    values: np.ndarray  # datetime64[ns], NaT where missing or not read
    unreadable: np.ndarray  # mask: not a date in any accepted form
    impossible: np.ndarray  # mask: shaped like a date but not on the calendar (30 Feb, month 13)
    implausible: np.ndarray  # mask: before 1900 or more than a year ahead


def parse_dates(values: pd.Series, order: Literal["dmy", "mdy"] = "dmy") -> ParsedDates:
    """Read one date column with the file's order; every value gets the first
    accepted format that reads it (ISO first)."""
    return by_distinct(_parse_dates, values, order)


def parse_date_columns(columns: Mapping[str, Values], order: Literal["dmy", "mdy"] = "dmy"
                       ) -> dict[str, ParsedDates]:
    """``parse_dates`` for every date column of a file in one pass over all
    their distinct values."""
    return by_distinct_columns(_parse_dates, columns, order)  # type: ignore[return-value]


def _parse_dates(values: pd.Series, order: Literal["dmy", "mdy"]) -> ParsedDates:
    latest = pd.Timestamp(dt.date.today()) + pd.Timedelta(days=366)
    iso = _all_iso(values, latest)
    if iso is not None:
        return iso
    present = values.notna()
    text = values.where(present).astype(str).str.strip()
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    for fmt in UNAMBIGUOUS + BY_ORDER[order]:
        todo = present & parsed.isna()
        if not todo.any():
            break
        shape = next((v for k, v in _SHAPES.items() if fmt.startswith(k)), None)
        if shape is not None:  # shape-tested among the values still unread only
            todo[todo] = text[todo].str.contains(shape, regex=True).to_numpy(dtype=bool)
            if not todo.any():
                continue
        hit = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        if hit.notna().any():
            parsed[todo] = hit
    implausible = parsed.notna() & ((parsed < EARLIEST) | (parsed > latest))
    failed = present & parsed.isna()
    impossible = pd.Series(False, index=values.index)
    if failed.any():  # only the values no format read need a closer look
        bad = text[failed]
        years = bad.str.extract(r"(\d{4})")[0].astype(float)
        implausible[failed] = ((years < EARLIEST.year) | (years > latest.year)).fillna(False).to_numpy(dtype=bool)
        impossible[failed] = (~implausible[failed] & bad.str.match(_DATE_LIKE).fillna(False)).to_numpy(dtype=bool)
    parsed = parsed.where(~implausible).dt.normalize().to_numpy()
    return ParsedDates(parsed, (failed & ~impossible & ~implausible).to_numpy(dtype=bool),
                       impossible.to_numpy(dtype=bool), implausible.to_numpy(dtype=bool))


def _all_iso(values: pd.Series, latest: pd.Timestamp) -> ParsedDates | None:
    """The common case in one C call: every value a valid YYYY-MM-DD date
    (Arrow's cast to a date accepts exactly those, ASCII digits only). None
    when any is not (the format loop then reads and explains each)."""
    cells = values.to_numpy(dtype=object)
    rows = np.flatnonzero(~pd.isna(cells))
    try:
        days = pc.cast(pa.array(cells[rows], type=pa.string()), pa.date32())
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # 2021-02-30 (the loop names it impossible), 31/01/2021, 42
        return None
    days = days.to_numpy(zero_copy_only=False).astype("datetime64[D]")
    out_of_range = (days < np.datetime64(EARLIEST.date(), "D")) | (days > np.datetime64(latest.date(), "D"))
    parsed = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[ns]")
    parsed[rows[~out_of_range]] = days[~out_of_range].astype("datetime64[ns]")  # masked first: no ns overflow
    implausible = np.zeros(len(values), dtype=bool)
    implausible[rows[out_of_range]] = True
    none = np.zeros(len(values), dtype=bool)
    return ParsedDates(parsed, none, none.copy(), implausible)


def looks_like_dates(text: pd.Series) -> bool:
    """Nine in ten values read as dates (either order)."""
    sample = text.dropna().astype(str).head(500)
    if sample.empty or sample.str.contains(r"\d", regex=True).mean() < 0.9:
        return False
    return any((~np.isnat(parse_dates(sample, order).values)).mean() >= 0.9 for order in ("dmy", "mdy"))
