"""Shared look: the Okabe-Ito colour-blind-safe palette and a journal layout."""

from __future__ import annotations

import plotly.graph_objects as go

# Okabe & Ito (2008), without the yellow that fades on projectors.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
FONT = dict(family="Arial, Helvetica, sans-serif", size=14, color="#222222")


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def journal_layout(fig: go.Figure, *, title: str = "", height: int = 520) -> go.Figure:
    """White background, black axes, no grid clutter, readable fonts."""
    fig.update_layout(
        template="simple_white", font=FONT, height=height, margin=dict(l=70, r=30, t=95 if title else 45, b=50),
        title=dict(text=title, x=0.01, xanchor="left", y=0.985, yref="container", yanchor="top",
                   font=dict(size=17)),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0, font=dict(size=13)),
    )
    return fig


def time_ticks(max_time: float) -> float:
    """Tick step in months: 6 up to 3 years, 12 up to 10 years, else 24."""
    if max_time <= 36:
        return 6.0
    if max_time <= 120:
        return 12.0
    return 24.0
