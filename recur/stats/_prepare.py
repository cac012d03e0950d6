"""Shared input checks for the survival functions: pull (time, event[, group])
out of a DataFrame, count and list what cannot be used."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recur.errors import RecurError


@dataclass(frozen=True)
class SurvivalInput:
    """Complete cases of (time, event[, group]) with the dropped row labels."""

    time: np.ndarray
    event: np.ndarray
    group: pd.Series | None
    index: pd.Index
    dropped: pd.Index


def prepare_survival(
    df: pd.DataFrame, time: str, event: str, by: str | None = None
) -> SurvivalInput:
    """Check the columns exist and hold valid values; drop incomplete rows.

    Rows with a missing time, event or group are dropped and reported in
    ``dropped``; negative times or events other than 0/1 raise ``RecurError``
    naming the rows, because silently using them would give wrong curves.
    """
    needed = [time, event] + ([by] if by else [])
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise RecurError(
            f"Column(s) {', '.join(missing)} not found; available: {', '.join(map(str, df.columns))}."
        )
    t = pd.to_numeric(df[time], errors="coerce")
    e = pd.to_numeric(df[event], errors="coerce")
    keep = t.notna() & e.notna()
    if by:
        keep &= df[by].notna()
    bad_t = keep & (t < 0)
    if bad_t.any():
        rows = ", ".join(map(str, df.index[bad_t][:10]))
        raise RecurError(f"Column '{time}' has negative times in rows {rows}; times must be >= 0.")
    bad_e = keep & ~e.isin([0, 1])
    if bad_e.any():
        rows = ", ".join(map(str, df.index[bad_e][:10]))
        raise RecurError(
            f"Column '{event}' must be 0 (censored) or 1 (event); rows {rows} hold other values."
        )
    group = df.loc[keep, by] if by else None
    return SurvivalInput(
        time=t[keep].to_numpy(dtype=float),
        event=e[keep].to_numpy(dtype=int),
        group=group,
        index=df.index[keep],
        dropped=df.index[~keep],
    )


def group_levels(group: pd.Series) -> list:
    """Levels in display order: categorical order if given, else sorted."""
    if isinstance(group.dtype, pd.CategoricalDtype):
        present = set(group.unique())
        return [c for c in group.cat.categories if c in present]
    return sorted(group.unique(), key=lambda v: (str(type(v)), v))
