"""Presentation mode (the sidebar's toggle): for a tumour board's projector,
the page's figures come first and larger, and its controls fold into a
closed expander below them. Streamlit's own styling only: no injected CSS."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from recur.figures.style import presentation_style
from recur.ui.state import presenting

FONT_SCALE = 1.3
# A 1280x720 screen less Streamlit's header and top padding (about 130 px) and
# the caption above the figure: the Kaplan-Meier plot with its risk table fits.
KM_HEIGHT = 540


def controls_then_body(label: str = "Page controls") -> tuple[DeltaGenerator, DeltaGenerator]:
    """(controls, body) containers: normally the controls above the body;
    when presenting, the body first and the controls in a closed expander
    under it (widgets keep their values either way)."""
    if presenting():
        body = st.container()
        return st.expander(label, expanded=False), body
    controls = st.container()
    return controls, st.container()


def show_figure(fig: go.Figure, key: str, container=st, *, presentation_height: int | None = None) -> None:
    """Draw a figure as built (its own colours and dark axis text, not
    Streamlit's theme); presenting, with fonts enlarged and, if given, the
    presentation height."""
    if presenting():  # on a copy: the figure may be a cached one
        fig = presentation_style(go.Figure(fig), font_scale=FONT_SCALE, height=presentation_height)
    container.plotly_chart(fig, width="stretch", key=key, theme=None, config={"displaylogo": False})
