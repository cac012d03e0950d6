"""Static figures for print: PNG at 300 dpi, SVG and PDF, at a journal's
single (85 mm) or double (180 mm) column width, in the publication style of
``recur.figures.style.publication_style``.

Rendering uses kaleido with the system's Chromium (Debian's ``chromium``;
``BROWSER_PATH`` if elsewhere). One browser serves a whole batch
(``render_figures``), so a deck of 15 figures starts Chromium once. The page
loads plotly.js from the installed plotly package and no MathJax, so nothing
is fetched from the network.

>>> png = render_figures([(fig, "png", SINGLE_COLUMN_MM)])[0]  # doctest: +SKIP
"""

from __future__ import annotations

import io
import os
import re
import struct
import threading
import zipfile
import zlib
from contextlib import contextmanager
from typing import Iterator, Literal, Sequence

import kaleido
import plotly.graph_objects as go
from choreographer.browsers.chromium import Chromium

from recur.errors import RecurError
from recur.figures.style import PRINT_PX_PER_MM, publication_style

Format = Literal["png", "svg", "pdf"]
FORMATS: tuple[Format, ...] = ("png", "svg", "pdf")
SINGLE_COLUMN_MM = 85.0
DOUBLE_COLUMN_MM = 180.0
DPI = 300
MM_PER_INCH = 25.4
PDF_POINTS_PER_PX = 0.75  # Chromium prints a CSS pixel (1/96 inch) as 0.75 pt
_BROWSER = threading.Lock()  # kaleido's sync server is one per process: one batch at a time


def png_width_px(width_mm: float, dpi: int = DPI) -> int:
    """Pixels across a PNG of ``width_mm`` at ``dpi`` (85 mm at 300 dpi: 1004)."""
    return round(width_mm / MM_PER_INCH * dpi)


def render_figures(requests: Sequence[tuple[go.Figure, Format, float]]) -> list[bytes]:
    """Render each (figure, format, width in mm) with one Chromium start.

    Raises ``RecurError`` when no Chromium can be found."""
    if not requests:
        return []
    with _browser():
        return [_render(fig, fmt, width_mm) for fig, fmt, width_mm in requests]


def browser_path() -> str:
    """The Chromium kaleido would start (``BROWSER_PATH``, else the first
    Chromium-based browser on PATH). Checked here because kaleido's sync
    server waits forever when its browser cannot start."""
    path = Chromium.find_browser(skip_local=False)
    if not path or not os.access(path, os.X_OK):
        raise RecurError("Static figure export needs Chromium, which was not found"
                         + (f" at BROWSER_PATH={path}" if path else "") + ": install it (Debian: apt-get "
                         "install chromium) or set BROWSER_PATH to its executable.")
    return path


@contextmanager
def _browser() -> Iterator[None]:
    path = browser_path()
    with _BROWSER:
        kaleido.start_sync_server(path=path, mathjax=False, silence_warnings=True)
        try:
            yield
        finally:
            kaleido.stop_sync_server(silence_warnings=True)


def _render(fig: go.Figure, fmt: Format, width_mm: float) -> bytes:
    styled = publication_style(fig, width_mm=width_mm)
    width, height = styled.layout.width, styled.layout.height or 520
    scale = {"png": png_width_px(width_mm) / width,
             "pdf": width_mm / (width * PDF_POINTS_PER_PX * MM_PER_INCH / 72),
             "svg": 1.0}[fmt]
    data = kaleido.calc_fig_sync(styled.to_dict(), opts=dict(format=fmt, width=width, height=height, scale=scale))
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
