"""Kaplan-Meier figure: step curves with censor ticks, optional CI bands, the
log-rank p, and a number-at-risk table aligned to the x-axis ticks
(optionally the KMunicate table: at risk, events, censored; Morris 2019)."""

from __future__ import annotations

import copy
import functools

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from recur.figures.style import (AXIS_STYLE, colour, figure_from_spec, journal_layout_spec, merged,
                                 time_ticks)
from recur.format import fmt_hr, fmt_p
from recur.safe_text import html_text
from recur.stats.km import KMResult
from recur.stats.logrank import LogrankResult


def risk_table(km: KMResult, ticks: np.ndarray) -> dict[str, dict[str, list[int]]]:
    """Per group: at risk (time >= t), cumulative events and censored up to t."""
    out = {}
    for g, c in zip(km.groups, _group_curves(km)):
        t = c["time"].to_numpy()
        at_risk, events, censored = [], [], []
        for tick in ticks:
            after = t >= tick
            at_risk.append(int(c["n_risk"].to_numpy()[after][0]) if after.any() else 0)
            before = t < tick
            events.append(int(c["n_event"].to_numpy()[before].sum()))
            censored.append(int(c["n_censor"].to_numpy()[before].sum()))
        out[g] = {"At risk": at_risk, "Events": events, "Censored": censored}
    return out


def build_km_figure(
    km: KMResult,
    logrank_result: LogrankResult | None = None,
    *,
    title: str = "",
    y_title: str = "Survival probability",
    show_ci: bool = False,
    extended_table: bool = False,
    max_time: float | None = None,
    hazard_ratios: pd.DataFrame | None = None,
    height: int | None = None,
) -> go.Figure:
    """Journal-style KM plot; time in months. Legends carry group sizes.

    ``hazard_ratios``: a ``recur.cox`` coefficient table on the grouping
    (``SurvivalAnalysis.hazard_ratios``), written under the log-rank p.
    ``height`` in pixels (default: from the number of risk-table rows).
    Written as one spec (``figure_from_spec``): the page redraws it on every
    cutoff change."""
    horizon = max_time or float(km.curves["time"].max() or 12)
    step = time_ticks(horizon)
    ticks = np.arange(0, horizon + 1e-9, step)
    table = risk_table(km, ticks)
    rows_per_group = 3 if extended_table else 1
    n_table_rows = rows_per_group * len(km.groups)
    table_share = min(0.45, 0.06 * (n_table_rows + 1))
    curves, labels, positions = [], [], []
    sizes = dict(zip(km.medians["group"], km.medians["n"]))
    for i, (g, c) in enumerate(zip(km.groups, _group_curves(km))):
        x = np.concatenate([[0.0], c["time"].to_numpy()])
        y = np.concatenate([[1.0], c["surv"].to_numpy()])
        if show_ci:
            lo = np.concatenate([[1.0], c["lower"].to_numpy()])
            hi = np.concatenate([[1.0], c["upper"].to_numpy()])
            band = dict(type="scatter", x=x, mode="lines", line=dict(width=0, shape="hv"), hoverinfo="skip",
                        showlegend=False, legendgroup=g, xaxis="x", yaxis="y")
            curves += [dict(band, y=hi), dict(band, y=lo, fill="tonexty", fillcolor=_transparent(colour(i)),
                                              name=f"{g} 95% CI")]
        curves.append(dict(
            type="scatter", x=x, y=y, mode="lines", name=f"{g} (n={int(sizes[g])})", legendgroup=g,
            line=dict(color=colour(i), width=2.5, shape="hv"), xaxis="x", yaxis="y",
            hovertemplate="%{x:.1f} months: %{y:.1%}<extra>" + html_text(g) + "</extra>"))
        censored = c["n_censor"].to_numpy() > 0
        curves.append(dict(type="scatter", x=c["time"].to_numpy()[censored], y=c["surv"].to_numpy()[censored],
                           mode="markers", showlegend=False, legendgroup=g, name=f"{g} censored", hoverinfo="skip",
                           marker=dict(symbol="line-ns-open", size=9, color=colour(i), line=dict(width=1.5)),
                           xaxis="x", yaxis="y"))
        for k, (label, values) in enumerate(list(table[g].items())[:rows_per_group]):
            row_y = -(i * rows_per_group + k)
            curves.append(dict(type="scatter", x=ticks, y=[row_y] * len(ticks), mode="text",
                               text=[str(v) for v in values], textfont=dict(color=colour(i), size=13),
                               showlegend=False, hoverinfo="skip", name=f"{g} {label.lower()}", xaxis="x2",
                               yaxis="y2"))
            labels.append(label if len(km.groups) == 1 and not extended_table else
                          (f"{g}: {label.lower()}" if extended_table else g))
            positions.append(row_y)
    x_range = [-step * 0.15, horizon * 1.02]
    layout = merged(_subplot_axes(table_share), dict(
        xaxis=merged(AXIS_STYLE, dict(title=dict(text=""), tickvals=ticks, range=x_range, showticklabels=True)),
        xaxis2=merged(AXIS_STYLE, dict(showline=False, ticks="", showticklabels=False, range=x_range,
                                       title=dict(text="Time (months)", standoff=4))),
        yaxis=merged(AXIS_STYLE, dict(title=dict(text=y_title), range=[0, 1.03], tickformat=".0%", dtick=0.2)),
        yaxis2=merged(AXIS_STYLE, dict(tickvals=positions, ticktext=labels, showline=False, ticks="",
                                       range=[min(positions) - 0.6, 0.6], showgrid=False, zeroline=False))))
    layout.update(journal_layout_spec(title=title, height=height or 520 + 22 * n_table_rows))
    layout["margin"] = dict(layout["margin"], l=150 if extended_table or len(km.groups) > 1 else 110)
    notes = [dict(text="Number at risk" + (" (KMunicate)" if extended_table else ""), xref="paper", yref="paper",
                  x=0, y=table_share, showarrow=False, xanchor="right", yanchor="bottom",
                  font=dict(size=12, color="#222222"))]
    if logrank_result is not None:
        notes.append(dict(text=f"Log-rank {fmt_p(logrank_result.p)}", xref="x", yref="y", x=horizon * 0.98,
                          y=0.97, showarrow=False, xanchor="right", font=dict(size=14), name="logrank"))
    for k, text in enumerate(hazard_ratio_lines(hazard_ratios) if hazard_ratios is not None else []):
        notes.append(dict(text=text, xref="x", yref="y", x=horizon * 0.98, y=0.97 - 0.075 * (k + 1),
                          showarrow=False, xanchor="right", font=dict(size=14 if k == 0 else 12),
                          name="hazard ratio"))
    layout["annotations"] = notes
    return figure_from_spec(curves, layout)


