"""End to end in real headless Chromium (Debian's chromium + Playwright),
in the first browser session after a fresh server start, where Streamlit's
multipage pitfall bites: upload a CSV, change the BED cutoff, check the
Survival page's legend counts and p-value change, keep a screenshot, and
assert every network request went to the app's own host.

Fails (never skips) when chromium is missing."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
TIMEOUT_MS = 30_000

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def server():
    """`streamlit run app.py` as `make run` does, on a free port; stopped by PID."""
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                             "--server.port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError("streamlit did not become healthy within 60 s")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def _cohort_csv(path: Path) -> Path:
    """A small uploaded cohort: 30 patients, dose/fractions spanning BED 78."""
    lines = ["patient_id,date_rt_start,date_last_followup,date_death,date_local_failure,rt_dose_gy,rt_fractions"]
    for i in range(30):
        start = f"2015-{1 + i % 12:02d}-10"
        dose, fx = [(60, 30), (60, 20), (66, 33), (60, 15), (70, 35)][i % 5]  # BED 72, 78, 79.2, 84, 84
        died = f"2017-{1 + (i * 7) % 12:02d}-05" if i % 3 == 0 else ""
        local = f"2016-{1 + (i * 5) % 12:02d}-20" if i % 4 == 0 else ""
        lines.append(f"U{i:03d},{start},2018-06-30" if not died else f"U{i:03d},{start},{died}")
        lines[-1] += f",{died},{local},{dose},{fx}"
    path.write_text("\n".join(lines) + "\n")
    return path


def _settled_legend_and_p(page, expected_legend: list[str]) -> str:
    """Wait until the rerun has finished and the plot shows exactly `expected_legend`
    (stale elements of the previous run can linger while a rerun streams in), then
    return the log-rank text. Fails after TIMEOUT_MS if the legend never matches."""
    from playwright.sync_api import expect

    expect(page.locator("[data-testid=stStatusWidget]")).to_have_count(0, timeout=TIMEOUT_MS)
    expect(page.locator(".legendtext")).to_have_text(expected_legend, timeout=TIMEOUT_MS)
    p_text = page.locator("text=/Log-rank p [=<]/")
    expect(p_text).to_have_count(1, timeout=TIMEOUT_MS)
    return p_text.text_content()


def _open_app(p, server: str, requests: list[str]):
    """Chromium on the app's first page (the demo), every request URL recorded."""
    assert Path(CHROMIUM).exists(), "Debian's chromium is required: apt-get install -y chromium"
    ARTIFACTS.mkdir(exist_ok=True)
    browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    page.on("request", lambda r: requests.append(r.url))
    page.goto(server)
    page.wait_for_selector("text=Synthetic demo data", timeout=TIMEOUT_MS)
    return browser, page


def test_upload_cutoff_change_updates_survival_page(server, tmp_path):
    from playwright.sync_api import sync_playwright

    csv_path = _cohort_csv(tmp_path / "uploaded_cohort.csv")
    host = server.split("//")[1]
    requests: list[str] = []
    with sync_playwright() as p:
        browser, page = _open_app(p, server, requests)
        page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(str(csv_path))
        page.wait_for_selector("text=uploaded_cohort.csv: 30 patients", timeout=TIMEOUT_MS)
        page.get_by_role("link", name="Survival").click()
        page.wait_for_selector("text=Group by", timeout=TIMEOUT_MS)
        page.get_by_role("combobox", name="Group by").click()
        page.get_by_role("option", name="BED >=78 Gy").click()
        p_before = _settled_legend_and_p(page, ["BED <78 Gy (n=6)", "BED >=78 Gy (n=24)"])
        threshold = page.get_by_label("threshold (Gy)")
        threshold.fill("80")
        threshold.press("Enter")
        p_after = _settled_legend_and_p(page, ["BED <80 Gy (n=18)", "BED >=80 Gy (n=12)"])
        assert p_after != p_before
        assert re.search(r"p [=<] 0?\.\d+", p_after)
        page.screenshot(path=str(ARTIFACTS / "survival_after_cutoff_change.png"), full_page=True)
        browser.close()
    foreign = sorted({u for u in requests if not (u.startswith(f"http://{host}") or u.startswith("data:")
                                                  or u.startswith("blob:"))})
    assert requests and not foreign, foreign


HOSTILE_NAME = "[click](http://evil.example).csv"
HOSTILE_LEVEL = '<a href="http://evil.example">x</a>'
HOSTILE_COLUMN = "[x](http://evil.example)"


