"""AppTest: the Export page offers one download per kind, all enabled (the
test machine has Chromium: without it this fails), and a settings file saved
from one session restores the same view and the same numbers in another."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from recur.ui.state import Keys

ROOT = Path(__file__).resolve().parents[2]
EXPORT, SURVIVAL = "pages/8_Export.py", "pages/1_Survival.py"
LABELS = ["Figures: PNG 300 dpi, SVG, PDF (ZIP)", "Tables (XLSX)", "Slide deck (PPTX)", "Report (HTML)",
          "Settings (JSON)"]


def open_app(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if query:
        at.query_params.update(query)
    return at.run()


def test_export_page_offers_every_download_enabled():
    at = open_app()
    at.switch_page(EXPORT).run()
    assert not at.exception, [e.message for e in at.exception]
    buttons = {b.label: b for b in at.download_button}
    assert set(LABELS) <= set(buttons), list(buttons)
    assert not any(buttons[label].proto.disabled for label in LABELS)
    assert not at.warning, [w.value for w in at.warning]  # no "Chromium not found"


def test_no_download_reruns_the_page():
    # A rerun re-registers the files made on click under new ids: a click that follows another download's
    # rerun would ask for an id that is gone ("Deferred file ... not found") and nothing would download.
    at = open_app()
    at.switch_page(EXPORT).run()
    assert {b.label: b.proto.ignore_rerun for b in at.download_button} == {
        label: True for label in LABELS + ["Download analysis settings (JSON)"]}


def survival_summary(at: AppTest):
    at.switch_page(SURVIVAL).run()
    assert not at.exception, [e.message for e in at.exception]
    return at.dataframe[0].value


def test_uploaded_settings_restore_the_view_and_its_numbers():
    saved = open_app({"by": "BED >=78 Gy", "ep": "pfs", "ci": "log"})
    saved.number_input(key=Keys.cutoff_threshold("bed_gy")).set_value(72.0).run()
    expected = survival_summary(saved)
    settings = saved.session_state[Keys.SETTINGS]
    assert (settings.group_by, settings.endpoint, settings.methods.km_conf_type) == ("BED >=72 Gy", "pfs", "log")

    fresh = open_app()
    assert not survival_summary(fresh).equals(expected)  # the default view differs
    fresh.switch_page(EXPORT).run()
    fresh.file_uploader(key=Keys.SETTINGS_UPLOAD).set_value(
        ("recur_settings.json", settings.to_json().encode(), "application/json")).run()
    assert not fresh.exception, [e.message for e in fresh.exception]
    assert fresh.session_state[Keys.SETTINGS] == settings
    assert fresh.number_input(key=Keys.cutoff_threshold("bed_gy")).value == 72.0  # the sidebar shows them too
    restored = survival_summary(fresh)
    assert restored.equals(expected)
    assert restored["Group"].tolist() == ["BED <72 Gy", "BED >=72 Gy"]


def test_a_broken_settings_file_keeps_the_view_and_says_why():
    at = open_app({"by": "BED >=78 Gy"})
    at.switch_page(EXPORT).run()
    before = at.session_state[Keys.SETTINGS]
    at.file_uploader(key=Keys.SETTINGS_UPLOAD).set_value(
        ("recur_settings.json", b'{"alpha_beta": "ten"}', "application/json")).run()
    assert at.session_state[Keys.SETTINGS] == before
    shown = [re.sub(r"\\(.)", r"\1", e.value) for e in at.error]  # Markdown escapes as the reader sees them
    assert shown == ["The setting alpha_beta in the settings file cannot be read."]
    assert before.group_by == "BED >=78 Gy"
