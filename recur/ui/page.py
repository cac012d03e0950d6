"""The frame every page shares: page config, the synthetic-data notice and
the shared sidebar; returns the cohort and Settings for the page body."""

from __future__ import annotations

import streamlit as st

from recur.cohort import Cohort
from recur.settings import Settings
from recur.ui import cache
from recur.ui.sidebar import render_sidebar
from recur.ui.state import Keys
from recur.variables import variable_label


def start_page(title: str, needs_patients: bool = True) -> tuple[Cohort, Settings]:
    """Set up the page and the sidebar; stop with a message when the subgroup
    filter leaves no patient (unless the page works without, as Cohort does)."""
    st.set_page_config(page_title=f"recur · {title}", layout="wide", page_icon=None)
    cohort, settings = render_sidebar()
    st.title(title)
    if Keys.LOAD_ERROR in st.session_state:
        st.error(st.session_state.pop(Keys.LOAD_ERROR))
    if Keys.URL_ERROR in st.session_state:
        st.warning(st.session_state.pop(Keys.URL_ERROR) + " Default settings are shown instead.")
    if cohort.is_synthetic:
        st.info("Synthetic demo data: generated to imitate published cohorts, not real patients. "
                "Upload your own cohort on the Cohort page.")
    if cohort.errors:
        st.warning(f"This cohort has {len(cohort.errors)} data error(s); see the validation report on the "
                   "Cohort page. Affected values are left out of the analyses.")
    if settings.filters and cache.frame(cohort, settings).empty:
        chosen = "; ".join(f"{variable_label(f.column)[0]}: {', '.join(f.values) or 'no value chosen'}"
                           for f in settings.filters)
        st.warning(f"The subgroup filter keeps no patient ({chosen}). Choose at least one value present "
                   "in the cohort for each filter in the sidebar, or remove a filter.")
        if needs_patients:
            st.stop()
    return cohort, settings


def methods_caption(methods: dict[str, str]) -> None:
    """State the methods behind a result, so users can compare with their tool."""
    st.caption(" · ".join(f"{k.replace('_', ' ')}: {v}" for k, v in methods.items()))
