"""Text cells -> numbers, the way clinicians type them: decimal commas, units
written in the cell ("60 Gy", "12 mo", "6000 cGy"), and what each column's
kind is when the schema does not say (numbers, dates, categories, free text,
identifiers)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from recur.dates import looks_like_dates
from recur.distinct import Values, by_distinct, by_distinct_columns, distinct_counts, present_head
from recur.schema import MONTH_DAYS

_NUMBER_WITH_UNIT = re.compile(r"^\s*([-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?)\s*([^\d\s].*?)?\s*$")
_DIGIT = re.compile(r"\d")
TIME_UNITS_TO_MONTHS = {"days": 1 / MONTH_DAYS, "weeks": 7 / MONTH_DAYS, "months": 1.0, "years": 12.0}


def _words(factor: float, *words: str) -> dict[str, float]:
    return dict.fromkeys(words, factor)


# unit as written in a cell -> factor to the unit recur analyses (months, Gy, cm³)
_UNIT_FACTORS: dict[str, dict[str, float]] = {
    "time": {**_words(TIME_UNITS_TO_MONTHS["days"], "d", "day", "days", "dy"),
             **_words(TIME_UNITS_TO_MONTHS["weeks"], "w", "wk", "wks", "week", "weeks"),
             **_words(1.0, "m", "mo", "mos", "mon", "mth", "mths", "month", "months"),
             **_words(TIME_UNITS_TO_MONTHS["years"], "y", "yr", "yrs", "year", "years")},
    "dose": {"gy": 1.0, "cgy": 0.01},
    "volume": _words(1.0, "cc", "ml", "cm3", "cm³"),
}


@dataclass(frozen=True)
class ParsedNumbers:
    """Numbers read from text cells, with what had to be changed to read them."""

    values: np.ndarray  # float64, NaN where missing or not a number
    not_numbers: np.ndarray  # mask: text that is not a number
    non_finite: np.ndarray  # mask: inf / nan written out
    with_units: np.ndarray  # mask: a unit was written in the cell and removed or converted


def unit_family(column: str) -> str | None:
    """Which written units a column accepts: time, dose or volume."""
    if column.endswith("_months"):
        return "time"
    if column.endswith("_gy"):
        return "dose"
    if column.endswith("_cc"):
        return "volume"
    return None


def parse_numbers(values: pd.Series, family: str | None = None) -> ParsedNumbers:
    """Read text cells as numbers (decimal commas too). A unit written in the
    cell is accepted when it fits the column's family and converted to the unit
    recur analyses (months, Gy, cm³); anything else that is not a plain number
    is flagged, never guessed."""
    return by_distinct(_parse_numbers, values, family)


def parse_number_columns(columns: Mapping[str, Values]) -> dict[str, ParsedNumbers]:
    """``parse_numbers`` for many columns, each with its own ``unit_family``:
    one pass over the distinct values of all the columns of a family."""
    families: dict[str | None, dict[str, Values]] = {}
    for col, values in columns.items():
        families.setdefault(unit_family(col), {})[col] = values
    parsed = {}
    for family, group in families.items():
        parsed.update(by_distinct_columns(_parse_numbers, group, family))
    return {col: parsed[col] for col in columns}


def _parse_numbers(values: pd.Series, family: str | None) -> ParsedNumbers:
    cells = values.to_numpy(dtype=object)
    present = ~pd.isna(cells)
    text = cells[present]
    if all(isinstance(t, str) for t in text):  # decimal commas read as points
        text = np.array([t.replace(",", ".") for t in text], dtype=object)
    numbers = np.full(len(cells), np.nan)
    numbers[present] = pd.to_numeric(text, errors="coerce")
    with_units = np.zeros(len(cells), dtype=bool)
    factors = _UNIT_FACTORS.get(family or "", {})
    # Only a column with a unit family can have a unit to read; elsewhere no cell is looked at again.
    for i in np.flatnonzero(present & np.isnan(numbers)) if factors else ():
        m = _NUMBER_WITH_UNIT.match(str(cells[i]))
        word = m.group(2).lower().rstrip(".") if m and m.group(2) else None
        if word in factors:
            numbers[i] = float(m.group(1).replace(",", ".")) * factors[word]
            with_units[i] = True
    non_finite = np.isinf(numbers)
    numbers[non_finite] = np.nan
    return ParsedNumbers(numbers, present & np.isnan(numbers) & ~non_finite,
                         non_finite, with_units)


def infer_kind(values: Values) -> str:
    """A column's kind from its values: 'number' / 'integer' when nearly every
    value is a number, 'date' when nearly every one is a date, 'id' when every
    value differs, 'text' for many distinct words, else 'category'. Each
    distinct value is read once, weighted by how many rows hold it."""
    distinct, counts = distinct_counts(values)
    total = int(counts.sum())
    if not total:
        return "text"
    texts = [str(v) for v in distinct]
    if _DIGIT.search("\n".join(texts)):  # no digit anywhere: neither a number nor a date can be read
        parsed = parse_numbers(pd.Series(texts, dtype=object))
        numeric = ~np.isnan(parsed.values)
        if counts[numeric].sum() >= 0.9 * total:
            whole = parsed.values[numeric]
            return "integer" if bool((whole % 1 == 0).all()) else "number"
        if looks_like_dates(present_head(values, 500)):
            return "date"
    if len(distinct) == total and total > 12:
        return "id"
    if len(distinct) > 12 and len(distinct) > 0.5 * total:
        return "text"
    return "category"
