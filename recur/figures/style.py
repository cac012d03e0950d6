"""Shared look: the Okabe-Ito colour-blind-safe palette and a journal layout."""

from __future__ import annotations

import functools
import re
from typing import Callable

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from recur.safe_text import TEXT_LIMIT, html_text

# Okabe & Ito (2008), without the yellow that fades on projectors.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
AXIS_TEXT = "#111111"  # near-black: axis titles and labels stay legible on a washed-out projector
FONT = dict(family="Arial, Helvetica, sans-serif", size=14, color="#222222")


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


AXIS_STYLE = dict(title=dict(font=dict(size=15, color=AXIS_TEXT)), tickfont=dict(color=AXIS_TEXT),
                  linecolor=AXIS_TEXT, tickcolor=AXIS_TEXT)


def journal_layout_spec(*, title: str = "", height: int = 520) -> dict:
    """The layout ``journal_layout`` applies, as a plain dict (axes apart: ``AXIS_STYLE``)."""
    return dict(
        template="simple_white", font=FONT, height=height, margin=dict(l=70, r=30, t=95 if title else 45, b=50),
        title=dict(text=title, x=0.01, xanchor="left", y=0.985, yref="container", yanchor="top",
                   font=dict(size=17)),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0, font=dict(size=13)),
    )


def journal_layout(fig: go.Figure, *, title: str = "", height: int = 520) -> go.Figure:
    """White background, black axes, no grid clutter, readable fonts."""
    fig.update_layout(**journal_layout_spec(title=title, height=height))
    fig.update_xaxes(**AXIS_STYLE)
    fig.update_yaxes(**AXIS_STYLE)
    return fig


def merged(base: dict, extra: dict) -> dict:
    """``base`` updated by ``extra``, nested dicts merged key by key (as plotly's ``update`` does)."""
    out = dict(base)
    for key, value in extra.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


@functools.cache
def _template(name: str) -> dict:
    return pio.templates[name].to_plotly_json()


def figure_from_spec(data: list[dict], layout: dict) -> go.Figure:
    """The Figure of a complete spec (trace dicts with their ``type``, and a
    layout), built without plotly's property-by-property validation, which
    costs 30-150 ms a figure (the template alone 25 ms) on every cutoff
    change. Only for specs written in full by recur's builders: the tests
    rebuild each builder's figure with validation and require the same
    figure (``tests/unit/test_figure_specs.py``). A template named in
    ``layout`` is expanded here, as validation would, and every text is made
    plain (``escape_figure_text``, on the spec). Dicts and lists are
    copied one by one (as validation copies them): a part written once for
    several traces or axes becomes one part each, edited apart later."""
    data, layout = _unshared(data), _unshared(layout)
    _escape_spec_text(data, layout)
    if isinstance(layout.get("template"), str):
        layout["template"] = _unshared(_template(layout["template"]))
    return go.Figure(data=data, layout=layout, _validate=False)


