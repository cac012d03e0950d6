"""Figures of the study planner: power against the number of patients, and
the survival curves the design assumes (exponential, both arms)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from recur.figures.style import colour, journal_layout, plain_text_figure, time_ticks
from recur.plan.survival import Power, SampleSize


@plain_text_figure
def build_power_figure(curve: list[Power], planned: SampleSize, *, title: str = "") -> go.Figure:
    """Power (y) against patients (x) at the planned accrual and analysis
    time, with the planned size marked."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[p.patients for p in curve], y=[p.power for p in curve], mode="lines",
                             name="Power", line=dict(color=colour(0), width=2.5),
                             hovertemplate="%{x:.0f} patients: power %{y:.1%}<extra></extra>"))
    fig.add_trace(go.Scatter(x=[planned.patients_needed], y=[planned.design.power], mode="markers",
                             name=f"Planned: {planned.patients_needed} patients", marker=dict(color=colour(1), size=11),
                             hovertemplate="%{x} patients<extra></extra>"))
    fig.add_hline(y=planned.design.power, line=dict(color="#888888", dash="dot", width=1))
    fig.update_xaxes(title_text="Patients", rangemode="tozero")
    fig.update_yaxes(title_text="Power", range=[0, 1.02], tickformat=".0%", dtick=0.2)
    return journal_layout(fig, title=title, height=380)


@plain_text_figure
def build_assumed_curves_figure(result: SampleSize, *, title: str = "") -> go.Figure:
    """S(t) = exp(-lambda t) for the experimental and control arms up to the
    analysis, as the design assumes them."""
    horizon = max(result.analysis_months, result.design.landmark_months)
    t = np.linspace(0.0, horizon, 200)
    fig = go.Figure()
    for i, (name, lam) in enumerate((("Experimental arm", result.lambda_1), ("Control arm", result.lambda_2))):
        fig.add_trace(go.Scatter(x=t, y=np.exp(-lam * t), mode="lines", name=name,
                                 line=dict(color=colour(i), width=2.5),
                                 hovertemplate="%{x:.1f} months: %{y:.1%}<extra></extra>"))
    fig.update_xaxes(title_text="Time (months)", tickvals=np.arange(0, horizon + 1e-9, time_ticks(horizon)))
    fig.update_yaxes(title_text="Survival probability (assumed)", range=[0, 1.03], tickformat=".0%", dtick=0.2)
    return journal_layout(fig, title=title, height=380)
