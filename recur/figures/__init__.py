"""Plotly figures built from recur results: pure functions, no streamlit."""

from recur.figures.bars import (build_failure_pattern_figure, build_response_figure, build_sites_figure,
                                build_toxicity_figure)
from recur.figures.cif import build_cif_figure
from recur.figures.forest import build_forest_figure
from recur.figures.km import build_km_figure

__all__ = ["build_km_figure", "build_forest_figure", "build_failure_pattern_figure", "build_toxicity_figure",
           "build_response_figure", "build_sites_figure", "build_cif_figure"]