def _group_curves(km: KMResult) -> list[pd.DataFrame]:
    """Each group's rows of ``km.curves``, in ``km.groups`` order."""
    groups = km.curves["group"].to_numpy()
    return [km.curves[groups == g] for g in km.groups]


def _subplot_axes(table_share: float) -> dict:
    """The axes of plotly's two-row subplot grid (curves over the risk table,
    x shared), worked out by plotly once per table height."""
    return copy.deepcopy(_grid_axes(table_share))


@functools.cache
def _grid_axes(table_share: float) -> dict:
    grid = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.10,
                         row_heights=[1 - table_share, table_share])
    return {k: v for k, v in grid.layout.to_plotly_json().items() if k != "template"}


def hazard_ratio_lines(coefficients: pd.DataFrame) -> list[str]:
    """'HR 0.442 (0.232-0.842)' then 'BED >=78 Gy vs BED <78 Gy' for two
    groups; with more, one 'level vs reference: HR ...' line per level."""
    def hr(r) -> str:
        return f"HR {fmt_hr(r.hr, r.lower, r.upper)}" if r.hr == r.hr else "HR not estimable"

    rows = list(coefficients.itertuples())
    if len(rows) == 1:
        return [hr(rows[0]), f"{rows[0].level} vs {rows[0].reference}"]
    return [f"{r.level} vs {r.reference}: {hr(r)}" for r in rows]


def _transparent(hex_colour: str, alpha: float = 0.18) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"
