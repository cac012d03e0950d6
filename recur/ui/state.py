"""Session state for the app: the one Settings value, the current cohort
source, and the URL mirror. Only this module reads or writes widget keys."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

import streamlit as st

from recur.settings import EndpointRules, Settings

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
DEMOS = {
    "Synthetic NSCLC salvage RT (74 patients)": "demo_nsclc_synthetic.csv",
    "Synthetic NPC re-irradiation (184 patients)": "demo_npc_reirradiation_synthetic.csv",
    "Synthetic ESCC salvage CRT trial (280 patients)": "demo_escc_salvage_synthetic.csv",
}
DEFAULT_DEMO = next(iter(DEMOS))


class Keys:
    """Every session-state and widget key, defined once."""

    SETTINGS = "recur.settings"
    SESSION_COHORT = "recur.session_cohort"  # (load key, Cohort): the cohort this session has open
    SOURCE = "recur.source"
    NOTICES = "recur.notices"
    LOAD_ERROR = "recur.load_error"
    OPENED_DEMO = "recur.opened_demo"
    LAST_UPLOAD = "recur.last_upload"
    UPLOAD = "w.upload"
    DEMO = "w.demo"
    ORIGIN = "w.origin"
    PFS_DEATH = "w.pfs_death"
    LRFS_DEATH = "w.lrfs_death"
    DMFS_DEATH = "w.dmfs_death"
    PRESET = "w.preset"
    ALPHA_BETA = "w.alpha_beta"
    FILTER_COLUMNS = "w.filter_columns"
    NEW_CUTOFF = "w.new_cutoff"
    REMOVE_CUTOFF = "w.remove_cutoff"
    ENDPOINT = "w.endpoint"
    GROUP_BY = "w.group_by"
    SHOW_CI = "w.show_ci"
    EXTENDED = "w.extended"
    SHOW_HR = "w.show_hr"
    PRESENTATION = "w.presentation"  # a view of this browser session, not an analysis setting
    SCREEN_P = "w.screen_p"
    MAPPING = "w.mapping"
    ADD_CUTOFF_BUTTON = "w.add_cutoff"
    REMOVE_CUTOFF_BUTTON = "w.remove_cutoff_button"
    PUBLISHED_RULES_BUTTON = "w.published_rules"
    FACTOR_PREFIX = "w.factor."  # the factor list and every per-factor coding widget
    FACTORS = "w.factor.list"
    RESET_FACTORS_BUTTON = "w.reset_factors"
    LINK_SETTINGS = "recur.link_settings"  # a link's Settings, made on a cohort not open yet
    SHEET = "w.sheet"
    DATE_ORDER = "w.date_order"
    APPLY_MAPPING_BUTTON = "w.apply_mapping"
    DISMISS_LINK_BUTTON = "w.dismiss_link"
    LEVEL_COLUMN = "w.level_column"
    ACCEPT_ALL_BUTTON = "w.accept_all_merges"
    APPLY_LEVELS_BUTTON = "w.apply_levels"
    RESET_LEVELS_BUTTON = "w.reset_levels"
    ACCEPT_PREFIX = "w.accept_merge."  # one button per proposed merge
    LEVEL_EDITOR_PREFIX = "w.level_editor."  # one level editor per column
    RMST_MONTHS = "w.rmst_months"
    LANDMARK_MONTHS = "w.landmark_months"
    LANDMARK_ON = "w.landmark_on"
    SETTINGS_UPLOAD = "w.settings_upload"  # the Export page's settings JSON uploader
    LAST_SETTINGS_UPLOAD = "recur.last_settings_upload"  # the settings file already applied
    EXPORT_PREFIX = "export."  # the Export page's download buttons (not 'w.': nothing to keep or re-seed)
    # every other widget re-seeds when a cohort opens
    KEPT_ACROSS_COHORTS = frozenset({UPLOAD, DEMO, SETTINGS_UPLOAD, PRESENTATION})
    # Widgets whose value Streamlit refuses to set through session state.
    NOT_SETTABLE = frozenset({UPLOAD, SETTINGS_UPLOAD, MAPPING,
                              ADD_CUTOFF_BUTTON, REMOVE_CUTOFF_BUTTON, PUBLISHED_RULES_BUTTON,
                              RESET_FACTORS_BUTTON, APPLY_MAPPING_BUTTON, DISMISS_LINK_BUTTON, ACCEPT_ALL_BUTTON,
                              APPLY_LEVELS_BUTTON, RESET_LEVELS_BUTTON})
    NOT_SETTABLE_PREFIXES = (ACCEPT_PREFIX, LEVEL_EDITOR_PREFIX)

    @staticmethod
    def settable(key: str) -> bool:
        return key not in Keys.NOT_SETTABLE and not key.startswith(Keys.NOT_SETTABLE_PREFIXES)

    @staticmethod
    def accept_merge(column: str, target: str) -> str:
        return f"{Keys.ACCEPT_PREFIX}{column}.{target}"

    @staticmethod
    def level_editor(column: str, levels: tuple[str, ...] = ()) -> str:
        """One editor per column and set of levels: a merge elsewhere gives a fresh editor."""
        digest = hashlib.sha256("\x1f".join(levels).encode("utf-8", "surrogatepass")).hexdigest()[:12]
        return f"{Keys.LEVEL_EDITOR_PREFIX}{column}.{digest}"

    @staticmethod
    def cutoff_op(variable: str) -> str:
        return f"w.cut.{variable}.op"

    @staticmethod
    def cutoff_threshold(variable: str) -> str:
        return f"w.cut.{variable}.thr"

    @staticmethod
    def filter_values(column: str) -> str:
        return f"w.filter.{column}"

    @staticmethod
    def factor_reference(column: str) -> str:
        return f"{Keys.FACTOR_PREFIX}{column}.ref"

    @staticmethod
    def factor_trend(column: str) -> str:
        return f"{Keys.FACTOR_PREFIX}{column}.trend"


@dataclass(frozen=True)
class CohortSource:
    """Where the current cohort comes from: file bytes kept in memory only.

    ``key`` identifies the exact bytes, the file name and the format (from the
    name's extension, which decides the reader), length-prefixed so no two
    different sources can share it; caches key a cohort by it."""

    name: str
    raw: bytes
    is_demo: bool
    key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        h = hashlib.sha256()
        for part in (self.name.encode("utf-8", "surrogatepass"), self.format.encode(), self.raw):
            h.update(len(part).to_bytes(8, "big"))
            h.update(part)
        object.__setattr__(self, "key", h.hexdigest())

    @property
    def format(self) -> str:
        return Path(self.name).suffix.lower() or ".csv"


def demo_source(label: str = DEFAULT_DEMO) -> CohortSource:
    return CohortSource(DEMOS[label], (DATA_DIR / DEMOS[label]).read_bytes(), True)


def current_source() -> CohortSource:
    """The session's cohort source; the NSCLC demo until the user uploads."""
    if Keys.SOURCE not in st.session_state:
        st.session_state[Keys.SOURCE] = demo_source()
    return st.session_state[Keys.SOURCE]


def set_source(source: CohortSource) -> None:
    """Make ``source`` the session's cohort; every widget re-seeds from the
    Settings (which the sidebar then fits to the new cohort)."""
    st.session_state[Keys.SOURCE] = source
    forget_widgets(k for k in st.session_state if isinstance(k, str) and k.startswith("w.")
                   and k not in Keys.KEPT_ACROSS_COHORTS)


def notify(text: str) -> None:
    """A one-line notice for the top of the page (shown once, as plain text)."""
    st.session_state.setdefault(Keys.NOTICES, []).append(text)


def _query_dict() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params.keys()}


