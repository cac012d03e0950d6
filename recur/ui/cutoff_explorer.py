"""Streamlit glue of the cutoff explorer page: its controls, its cached
scan and bootstrap, the session's exploration count and the apply button."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import streamlit as st

from recur.cohort import Cohort
from recur.cutoffs import apply_cutpoint, bootstrap_cohort, derived_cutoff, record_exploration, scan_cohort
from recur.format import variable_title
from recur.safe_text import plain
from recur.settings import DEFAULT_CUTOFFS, Settings
from recur.stats.maxstat import CutpointScan
from recur.ui import cache
from recur.ui.state import Keys, commit_settings, forget_widgets, seed_choice, seed_widget


class ExplorerKeys:
    """This page's widget keys ("w." ones keep their value across pages; buttons must not)."""

    VARIABLE = "w.explorer.variable"
    RANGE = "w.explorer.range"
    BOOTSTRAP = "w.explorer.bootstrap"
    PERMUTATION = "w.explorer.permutation"
    APPLY = "explorer.apply"


def explorer_controls(cohort: Cohort, settings: Settings, left=st, right=st) -> tuple[str, float, float]:
    """The variable (any numeric column; a cutoff's first) and the percentile range scanned."""
    options = cohort.numeric_columns()
    if not options:
        st.info("This cohort has no numeric column to place a cutoff on.")
        st.stop()
    first = next((c.variable for c in settings.cutoffs if c.variable in options), options[0])
    seed_choice(ExplorerKeys.VARIABLE, first, options)
    variable = left.selectbox("Variable", options, key=ExplorerKeys.VARIABLE, format_func=variable_title)
    seed_widget(ExplorerKeys.RANGE, (10, 90))
    low, high = right.slider("Cuts scanned between the percentiles", 1, 99, key=ExplorerKeys.RANGE,
                             help="maxstat's minprop and maxprop: each group keeps at least this share.")
    return variable, low / 100, high / 100


def cached_scan(cohort: Cohort, settings: Settings, variable: str, minprop: float, maxprop: float) -> CutpointScan:
    """The scan with the Lausen-Schumacher and Hothorn-Lausen p (fast: the page draws it first)."""
    key = (settings.filters, settings.endpoint, variable, minprop, maxprop)
    return cache.keyed("cutpoint_scan", cohort, key, lambda: scan_cohort(cohort, settings, variable, minprop,
                                                                        maxprop, ("Lau92", "HL")))


AUTO_PERMUTATION_MAX = 10_000  # patients; above, the permutation test (over a second) runs when asked


def permutation_wanted(result: CutpointScan) -> bool:
    """A checkbox: on by default up to ``AUTO_PERMUTATION_MAX`` patients, so larger cohorts rerun fast."""
    seed_widget(ExplorerKeys.PERMUTATION, result.n <= AUTO_PERMUTATION_MAX)
    return st.checkbox("Permutation test (9,999 permutations, seeded)", key=ExplorerKeys.PERMUTATION,
                       help=f"On by default up to {AUTO_PERMUTATION_MAX:,} patients (about 0.7 s at 10,000).")


def with_permutation(cohort: Cohort, settings: Settings, result: CutpointScan) -> CutpointScan:
    """``result`` with its permutation p added (9,999 permutations, seeded; cached apart, computed second)."""
    key = (settings.filters, settings.endpoint, result.variable, result.minprop, result.maxprop)
    perm = cache.keyed("cutpoint_permutation", cohort, key, lambda: scan_cohort(
        cohort, settings, result.variable, result.minprop, result.maxprop, ("permutation",)))
    return replace(result, p_values={**result.p_values, **perm.p_values}, n_perm=perm.n_perm, seed=perm.seed)


def cached_bootstrap(cohort: Cohort, settings: Settings, variable: str, minprop: float,
                     maxprop: float) -> np.ndarray:
    key = (settings.filters, settings.endpoint, variable, minprop, maxprop)
    return cache.keyed("cutpoint_bootstrap", cohort, key,
                       lambda: bootstrap_cohort(cohort, settings, variable, minprop, maxprop))


def count_exploration(settings: Settings, result: CutpointScan) -> Settings:
    """Add this scan to the session's register of cutpoints explored (in the Settings, so it travels)."""
    new = record_exploration(settings, result.variable, len(result.scan))
    return commit_settings(new) if new != settings else settings


def marks(settings: Settings, variable: str) -> tuple[tuple[float, str] | None, tuple[float, str] | None]:
    """(sidebar cutoff, clinical default) of ``variable`` as (threshold, label), each None when absent."""
    cut = next((c for c in settings.cutoffs if c.variable == variable), None)
    default = next((c for c in DEFAULT_CUTOFFS if c.variable == variable), None)
    return ((cut.threshold, f"sidebar: {cut.label}") if cut else None,
            (default.threshold, f"clinical default: {default.label}") if default else None)


def apply_button(settings: Settings, result: CutpointScan) -> None:
    """'Apply this cutpoint': the sidebar cutoff of the variable becomes the selected cut, marked data-derived."""
    new = derived_cutoff(settings, result.variable, result.cutpoint)
    if st.button(f"Apply this cutpoint to the sidebar: {plain(new.label)} vs {plain(new.reference_label)}",
                 key=ExplorerKeys.APPLY, type="primary"):
        forget_widgets((Keys.cutoff_op(result.variable), Keys.cutoff_threshold(result.variable)))
        commit_settings(apply_cutpoint(settings, result.variable, result.cutpoint))
        st.rerun()