def _hostile_csv() -> bytes:
    """A cohort whose column name, histology levels and an ID carry links and a formula."""
    import csv
    import io

    with io.StringIO(newline="") as f:
        w = csv.writer(f)
        w.writerow(["patient_id", "date_rt_start", "date_last_followup", "date_death", "date_local_failure",
                    "histology", HOSTILE_COLUMN, "rt_dose_gy", "rt_fractions"])
        for i in range(12):
            w.writerow([f"=HYPERLINK(\"http://evil.example\",\"P{i}\")" if i == 0 else f"P{i}", "2015-01-10",
                        "2018-06-30" if i % 3 else "", "" if i % 3 else "2017-03-05",
                        "2016-05-20" if i % 4 == 0 else "", [HOSTILE_LEVEL, "squamous", "[y](http://evil.example)"][i % 3],
                        ["a", "b"][i % 2], 60, 30 if i % 2 else 20])
        return f.getvalue().encode()


def test_hostile_upload_shows_no_external_link_on_any_page(server):
    from playwright.sync_api import expect, sync_playwright

    host = server.split("//")[1]
    requests: list[str] = []
    with sync_playwright() as p:
        browser, page = _open_app(p, server, requests)
        page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(
            {"name": HOSTILE_NAME, "mimeType": "text/csv", "buffer": _hostile_csv()})
        heading = page.locator("h3", has_text=": 12 patients")
        expect(heading).to_have_count(1, timeout=TIMEOUT_MS)
        assert heading.text_content().replace("\u2060", "") == f"{HOSTILE_NAME}: 12 patients"  # literally
        # a subgroup filter on histology and the hostile column: their labels and levels in the sidebar
        filters = page.get_by_role("combobox", name="Restrict to patients with")
        filters.click()
        page.get_by_role("option", name="Histology").click()
        page.keyboard.press("Escape")
        expect(page.locator("[data-testid=stStatusWidget]")).to_have_count(0, timeout=TIMEOUT_MS)
        seen: dict[str, list[str]] = {}
        for label in ["Cohort", "Survival", "Prognostic factors", "Failure patterns", "Toxicity and response"]:
            page.get_by_role("link", name=label, exact=True).click()
            page.wait_for_selector(f"h1:has-text('{label}')", timeout=TIMEOUT_MS)
            expect(page.locator("[data-testid=stStatusWidget]")).to_have_count(0, timeout=TIMEOUT_MS)
            page.wait_for_timeout(1500)  # let figures draw their SVG text
            if label == "Survival":
                page.get_by_role("combobox", name="Group by").click()
                page.get_by_role("option", name="Histology", exact=True).click()
                # the level is shown as text in the legend, not as a link
                expect(page.locator(".legendtext", has_text=HOSTILE_LEVEL)).to_have_count(1, timeout=TIMEOUT_MS)
            hrefs = page.eval_on_selector_all(
                "a[href], [*|href]", "els => els.map(e => e.getAttribute('href') || e.getAttribute('xlink:href'))")
            seen[label] = [h for h in hrefs if h and not h.startswith(("/", "#", server)) and "evil" in h
                           or h and h.startswith(("http:", "https:", "javascript:")) and not h.startswith(server)]
        page.screenshot(path=str(ARTIFACTS / "hostile_upload_last_page.png"), full_page=True)
        browser.close()
    assert not any(seen.values()), seen
    foreign = sorted({u for u in requests if not (u.startswith(f"http://{host}") or u.startswith("data:")
                                                  or u.startswith("blob:"))})
    assert requests and not foreign, foreign


def _handshake(port: int, host_header: str) -> str:
    """The status line the server answers a WebSocket handshake with."""
    import base64

    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        key = base64.b64encode(os.urandom(16)).decode()
        s.sendall((f"GET /_stcore/stream HTTP/1.1\r\nHost: {host_header}\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                   f"Origin: http://{host_header}\r\n\r\n").encode())
        return s.recv(200).decode("latin-1").splitlines()[0]


def test_websocket_with_a_foreign_host_is_refused(server):
    port = int(server.rsplit(":", 1)[1])
    assert _handshake(port, "evil.example") == "HTTP/1.1 403 Forbidden"  # DNS rebinding
    assert _handshake(port, f"evil.example:{port}") == "HTTP/1.1 403 Forbidden"
    assert _handshake(port, f"127.0.0.1:{port}") == "HTTP/1.1 101 Switching Protocols"
    assert _handshake(port, f"localhost:{port}") == "HTTP/1.1 101 Switching Protocols"
