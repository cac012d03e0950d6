"""Kaplan-Meier figure: step curves with censor ticks, optional CI bands, the
log-rank p, and a number-at-risk table aligned to the x-axis ticks
(optionally the KMunicate table: at risk, events, censored; Morris 2019)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from recur.figures.style import colour, journal_layout, plain_text_figure, time_ticks
from recur.format import fmt_hr, fmt_p
from recur.safe_text import html_text
from recur.stats.km import KMResult
from recur.stats.logrank import LogrankResult


def risk_table(km: KMResult, ticks: np.ndarray) -> dict[str, dict[str, list[int]]]:
    """Per group: at risk (time >= t), cumulative events and censored up to t."""
    out = {}
    for g in km.groups:
        c = km.curves[km.curves["group"] == g]
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


@plain_text_figure
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
    ``height`` in pixels (default: from the number of risk-table rows)."""
    horizon = max_time or float(km.curves["time"].max() or 12)
    step = time_ticks(horizon)
    ticks = np.arange(0, horizon + 1e-9, step)
    table = risk_table(km, ticks)
    rows_per_group = 3 if extended_table else 1
    n_table_rows = rows_per_group * len(km.groups)
    table_share = min(0.45, 0.06 * (n_table_rows + 1))
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.10,
                        row_heights=[1 - table_share, table_share])
    for i, g in enumerate(km.groups):
        c = km.curves[km.curves["group"] == g]
        n = int(km.medians.loc[km.medians["group"] == g, "n"].iloc[0])
        x = np.concatenate([[0.0], c["time"].to_numpy()])
        y = np.concatenate([[1.0], c["surv"].to_numpy()])
        name = f"{g} (n={n})"
        if show_ci:
            lo = np.concatenate([[1.0], c["lower"].to_numpy()])
            hi = np.concatenate([[1.0], c["upper"].to_numpy()])
            fig.add_trace(go.Scatter(x=x, y=hi, mode="lines", line=dict(width=0, shape="hv"),
                                     hoverinfo="skip", showlegend=False, legendgroup=g), row=1, col=1)
            fig.add_trace(go.Scatter(x=x, y=lo, mode="lines", line=dict(width=0, shape="hv"), fill="tonexty",
                                     fillcolor=_transparent(colour(i)), hoverinfo="skip", showlegend=False,
                                     legendgroup=g, name=f"{g} 95% CI"), row=1, col=1)
        fig.add_trace(go.Scatter(
            x=x, y=y, mode="lines", name=name, legendgroup=g, line=dict(color=colour(i), width=2.5, shape="hv"),
            hovertemplate="%{x:.1f} months: %{y:.1%}<extra>" + html_text(g) + "</extra>"), row=1, col=1)
        cens = c[c["n_censor"] > 0]
        fig.add_trace(go.Scatter(x=cens["time"], y=cens["surv"], mode="markers", showlegend=False,
                                 legendgroup=g, name=f"{g} censored", hoverinfo="skip",
                                 marker=dict(symbol="line-ns-open", size=9, color=colour(i), line=dict(width=1.5))),
                      row=1, col=1)
        for k, (label, values) in enumerate(table[g].items()):
            if k >= rows_per_group:
                break
            row_y = -(i * rows_per_group + k)
            fig.add_trace(go.Scatter(x=ticks, y=[row_y] * len(ticks), mode="text", text=[str(v) for v in values],
                                     textfont=dict(color=colour(i), size=13), showlegend=False, hoverinfo="skip",
                                     name=f"{g} {label.lower()}"), row=2, col=1)
    labels, positions = [], []
    for i, g in enumerate(km.groups):
        for k, label in enumerate(list(table[g])[:rows_per_group]):
            labels.append(f"{label}" if len(km.groups) == 1 and not extended_table else
                          (f"{g}: {label.lower()}" if extended_table else g))
            positions.append(-(i * rows_per_group + k))
    fig.update_yaxes(row=2, col=1, tickvals=positions, ticktext=labels, showline=False, ticks="",
                     range=[min(positions) - 0.6, 0.6], showgrid=False, zeroline=False)
    fig.update_xaxes(row=2, col=1, showline=False, ticks="", showticklabels=False, range=[-step * 0.15, horizon * 1.02])
    fig.update_xaxes(row=1, col=1, title_text="", tickvals=ticks, range=[-step * 0.15, horizon * 1.02],
                     showticklabels=True)
    fig.update_xaxes(row=2, col=1, title_text="Time (months)", title_standoff=4)
    fig.update_yaxes(row=1, col=1, title_text=y_title, range=[0, 1.03], tickformat=".0%", dtick=0.2)
    journal_layout(fig, title=title, height=height or 520 + 22 * n_table_rows)
    annotation = "Number at risk" + (" (KMunicate)" if extended_table else "")
    fig.add_annotation(text=annotation, xref="paper", yref="paper", x=0, y=table_share,
                       showarrow=False, xanchor="right", yanchor="bottom", font=dict(size=12, color="#222222"))
    fig.update_layout(margin=dict(l=150 if extended_table or len(km.groups) > 1 else 110))
    if logrank_result is not None:
        fig.add_annotation(text=f"Log-rank {fmt_p(logrank_result.p)}", xref="x", yref="y", x=horizon * 0.98,
                           y=0.97, showarrow=False, xanchor="right", font=dict(size=14), name="logrank")
    for k, text in enumerate(hazard_ratio_lines(hazard_ratios) if hazard_ratios is not None else []):
        fig.add_annotation(text=text, xref="x", yref="y", x=horizon * 0.98, y=0.97 - 0.075 * (k + 1),
                           showarrow=False, xanchor="right", font=dict(size=14 if k == 0 else 12),
                           name="hazard ratio")
    return fig


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
