"""Text cells -> numbers, the way clinicians type them: decimal commas, units
written in the cell ("60 Gy", "12 mo", "6000 cGy"), and what each column's
kind is when the schema does not say (numbers, dates, categories, free text,
identifiers)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from recur.schema import MONTH_DAYS
from recur.settings import KINDS

_NUMBER_WITH_UNIT = re.compile(r"^\s*([-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?)\s*([^\d\s].*?)?\s*$")
# unit as written -> (family, factor to the column's unit)
TIME_UNITS_TO_MONTHS = {"days": 1 / MONTH_DAYS, "weeks": 7 / MONTH_DAYS, "months": 1.0, "years": 12.0}
_UNIT_WORDS = {
    "time": {**{w: "days" for w in ("d", "day", "days", "dy")},
             **{w: "weeks" for w in ("w", "wk", "wks", "week", "weeks")},
             **{w: "months" for w in ("m", "mo", "mos", "mon", "mth", "mths", "month", "months")},
             **{w: "years" for w in ("y", "yr", "yrs", "year", "years")}},
    "dose": {"gy": 1.0, "cgy": 0.01},
    "volume": {"cc": 1.0, "ml": 1.0, "cm3": 1.0, "cm³": 1.0},
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
    if column.endswith("_months") or column in ("dfi_months", "ttr_months"):
        return "time"
    if column.endswith("_gy"):
        return "dose"
    if column.endswith("_cc"):
        return "volume"
    return None


def parse_numbers(values: pd.Series, family: str | None = None, unit: str = "months") -> ParsedNumbers:
    """Read text cells as numbers. A unit in the cell is accepted when it fits
    the column's family (time cells are converted to ``unit``); anything else
    that is not a plain number is flagged, never guessed."""
    present = values.notna()
    text = values.where(present).astype(object)
    if pd.api.types.infer_dtype(text, skipna=True) in ("string", "empty"):
        plain = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce")
    else:
        plain = pd.to_numeric(text, errors="coerce")
    factor = pd.Series(1.0, index=values.index)
    with_units = pd.Series(False, index=values.index)
    words = _UNIT_WORDS.get(family or "", {})
    # Only a column with a unit family can have a unit to read; elsewhere no cell is looked at again.
    todo = np.flatnonzero((present & plain.isna()).to_numpy()) if words else ()
    if len(todo):
        numbers = plain.to_numpy(dtype=float, copy=True)
        factors, units = np.ones(len(values)), np.zeros(len(values), dtype=bool)
        for i, cell in zip(todo, text.to_numpy()[todo]):
            m = _NUMBER_WITH_UNIT.match(str(cell))
            if not m or not m.group(2) or m.group(2).lower().rstrip(".") not in words:
                continue
            word = words[m.group(2).lower().rstrip(".")]
            factors[i] = (TIME_UNITS_TO_MONTHS[word] / TIME_UNITS_TO_MONTHS[unit]) if family == "time" else word
            numbers[i] = float(m.group(1).replace(",", "."))
            units[i] = True
        plain = pd.Series(numbers, index=values.index)
        factor = pd.Series(factors, index=values.index)
        with_units = pd.Series(units, index=values.index)
    number = plain * factor
    non_finite = present & number.notna() & ~np.isfinite(number.astype(float))
    number = number.where(~non_finite)
    return ParsedNumbers(number.astype(float), present & plain.isna() & ~non_finite, non_finite, with_units)


def infer_kind(values: pd.Series) -> str:
    """A column's kind from its values: 'number' / 'integer' when nearly every
    value is a number, 'date' when nearly every one is a date, 'id' when every
    value differs, 'text' for many distinct words, else 'category'."""
    from recur.dates import looks_like_dates  # late: dates imports this module

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
