"""The frame every page shares: page config, the synthetic-data notice and
the shared sidebar; returns the cohort and Settings for the page body."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import streamlit as st

from recur.cohort import Cohort
from recur.errors import RecurError
from recur.safe_text import MESSAGE_LIMIT, clip, plain
from recur.settings import Settings
from recur.ui import cache
from recur.ui.sidebar import render_sidebar
from recur.ui.state import CohortSource, Keys, cohort_name, current_source, presenting, set_source
from recur.variables import variable_label


def start_page(title: str, needs_patients: bool = True) -> tuple[Cohort, Settings]:
    """Set up the page and the sidebar; stop with a message when the subgroup
    filter leaves no patient (unless the page works without, as Cohort does)."""
    # Presentation mode folds the sidebar away (its toggle stays in it, behind the sidebar's arrow).
    st.set_page_config(page_title=f"recur · {title}", layout="wide", page_icon=None,
                       initial_sidebar_state="collapsed" if presenting() else "auto")
    cohort, settings = render_sidebar()
    if not presenting():  # presenting, the figures carry their own titles
        st.title(title)
    if Keys.LOAD_ERROR in st.session_state:
        st.error(plain(st.session_state.pop(Keys.LOAD_ERROR), MESSAGE_LIMIT))
    for notice in st.session_state.pop(Keys.NOTICES, []):
        st.warning(plain(notice, MESSAGE_LIMIT))
    link_notice(cohort, on_cohort_page=not needs_patients)
    synthetic = cohort.is_synthetic
    if synthetic and presenting():
        st.caption("Synthetic demo data, not real patients.")
    elif synthetic:
        st.info("Synthetic demo data: generated to imitate published cohorts, not real patients. "
                "Upload your own cohort on the Cohort page.")
    if cohort.errors:
        st.warning(f"This cohort has {len(cohort.errors)} data error(s); see the validation report on the "
                   "Cohort page. Affected values are left out of the analyses.")
    with guard():
        empty = bool(settings.filters) and cache.frame(cohort, settings).empty
    if empty:
        chosen = "; ".join(f"{plain(variable_label(f.column)[0])}: {plain(', '.join(f.values)) or 'no value chosen'}"
                           for f in settings.filters)
        st.warning(f"The subgroup filter keeps no patient ({chosen}). Choose at least one value present "
                   "in the cohort for each filter in the sidebar, or remove a filter.")
        if needs_patients:
            st.stop()
    return cohort, settings


def link_notice(cohort: Cohort, on_cohort_page: bool) -> None:
    """While a link's Settings wait for the cohort they were made on: say so,
    naming that file, with the way to open it and a dismiss button."""
    link = st.session_state.get(Keys.LINK_SETTINGS)
    if link is None:
        return
    wanted = plain(cohort_name(link.cohort_id))
    with st.container(border=True):
        st.warning(f"This link was made on the cohort {wanted}, which is not open here: the pages show "
                   f"{plain(cohort.source_name)}, without the link's choices that do not fit it. Upload {wanted} "
                   f"{'below' if on_cohort_page else 'on the Cohort page'} to see the link's view.")
        left, right = st.columns([3, 1], vertical_alignment="center")
        if not on_cohort_page:
            left.page_link("app.py", label=f"Upload {wanted} on the Cohort page")
        if right.button("Dismiss: keep this cohort", key=Keys.DISMISS_LINK_BUTTON, width="stretch"):
            del st.session_state[Keys.LINK_SETTINGS]
            st.rerun()


def open_source(source: CohortSource, settings: Settings) -> None:
    """Open an uploaded file as the session's cohort only if it loads; else
    keep the cohort that is open and say why (the uploader stays either way)."""
    try:
        cache.load(source, settings)
    except RecurError as exc:
        st.session_state[Keys.LOAD_ERROR] = (f"{clip(exc, MESSAGE_LIMIT)} The cohort already open "
                                             f"({clip(current_source().name)}) stays open.")
        return
    set_source(source)


def upload_limit_mb() -> int:
    """The server's upload limit (``server.maxUploadSize``, in MB)."""
    return int(st.get_option("server.maxUploadSize"))


def methods_caption(methods: dict[str, str]) -> None:
    """State the methods behind a result, so users can compare with their tool."""
    st.caption(" · ".join(f"{plain(k.replace('_', ' '))}: {plain(v)}" for k, v in methods.items()))


@contextmanager
def guard(container=st) -> Iterator[None]:
    """Run a page's analyses: a RecurError (bad data or choices) becomes an
    error box with its text shown literally, and the page stops there; the
    sidebar and the uploader, drawn before, stay usable. Anything else is a bug
    and surfaces as one."""
    try:
        yield
    except RecurError as exc:
        container.error(plain(exc, MESSAGE_LIMIT))
        st.stop()
