"""The Kaplan-Meier and forest figures are written as whole specs and built
without plotly's validation (``recur.figures.style.figure_from_spec``), for
speed on every cutoff change. Each must be exactly the figure plotly builds
from the same spec with validation on: no misspelt property (validation would
raise), no value validation would coerce, the template expanded as plotly
expands it."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

import recur
from recur.analysis import prognostic_analysis, survival_analysis
from recur.cohort import analysis_frame
from recur.cox_table import MODELS, cox_table
from recur.figures import build_forest_figure, build_km_figure


def _plain(value):
    """Arrays and tuples as lists, numpy scalars as Python numbers: what JSON would carry."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    return value.item() if isinstance(value, np.generic) else value


def _same_as_validated(fig: go.Figure) -> None:
    spec = fig.to_dict()
    validated = go.Figure(spec)  # raises ValueError on any property plotly does not know
    assert _plain(validated.to_dict()) == _plain(spec)
    assert validated.layout.template.layout.plot_bgcolor == "white"  # simple_white, expanded


@pytest.mark.parametrize("group_by", ["", "BED >=78 Gy", "histology"])
@pytest.mark.parametrize("options", [{}, {"show_ci": True}, {"extended_table": True, "max_time": 30.0}])
def test_km_figure_is_the_validated_figure(nsclc_cohort, group_by, options):
    result = survival_analysis(nsclc_cohort, recur.Settings(group_by=group_by, endpoint="pfs"))
    fig = build_km_figure(result.km, result.logrank, title="PFS <i>by</i> group", hazard_ratios=result.hazard_ratios,
                          **options)
    _same_as_validated(fig)
    n_groups = len(result.km.groups)
    rows = n_groups * (3 if options.get("extended_table") else 1)
    assert len(fig.data) == n_groups * (2 + 2 * bool(options.get("show_ci"))) + rows
    assert fig.layout.yaxis2.tickvals == tuple(range(0, -rows, -1))  # one risk-table row per line, top down
    assert fig.layout.title.text == "PFS &lt;i&gt;by&lt;/i&gt; group"  # still plain text


@pytest.mark.parametrize("screen_p", [0.2, 0.9])
def test_forest_figures_are_the_validated_figures(nsclc_cohort, screen_p):
    settings = recur.Settings(screen_p=screen_p)
    screen = prognostic_analysis(nsclc_cohort, settings)
    frame, _ = analysis_frame(nsclc_cohort, settings)
    drawn = 0
    for endpoint in nsclc_cohort.endpoints:
        table = cox_table(screen, frame, endpoint)
        for model in MODELS:
            rows = table.model_rows(model)
            if rows.empty:
                continue
            fig = build_forest_figure(rows, title=f"{endpoint}: {model}")
            _same_as_validated(fig)
            assert fig.layout.height == max(240, 110 + 30 * (len(rows) + 1))
            counts = next(t for t in fig.data if t.name == "n")
            assert list(counts.text) == ["n", *("" if v is None or v != v else str(int(v)) for v in rows["n"])]
            drawn += 1
    assert drawn >= len(nsclc_cohort.endpoints)  # every endpoint has at least its univariate plot