def _unshared(value):
    """``value`` with every dict, list and tuple in it a new one (``copy.deepcopy``
    would keep two references to one dict as two references to its copy)."""
    if isinstance(value, dict):
        return {k: _unshared(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_unshared(v) for v in value)
    return value


def presentation_style(fig: go.Figure, *, font_scale: float = 1.3, height: int | None = None) -> go.Figure:
    """The figure for a projector: every font ``font_scale`` times larger
    (layout, title, legend, axes, annotations, text on traces) and, when
    given, a new height in pixels. Changes ``fig`` in place; returns it."""

    def grow(font, default: float) -> dict:
        return dict(size=round((font.size or default) * font_scale))

    base = fig.layout.font.size or FONT["size"]
    fig.update_layout(font=grow(fig.layout.font, FONT["size"]), title_font=grow(fig.layout.title.font, base),
                      legend_font=grow(fig.layout.legend.font, base))
    for axis in [*fig.select_xaxes(), *fig.select_yaxes()]:
        axis.update(title_font=grow(axis.title.font, base), tickfont=grow(axis.tickfont, base))
    for note in fig.layout.annotations:
        note.update(font=grow(note.font, base))
    for trace in fig.data:
        if "textfont" in trace:
            trace.update(textfont=grow(trace.textfont, base))
    if height is not None:
        fig.update_layout(height=height)
    return fig


def time_ticks(max_time: float) -> float:
    """Tick step in months: 6 up to 3 years, 12 up to 10 years, else 24."""
    if max_time <= 36:
        return 6.0
    if max_time <= 120:
        return 12.0
    return 24.0


def plain_text_figure(build: Callable[..., go.Figure]) -> Callable[..., go.Figure]:
    """Make a figure builder show every text as plain text: Plotly renders a
    subset of HTML (``<a href>`` becomes a link) in names, legends, ticks,
    titles, annotations and category labels, and those carry user text
    (column names, category levels, file values). Builders write no markup of
    their own outside ``hovertemplate``, which they keep free of user text."""

    @functools.wraps(build)
    def wrapper(*args, **kwargs) -> go.Figure:
        return escape_figure_text(build(*args, **kwargs))

    return wrapper


def escape_figure_text(fig: go.Figure) -> go.Figure:
    """Escape ``&``, ``<``, ``>`` in every text of ``fig`` (in place; returns it)."""
    _escape_texts(fig.data, [*fig.select_xaxes(), *fig.select_yaxes()], fig.layout.annotations,
                  (fig.layout.title, fig.layout.legend.title))
    return fig


def _escape_spec_text(data: list[dict], layout: dict) -> None:
    """``escape_figure_text`` on a spec's dicts (in place), before the figure is built."""
    axes = [part for key, part in layout.items() if AXIS_KEY.fullmatch(key)]
    titles = [t for t in (layout.get("title"), (layout.get("legend") or {}).get("title")) if t is not None]
    _escape_texts(data, axes, layout.get("annotations", ()), titles)


AXIS_KEY = re.compile(r"[xy]axis\d*")
TRACE_TEXTS = (("name", "text", "hovertext", "customdata"), ("x", "y", "legendgroup"))  # text, then categories


def _escape_texts(traces, axes, notes, titles) -> None:
    """The escaping rules, on plotly objects or on spec dicts alike."""
    for trace in traces:
        for attrs, limit in zip(TRACE_TEXTS, (TEXT_LIMIT, CATEGORY_LIMIT)):
            for attr in attrs:
                if (value := _read(trace, attr)) is not None:
                    trace[attr] = _escaped(value, limit)
    for axis in axes:
        if (ticktext := _read(axis, "ticktext")) is not None:
            axis["ticktext"] = _escaped(ticktext, TEXT_LIMIT)
        if (title := _read(axis, "title")) is not None and (text := _read(title, "text")) is not None:
            title["text"] = html_text(text, TEXT_LIMIT)
    for node in [*notes, *titles]:
        if (text := _read(node, "text")) is not None:
            node["text"] = html_text(text, TEXT_LIMIT)


def _read(node, key: str):
    """A property of a spec dict or a plotly object; None when unset or not one it has."""
    if isinstance(node, dict):
        return node.get(key)
    return node[key] if key in node else None


CATEGORY_LIMIT = 200  # category labels are cut later than other text, so distinct levels stay distinct


def _escaped(value, limit: int):
    """A string, or each string in a sequence, escaped; numbers and dates untouched."""
    if isinstance(value, str):
        return html_text(value, limit)
    if isinstance(value, np.ndarray) and value.dtype.kind not in "OUS":
        return value
    if isinstance(value, (list, tuple, np.ndarray)):
        return [html_text(v, limit) if isinstance(v, str) else v for v in value]
    return value


# Publication export (recur.export.figures): layout pixels per millimetre of the printed
# figure, chosen so the on-screen 14 px font prints at about 8 pt (14 px / 5 px/mm = 2.8 mm).
PRINT_PX_PER_MM = 5.0
PUBLICATION_FONT = dict(family="Arial, Helvetica, 'Liberation Sans', sans-serif", color="#000000")


def publication_style(fig: go.Figure, *, width_mm: float) -> go.Figure:
    """A copy of ``fig`` for print at ``width_mm``: white paper and plot area,
    black text and axes in a journal sans-serif, the Okabe-Ito colours kept,
    no interactive-only hover labels. Layout width in pixels is
    ``width_mm * PRINT_PX_PER_MM``; the height keeps the figure's own."""
    out = go.Figure(fig)
    out.update_layout(width=round(width_mm * PRINT_PX_PER_MM), paper_bgcolor="#FFFFFF", plot_bgcolor="#FFFFFF",
                      font=PUBLICATION_FONT, hovermode=False)
    out.update_xaxes(linecolor="#000000", tickcolor="#000000", title_font_color="#000000")
    out.update_yaxes(linecolor="#000000", tickcolor="#000000", title_font_color="#000000")
    return out
