"""The Cox screen's factor list and per-factor coding (reference level or an
ordered trend), seeded from and written back to the one Settings value."""

from __future__ import annotations

import streamlit as st

from recur.analysis import default_reference_key
from recur.cohort import Cohort
from recur.factors import default_factors, default_reference, factor_label, factor_options, is_cutoff_factor
from recur.settings import Settings
from recur.ui import cache
from recur.safe_text import plain
from recur.ui.state import Keys, forget_widgets, seed_choice, update


def factor_controls(cohort: Cohort, settings: Settings) -> Settings:
    """Which factors enter the screen, and how each categorical one is coded."""
    frame = cache.frame(cohort, settings)
    # Options depend on the Settings only through the cutoffs' columns; defaults on the row selection.
    options = list(cache.keyed("factor_options", cohort, tuple(c.variable for c in settings.cutoffs),
                               lambda: tuple(factor_options(cohort, settings))))
    defaults = list(cache.keyed("default_factors", cohort, cache.selection_key(settings),
                                lambda: default_factors(cohort, settings, frame)))
    current = [f for f in (settings.factors if settings.factors is not None else defaults) if f in options]
    seed_choice(Keys.FACTORS, current, options)  # a remembered factor may have gone (a cutoff removed)
    chosen = st.multiselect("Factors", options, key=Keys.FACTORS, format_func=lambda f: factor_label(settings, f),
                            help="Cutoffs keep their place here when their threshold changes.")
    if st.button("Back to the default factors", key=Keys.RESET_FACTORS_BUTTON):
        forget_widgets(k for k in st.session_state if isinstance(k, str) and k.startswith(Keys.FACTOR_PREFIX))
        update(settings, factors=None, references=(), trends=())
        st.rerun()
    categorical = set(cohort.categorical_columns())
    references, trends = dict(settings.references), dict(settings.trends)
    new_refs, new_trends = [], []
    for col in [f for f in chosen if not is_cutoff_factor(f) and f in categorical]:
        levels = cohort.levels(col)
        left, right = st.columns(2)
        ref_key, trend_key = Keys.factor_reference(col), Keys.factor_trend(col)
        remembered = references.get(col)
        default = cache.prognostic_memo(cohort)(default_reference_key(settings, col),
                                                lambda col=col: default_reference(frame[col])) if col in frame else None
        default = default if default in levels else levels[0]
        seed_choice(ref_key, remembered if remembered in levels else default, levels)
        seed_choice(trend_key, [v for v in trends.get(col, ()) if v in levels], levels)
        order = right.multiselect(f"{plain(factor_label(settings, col))}: ordered trend, low to high (optional)", levels,
                                  key=trend_key, help="One hazard ratio per step. Levels left out are "
                                                      "excluded from models with this factor.")
        ref = left.selectbox(f"{plain(factor_label(settings, col))}: reference level", levels, key=ref_key,
                             disabled=len(order) >= 2, help="Default: the most frequent level.")
        if len(order) >= 2:
            new_trends.append((col, tuple(order)))
        elif ref != default:
            new_refs.append((col, ref))
    factors = None if chosen == defaults and not new_refs and not new_trends else tuple(chosen)
    changes = {"factors": factors, "references": tuple(new_refs), "trends": tuple(new_trends)}
    if any(getattr(settings, k) != v for k, v in changes.items()):
        return update(settings, **changes)
    return settings
