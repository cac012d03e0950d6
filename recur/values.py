"""Text cells -> numbers, the way clinicians type them: decimal commas, units
written in the cell ("60 Gy", "12 mo", "6000 cGy"), and what each column's
kind is when the schema does not say (numbers, dates, categories, free text,
identifiers)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from recur.dates import looks_like_dates
from recur.distinct import by_distinct
from recur.schema import MONTH_DAYS

_NUMBER_WITH_UNIT = re.compile(r"^\s*([-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?)\s*([^\d\s].*?)?\s*$")
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

    values: pd.Series
    not_numbers: pd.Series  # mask: text that is not a number
    non_finite: pd.Series  # mask: inf / nan written out
    with_units: pd.Series  # mask: a unit was written in the cell and removed or converted


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


def _parse_numbers(values: pd.Series, family: str | None) -> ParsedNumbers:
    present = values.notna()
    text = values.where(present).astype(object)
    if pd.api.types.infer_dtype(text, skipna=True) in ("string", "empty"):
        plain = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
    else:
        plain = pd.to_numeric(text, errors="coerce")
    numbers = plain.to_numpy(dtype=float, copy=True)
    with_units = np.zeros(len(values), dtype=bool)
    factors = _UNIT_FACTORS.get(family or "", {})
    # Only a column with a unit family can have a unit to read; elsewhere no cell is looked at again.
    for i in np.flatnonzero((present & plain.isna()).to_numpy()) if factors else ():
        m = _NUMBER_WITH_UNIT.match(str(text.iat[i]))
        word = m.group(2).lower().rstrip(".") if m and m.group(2) else None
        if word in factors:
            numbers[i] = float(m.group(1).replace(",", ".")) * factors[word]
            with_units[i] = True
    number = pd.Series(numbers, index=values.index)
    non_finite = present & ~np.isfinite(number) & number.notna()
    return ParsedNumbers(number.where(~non_finite), present & number.isna(), non_finite,
                         pd.Series(with_units, index=values.index))


def infer_kind(values: pd.Series) -> str:
    """A column's kind from its values: 'number' / 'integer' when nearly every
    value is a number, 'date' when nearly every one is a date, 'id' when every
    value differs, 'text' for many distinct words, else 'category'."""
    text = values.dropna().astype(str)
    if text.empty:
        return "text"
    parsed = parse_numbers(text)
    numeric = parsed.values.notna()
    if numeric.mean() >= 0.9:
        whole = parsed.values[numeric]
        return "integer" if bool((whole % 1 == 0).all()) else "number"
    if looks_like_dates(text):
        return "date"
    distinct = text.nunique()
    if distinct == len(text) and len(text) > 12:
        return "id"
    if distinct > 12 and distinct > 0.5 * len(text):
        return "text"
    return "category"
