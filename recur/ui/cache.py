"""Cached calls into recur, shared by every session of the server process.

Keys never trust the data's content: a loaded cohort is keyed by its source
(the exact bytes, the file name and the format; ``CohortSource.key``) plus the
derivation settings, and every analysis by that same key plus the Settings it
depends on. Two sessions share a cohort object only when both opened
byte-identical files under the same name with the same derivation settings.

Both caches are bounded by memory, not by entry count: each entry's size is
estimated (pandas ``memory_usage(deep=True)``, numpy ``nbytes``, and
``sys.getsizeof`` recursing through dataclass fields and containers) and the
least recently used entries are dropped while the total is over the bound.
An entry larger than its whole bound is returned uncached. Bounds: see
``COHORT_CACHE_BYTES`` / ``ANALYSIS_CACHE_BYTES`` (README, "Memory")."""

from __future__ import annotations

import dataclasses
import os
import sys
import threading
import weakref
from collections import OrderedDict
from typing import Any, Callable, Hashable

import numpy as np
import pandas as pd
import streamlit as st

from recur.analysis import SurvivalAnalysis, prognostic_analysis, survival_analysis
from recur.cohort import Cohort, analysis_frame, build_cohort, cutoff_group_sizes
from recur.estimands import CompetingAnalysis, competing_analysis, rmst_analysis
from recur.io import read_table
from recur.screen import ScreenResult
from recur.settings import Settings
from recur.failure_rates import FailureRates, failure_rates
from recur.stats.rmst import RMSTResult
from recur.trial import TrialReport, trial_report
from recur.ui.state import CohortSource, Keys

MB = 1024 * 1024
COHORT_CACHE_BYTES = int(os.environ.get("RECUR_COHORT_CACHE_MB", "256")) * MB
ANALYSIS_CACHE_BYTES = int(os.environ.get("RECUR_ANALYSIS_CACHE_MB", "256")) * MB

ANALYSES: dict[str, Callable[[Cohort, Settings], object]] = {
    "survival": lambda cohort, settings: survival_analysis(cohort, settings, hazard_ratios=settings.show_hr),
    "prognostic": lambda cohort, settings: prognostic_analysis(
        cohort, settings, memo=prognostic_memo(cohort), frame=frame(cohort, settings)),
    "group_sizes": cutoff_group_sizes,
    "frame": lambda cohort, settings: analysis_frame(cohort, settings)[0],
    "competing": competing_analysis,
    "rmst": rmst_analysis,
    "trial": trial_report,
    "out_of_field": lambda cohort, settings: failure_rates(cohort, settings, by=settings.group_by or None),
}


MEASURED_ROWS = 1_000  # a frame this long or longer is measured; a shorter one is sized from its types
CELL_BYTES = 64  # a shorter frame's text or other non-numpy cell: a pointer and a short str


