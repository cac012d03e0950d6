"""The shared sidebar every page calls first: cutoffs (with live group
sizes), endpoint rules, method preset, alpha/beta and a subgroup filter.
Widgets -> ``read`` -> a new frozen Settings -> committed (and in the URL)."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from recur.cohort import Cohort
from recur.errors import RecurError
from recur.format import fmt_number
from recur.safe_text import MESSAGE_LIMIT, clip, plain
from recur.settings import ALPHA_BETA_RANGE, METHOD_PRESETS, OPS, Cutoff, EndpointRules, Filter, Settings
from recur.settings import DATA_DERIVED, PRE_SPECIFIED
from recur.settings_fit import fit_to_cohort
from recur.ui import cache
from recur.ui.downloads import download_json
from recur.ui.state import (CohortSource, Keys, cohort_identity, commit_settings, current_settings, current_source,
                            demo_source, forget_widgets, keep_widget_values, notify, seed_choice, seed_widget,
                            set_source)
from recur.variables import ORIGIN_LABELS, variable_label

PAGES = {"app.py": "Cohort", "pages/1_Survival.py": "Survival", "pages/2_Prognostic_factors.py": "Prognostic factors",
         "pages/3_Failure_patterns.py": "Failure patterns",
         "pages/4_Toxicity_and_response.py": "Toxicity and response",
         "pages/5_Cutoff_explorer.py": "Cutoff explorer", "pages/6_Trial_report.py": "Trial report",
         "pages/7_Study_planner.py": "Study planner", "pages/8_Export.py": "Export"}


def _preset_name(settings: Settings) -> str:
    return next((k for k, m in METHOD_PRESETS.items() if m == settings.methods), "recur")


def _cutoff_widgets(cohort: Cohort, settings: Settings) -> list[Cutoff]:
    """Operator and threshold per cutoff, with the group sizes of the values
    just chosen (filled in after all widgets are read)."""
    cutoffs: list[Cutoff] = []
    slots = []
    for cut in settings.cutoffs:
        name, unit = variable_label(cut.variable)
        seed_choice(Keys.cutoff_op(cut.variable), cut.op, OPS)
        seed_widget(Keys.cutoff_threshold(cut.variable), float(cut.threshold))
        left, right = st.columns([1, 1.7], vertical_alignment="bottom")
        op = left.selectbox(plain(name), OPS, key=Keys.cutoff_op(cut.variable))
        thr = right.number_input(f"threshold{f' ({unit})' if unit else ''}",
                                 key=Keys.cutoff_threshold(cut.variable), step=1.0, format="%g")
        slots.append(st.empty())
        same = (op, float(thr)) == (cut.op, cut.threshold)  # edited by hand: pre-specified again
        cutoffs.append(Cutoff(cut.variable, op, thr, cut.source if same else PRE_SPECIFIED))
    try:
        sizes = cache.group_sizes(cohort, replace(settings, cutoffs=tuple(cutoffs)))
    except RecurError as exc:  # the sidebar stays usable whatever the selection
        st.caption(plain(exc, MESSAGE_LIMIT))
        return cutoffs
    for cut, size, slot in zip(cutoffs, sizes.itertuples(), slots):
        if size.available:
            slot.caption(f"{plain(cut.label)}: n={size.n_group} · {plain(cut.reference_label)}: n={size.n_reference}"
                         + (f" · missing {size.n_missing}" if size.n_missing else "")
                         + (" · data-derived (cutoff explorer)" if cut.source == DATA_DERIVED else ""))
        else:
            slot.caption(f"{plain(cut.variable)} is not in this cohort.")
    return cutoffs


def _edit_cutoffs(cohort: Cohort, cutoffs: list[Cutoff]) -> list[Cutoff]:
    """Add a cutoff on any numeric column (median first) or remove one."""
    used = {c.variable for c in cutoffs}
    options = [c for c in cohort.numeric_columns() if c not in used]
    with st.popover("Add or remove a cutoff", width="stretch"):
        if options:
            seed_choice(Keys.NEW_CUTOFF, options[0], options)
            var = st.selectbox("Add a cutoff on", options, key=Keys.NEW_CUTOFF,
                               format_func=lambda c: c if variable_label(c)[0] == c else f"{variable_label(c)[0]} ({c})")
            median = float(cohort.data[var].median())
            st.caption(f"Median {fmt_number(median)}: offered as the first threshold (a data-derived cutoff).")
            if st.button("Add", key=Keys.ADD_CUTOFF_BUTTON):
                return cutoffs + [Cutoff(var, ">=", round(median, 1))]
        if cutoffs:
            labels = [c.label for c in cutoffs]
            seed_choice(Keys.REMOVE_CUTOFF, labels[0], labels)
            gone = st.selectbox("Remove", labels, key=Keys.REMOVE_CUTOFF)
            if st.button("Remove", key=Keys.REMOVE_CUTOFF_BUTTON):
                victim = next(c for c in cutoffs if c.label == gone)
                forget_widgets((Keys.cutoff_op(victim.variable), Keys.cutoff_threshold(victim.variable)))
                return [c for c in cutoffs if c is not victim]
    return cutoffs


def _filter_widgets(cohort: Cohort, settings: Settings) -> tuple[Filter, ...]:
    """Any number of categorical columns, each keeping the chosen levels
    (e.g. histology = adenocarcinoma and margin = R0)."""
    columns = cohort.categorical_columns()
    current = {f.column: f for f in settings.filters if f.column in columns}
    seed_choice(Keys.FILTER_COLUMNS, list(current), columns)
    chosen = st.multiselect("Restrict to patients with", columns, key=Keys.FILTER_COLUMNS,
                            format_func=lambda c: variable_label(c)[0], placeholder="all patients")
    filters = []
    for column in chosen:
        levels = cohort.levels(column)
        kept = current[column].values if column in current else levels
        seed_choice(Keys.filter_values(column), [v for v in kept if v in levels], levels)
        values = st.multiselect(plain(variable_label(column)[0]), levels, key=Keys.filter_values(column))
        filters.append(Filter(column, tuple(values)))
    forget_widgets(Keys.filter_values(c) for c in set(current) - set(chosen))  # back to all levels next time
    return tuple(filters)


def _load(source: CohortSource, settings: Settings) -> tuple[CohortSource, Cohort, Settings]:
    """Load ``source``; a sheet that cannot be read falls back to the default
    sheet, a file that cannot be read to the demo, each with the reason shown."""
    try:
        return source, cache.load(source, settings, hold=True), settings
    except RecurError as exc:
        if settings.sheet:
            notify(f"The sheet {clip(settings.sheet)!r} cannot be read ({clip(exc, MESSAGE_LIMIT)}); "
                   "the default sheet is shown.")
            return _load(source, replace(settings, sheet=""))
        st.session_state[Keys.LOAD_ERROR] = f"{clip(exc, MESSAGE_LIMIT)} The demo cohort is shown instead."
        source = demo_source()
        set_source(source)
        return source, cache.load(source, settings, hold=True), settings


def _open_cohort(settings: Settings) -> tuple[CohortSource, Cohort, Settings]:
    """The session's cohort and the Settings fitted to it. A cohort that fails
    to load gives way to the demo with the error shown; choices that do not
    fit the cohort are dropped with a notice each (and the cohort re-derived
    when a dropped reading choice changed it). A link made on another cohort
    keeps its Settings aside (one notice on every page, see ``link_notice``)
    until that cohort is opened, when they apply."""
    source, cohort, settings = _load(current_source(), settings)
    this_id = cohort_identity(cohort.content_hash, source.name)
    link = st.session_state.get(Keys.LINK_SETTINGS)
    if link is not None and link.cohort_id == this_id:  # the link's own cohort: its settings apply
        del st.session_state[Keys.LINK_SETTINGS]
        source, cohort, settings = _load(source, link)
        link = None
    fitted, notices = fit_to_cohort(settings, cohort)
    fitted = replace(fitted, cohort_id=this_id)
    if fitted != settings:
        if link is None or settings != link:  # a link just opened on another cohort: its one notice says it all
            for notice in notices:
                notify(notice)
        commit_settings(fitted)
        forget_widgets(k for k in st.session_state if isinstance(k, str) and k.startswith("w.")
                       and k not in Keys.KEPT_ACROSS_COHORTS)
        if fitted.derivation_key() != settings.derivation_key():
            source, cohort, fitted = _load(source, fitted)
    return source, cohort, fitted


def render_sidebar() -> tuple[Cohort, Settings]:
    """Draw the shared controls; return the cohort and the committed Settings."""
    keep_widget_values()
    source, cohort, settings = _open_cohort(current_settings())
    with st.sidebar:
        for path, label in PAGES.items():
            st.page_link(path, label=label)
        st.toggle("Presentation mode", key=Keys.PRESENTATION,
                  help="For a projector: larger figures and fonts, page controls folded under the figures, "
                       "this sidebar closed (reopen it with the arrow at the top left).")
        st.divider()
        st.markdown("### Cutoffs")
        cutoffs = _cutoff_widgets(cohort, settings)
        cutoffs = _edit_cutoffs(cohort, cutoffs)
        st.markdown("### Endpoint rules")
        seed_choice(Keys.ORIGIN, settings.rules.origin, list(ORIGIN_LABELS))
        origin = st.radio("Time origin", list(ORIGIN_LABELS), format_func=ORIGIN_LABELS.get, key=Keys.ORIGIN)
        flags = {}
        for key, attr, label in ((Keys.PFS_DEATH, "pfs_death_is_event", "PFS"),
                                 (Keys.LRFS_DEATH, "lrfs_death_is_event", "LRFS"),
                                 (Keys.DMFS_DEATH, "dmfs_death_is_event", "DMFS")):
            seed_widget(key, getattr(settings.rules, attr))
            flags[attr] = st.checkbox(f"Death counts as an event for {label}", key=key)
        st.markdown("### Methods")
        seed_choice(Keys.PRESET, _preset_name(settings), list(METHOD_PRESETS))
        preset = st.selectbox("Method preset", list(METHOD_PRESETS), key=Keys.PRESET,
                              help="recur: log-log CIs, Efron ties. R: survfit's log CIs, coxph's Efron. "
                                   "SPSS: Breslow ties (as SPSS, EZR, scikit-survival), log-log CIs.")
        seed_widget(Keys.ALPHA_BETA, float(settings.alpha_beta))
        alpha_beta = st.number_input("α/β for BED and EQD2 (Gy)", min_value=ALPHA_BETA_RANGE[0],
                                     max_value=ALPHA_BETA_RANGE[1], step=0.5,
                                     key=Keys.ALPHA_BETA, format="%g")
        st.markdown("### Subgroup")
        filters = _filter_widgets(cohort, settings)
        st.caption(f"Cohort: {plain(cohort.source_name)} · {len(cohort.data)} patients"
                   + (" · synthetic demo data" if cohort.is_synthetic else "") + " · times in months")
    new = replace(settings, cutoffs=tuple(cutoffs), rules=EndpointRules(origin=origin, **flags),
                  methods=METHOD_PRESETS[preset], alpha_beta=float(alpha_beta), filters=filters)
    if new.group_by and new.cutoff_by_label(new.group_by) is None and new.group_by not in cohort.data:
        new = replace(new, group_by=_renamed_group(settings, new))
    commit_settings(new)
    download_json("Download analysis settings (JSON)", new.to_json(), "recur_settings.json", st.sidebar,
                  help="Every choice on every page; the page link carries the same settings.")
    if len(new.cutoffs) != len(settings.cutoffs):
        st.rerun()  # draw the added or removed cutoff's widgets now
    return cache.load(source, new, hold=True), new


def _renamed_group(old: Settings, new: Settings) -> str:
    """Follow a cutoff whose threshold changed: the grouping keeps pointing at it."""
    before = old.cutoff_by_label(old.group_by)
    if before is None:
        return ""
    after = next((c for c in new.cutoffs if c.variable == before.variable), None)
    return after.label if after else ""
