"""Cutoff explorer figures: the scan against the cutpoint (standardised
log-rank statistic, Peto HR with its 95% CI, group sizes; one shared x axis)
and the bootstrap histogram of the selected cut."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from recur.figures.style import colour, journal_layout, plain_text_figure
from recur.stats.maxstat import CUT, HR, HR_LOWER, HR_UPPER, N_GT, N_LE, STATISTIC, CutpointScan

MARKS = {"selected": ("#000000", "solid"), "sidebar": (colour(1), "dash"), "default": (colour(2), "dot")}


def _mark(fig: go.Figure, x: float, kind: str, label: str) -> None:
    """A vertical line through all three panels, named in the legend."""
    col, dash = MARKS[kind]
    for row in (1, 2, 3):
        fig.add_vline(x=x, line=dict(color=col, dash=dash, width=1.5), row=row, col=1)
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=label, line=dict(color=col, dash=dash)),
                  row=1, col=1)


@plain_text_figure
def build_cutpoint_scan_figure(result: CutpointScan, *, x_label: str, sidebar: tuple[float, str] | None = None,
                               default: tuple[float, str] | None = None, title: str = "") -> go.Figure:
    """Three panels sharing the cutpoint axis (group 1 = x <= cut); vertical
    lines at the selected cut, the sidebar cutoff and the clinical default
    (each ``(threshold, label)``) when given."""
    scan = result.scan
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.06, row_heights=[0.4, 0.35, 0.25])
    fig.add_trace(go.Scatter(x=scan[CUT], y=scan[STATISTIC], mode="lines+markers", name="standardised statistic",
                             line=dict(color=colour(0)), marker=dict(size=5),
                             hovertemplate="cut %{x}: |z| = %{y:.3f}<extra></extra>"), row=1, col=1)
    fig.add_trace(go.Scatter(x=np.r_[scan[CUT], scan[CUT][::-1]], y=np.r_[scan[HR_UPPER], scan[HR_LOWER][::-1]],
                             fill="toself", fillcolor="rgba(0,114,178,0.15)", line=dict(width=0),
                             name="95% CI", hoverinfo="skip", showlegend=False), row=2, col=1)
    fig.add_trace(go.Scatter(x=scan[CUT], y=scan[HR], mode="lines", name="HR above vs at or below the cut",
                             line=dict(color=colour(0)), showlegend=False,
                             hovertemplate="cut %{x}: HR %{y:.2f}<extra></extra>"), row=2, col=1)
    fig.add_hline(y=1, line=dict(color="#555555", dash="dash", width=1), row=2, col=1)
    for i, (column, name) in enumerate(((N_LE, "n at or below the cut"), (N_GT, "n above the cut"))):
        fig.add_trace(go.Scatter(x=scan[CUT], y=scan[column], mode="lines", name=name, line_shape="hv",
                                 line=dict(color=colour(3 + i))), row=3, col=1)
    _mark(fig, result.cutpoint, "selected", "selected cut")
    for value, kind in ((sidebar, "sidebar"), (default, "default")):
        if value is not None:
            _mark(fig, value[0], kind, value[1])
    fig.update_yaxes(title_text="|z|", row=1, col=1, rangemode="tozero")
    fig.update_yaxes(title_text="HR above cut", type="log", row=2, col=1)
    fig.update_yaxes(title_text="patients", row=3, col=1, rangemode="tozero")
    fig.update_xaxes(title_text=x_label, row=3, col=1)
    return journal_layout(fig, title=title, height=640)


@plain_text_figure
def build_bootstrap_figure(cuts: np.ndarray, *, selected: float, x_label: str, title: str = "") -> go.Figure:
    """How often each cut was selected over the bootstrap resamples, the full-data cut marked."""
    values, counts = np.unique(cuts[~np.isnan(cuts)], return_counts=True)  # one bar per cut value found
    fig = go.Figure(go.Bar(x=values, y=counts, name="bootstrap cuts", marker=dict(color=colour(0)),
                           hovertemplate="cut %{x}: %{y} resamples<extra></extra>"))
    fig.add_vline(x=selected, line=dict(color="#000000", width=1.5))
    fig.update_xaxes(title_text=x_label)
    fig.update_yaxes(title_text="resamples")
    journal_layout(fig, title=title, height=320)
    fig.update_layout(showlegend=False, bargap=0.05)
    return fig
