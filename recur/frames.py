"""Setting many columns of a table at once. Each ``df[col] = values`` reworks
the frame's blocks and empties its column cache, so a step that sets a dozen
columns one by one costs more than building the frame once from its columns."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd


FEW = 4  # fewer columns than this are set one by one: rebuilding the frame costs about four block reworks


def with_columns(df: pd.DataFrame, columns: Mapping[str, pd.Series | np.ndarray]) -> pd.DataFrame:
    """``df`` with ``columns`` set: replaced in place where present, else added
    at the end, as ``df[col] = values`` would. No column is copied (recur
    replaces columns, it never writes into them); ``df`` is left as it was."""
    if len(columns) < FEW or not df.columns.is_unique:  # (a dict of columns cannot hold one name twice)
        out = df.copy(deep=False)
        for name, values in columns.items():
            out[name] = values
        return out
    merged: dict = dict(df.items())
    for name, values in columns.items():
        merged[name] = values  # (an array is laid on ``df.index`` by the constructor, without a Series)
    out = pd.DataFrame(merged, index=df.index, copy=False)
    out.columns.name = df.columns.name
    return out


def column_or_nan(df: pd.DataFrame, name: str) -> pd.Series:
    """A column, or an all-NaN one when ``df`` lacks it (a number not given)."""
    return df[name] if name in df else pd.Series(np.nan, index=df.index)


def stack_rows(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """``frames`` one under another with a new 0..n-1 index, as
    ``pd.concat(frames, ignore_index=True)``: frames with the same columns and
    column types are joined column by column (pandas' concat aligns each frame
    first: 3 ms for 40 one-row frames); other frames go to pandas, which
    settles the types."""
    first = frames[0]
    if not first.columns.is_unique or any(not f.columns.equals(first.columns) or not f.dtypes.equals(first.dtypes)
                                          for f in frames):
        return pd.concat(frames, ignore_index=True)
    return pd.DataFrame({name: type(first[name].array)._concat_same_type([f[name].array for f in frames])
                         for name in first.columns}, columns=first.columns)


def rows_frame(rows: Sequence[tuple], columns: Sequence[str]) -> pd.DataFrame:
    """A frame of ``rows`` (tuples in ``columns`` order). With no row, the
    columns are built empty as objects: pandas' row path costs about 1 ms
    when it has nothing to read, and a load builds such frames every time."""
    return pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame({c: [] for c in columns}, dtype=object)
