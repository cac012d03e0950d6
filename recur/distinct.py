"""Parse a column once per distinct value: a cohort of a million patients has
a few thousand distinct dates or doses, so the text is read that many times."""

from __future__ import annotations

import dataclasses
from typing import Callable, TypeVar

import numpy as np
import pandas as pd

T = TypeVar("T")


def by_distinct(parse: Callable[..., T], values: pd.Series, *args) -> T:
    """``parse(values, *args)`` computed on the distinct values only and spread
    back: ``parse`` returns a dataclass whose Series fields line up with its
    input (a missing input gets what ``parse`` gives a missing value)."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object))
    if len(uniques) * 2 > len(values):
        return parse(values, *args)
    result = parse(pd.Series(list(uniques) + [None], dtype=object), *args)
    take = np.where(codes < 0, len(uniques), codes)
    spread = {f.name: _spread(getattr(result, f.name), take, values.index)
              for f in dataclasses.fields(result)}  # type: ignore[arg-type]
    return dataclasses.replace(result, **spread)  # type: ignore[type-var]


def _spread(field, take: np.ndarray, index: pd.Index):
    if not isinstance(field, pd.Series):
        return field
    return pd.Series(field.to_numpy()[take], index=index, name=field.name, dtype=field.dtype)
