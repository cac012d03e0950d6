"""User text shows as plain text: Markdown escaping, Plotly escaping of whole
figures, length cuts; CSV downloads neutralise spreadsheet formulas."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

from recur.export_safety import neutralise_formulas, to_csv
from recur.figures import (build_failure_pattern_figure, build_forest_figure, build_km_figure,
                           build_response_figure, build_sites_figure, build_toxicity_figure)
from recur.safe_text import ELLIPSIS, clip, html_text, plain
from recur.stats.km import kaplan_meier
from recur.stats.logrank import logrank

LINK = "[click](http://evil.example)"
TAG = '<a href="http://evil.example">x</a>'


def test_plain_escapes_every_markdown_special_and_cuts_to_80():
    # escapes, and a word joiner (U+2060) that stops the bare-URL autolink GitHub Markdown finds after escaping
    assert plain(LINK) == "\\[click\\]\\(http\u2060\\:\\/\\/evil\\.example\\)"
    assert plain("www.x.org a@b.co") == "www\u2060\\.x\\.org a\u2060\\@b\\.co"
    assert plain(":material/home: $x$ *a* `c` <b>") == r"\:material\/home\: \$x\$ \*a\* \`c\` \<b\>"
    assert plain("a\nb\rc\td") == "a b c d"  # one line: no new Markdown block can start
    long = plain("x" * 10_000_000)
    assert len(long) == 80 and long.endswith(ELLIPSIS)


def test_clip_and_html_text():
    assert clip("abc") == "abc"
    assert clip("y" * 81) == "y" * 79 + ELLIPSIS
    assert html_text(TAG) == '&lt;a href="http://evil.example"&gt;x&lt;/a&gt;'
    assert html_text("&lt;") == "&amp;lt;"  # an entity in user text stays literal too


def _strings(fig) -> list[str]:
    """Every string Plotly renders (all of the figure except hovertemplates)."""
    out: list[str] = []

    def walk(node, key=""):
        if isinstance(node, dict):
            for k, v in node.items():
                if k != "hovertemplate":
                    walk(v, k)
        elif isinstance(node, (list, tuple)):
            for v in node:
                walk(v, key)
        elif isinstance(node, str):
            out.append(node)

    walk(json.loads(fig.to_json()))
    return out


def _assert_plain(fig) -> None:
    rendered = _strings(fig)
    assert not [s for s in rendered if "<" in s or ">" in s], [s for s in rendered if "<" in s]
    for tmpl in (t.hovertemplate for t in fig.data if t.hovertemplate):
        assert "<a" not in tmpl  # only the group name, escaped, goes into a template


def test_km_figure_escapes_group_names_in_legend_hover_and_risk_table():
    frame = pd.DataFrame({"t": [1, 2, 3, 4, 5, 6], "e": [1, 0, 1, 1, 0, 1], "g": [TAG] * 3 + [LINK] * 3})
    km = kaplan_meier(frame, "t", "e", by="g")
    fig = build_km_figure(km, logrank(frame, "t", "e", "g"), title=TAG)
    _assert_plain(fig)
    names = [t.name for t in fig.data if t.showlegend is not False]
    assert f"{html_text(TAG)} (n=3)" in names
    assert html_text(TAG) in fig.layout.yaxis2.ticktext


def test_forest_and_bar_figures_escape_user_text():
    forest = pd.DataFrame({"factor": [TAG, "age"], "level": [TAG, "<b>ref</b>"], "n": [3, 4], "events": [1, 2],
                           "is_reference": [False, False], "hr": [2.0, np.nan], "lower": [1.0, np.nan],
                           "upper": [4.0, np.nan], "p": [0.04, np.nan], "note": ["", "no <i>events</i>; x"]})
    pattern = pd.DataFrame({"group": [TAG, TAG], "pattern": ["Local", "<a href='x'>Distant</a>"], "n": [3, 2],
                            "percent": [60.0, 40.0]})
    tox = pd.DataFrame({"event": [TAG], "phase": ["acute"], **{f"grade_{g}": [1] for g in range(6)}})
    resp = pd.DataFrame({"group": [TAG], "CR": [1], "PR": [1], "SD": [1], "PD": [1], "NE": [0], "orr": [0.5]})
    sites = pd.DataFrame({"site": [TAG, "bone"], "n": [2, 1]})
    for fig in (build_forest_figure(forest, title=TAG), build_failure_pattern_figure(pattern),
                build_toxicity_figure(tox), build_response_figure(resp), build_sites_figure(sites, 5)):
        _assert_plain(fig)
    assert html_text(TAG) in build_sites_figure(sites, 5).data[0].x  # the category, shown literally


def test_csv_download_neutralises_formulas_and_keeps_negative_numbers():
    frame = pd.DataFrame({
        "patient_id": ["=HYPERLINK(\"http://evil.example\",\"x\")", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\r=1",
                       "-12", "+3.5", "-1e-3", "ok"],
        "dfi_months": [-1.5, 2.0, -3.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        "=1+1": ["-", "- 5", "-.5", "=", "a=b", "", None, "-inf", "1-2", "@"],
    })
    safe = neutralise_formulas(frame)
    assert list(safe.columns) == ["patient_id", "dfi_months", "'=1+1"]
    assert safe["patient_id"].tolist() == ["'=HYPERLINK(\"http://evil.example\",\"x\")", "'+SUM(A1)", "'-2+3",
                                           "'@cmd", "'\tx", "'\r=1", "-12", "+3.5", "-1e-3", "ok"]
    assert safe["'=1+1"].tolist()[:6] == ["'-", "'- 5", "-.5", "'=", "a=b", ""]
    assert safe["'=1+1"].tolist()[7:] == ["'-inf", "1-2", "'@"]
    assert frame["patient_id"].iloc[0].startswith("=")  # the input is not modified
    back = pd.read_csv(io.StringIO(to_csv(frame.iloc[[0, 2, 6]])), keep_default_na=False)
    assert back.columns.tolist() == ["patient_id", "dfi_months", "'=1+1"]
    assert back["patient_id"].tolist() == ["'=HYPERLINK(\"http://evil.example\",\"x\")", "'-2+3", "-12"]
    assert to_csv(frame.iloc[[6]]).splitlines()[1] == "-12,3.0,"  # unquoted: a spreadsheet reads a number
    assert back["dfi_months"].tolist() == [-1.5, -3.0, 3.0]  # negative numbers stay numbers


def test_neutralise_leaves_numeric_and_missing_cells_alone():
    frame = pd.DataFrame({"x": [-1, 2], "y": [np.nan, "=a"]})
    out = neutralise_formulas(frame)
    assert out["x"].tolist() == [-1, 2] and out["x"].dtype == frame["x"].dtype
    assert pd.isna(out["y"].iloc[0]) and out["y"].iloc[1] == "'=a"


@pytest.mark.parametrize("path", ["app.py", "pages", "recur"])
def test_no_raw_html_and_no_download_outside_the_safe_helper(path):
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    files = [root / path] if path.endswith(".py") else sorted((root / path).rglob("*.py"))
    for f in files:
        text = f.read_text()
        assert "unsafe_allow_html" not in text, f
        assert "except Exception" not in text, f
        if f.name != "downloads.py":
            assert "download_button" not in text, f"{f}: use recur.ui.downloads"