def cohort_identity(content_hash: str, source_name: str) -> str:
    """What ``Settings.cohort_id`` records: the content hash and the file name (no patient data)."""
    return f"{content_hash}|{source_name}"


def cohort_name(cohort_id: str) -> str:
    """The file name a ``cohort_id`` records."""
    return cohort_id.partition("|")[2] or cohort_id


def current_settings() -> Settings:
    """The session's Settings; on a session's first run, read from the URL
    (each key that cannot be used is dropped with a notice). A link that names
    the cohort it was made on is also kept aside until that cohort is open
    (see ``recur.ui.sidebar``)."""
    if Keys.SETTINGS not in st.session_state:
        settings, notices = Settings.parse_query(_query_dict())
        for notice in notices:
            notify(notice)
        st.session_state[Keys.SETTINGS] = settings
        if settings.cohort_id:
            st.session_state[Keys.LINK_SETTINGS] = settings
    return st.session_state[Keys.SETTINGS]


def commit_settings(settings: Settings) -> Settings:
    """Store the Settings and mirror them in the URL (only when changed)."""
    st.session_state[Keys.SETTINGS] = settings
    wanted = settings.to_query()
    if _query_dict() != wanted:
        st.query_params.from_dict(wanted)
    return settings


def keep_widget_values() -> None:
    """Re-assert every widget value at the start of a run. A page switch
    otherwise resets widgets that share a key with the previous page's."""
    for key in list(st.session_state.keys()):
        if isinstance(key, str) and key.startswith("w.") and Keys.settable(key):
            st.session_state[key] = st.session_state[key]


