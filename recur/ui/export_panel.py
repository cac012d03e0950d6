"""The Export page's body: one download per kind (figures, tables, deck,
report, settings), each file made when its button is clicked, and the
upload of a settings file that restores the view it was saved from."""

from __future__ import annotations

import hashlib

import streamlit as st

from recur import export
from recur.cohort import Cohort
from recur.errors import RecurError
from recur.export.figures import browser_path
from recur.safe_text import MESSAGE_LIMIT, plain
from recur.settings import Settings
from recur.ui.downloads import download_json, download_made_on_click
from recur.ui.state import Keys, restore_settings

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def export_downloads(cohort: Cohort, settings: Settings) -> None:
    """Five downloads of the current view. Figures, deck and report need
    Chromium; without it their buttons are off and the reason is shown."""
    try:
        browser_path()
        no_browser = None
    except RecurError as exc:
        no_browser = str(exc)
    if no_browser:
        st.warning(plain(no_browser, MESSAGE_LIMIT))
    stem = f"recur_{settings.endpoint}"
    left, right = st.columns(2)
    download_made_on_click("Figures: PNG 300 dpi, SVG, PDF (ZIP)", lambda: export.figures_archive(cohort, settings),
                           f"{stem}_figures.zip", "application/zip", key=Keys.EXPORT_PREFIX + "figures", container=left,
                           disabled=bool(no_browser), help="Every figure at journal single (85 mm) and double "
                                                           "(180 mm) column width, in a publication style.")
    download_made_on_click("Tables (XLSX)", lambda: export.tables_xlsx(cohort, settings), f"{stem}_tables.xlsx",
                           XLSX, key=Keys.EXPORT_PREFIX + "tables", container=right,
                           help="Every table the pages show, one sheet each, and the settings.")
    download_made_on_click("Slide deck (PPTX)", lambda: export.deck(cohort, settings), f"{stem}_deck.pptx", PPTX,
                           key=Keys.EXPORT_PREFIX + "deck", container=left, disabled=bool(no_browser),
                           help="16:9 slides: title and settings, survival per endpoint, Cox models, failure "
                                "patterns, toxicity.")
    download_made_on_click("Report (HTML)", lambda: export.report(cohort, settings), f"{stem}_report.html",
                           "text/html", key=Keys.EXPORT_PREFIX + "report", container=right, disabled=bool(no_browser),
                           help="One self-contained file: methods, results with their numbers, figures, tables.")
    download_json("Settings (JSON)", settings.to_json(), "recur_settings.json", left,
                  help="Every choice on every page; upload it below to restore this view.")
    st.caption("Each file is made when you click (figures, deck and report take a few seconds) from the same "
               "analyses the pages show. The deck, the report and the workbook record these settings, the "
               "cohort's name and content hash, and the recur version.")


def settings_upload() -> None:
    """Restore a view from a settings file, as a link does; a file that
    cannot be read leaves the current settings in place, with the reason."""
    upload = st.file_uploader("Restore settings from a JSON file", type=["json"], key=Keys.SETTINGS_UPLOAD)
    if upload is None:
        return
    raw = upload.getvalue()
    digest = hashlib.sha256(raw).hexdigest()
    if st.session_state.get(Keys.LAST_SETTINGS_UPLOAD) == digest:  # already applied
        return
    st.session_state[Keys.LAST_SETTINGS_UPLOAD] = digest
    try:
        settings = Settings.from_json(raw.decode("utf-8", errors="replace"))
    except RecurError as exc:
        st.error(plain(exc, MESSAGE_LIMIT))
        return
    restore_settings(settings)
    st.rerun()
