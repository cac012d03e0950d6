"""Shared input checks for the survival functions: pull (time, event[, group])
out of a DataFrame, count and list what cannot be used, and merge near-tied
times as R's survival does (``aeqSurv``, timefix = TRUE)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from recur.errors import RecurError

TIME_TOLERANCE = float(np.sqrt(np.finfo(float).eps))  # R: aeqSurv(tolerance = sqrt(.Machine$double.eps))


OVERALL = "All patients"  # the label of an ungrouped analysis


@dataclass(frozen=True)
class TimeCounts:
    """Per group (rows) and distinct time (columns, ascending): how many
    patients have that time and how many of them the event. Kaplan-Meier,
    its at-risk numbers and the log-rank test all need only these counts."""

    time: np.ndarray  # (K,)
    total: np.ndarray  # (k, K) int: one contiguous row per group
    events: np.ndarray  # (k, K) int

    @cached_property
    def n_risk(self) -> np.ndarray:
        """(k, K) at risk at each time: everyone whose time is >= it."""
        return np.cumsum(self.total[:, ::-1], axis=1)[:, ::-1]


@dataclass(frozen=True)
class SurvivalInput:
    """Complete cases of (time, event[, group]) with the dropped row labels.
    One prepared input can feed Kaplan-Meier and the log-rank test: the sort,
    the group codes and the per-time counts are computed once and shared."""

    time: np.ndarray
    event: np.ndarray
    index: pd.Index
    dropped: pd.Index
    order: np.ndarray | None = None  # np.argsort(time, kind="stable"), computed once and shared
    levels: tuple = ()  # group levels in display order (grouped input)
    codes: np.ndarray | None = None  # position in ``levels`` of each row (input order); None: not grouped

    @property
    def labels(self) -> list[str]:
        """Group labels in display order (no grouping: one group, ``OVERALL``)."""
        return [OVERALL] if self.codes is None else [str(v) for v in self.levels]

    def sorted_groups(self) -> tuple[list[str], np.ndarray]:
        """Group labels in display order and the group code of each row in time order."""
        if self.codes is None:
            return self.labels, np.zeros(len(self.time), dtype=int)
        return self.labels, self.codes[self.order]

    @cached_property
    def counts(self) -> TimeCounts:
        """Events and patients per (distinct time, group), by one bincount on
        the shared sort (groups in ``sorted_groups`` order)."""
        labels, codes = self.sorted_groups()
        k = len(labels)
        t, e = self.time[self.order], self.event[self.order]
        new = np.empty(len(t), dtype=bool)
        new[:1] = True
        np.not_equal(t[1:], t[:-1], out=new[1:])
        cell = np.cumsum(new) - 1
        n_times = int(cell[-1]) + 1 if len(cell) else 0
        if k > 1:
            cell += codes * n_times
        total = np.bincount(cell, minlength=n_times * k).reshape(k, n_times)
        events = np.bincount(cell[e == 1], minlength=n_times * k).reshape(k, n_times)
        return TimeCounts(t[new], total, events)

    def sorted_parts(self) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """(label, times, events) per group, each in time order from the one shared sort."""
        labels, codes = self.sorted_groups()
        t, e = self.time[self.order], self.event[self.order]
        if self.codes is None:
            return [(OVERALL, t, e)]
        return [(label, t[codes == i], e[codes == i]) for i, label in enumerate(labels)]


def prepare_survival(
    df: pd.DataFrame, time: str, event: str, by: str | None = None
) -> SurvivalInput:
    """Check the columns exist and hold valid values; drop incomplete rows.

    Rows with a missing time, event or group are dropped and reported in
    ``dropped``; infinite or negative times and events other than 0/1 raise
    ``RecurError`` naming the rows, because silently using them would give
    wrong curves. Times closer than R's tolerance are merged (``merge_near_ties``).
    """
    needed = [time, event] + ([by] if by else [])
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise RecurError(
            f"Column(s) {', '.join(missing)} not found; available: {', '.join(map(str, df.columns))}."
        )
    # numpy masks: this runs for every curve and model, pandas' per-call overhead adds up
    t = pd.to_numeric(df[time], errors="coerce").to_numpy(dtype=float)
    e = pd.to_numeric(df[event], errors="coerce").to_numpy(dtype=float)
    keep = ~np.isnan(t) & ~np.isnan(e)
    if by:
        raw_codes, uniques = pd.factorize(df[by], sort=False)  # -1 = missing: no separate isna pass
        keep &= raw_codes >= 0
    _refuse(df.index, keep & np.isinf(t), f"Column '{time}' has infinite times in rows {{rows}}; give each "
            "patient a finite time (the last follow-up for censored patients).")
    _refuse(df.index, keep & (t < 0), f"Column '{time}' has negative times in rows {{rows}}; times must be >= 0.")
    _refuse(df.index, keep & (e != 0) & (e != 1),
            f"Column '{event}' must be 0 (censored) or 1 (event); rows {{rows}} hold other values.")
    every = bool(keep.all())
    merged, order = sort_merging_near_ties(t if every else t[keep])
    levels, codes = _levels_and_codes(raw_codes if every else raw_codes[keep], uniques) if by else ((), None)
    return SurvivalInput(
        time=merged,
        event=(e if every else e[keep]).astype(int),
        index=df.index if every else df.index[keep],
        dropped=df.index[~keep],
        order=order,
        levels=levels,
        codes=codes,
    )


def _levels_and_codes(raw_codes: np.ndarray, uniques: pd.Index) -> tuple[tuple, np.ndarray]:
    """(levels present, in ``group_levels`` order; each row's position in
    them) from ``pd.factorize`` codes: the levels are ordered among the few
    distinct values, not found again over every row."""
    present = np.flatnonzero(np.bincount(raw_codes, minlength=len(uniques)))
    levels = group_levels(pd.Series(uniques).iloc[present])
    lookup = np.full(len(uniques), -1, dtype=np.intp)
    lookup[present] = [next(i for i, lv in enumerate(levels) if lv == uniques[u]) for u in present]
    return tuple(levels), lookup[raw_codes]


def _refuse(index: pd.Index, bad: np.ndarray, message: str) -> None:
    """RecurError naming the first ten offending rows."""
    if bad.any():
        raise RecurError(message.format(rows=", ".join(map(str, index[bad][:10]))))


def merge_near_ties(time: np.ndarray, tolerance: float = TIME_TOLERANCE) -> np.ndarray:
    """Times that differ by floating-point noise become one time, exactly as
    R's ``aeqSurv`` (survfit, survdiff and coxph all call it): among the sorted
    distinct times, a gap <= tolerance, or <= tolerance * mean(|time|), ties a
    time to the one below it; each time is replaced by the start of its run.
    Without this, 1 and 1 + 1e-10 would be two event times (and a different S)."""
    y = np.unique(time[np.isfinite(time)])
    if len(y) < 2:
        return time
    dy = np.diff(y)
    tied = (dy <= tolerance) | (dy / np.mean(np.abs(y)) <= tolerance)
    if not tied.any():
        return time
    cuts = y[np.concatenate([[True], ~tied])]
    return cuts[np.searchsorted(cuts, time, side="right") - 1]


def stable_argsort(values: np.ndarray) -> np.ndarray:
    """Exactly ``np.argsort(values, kind="stable")``, about 2-3x faster on
    large arrays: numpy's default (SIMD) sort, then equal values put back in
    row order by one sort of int64 keys (run of equal values, row)."""
    order = np.argsort(values)
    n = len(values)
    if n < 2:
        return order
    ordered = values[order]
    if np.isnan(ordered[-1]):  # NaNs are never equal to each other: leave them to numpy
        return np.argsort(values, kind="stable")
    tie = ordered[1:] == ordered[:-1]
    if not tie.any():  # distinct values: the sorting permutation is unique
        return order
    run = np.zeros(n, dtype=np.int64)
    np.cumsum(~tie, out=run[1:])
    key = run * n + order
    key.sort()
    return key - run * n


def sort_merging_near_ties(time: np.ndarray, tolerance: float = TIME_TOLERANCE) -> tuple[np.ndarray, np.ndarray]:
    """(``merge_near_ties(time)``, its stable sorting permutation) from one
    sort of finite times: runs are found on the sorted copy instead of
    searching every time among the distinct ones (same numbers, one sort)."""
    order = stable_argsort(time)
    ts = time[order]
    new = np.empty(len(ts), dtype=bool)
    new[:1] = True
    np.not_equal(ts[1:], ts[:-1], out=new[1:])
    y = ts[new]
    if len(y) < 2:
        return time, order
    dy = np.diff(y)
    tied = (dy <= tolerance) | (dy / np.mean(np.abs(y)) <= tolerance)
    if not tied.any():
        return time, order
    starts = np.concatenate([[True], ~tied])
    run_of_value = np.cumsum(starts) - 1
    run = run_of_value[np.cumsum(new) - 1]  # per sorted position: its merged time
    merged = np.empty_like(time)
    merged[order] = y[starts][run]
    # ``order`` already sorts the merged times; only the rows of runs that merged distinct
    # times must be put back in row order (the shared order is argsort(merged, stable) itself).
    size = np.bincount(run_of_value)  # distinct times per run
    moved = np.flatnonzero(size[run] > 1)
    key = run[moved].astype(np.int64) * len(time) + order[moved]
    key.sort()
    order[moved] = key % len(time)
    return merged, order


def group_levels(group: pd.Series) -> list:
    """Levels in display order: categorical order if given, else sorted."""
    if isinstance(group.dtype, pd.CategoricalDtype):
        present = set(group.unique())
        return [c for c in group.cat.categories if c in present]
    return sorted(group.unique(), key=lambda v: (str(type(v)), v))
