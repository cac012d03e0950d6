"""Bar charts: failure patterns, CTCAE grades per adverse event, response.
Counts and percentages are written on the bars."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from recur.figures.style import PALETTE, colour, journal_layout, plain_text_figure
from recur.schema import RESPONSES

GRADE_COLOURS = ("#DDDDDD", "#56B4E9", "#0072B2", "#E69F00", "#D55E00", "#000000")


@plain_text_figure
def build_failure_pattern_figure(table: pd.DataFrame, *, title: str = "") -> go.Figure:
    """Grouped bars: pattern on x, one bar per group (columns group, pattern, n, percent)."""
    fig = go.Figure()
    for i, (group, part) in enumerate(table.groupby("group", sort=False)):
        total = int(part["n"].sum())
        fig.add_trace(go.Bar(x=part["pattern"], y=part["n"], name=f"{group} (n={total})", marker_color=colour(i),
                             text=[f"{n} ({p:.0f}%)" for n, p in zip(part["n"], part["percent"])],
                             textposition="outside", cliponaxis=False, textfont=dict(size=12)))
    fig.update_layout(barmode="group", uniformtext=dict(minsize=11, mode="show"))
    fig.update_yaxes(title_text="Patients")
    return journal_layout(fig, title=title, height=430)


@plain_text_figure
def build_toxicity_figure(tox: pd.DataFrame, *, title: str = "") -> go.Figure:
    """Horizontal stacked bars of patients per worst grade, one bar per row of
    ``recur.tables.toxicity_table`` (event and phase, and group when split),
    top to bottom in the table's order."""
    labels = toxicity_labels(tox)
    fig = go.Figure()
    for g in range(6):
        counts = tox[f"grade_{g}"]
        fig.add_trace(go.Bar(y=labels, x=counts, orientation="h", name=f"Grade {g}", marker_color=GRADE_COLOURS[g],
                             text=[str(c) if c else "" for c in counts], textposition="inside",
                             insidetextanchor="middle"))
    fig.update_layout(barmode="stack", legend_traceorder="normal")
    fig.update_xaxes(title_text="Patients")
    fig.update_yaxes(autorange="reversed")
    return journal_layout(fig, title=title, height=max(300, 120 + 38 * len(tox)))


def toxicity_labels(tox: pd.DataFrame) -> list[str]:
    """'trismus (late)', 'esophagitis'; with groups 'trismus (late): BED >=78 Gy'."""
    split = "group" in tox and tox["group"].nunique() > 1
    return [(f"{r.event} ({r.phase})" if r.phase != "any" else r.event) + (f": {r.group}" if split else "")
            for r in tox.itertuples()]


@plain_text_figure
def build_response_figure(resp: pd.DataFrame, *, title: str = "") -> go.Figure:
    """Grouped bars of CR / PR / SD / PD / NE per group with n (%)."""
    fig = go.Figure()
    for i, r in enumerate(resp.itertuples()):
        counts = [getattr(r, k) for k in RESPONSES]
        total = sum(counts)
        fig.add_trace(go.Bar(x=list(RESPONSES), y=counts, name=f"{r.group} (n={total}; ORR {100 * r.orr:.0f}%)"
                             if r.orr == r.orr else f"{r.group} (n={total})", marker_color=PALETTE[i % len(PALETTE)],
                             text=[f"{c} ({100 * c / total:.0f}%)" if total else "0" for c in counts],
                             textposition="outside", cliponaxis=False, textfont=dict(size=12)))
    fig.update_layout(barmode="group", uniformtext=dict(minsize=11, mode="show"))
    fig.update_yaxes(title_text="Patients")
    return journal_layout(fig, title=title, height=420)


@plain_text_figure
def build_sites_figure(sites: pd.DataFrame, n_patients: int, *, title: str = "") -> go.Figure:
    """Bars of patients per distant site (columns site, n); percent of all patients."""
    fig = go.Figure(go.Bar(x=sites["site"], y=sites["n"], marker_color=colour(0), cliponaxis=False,
                           text=[f"{n} ({100 * n / n_patients:.0f}%)" for n in sites["n"]], textposition="outside"))
    fig.update_yaxes(title_text="Patients")
    return journal_layout(fig, title=title, height=380)
