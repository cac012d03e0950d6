"""Static figures for print: PNG at 300 dpi, SVG and PDF, at a journal's
single (85 mm) or double (180 mm) column width, in the publication style of
``recur.figures.style.publication_style``.

Rendering uses kaleido with the system's Chromium (Debian's ``chromium``;
``BROWSER_PATH`` if elsewhere). One browser serves a whole batch
(``render_figures``), so a deck of 15 figures starts Chromium once. The page
loads plotly.js from the installed plotly package and no MathJax, so nothing
is fetched from the network. A batch has a time budget: a Chromium that does
not start or answer ends the export with a message, never a hung page.

>>> png = render_figures([(fig, "png", SINGLE_COLUMN_MM)])[0]  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import queue
import re
import signal
import struct
import subprocess
import threading
import zipfile
import zlib
from typing import Literal, Sequence

import kaleido
import plotly.graph_objects as go
from choreographer.browsers.chromium import Chromium
from choreographer.errors import BrowserFailedError

from recur.errors import RecurError
from recur.figures.style import PRINT_PX_PER_MM, publication_style

Format = Literal["png", "svg", "pdf"]
FORMATS: tuple[Format, ...] = ("png", "svg", "pdf")
SINGLE_COLUMN_MM = 85.0
DOUBLE_COLUMN_MM = 180.0
DPI = 300
MM_PER_INCH = 25.4
PDF_POINTS_PER_PX = 0.75  # Chromium prints a CSS pixel (1/96 inch) as 0.75 pt
_BROWSER = threading.Lock()  # one Chromium per process at a time (each holds a few hundred MB)
START_SECONDS = 90  # Chromium's start on a busy machine, with the first figure
SECONDS_PER_FIGURE = 20
CLOSE_SECONDS = 10


def png_width_px(width_mm: float, dpi: int = DPI) -> int:
    """Pixels across a PNG of ``width_mm`` at ``dpi`` (85 mm at 300 dpi: 1004)."""
    return round(width_mm / MM_PER_INCH * dpi)


def render_figures(requests: Sequence[tuple[go.Figure, Format, float]]) -> list[bytes]:
    """Render each (figure, format, width in mm) with one Chromium start.

    Raises ``RecurError`` when no Chromium can be found or started, or when
    the batch is not done within its budget (Chromium hung or too slow)."""
    if not requests:
        return []
    path = browser_path()
    budget = START_SECONDS + SECONDS_PER_FIGURE * len(requests)
    started: list[kaleido.Kaleido] = []  # the browser, made in the export's own loop
    with _BROWSER:
        try:
            return _in_own_loop(_render_all(started, path, requests, budget), budget + 2 * CLOSE_SECONDS)
        except TimeoutError:
            raise RecurError(f"Static figure export stopped after {budget:.0f} s: Chromium did not finish the "
                             "figures. Try again; if it recurs, check that Chromium runs on this machine "
                             "(chromium --headless --version).") from None
        except BrowserFailedError as exc:
            why = exc.args[0] if exc.args else str(exc)
            raise RecurError(f"Static figure export could not start Chromium ({path}): {why} Check that it runs "
                             "on this machine (chromium --headless --version).") from None
        finally:
            for browser in started:  # (a no-op after a clean close; ends a browser the export loop could not)
                _kill(browser)


def _in_own_loop(work, wait: float) -> list[bytes]:
    """Run ``work`` (a coroutine) on a new event loop in a daemon thread: the
    caller may have a loop of its own (a notebook), and a thread stuck in a
    browser that never answers must not hold the process open. The result is
    handed over when ``work`` ends, after the loop's shutdown or
    CLOSE_SECONDS, whichever comes first; ``TimeoutError`` after ``wait``
    seconds."""
    done: queue.Queue = queue.Queue(maxsize=1)

    async def run() -> None:
        try:
            done.put((True, await work))
        except BaseException as exc:  # handed to the caller, raised there
            done.put((False, exc))

    thread = threading.Thread(target=asyncio.run, args=(run(),), name="recur-figure-export", daemon=True)
    thread.start()
    try:
        ok, result = done.get(timeout=wait)
    except queue.Empty:
        raise TimeoutError from None
    thread.join(CLOSE_SECONDS)  # let the loop finish its shutdown (the browser's helper threads end with it)
    if ok:
        return result
    raise result


async def _render_all(started: list[kaleido.Kaleido], path: str,
                      requests: Sequence[tuple[go.Figure, Format, float]], budget: float) -> list[bytes]:
    """Start a browser (added to ``started``), render, close it; past
    ``budget`` the browser is killed before the work is cancelled (a
    cancelled render waits on its tab, which a hung browser never gives
    back), and ``TimeoutError`` is raised."""
    browser = kaleido.Kaleido(path=path, mathjax=False)
    started.append(browser)
    work = asyncio.ensure_future(_open_and_render(browser, requests))
    finished, _ = await asyncio.wait({work}, timeout=budget)
    if not finished:
        _kill(browser)
        work.cancel()
        await asyncio.wait({work}, timeout=CLOSE_SECONDS)
        if work.done() and not work.cancelled():
            work.exception()  # (read, so the loop does not log it as never retrieved)
        raise TimeoutError
    try:
        return work.result()
    finally:
        await _close(browser)


async def _open_and_render(browser: kaleido.Kaleido, requests: Sequence[tuple[go.Figure, Format, float]]
                           ) -> list[bytes]:
    await browser.open()
    return [_finish(await browser.calc_fig(fig_dict, opts=opts), fmt, width_mm, height)
            for fig_dict, opts, fmt, width_mm, height in map(_prepared, requests)]


async def _close(browser: kaleido.Kaleido) -> None:
    """Close the browser the polite way; kill it when that does not finish
    (choreographer's close waits for an answer a dead pipe never gives)."""
    try:
        await asyncio.wait_for(browser.close(), CLOSE_SECONDS)
    except (TimeoutError, RuntimeError):  # (RuntimeError: choreographer could not close or kill it either)
        _kill(browser)


def _kill(browser: kaleido.Kaleido) -> None:
    """End the browser's whole process group (Chromium runs helpers), if it was started and still runs."""
    process = getattr(browser, "subprocess", None)  # (set once the browser was started)
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # (choreographer starts it in a session of its own)
    with contextlib.suppress(ProcessLookupError):
        process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(CLOSE_SECONDS)


def browser_path() -> str:
    """The Chromium kaleido would start (``BROWSER_PATH``, else the first
    Chromium-based browser on PATH). Checked first because kaleido waits for
    its browser to answer, which one that cannot start never does."""
    path = Chromium.find_browser(skip_local=False)
    if not path or not os.access(path, os.X_OK):
        raise RecurError("Static figure export needs Chromium, which was not found"
                         + (f" at BROWSER_PATH={path}" if path else "") + ": install it (Debian: apt-get "
                         "install chromium) or set BROWSER_PATH to its executable.")
    return path


def _prepared(request: tuple[go.Figure, Format, float]) -> tuple[dict, dict, Format, float, float]:
    """(figure as a dict, kaleido's options, format, width in mm, height in px) in the publication style."""
    fig, fmt, width_mm = request
    styled = publication_style(fig, width_mm=width_mm)
    width, height = styled.layout.width, styled.layout.height or 520
    scale = {"png": png_width_px(width_mm) / width,
             "pdf": width_mm / (width * PDF_POINTS_PER_PX * MM_PER_INCH / 72),
             "svg": 1.0}[fmt]
    return styled.to_dict(), dict(format=fmt, width=width, height=height, scale=scale), fmt, width_mm, height


def _finish(data: bytes, fmt: Format, width_mm: float, height: float) -> bytes:
    """kaleido's output with the print size written in: 300 dpi (PNG), mm (SVG)."""
    if fmt == "png":
        return set_png_dpi(data, DPI)
    if fmt == "svg":
        return _svg_in_mm(data, width_mm, height / PRINT_PX_PER_MM)
    return data


def set_png_dpi(png: bytes, dpi: float) -> bytes:
    """``png`` with one pHYs chunk (pixels per metre) saying ``dpi``, right
    after IHDR, so word processors place it at its print size."""
    ppm = round(dpi / MM_PER_INCH * 1000)
    body = b"pHYs" + struct.pack(">IIB", ppm, ppm, 1)
    phys = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body))
    chunks, pos = [], 8
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos:pos + 4])
        end = pos + 12 + length
        if png[pos + 4:pos + 8] != b"pHYs":
            chunks.append(png[pos:end])
        pos = end
    return png[:8] + chunks[0] + phys + b"".join(chunks[1:])


def _svg_in_mm(svg: bytes, width_mm: float, height_mm: float) -> bytes:
    """The root element's width and height in millimetres (its viewBox keeps the drawing)."""
    return re.sub(rb'^(<svg[^>]*?) width="[\d.]+" height="[\d.]+"',
                  lambda m: m.group(1) + f' width="{width_mm:g}mm" height="{height_mm:.1f}mm"'.encode(),
                  svg, count=1)


def figures_zip(figures: Sequence[tuple[str, go.Figure]]) -> bytes:
    """A zip of every figure as PNG (300 dpi), SVG and PDF at single- and
    double-column width: ``<name>_85mm.png``, ``<name>_180mm.svg``, ..."""
    jobs = [(f"{name}_{width:g}mm.{fmt}", fig, fmt, width) for name, fig in figures
            for width in (SINGLE_COLUMN_MM, DOUBLE_COLUMN_MM) for fmt in FORMATS]
    rendered = render_figures([(fig, fmt, width) for _, fig, fmt, width in jobs])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for (file_name, *_), data in zip(jobs, rendered):
            archive.writestr(file_name, data)
    return buffer.getvalue()
