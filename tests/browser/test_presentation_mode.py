"""Presentation mode in real headless Chromium at a projector's 1280x720:
turned on from the sidebar, it closes the sidebar, folds the page controls
under the figure, and the Kaplan-Meier plot with its number-at-risk table
fits on the screen (its bottom edge within the viewport, no scrolling).

Fails (never skips) when chromium is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from recur.ui.presentation import KM_HEIGHT
from tests.browser.test_end_to_end import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, server  # noqa: F401

pytestmark = pytest.mark.browser
WIDTH, HEIGHT = 1280, 720


def _settled(page) -> None:
    from playwright.sync_api import expect

    expect(page.locator("[data-testid=stStatusWidget]")).to_have_count(0, timeout=TIMEOUT_MS)


def test_presentation_mode_fits_the_km_plot_and_risk_table_on_a_1280x720_screen(server):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is required: apt-get install -y chromium"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        page.goto(f"{server}/Survival")
        plot = page.locator("[data-testid=stPlotlyChart]").first
        expect(plot).to_be_visible(timeout=2 * TIMEOUT_MS)  # the first render after a server start
        _settled(page)
        before = plot.bounding_box()
        assert before["y"] + before["height"] > HEIGHT  # the problem: below the fold without the mode
        page.locator("[data-testid=stSidebar]").get_by_text("Presentation mode").click()
        expect(page.get_by_text("Page controls")).to_be_visible(timeout=TIMEOUT_MS)
        _settled(page)
        expect(page.locator("h1", has_text="Survival")).to_have_count(0)
        page.wait_for_timeout(1000)  # the sidebar's closing animation and the figure's redraw
        box = plot.bounding_box()
        assert box["height"] == pytest.approx(KM_HEIGHT, abs=2)
        assert 0 <= box["y"] and box["y"] + box["height"] <= HEIGHT, box
        sidebar = page.locator("[data-testid=stSidebar]").bounding_box()
        assert sidebar is None or sidebar["x"] + sidebar["width"] <= 0  # closed
        # the risk table's numbers are drawn inside that box
        at_risk = page.locator("[data-testid=stPlotlyChart] text", has_text="Number at risk").first
        risk_box = at_risk.bounding_box()
        assert risk_box["y"] + risk_box["height"] <= HEIGHT
        page.screenshot(path=str(ARTIFACTS / "presentation_mode_1280x720.png"))
        browser.close()