def estimate_bytes(obj: Any, _seen: set[int] | None = None) -> int:
    """Approximate memory held by ``obj`` and what it references (each object counted once).
    A frame or Series of ``MEASURED_ROWS`` rows or more is measured (pandas'
    deep memory usage); a shorter one (an analysis result: a few hundred
    rows, and the cache's entries are mostly these) is sized from its column
    types, each cell of text or an extension type counted as ``CELL_BYTES``:
    measuring costs 50 microseconds a column, a few milliseconds a rerun."""
    seen = set() if _seen is None else _seen
    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    if isinstance(obj, (pd.DataFrame, pd.Series)) and len(obj) < MEASURED_ROWS:
        dtypes = obj.dtypes if isinstance(obj, pd.DataFrame) else [obj.dtype]
        return len(obj) * (8 + sum(CELL_BYTES if d == object or not isinstance(d, np.dtype) else d.itemsize
                                   for d in dtypes))  # (8: the index)
    if isinstance(obj, pd.DataFrame):  # DataFrame.memory_usage(deep=True).sum(), without its result Series (4x faster)
        return int(obj.index.memory_usage(deep=True)
                   + sum(column.memory_usage(index=False, deep=True) for _, column in obj.items()))
    if isinstance(obj, (pd.Series, pd.Index)):
        return int(obj.memory_usage(deep=True))
    if isinstance(obj, np.ndarray):
        return int(obj.nbytes)
    size = sys.getsizeof(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return size + sum(estimate_bytes(getattr(obj, f.name), seen) for f in dataclasses.fields(obj))
    if isinstance(obj, dict):
        return size + sum(estimate_bytes(k, seen) + estimate_bytes(v, seen) for k, v in obj.items())
    if isinstance(obj, (list, tuple, set, frozenset)):
        return size + sum(estimate_bytes(v, seen) for v in obj)
    return size


class BoundedCache:
    """A least-recently-used mapping whose entries' estimated sizes sum to at
    most ``max_bytes``. Thread-safe; a value is computed outside the lock (two
    sessions asking at once may both compute; the first stored wins)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def total_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key][0]
        value = compute()
        size = estimate_bytes(value)
        if size > self.max_bytes:
            return value
        with self._lock:
            if key in self._entries:
                return self._entries[key][0]
            self._entries[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped
        return value


@st.cache_resource(show_spinner=False)
def _stores() -> tuple[BoundedCache, BoundedCache]:
    """The process's two caches (cleared with Streamlit's cache_resource)."""
    return BoundedCache(COHORT_CACHE_BYTES), BoundedCache(ANALYSIS_CACHE_BYTES)


# The load key of each cohort object handed out, by identity (weak, so a
# reused id() can never map a new object to an old key).
_cohort_keys: dict[int, tuple[weakref.ref, str]] = {}
_keys_lock = threading.Lock()


def _remember_key(cohort: Cohort, key: str) -> None:
    ident = id(cohort)

    def forget(_ref: weakref.ref) -> None:
        with _keys_lock:
            if _cohort_keys.get(ident, (None,))[0] is _ref:
                del _cohort_keys[ident]

    with _keys_lock:
        entry = _cohort_keys.get(ident)
        if entry is None or entry[0]() is not cohort:
            _cohort_keys[ident] = (weakref.ref(cohort, forget), key)


def _key_of(cohort: Cohort) -> str | None:
    with _keys_lock:
        entry = _cohort_keys.get(id(cohort))
    return entry[1] if entry is not None and entry[0]() is cohort else None


def _derivation_key(settings: Settings) -> str:
    """Only what changes the derived cohort: mapping, endpoint rules, alpha/beta."""
    return repr(settings.derivation_key())


def load(source: CohortSource, settings: Settings, *, hold: bool = False) -> Cohort:
    """The validated cohort for this source and these derivation settings.
    ``hold``: this is the session's open cohort; the session keeps it, so it is
    never evicted under its user and the shared cache can stay small (a
    1e6-row cohort need not fit in it). Raises ``RecurError`` when the file
    cannot be read."""
    key = f"{source.key}|{_derivation_key(settings)}"
    held = st.session_state.get(Keys.SESSION_COHORT)
    if held is not None and held[0] == key:
        return held[1]

    def build() -> Cohort:
        raw = read_table(source.raw, source.name, sheet=settings.sheet or None)
        return build_cohort(raw, raw.name, dict(settings.mapping) or None, settings)

    cohort = _stores()[0].get_or_compute(key, build)
    _remember_key(cohort, key)
    if hold:
        st.session_state[Keys.SESSION_COHORT] = (key, cohort)
    return cohort


def _run(name: str, cohort: Cohort, settings: Settings, settings_key: str):
    cohort_key = _key_of(cohort)
    if cohort_key is None:  # not opened through ``load``: nothing safe to key it by
        return ANALYSES[name](cohort, settings)
    return _stores()[1].get_or_compute((name, cohort_key, settings_key), lambda: ANALYSES[name](cohort, settings))


def selection_key(settings: Settings) -> str:
    """What the row selection depends on: cutoffs and filters."""
    return repr((settings.cutoffs, settings.filters))


def survival(cohort: Cohort, settings: Settings) -> SurvivalAnalysis:
    """The Survival page's analysis: hazard ratios only when its figure shows them (``show_hr``)."""
    return _run("survival", cohort, settings, settings.to_json())


def prognostic(cohort: Cohort, settings: Settings) -> ScreenResult:
    return _run("prognostic", cohort, settings, settings.to_json())


def group_sizes(cohort: Cohort, settings: Settings) -> pd.DataFrame:
    return _run("group_sizes", cohort, settings, selection_key(settings))


def frame(cohort: Cohort, settings: Settings) -> pd.DataFrame:
    """The filtered rows with cutoff group columns (see ``recur.analysis_frame``)."""
    return _run("frame", cohort, settings, selection_key(settings))


def competing(cohort: Cohort, settings: Settings) -> CompetingAnalysis:
    """Cumulative incidence with death as a competing event (see ``recur.estimands``)."""
    return _run("competing", cohort, settings, settings.to_json())


def rmst(cohort: Cohort, settings: Settings) -> RMSTResult:
    return _run("rmst", cohort, settings, settings.to_json())


def trial(cohort: Cohort, settings: Settings) -> TrialReport:
    return _run("trial", cohort, settings, settings.to_json())


def out_of_field(cohort: Cohort, settings: Settings) -> FailureRates:
    """The out-of-field regional failure rate at 1/2/3 years per the Settings' grouping."""
    return _run("out_of_field", cohort, settings, settings.to_json())


def prognostic_memo(cohort: Cohort) -> Callable[[Hashable, Callable[[], Any]], Any]:
    """Where ``prognostic_analysis`` keeps its models and default reference
    levels (the factor controls read the same entries)."""
    return lambda key, compute: keyed("prognostic_part", cohort, key, compute)


def keyed(name: str, cohort: Cohort, key: Hashable, compute: Callable[[], Any]) -> Any:
    """Another analysis of ``cohort`` (e.g. the cutoff explorer's scan) in the
    same bounded store, under (name, the cohort's load key, ``key``); ``key``
    must hold every input of ``compute`` besides the cohort."""
    cohort_key = _key_of(cohort)
    if cohort_key is None:
        return compute()
    return _stores()[1].get_or_compute((name, cohort_key, key), compute)
