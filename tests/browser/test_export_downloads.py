"""In real headless Chromium against a fresh server: the Export page's five
downloads each arrive as the file they promise (the files are made on click
in the server's download thread, which AppTest cannot exercise), and the
page makes no request beyond the app's own host. Fails (never skips) when
chromium is missing."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from pptx import Presentation

from recur.settings import Settings
from tests.browser.test_end_to_end import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, server  # noqa: F401

pytestmark = pytest.mark.browser
MADE_ON_CLICK_MS = 600_000  # a deck renders ~20 figures; on a loaded 2-core machine that takes minutes


def test_every_export_download_arrives(server, tmp_path):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is required: apt-get install -y chromium"
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1200}, accept_downloads=True)
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{server}/Export")
        expect(page.get_by_role("heading", name="Export")).to_be_visible(timeout=TIMEOUT_MS)
        main = page.get_by_test_id("stMainBlockContainer")  # the sidebar has its own settings download
        files = {}
        for label in ("Settings (JSON)", "Tables (XLSX)", "Report (HTML)", "Slide deck (PPTX)",
                      "Figures: PNG 300 dpi, SVG, PDF (ZIP)"):
            with page.expect_download(timeout=MADE_ON_CLICK_MS) as download:
                main.get_by_role("button", name=label, exact=True).click()
            path = tmp_path / download.value.suggested_filename
            download.value.save_as(path)
            files[label] = path
        browser.close()

    settings = Settings.from_json(files["Settings (JSON)"].read_text())
    assert settings.cohort_id.endswith("|demo_nsclc_synthetic.csv")
    assert "OS survival" in openpyxl.load_workbook(files["Tables (XLSX)"]).sheetnames
    report = files["Report (HTML)"].read_text()
    assert report.startswith("<!DOCTYPE html>") and "recur report: demo_nsclc_synthetic.csv" in report
    deck = Presentation(str(files["Slide deck (PPTX)"]))
    assert len(deck.slides) > 10
    names = zipfile.ZipFile(io.BytesIO(files["Figures: PNG 300 dpi, SVG, PDF (ZIP)"].read_bytes())).namelist()
    assert {"km_os_85mm.png", "km_os_180mm.svg", "km_os_180mm.pdf"} <= set(names)
    assert all(url.startswith(server) or url.startswith(("blob:", "data:")) for url in requests), \
        json.dumps([u for u in requests if not u.startswith(server)][:5])
