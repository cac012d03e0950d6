"""Page-level controls (endpoint, grouping, display options), each seeded
from and written back to the one Settings value."""

from __future__ import annotations

import streamlit as st

from recur.cohort import Cohort
from recur.format import variable_title
from recur.schema import COLUMNS
from recur.settings import SCREEN_P_RANGE, Settings
from recur.ui.state import Keys, seed_choice, seed_widget, update
from recur.variables import ENDPOINT_NAMES, VARIABLE_LABELS

NO_GROUPING = ""


def endpoint_control(cohort: Cohort, settings: Settings, container=st) -> Settings:
    """Select the endpoint among those the cohort supports."""
    options = list(cohort.endpoints)
    if not options:
        return settings
    seed_choice(Keys.ENDPOINT, settings.endpoint if settings.endpoint in options else options[0], options)
    ep = container.selectbox("Endpoint", options, key=Keys.ENDPOINT,
                             format_func=lambda e: f"{e.upper()}: {ENDPOINT_NAMES[e]}")
    return update(settings, endpoint=ep) if ep != settings.endpoint else settings


AFTER_TREATMENT = "After treatment: "
IMMORTAL_TIME = ("Known only after treatment: grouping survival by it builds in immortal-time bias (patients "
                 "must live long enough to be assessed). Read these curves as descriptive.")


def grouping_options(cohort: Cohort, settings: Settings) -> list[str]:
    """No grouping, the cutoffs, the baseline categorical columns, then the
    post-baseline ones (response, failure pattern) last. Multi-valued columns
    and alpha/beta are never categorical (``Cohort.categorical_columns``)."""
    cut = [c.label for c in settings.cutoffs if c.variable in cohort.data]
    columns = cohort.categorical_columns()
    baseline = [c for c in columns if not cohort.is_post_baseline(c)]
    return [NO_GROUPING] + cut + baseline + [c for c in columns if cohort.is_post_baseline(c)]


def grouping_label(cohort: Cohort, option: str) -> str:
    """How a grouping option reads: clinician labels for the schema's columns,
    the file's own name for extra columns, a prefix for post-baseline ones."""
    if not option:
        return "No grouping"
    if option not in cohort.data:
        return option  # a cutoff's group label
    if cohort.is_post_baseline(option):
        return AFTER_TREATMENT + variable_title(option)
    return variable_title(option) if option in COLUMNS or option in VARIABLE_LABELS else option


def grouping_control(cohort: Cohort, settings: Settings, container=st, label: str = "Group by") -> Settings:
    """None, any cutoff, or any categorical column; post-baseline ones last,
    labelled and with a caption on immortal-time bias when chosen."""
    options = grouping_options(cohort, settings)
    current = settings.group_by if settings.group_by in options else NO_GROUPING
    seed_choice(Keys.GROUP_BY, current, options)  # a remembered cutoff may have changed or gone
    by = container.selectbox(label, options, key=Keys.GROUP_BY, format_func=lambda o: grouping_label(cohort, o),
                             help="Cutoffs first, then characteristics known at the start of treatment; "
                                  "'After treatment' ones last.")
    if by and cohort.is_post_baseline(by):
        container.caption(IMMORTAL_TIME)
    return update(settings, group_by=by) if by != settings.group_by else settings


def toggle_control(settings: Settings, field: str, key: str, label: str, container=st) -> Settings:
    """A checkbox bound to a boolean Settings field."""
    seed_widget(key, getattr(settings, field))
    value = container.checkbox(label, key=key)
    return update(settings, **{field: value}) if value != getattr(settings, field) else settings


def screen_threshold_control(settings: Settings, container=st) -> Settings:
    seed_widget(Keys.SCREEN_P, settings.screen_p)
    p = container.number_input("Enter the multivariable model when univariate p <", min_value=SCREEN_P_RANGE[0],
                               max_value=SCREEN_P_RANGE[1], step=0.05, key=Keys.SCREEN_P, format="%g")
    return update(settings, screen_p=float(p)) if p != settings.screen_p else settings
