"""Cumulative incidence of a failure with death as a competing event, drawn
next to 1 - Kaplan-Meier (death censored), which overstates it: solid steps
for the cumulative incidence, dashed steps of the same colour for 1 - KM."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from recur.estimands import CompetingAnalysis
from recur.figures.style import colour, journal_layout, plain_text_figure, time_ticks
from recur.format import fmt_p
from recur.safe_text import html_text
from recur.stats.competing import EVENT


@plain_text_figure
def build_cif_figure(result: CompetingAnalysis, *, title: str = "", show_km: bool = True) -> go.Figure:
    """Per group: the failure's cumulative incidence (steps) and, with
    ``show_km``, 1 - KM; Gray's p in the corner when groups are compared.
    Time in months; legends carry group sizes."""
    curves = result.cif.curves[result.cif.curves["cause"] == EVENT]
    counts = result.cif.counts.set_index("group")
    horizon = float(max(counts["last_time"].max(), 1.0))
    fig = go.Figure()
    top = 0.0
    for i, g in enumerate(result.cif.groups):
        c = curves[curves["group"] == g]
        x = np.append(c["time"].to_numpy(), counts.loc[g, "last_time"])
        y = np.append(c["cif"].to_numpy(), c["cif"].iloc[-1])
        label = g if len(result.cif.groups) > 1 else "All patients"
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines", name=f"{label} (n={int(counts.loc[g, 'n'])})",
                                 legendgroup=g, line=dict(color=colour(i), width=2.5, shape="hv"),
                                 hovertemplate="%{x:.1f} months: %{y:.1%}<extra>" + html_text(label) + "</extra>"))
        top = max(top, float(y.max()))
        if show_km:
            km = result.km.curves[result.km.curves["group"] == g]
            kx = np.concatenate([[0.0], km["time"].to_numpy()])
            ky = np.concatenate([[0.0], 1 - km["surv"].to_numpy()])
            fig.add_trace(go.Scatter(x=kx, y=ky, mode="lines", name=f"{label}: 1 - KM (death censored)",
                                     legendgroup=g, line=dict(color=colour(i), width=1.5, dash="dash", shape="hv"),
                                     hovertemplate="%{x:.1f} months: %{y:.1%}<extra>1 - KM</extra>"))
            top = max(top, float(ky.max()))
    step = time_ticks(horizon)
    fig.update_xaxes(title_text="Time (months)", tickvals=np.arange(0, horizon + 1e-9, step),
                     range=[-step * 0.15, horizon * 1.02])
    fig.update_yaxes(title_text="Cumulative incidence", tickformat=".0%", range=[0, min(1.0, top * 1.1 + 0.05)])
    journal_layout(fig, title=title, height=480)
    if result.gray is not None:
        fig.add_annotation(text=f"Gray's test {fmt_p(result.gray_p)}", xref="paper", yref="paper", x=0.02, y=0.98,
                           xanchor="left", yanchor="top", showarrow=False, font=dict(size=14), name="gray")
    return fig
