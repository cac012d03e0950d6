"""Forest plot of one Cox model as the papers draw it: columns factor, level,
n, events on the left, the hazard ratios on a log axis fitted to the data in
the middle (reference levels as an open marker at 1), and HR (95% CI) and p
on the right. A term that could not be estimated says so, with its reason."""

from __future__ import annotations

import copy
import functools

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from recur.figures.style import (AXIS_STYLE, AXIS_TEXT, colour, figure_from_spec, journal_layout_spec,
                                 merged)
from recur.format import fmt_hr, fmt_p_value, short_note
from recur.cox_table import NOT_ESTIMABLE, REFERENCE_TEXT
from recur.model_checks import PH_FIGURE_NOTE, PH_MARK, PH_VIOLATED

NICE_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)
AXIS_LIMITS = (0.01, 100.0)  # a CI reaching past these runs off the axis instead of squashing the others
ROW_PX = 30
# x of each text column within its panel (0-1); text columns left-aligned except the counts.
LEFT_COLUMNS = (("Factor", 0.0, "middle right"), ("Level", 0.40, "middle right"), ("n", 0.80, "middle center"),
                ("Events", 0.93, "middle center"))
RIGHT_COLUMNS = (("HR (95% CI)", 0.02, "middle right"), ("p", 0.85, "middle center"))
ERROR_TEXT = "#B00020"


def hr_axis_range(rows: pd.DataFrame) -> tuple[float, float]:
    """HR limits of the axis: every finite CI end and 1, with a margin, within ``AXIS_LIMITS``."""
    ends = pd.concat([rows["lower"], rows["upper"], rows["hr"]]).astype(float)
    ends = ends[np.isfinite(ends) & (ends > 0)]
    lo = min(float(ends.min()) if len(ends) else 0.5, 1.0) / 1.25
    hi = max(float(ends.max()) if len(ends) else 2.0, 1.0) * 1.25
    return max(lo, AXIS_LIMITS[0]), min(hi, AXIS_LIMITS[1])


