"""Parse a column once per distinct value: a cohort of a million patients has
a few thousand distinct dates or doses, so the text is read that many times."""

from __future__ import annotations

import dataclasses
from typing import Callable, Hashable, Mapping, TypeVar, Union

import numpy as np
import pandas as pd

from recur.io.contract import CodedColumn

T = TypeVar("T")
Values = Union[pd.Series, CodedColumn]  # a column, or a reader's coded column (rows 0..n-1)


def by_distinct(parse: Callable[..., T], values: pd.Series, *args) -> T:
    """``parse(values, *args)`` computed on the distinct values only and spread
    back: ``parse`` returns a dataclass whose numpy array fields line up with
    its input (a missing input gets what ``parse`` gives a missing value)."""
    codes, uniques = codes_and_distinct(values)
    if not isinstance(values.dtype, pd.CategoricalDtype) and len(uniques) * 2 > len(values):
        return parse(values, *args)
    return _parse_together(parse, [(codes, uniques)], args)[0]


def by_distinct_columns(parse: Callable[..., T], columns: Mapping[Hashable, Values], *args) -> dict[Hashable, T]:
    """``by_distinct`` for several columns in one call of ``parse`` on all
    their distinct values together (``parse`` reads each value on its own, so
    a value reads the same in any company); one result per column."""
    coded = [codes_and_distinct(values) for values in columns.values()]
    return dict(zip(columns, _parse_together(parse, coded, args)))


def _parse_together(parse: Callable[..., T], coded: list[tuple[np.ndarray, np.ndarray]],
                    args: tuple) -> list[T]:
    """One ``parse`` of every column's distinct values (and one missing value,
    last), spread back to each column by its codes."""
    distinct = np.concatenate([uniques for _, uniques in coded] + [np.array([None], dtype=object)])
    result = parse(pd.Series(distinct, dtype=object), *args)
    fields = [f.name for f in dataclasses.fields(result)]  # type: ignore[arg-type]
    out, start = [], 0
    for codes, uniques in coded:
        take = np.where(codes < 0, len(distinct) - 1, codes.astype(np.int64) + start)
        out.append(dataclasses.replace(result, **{  # type: ignore[type-var]
            name: _spread(getattr(result, name), take) for name in fields}))
        start += len(uniques)
    return out


def _index(values: Values) -> pd.Index:
    return values.index if isinstance(values, pd.Series) else pd.RangeIndex(len(values))


def codes_and_distinct(values: Values) -> tuple[np.ndarray, np.ndarray]:
    """(code of each value, -1 if missing; the distinct values): a coded
    column's own texts or categories, else one hash pass."""
    if isinstance(values, CodedColumn):
        return values.codes, values.texts
    if isinstance(values.dtype, pd.CategoricalDtype):
        cat = values.array  # (the .cat accessor builds a Series per call)
        return cat.codes, cat.categories.to_numpy(dtype=object)
    return pd.factorize(values.to_numpy(dtype=object))


def distinct_counts(values: Values) -> tuple[np.ndarray, np.ndarray]:
    """(distinct non-missing values, how many rows hold each); none unused."""
    codes, uniques = codes_and_distinct(values)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    return uniques[counts > 0], counts[counts > 0]


def present_head(values: Values, n: int) -> pd.Series:
    """The first ``n`` values that are not missing, as text."""
    if isinstance(values, CodedColumn):
        return values.present_head(n)
    return values.dropna().head(n).astype(str)


def map_distinct(values: Values, func: Callable[[object], object], name: str | None = None) -> pd.Series:
    """``values.map(func)`` for a coded text column, computed once per
    distinct text: results that coincide merge into one category, a None
    result is missing. The result stays coded (a Categorical Series)."""
    codes, uniques = codes_and_distinct(values)
    mapped = np.array([func(u) for u in uniques] + [None], dtype=object)
    new, categories = pd.factorize(mapped)
    cat = pd.Categorical.from_codes(new[codes], pd.Index(categories, dtype=object), validate=False)
    return pd.Series(cat, index=_index(values), name=values.name if isinstance(values, pd.Series) else name)


def _spread(field, take: np.ndarray):
    """One field of a parse of distinct values, taken back to a column's rows."""
    return field[take] if isinstance(field, np.ndarray) else field
