"""Forest plot of Cox hazard ratios: log-scaled HR axis, a line at 1, and
terms that could not be estimated listed with their reason, not hidden."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from recur.figures.style import colour, journal_layout, plain_text_figure
from recur.format import fmt_hr, fmt_p_value, short_note, term_label
from recur.model_checks import PH_FIGURE_NOTE, PH_MARK, PH_VIOLATED


@plain_text_figure
def build_forest_figure(coefficients: pd.DataFrame, *, title: str = "") -> go.Figure:
    """One row per term (top to bottom in table order); columns 'term', 'hr',
    'lower', 'upper', 'p', 'note' as in ``recur.cox`` / ``screen_cox`` output;
    terms flagged by the PH test (``ph_violated``) get a mark and a footnote."""
    rows = coefficients.reset_index(drop=True)
    y = list(range(len(rows)))[::-1]
    ok = rows["hr"].notna()
    labels = [term_label(getattr(r, "variable", r.term), getattr(r, "level", ""), r.term)
              + (f" vs {r.reference}" if getattr(r, "reference", "") else "") for r in rows.itertuples()]
    flagged = rows[PH_VIOLATED].eq(True).to_numpy() if PH_VIOLATED in rows else np.zeros(len(rows), dtype=bool)
    labels = [label + PH_MARK if flag else label for label, flag in zip(labels, flagged)]
    text = [fmt_hr(r.hr, r.lower, r.upper) + "   p " + fmt_p_value(r.p)
            if r.hr == r.hr else f"not estimable: {short_note(r.note)}" for r in rows.itertuples()]
    fig = go.Figure()
    est = rows[ok]
    y_ok = [y[i] for i in est.index]
    fig.add_trace(go.Scatter(
        x=est["hr"], y=y_ok, mode="markers", name="HR (95% CI)", marker=dict(symbol="square", size=11,
                                                                            color=colour(0)),
        error_x=dict(type="data", symmetric=False, array=est["upper"] - est["hr"],
                     arrayminus=est["hr"] - est["lower"], color=colour(0), thickness=2, width=6),
        hovertemplate="%{customdata}<extra></extra>", customdata=[text[i] for i in est.index]))
    limits = pd.concat([est["lower"], est["upper"]]) if len(est) else pd.Series([0.5, 2.0])
    finite = limits[np.isfinite(limits) & (limits > 0)]  # a CI limit of 0 or inf has no place on a log axis
    if finite.empty:
        finite = pd.Series([0.5, 2.0])
    lo = float(min(finite.min(), 1.0)) / 1.5
    hi = float(max(finite.max(), 1.0)) * 1.5
    span = [np.log10(lo), np.log10(hi) + (np.log10(hi) - np.log10(lo)) * 0.9]
    x_text = 10 ** (np.log10(hi) + (np.log10(hi) - np.log10(lo)) * 0.05)
    fig.add_trace(go.Scatter(x=[x_text] * len(rows), y=y, mode="text", text=text, textposition="middle right",
                             showlegend=False, hoverinfo="skip", name="estimates",
                             textfont=dict(size=12, color=["#222222" if k else "#B00020" for k in ok])))
    fig.add_vline(x=1, line=dict(color="#555555", dash="dash", width=1))
    fig.update_xaxes(type="log", range=span, title_text="Hazard ratio (log scale)",
                     tickvals=[0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20])
    fig.update_yaxes(tickvals=y, ticktext=labels, range=[-0.7, len(rows) - 0.3], showline=False, ticks="")
    journal_layout(fig, title=title, height=max(260, 110 + 42 * len(rows)))
    fig.update_layout(showlegend=False)
    if flagged.any():
        fig.add_annotation(text=PH_FIGURE_NOTE,
                           xref="paper", yref="paper", x=1, xanchor="right", y=1.01, yanchor="bottom",
                           showarrow=False, font=dict(size=12), name="ph_footnote")
    return fig