def build_forest_figure(rows: pd.DataFrame, *, title: str = "") -> go.Figure:
    """One row per level, top to bottom in table order. Columns: factor, level,
    n, events, is_reference, hr, lower, upper, p, note, and optionally
    variable (which rows belong to one factor) (``CoxTable.model_rows``).

    >>> build_forest_figure(cox_table(screen, frame, "os").model_rows("univariate"))
    """
    n_rows = len(rows)
    y = np.arange(n_rows)[::-1].astype(float)
    header_y = float(n_rows)
    hr, lower, upper, p = (rows[c].to_numpy(dtype=float, na_value=np.nan) for c in ("hr", "lower", "upper", "p"))
    ref = rows["is_reference"].to_numpy(dtype=bool)
    estimable = ~np.isnan(hr) & ~ref
    failed = ~estimable & ~ref
    owner = (rows["variable"] if "variable" in rows else rows["factor"]).tolist()
    flagged = rows[PH_VIOLATED].eq(True).to_numpy() if PH_VIOLATED in rows else np.zeros(n_rows, dtype=bool)
    factors = [(f + PH_MARK * bool(flag)) if i == 0 or owner[i] != owner[i - 1] else ""
               for i, (f, flag) in enumerate(zip(rows["factor"].tolist(), flagged))]
    hr_text = [REFERENCE_TEXT if is_ref else fmt_hr(h, lo, up) if ok else NOT_ESTIMABLE
               for h, lo, up, is_ref, ok in zip(hr, lower, upper, ref, estimable)]
    p_text = [fmt_p_value(v) if ok else "" for v, ok in zip(p, estimable)]
    left = {"Factor": factors, "Level": rows["level"].astype(str).tolist(),
            "n": [_count(v) for v in rows["n"]], "Events": [_count(v) for v in rows["events"]]}
    data = [_text_column(1, x, y, header_y, name, left[name], position) for name, x, position in LEFT_COLUMNS]
    colours = [ERROR_TEXT if bad else AXIS_TEXT for bad in failed]
    data += [_text_column(3, x, y, header_y, name, hr_text if name != "p" else p_text, position, colours)
             for name, x, position in RIGHT_COLUMNS]
    data.append(dict(
        type="scatter", x=hr[estimable], y=y[estimable], mode="markers", name="HR (95% CI)",
        marker=dict(symbol="square", size=10, color=colour(0)),
        error_x=dict(type="data", symmetric=False, array=(upper - hr)[estimable],
                     arrayminus=(hr - lower)[estimable], color=colour(0), thickness=2, width=5),
        hovertemplate="%{customdata}<extra></extra>", customdata=[hr_text[i] for i in np.flatnonzero(estimable)],
        xaxis="x2", yaxis="y2"))
    data.append(dict(type="scatter", x=[1.0] * int(ref.sum()), y=y[ref], mode="markers", name="reference",
                     marker=dict(symbol="diamond-open", size=10, color="#333333", line=dict(width=1.5)),
                     hovertemplate="reference level<extra></extra>", xaxis="x2", yaxis="y2"))
    if failed.any():
        data.append(dict(type="scatter", x=[1.0] * int(failed.sum()), y=y[failed], mode="markers",
                         name=NOT_ESTIMABLE, marker=dict(symbol="x-thin-open", size=9, color=ERROR_TEXT),
                         hovertemplate="%{customdata}<extra></extra>",
                         customdata=[f"{NOT_ESTIMABLE}: {short_note(n)}" for n in rows["note"].to_numpy()[failed]],
                         xaxis="x2", yaxis="y2"))
    lo, hi = hr_axis_range(rows)
    ticks = [t for t in NICE_TICKS if lo <= t <= hi]
    rows_range = dict(range=[-0.7, header_y + 0.7], visible=False)
    text_panel = dict(rows_range, range=[0, 1])
    layout = merged(copy.deepcopy(_grid_axes()), {
        "xaxis": merged(AXIS_STYLE, text_panel), "xaxis3": merged(AXIS_STYLE, text_panel),
        "xaxis2": merged(AXIS_STYLE, dict(type="log", range=[np.log10(lo), np.log10(hi)], tickvals=ticks,
                                          ticktext=[f"{t:g}" for t in ticks],
                                          title=dict(text="Hazard ratio (log scale)"))),
        **{axis: merged(AXIS_STYLE, rows_range) for axis in ("yaxis", "yaxis2", "yaxis3")}})
    layout.update(journal_layout_spec(title=title, height=max(240, 110 + ROW_PX * (n_rows + 1))))
    layout.update(showlegend=False, margin=dict(layout["margin"], l=20, r=20), shapes=[
        dict(type="line", x0=1, x1=1, xref="x2", y0=0, y1=1, yref="y2 domain",
             line=dict(color="#555555", dash="dash", width=1)),
        dict(type="line", xref="paper", x0=0, x1=1, yref="y", y0=header_y - 0.5, y1=header_y - 0.5,
             line=dict(color="#222222", width=1))])
    if flagged.any():
        layout["annotations"] = [dict(text=PH_FIGURE_NOTE, xref="paper", yref="paper", x=1, xanchor="right",
                                      y=1.01, yanchor="bottom", showarrow=False, font=dict(size=12),
                                      name="ph_footnote")]
    return figure_from_spec(data, layout)


@functools.cache
def _grid_axes() -> dict:
    """The axes of plotly's grid: text | hazard ratios | text, rows shared (worked out by plotly once)."""
    grid = make_subplots(rows=1, cols=3, shared_yaxes=True, column_widths=[0.46, 0.30, 0.24],
                         horizontal_spacing=0.01)
    return {k: v for k, v in grid.layout.to_plotly_json().items() if k != "template"}


def _count(value) -> str:
    return "" if pd.isna(value) else str(int(value))


def _text_column(col: int, x: float, y: np.ndarray, header_y: float, header: str, values: list[str],
                 position: str, colours: list[str] | None = None) -> dict:
    """One column of text in panel ``col``, with its header above the first row."""
    axis = "" if col == 1 else str(col)
    return dict(type="scatter", x=[x] * (len(values) + 1), y=[header_y, *y], mode="text", text=[header, *values],
                textposition=position, name=header, hoverinfo="skip", xaxis=f"x{axis}", yaxis=f"y{axis}",
                textfont=dict(size=13, color=[AXIS_TEXT, *(colours or [AXIS_TEXT] * len(values))]))