def seed_choice(key: str, value, options) -> None:
    """``seed_widget`` for a selectbox / multiselect: a remembered value (or any
    of a multiselect's values) that is not among ``options`` is replaced by
    ``value``, so a choice widget never holds a value it cannot show."""
    seed_widget(key, value)
    held = st.session_state[key]
    allowed = set(options)
    if isinstance(held, list) and not set(held) <= allowed or not isinstance(held, list) and held not in allowed:
        st.session_state[key] = value


def seed_widget(key: str, value) -> None:
    """Give a widget its value from Settings when it has none yet (first run,
    or after a page switch dropped it), so widgets never fight the Settings."""
    if key not in st.session_state:
        st.session_state[key] = value


def forget_widgets(keys) -> None:
    """Drop widget values so the next run seeds them from Settings again
    (after Settings changed from outside the widget, or a widget went away)."""
    for key in list(keys):
        st.session_state.pop(key, None)


def presenting() -> bool:
    """Whether presentation mode is on (the sidebar's toggle)."""
    return bool(st.session_state.get(Keys.PRESENTATION, False))


def set_rules(settings: Settings, rules: EndpointRules) -> Settings:
    """Commit new endpoint rules and let the sidebar widgets take them up."""
    forget_widgets((Keys.ORIGIN, Keys.PFS_DEATH, Keys.LRFS_DEATH, Keys.DMFS_DEATH))
    return commit_settings(replace(settings, rules=rules))


def update(settings: Settings, **changes) -> Settings:
    """A new Settings with ``changes``, committed."""
    return commit_settings(replace(settings, **changes))


def restore_settings(settings: Settings) -> None:
    """Make an uploaded settings file the session's Settings the way a link
    does (``current_settings``): every widget re-seeds from them, and when they
    name the cohort they were made on, they wait aside until that cohort is
    open (the sidebar applies them then, or at once when it is open now)."""
    forget_widgets(k for k in st.session_state if isinstance(k, str) and k.startswith("w.")
                   and k not in Keys.KEPT_ACROSS_COHORTS)
    st.session_state[Keys.SETTINGS] = settings
    if settings.cohort_id:
        st.session_state[Keys.LINK_SETTINGS] = settings
    else:
        st.session_state.pop(Keys.LINK_SETTINGS, None)
