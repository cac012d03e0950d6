"""Page reruns as a user sees them (issue 9): in headless Chromium against
`streamlit run app.py`, the time from pressing Enter on a new BED threshold
in the sidebar to the settled page (the script run finished and the figure
redrawn with the new groups), on the demo cohort. A measurement, not a test.

    python -m bench.browser_rerun [repeats]
Prints one JSON line: per page, the median (min-max) in ms.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 60_000
# Per page: the link, and the text the redrawn figure shows for the group at a threshold.
PAGES = {"Survival": lambda thr: f"BED >={thr:g} Gy (n=", "Prognostic factors": lambda thr: f">={thr:g} Gy"}
# Resolves when the script run that follows the input has finished: the app root's script state
# went to "running" and back to "notRunning" (Streamlit's data-test-script-state attribute).
ARM_RUN_FINISHED = """() => { window.recurRunFinished = new Promise(resolve => {
  const app = document.querySelector('[data-testid=stApp]');
  let ran = false;
  new MutationObserver((_, observer) => {
    const state = app.getAttribute('data-test-script-state');
    if (state === 'running') ran = true;
    if (ran && state === 'notRunning') { observer.disconnect(); resolve(performance.now()); }
  }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}); }"""
FIGURE_SHOWS = """text => [...document.querySelectorAll('svg text')].some(t => t.textContent.includes(text))"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server() -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                             "--server.port", str(port)], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("streamlit did not become healthy within 60 s")


def _settle_ms(page, threshold: float, shows) -> float:
    """Once the page is idle, type ``threshold`` into the BED threshold and
    press Enter; ms until the run finished and the figure shows the new
    groups (whichever comes last)."""
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=TIMEOUT_MS)
    box = page.get_by_label("threshold (Gy)")
    box.fill(f"{threshold:g}")
    page.evaluate(ARM_RUN_FINISHED)  # armed before the input
    start = page.evaluate("performance.now()")
    box.press("Enter")
    page.wait_for_function(FIGURE_SHOWS, arg=shows(threshold), timeout=TIMEOUT_MS, polling="raf")
    drawn = page.evaluate("performance.now()")
    done = page.evaluate("() => window.recurRunFinished")
    return max(drawn, done) - start


def main() -> None:
    from playwright.sync_api import sync_playwright

    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    proc, url = _start_server()
    out = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1600})
            page.goto(url)
            page.wait_for_selector("text=Synthetic demo data", timeout=TIMEOUT_MS)
            for name, shows in PAGES.items():
                page.get_by_role("link", name=name, exact=True).click()
                page.wait_for_selector(f"h1:has-text('{name}')", timeout=TIMEOUT_MS)
                if name == "Survival":
                    page.get_by_role("combobox", name="Group by").click()
                    page.get_by_role("option", name="BED >=78 Gy").click()
                _settle_ms(page, 70.0, shows)  # warm-up
                times = sorted(_settle_ms(page, thr, shows) for thr in (71.0, 72.0, 73.0, 74.0, 75.0, 76.0,
                                                                         77.0, 79.0, 80.0)[:repeats])
                out[name] = {"median_ms": round(times[len(times) // 2]), "min_ms": round(times[0]),
                             "max_ms": round(times[-1])}
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
