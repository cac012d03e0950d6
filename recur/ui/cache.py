"""Cached calls into recur, keyed by the cohort's content hash and the
Settings (as JSON); the data themselves are passed unhashed (``_`` prefix).
``cache_resource`` returns the same frozen result without copying it."""

from __future__ import annotations

import streamlit as st

from recur.analysis import SurvivalAnalysis, prognostic_analysis, survival_analysis
from recur.cohort import Cohort, analysis_frame, build_cohort, cutoff_group_sizes
from recur.io import read_table
from recur.screen import ScreenResult
from recur.settings import Settings
from recur.ui.state import CohortSource

MAX_ENTRIES = 32


def _cohort_settings_key(settings: Settings) -> str:
    """Only what changes the derived cohort: mapping, endpoint rules, alpha/beta."""
    return repr((settings.mapping, settings.rules, settings.alpha_beta))


@st.cache_resource(max_entries=8, show_spinner=False)
def _load(source_key: str, cohort_key: str, _source: CohortSource, _settings: Settings) -> Cohort:
    table, name = read_table(_source.raw, _source.name)
    return build_cohort(table, name, dict(_settings.mapping) or None, _settings)


def load(source: CohortSource, settings: Settings) -> Cohort:
    """The validated cohort for this source and these derivation settings."""
    return _load(source.key, _cohort_settings_key(settings), source, settings)


@st.cache_resource(max_entries=MAX_ENTRIES, show_spinner=False)
def _survival(cohort_key: str, settings_key: str, _cohort: Cohort, _settings: Settings) -> SurvivalAnalysis:
    return survival_analysis(_cohort, _settings)


def survival(cohort: Cohort, settings: Settings) -> SurvivalAnalysis:
    return _survival(cohort.content_hash + _cohort_settings_key(settings), settings.to_json(), cohort, settings)


@st.cache_resource(max_entries=MAX_ENTRIES, show_spinner=False)
def _prognostic(cohort_key: str, settings_key: str, _cohort: Cohort, _settings: Settings) -> ScreenResult:
    return prognostic_analysis(_cohort, _settings)


def prognostic(cohort: Cohort, settings: Settings) -> ScreenResult:
    return _prognostic(cohort.content_hash + _cohort_settings_key(settings), settings.to_json(), cohort, settings)


@st.cache_resource(max_entries=MAX_ENTRIES, show_spinner=False)
def _group_sizes(cohort_key: str, settings_key: str, _cohort: Cohort, _settings: Settings):
    return cutoff_group_sizes(_cohort, _settings)


def group_sizes(cohort: Cohort, settings: Settings):
    key = repr((settings.cutoffs, settings.filters))
    return _group_sizes(cohort.content_hash + _cohort_settings_key(settings), key, cohort, settings)


@st.cache_resource(max_entries=MAX_ENTRIES, show_spinner=False)
def _frame(cohort_key: str, settings_key: str, _cohort: Cohort, _settings: Settings):
    return analysis_frame(_cohort, _settings)[0]


def frame(cohort: Cohort, settings: Settings):
    """The filtered rows with cutoff group columns (see ``recur.analysis_frame``)."""
    key = repr((settings.cutoffs, settings.filters))
    return _frame(cohort.content_hash + _cohort_settings_key(settings), key, cohort, settings)
