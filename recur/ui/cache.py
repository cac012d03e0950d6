"""Cached calls into recur, keyed by the cohort's content hash and the
Settings that matter; the data themselves are passed unhashed (``_`` prefix).
``cache_resource`` returns the same frozen result without copying it."""

from __future__ import annotations

from typing import Callable

import pandas as pd
import streamlit as st

from recur.analysis import SurvivalAnalysis, prognostic_analysis, survival_analysis
from recur.cohort import Cohort, analysis_frame, build_cohort, cutoff_group_sizes
from recur.io import read_table
from recur.screen import ScreenResult
from recur.settings import Settings
from recur.ui.state import CohortSource

ANALYSES: dict[str, Callable[[Cohort, Settings], object]] = {
    "survival": survival_analysis,
    "prognostic": prognostic_analysis,
    "group_sizes": cutoff_group_sizes,
    "frame": lambda cohort, settings: analysis_frame(cohort, settings)[0],
}


def _derivation_key(settings: Settings) -> str:
    """Only what changes the derived cohort: mapping, endpoint rules, alpha/beta."""
    return repr(settings.derivation_key())


@st.cache_resource(max_entries=8, show_spinner=False)
def _load(source_key: str, derivation_key: str, _source: CohortSource, _settings: Settings) -> Cohort:
    raw = read_table(_source.raw, _source.name, sheet=_settings.sheet or None)
    return build_cohort(raw, raw.name, dict(_settings.mapping) or None, _settings)


def load(source: CohortSource, settings: Settings) -> Cohort:
    """The validated cohort for this source and these derivation settings."""
    return _load(source.key, _derivation_key(settings), source, settings)


@st.cache_resource(max_entries=128, show_spinner=False)
def _analysis(name: str, cohort_key: str, settings_key: str, _cohort: Cohort, _settings: Settings):
    return ANALYSES[name](_cohort, _settings)


def _run(name: str, cohort: Cohort, settings: Settings, settings_key: str):
    return _analysis(name, cohort.content_hash + _derivation_key(settings), settings_key, cohort, settings)


def _selection_key(settings: Settings) -> str:
    """What the row selection depends on: cutoffs and filters."""
    return repr((settings.cutoffs, settings.filters))


def survival(cohort: Cohort, settings: Settings) -> SurvivalAnalysis:
    return _run("survival", cohort, settings, settings.to_json())


def prognostic(cohort: Cohort, settings: Settings) -> ScreenResult:
    return _run("prognostic", cohort, settings, settings.to_json())


def group_sizes(cohort: Cohort, settings: Settings) -> pd.DataFrame:
    return _run("group_sizes", cohort, settings, _selection_key(settings))


def frame(cohort: Cohort, settings: Settings) -> pd.DataFrame:
    """The filtered rows with cutoff group columns (see ``recur.analysis_frame``)."""
    return _run("frame", cohort, settings, _selection_key(settings))
