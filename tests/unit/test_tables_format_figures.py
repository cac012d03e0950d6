"""Clinician tables, number formatting, screening and the figures (read from
fig.data / fig.layout), each against hand-computed values."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest

from recur import tables
from recur.figures import build_forest_figure, build_km_figure
from recur.figures.km import risk_table
from recur.format import fmt_hr, fmt_median_ci, fmt_p, fmt_percent_ci
from recur.screen import screen_cox
from recur.stats.cox import cox
from recur.stats.km import kaplan_meier
from recur.stats.logrank import logrank
from tests.conftest import reference, reference_data


def test_formatting():
    assert fmt_hr(0.3171, 0.1123, 0.8994) == "0.317 (0.112-0.899)"
    assert fmt_hr(float("nan"), 1, 2) == "-"
    assert [fmt_p(p) for p in (0.0004, 0.016, 0.053, 0.53)] == ["p < 0.001", "p = 0.016", "p = 0.053", "p = 0.53"]
    assert fmt_median_ci(19.04, 12.3, float("nan")) == "19.0 (12.3-NR)"
    assert fmt_percent_ci(0.842, 0.71, 0.917) == "84.2% (71.0-91.7)"


def test_response_table_and_exact_ci():
    df = pd.DataFrame({"response": ["CR"] * 11 + ["PR"] * 36 + ["SD"] * 14 + ["PD"] * 13 + ["NE", None]})
    r = tables.response_table(df).iloc[0]
    assert (r.CR, r.PR, r.SD, r.PD, r.NE, r.missing, r.evaluable) == (11, 36, 14, 13, 1, 1, 74)
    assert r.orr == pytest.approx(47 / 74)
    ci = binomtest(47, 74).proportion_ci(0.95, method="exact")
    assert (r.orr_lower, r.orr_upper) == pytest.approx((ci.low, ci.high))


def test_toxicity_table_phases_and_grades():
    df = pd.DataFrame({"tox_acute_esophagitis": [0, 1, 2, 3, 4, np.nan], "tox_late_fibrosis": [0, 0, 0, 0, 5, 1]})
    t = tables.toxicity_table(df).set_index("event")
    assert t.loc["esophagitis", "phase"] == "acute" and t.loc["esophagitis", "assessed"] == 5
    assert t.loc["esophagitis", "grade_3plus"] == 2
    assert t.loc["esophagitis", "grade_3plus_percent"] == pytest.approx(40.0)
    assert t.loc["fibrosis", "phase"] == "late" and t.loc["fibrosis", "grade_5"] == 1


def test_distant_sites_and_table_one_missing():
    df = pd.DataFrame({"distant_sites": ["lung;brain", "lung", None, "bone;lung"], "stage_initial": ["I", None, "III", "I"],
                       "age": [50, 60, 70, 80, 55, 65, 75][:4]})
    sites = tables.distant_sites_table(df).set_index("site")["n"].to_dict()
    assert sites == {"lung": 3, "brain": 1, "bone": 1}
    t1 = tables.table_one(df, ["stage_initial"]).set_index("level")
    assert t1.loc["I", "n"] == 2 and t1.loc["I", "percent"] == pytest.approx(100 * 2 / 3)
    assert t1.loc["missing", "n"] == 1


def test_screen_selects_by_univariate_p_and_refits():
    df = reference_data("lung")
    ref = reference("lung")["cox"]
    res = screen_cox(df.rename(columns={"time": "os_months", "event": "os_event"}), ["age", "sex", "ph.ecog"],
                     ["os"], threshold=0.01)
    uni = res.table[res.table.model == "univariate"].set_index("term")
    # R: coxph(Surv(time, status) ~ sex) and ~ age: the univariate rows are those fits
    assert uni.loc["sex", "hr"] == pytest.approx(ref["sex"]["efron"]["coefficients"][0]["hr"], rel=1e-6)
    assert uni.loc["age", "p"] == pytest.approx(ref["age"]["efron"]["coefficients"][0]["p"], rel=1e-6)
    multi = res.table[res.table.model == "multivariable"]
    assert list(multi.term) == ["sex", "ph.ecog"]  # age p = 0.042 > 0.01 is left out
    direct = cox(df, "time", "event", ["sex", "ph.ecog"]).coefficients
    assert multi.hr.tolist() == pytest.approx(direct.hr.tolist(), rel=1e-12)
    assert list(res.wide().index) == ["age", "ph.ecog", "sex"]
    from recur.format import model_sizes_caption
    assert model_sizes_caption(res.table, "multivariable") == "OS: n=227, events=164"  # ph.ecog has 1 NA (R: n 227)
    # a cohort without endpoints screens nothing: the same columns, no rows, an empty caption (the page asks for it)
    none = screen_cox(df, ["sex"], [])
    assert {"n", "n_events"} <= set(none.table.columns) and none.table.empty
    assert model_sizes_caption(none.table, "univariate") == ""


def test_km_figure_steps_legend_risk_table_and_p():
    df = pd.DataFrame({"t": [1, 2, 2, 3, 4, 6, 8, 13], "e": [1, 1, 0, 1, 0, 1, 0, 1],
                       "g": list("aaaabbbb")})
    km = kaplan_meier(df, "t", "e", by="g")
    fig = build_km_figure(km, logrank(df, "t", "e", "g"), show_ci=True)
    curves = [tr for tr in fig.data if tr.mode == "lines" and tr.showlegend is not False]
    assert [tr.name for tr in curves] == ["a (n=4)", "b (n=4)"]
    assert all(tr.line.shape == "hv" for tr in curves)
    assert list(curves[0].y) == pytest.approx([1.0, 0.75, 0.5, 0.0])
    ticks = np.array([0.0, 6.0, 12.0])
    table = risk_table(km, ticks)
    # group b times 4+, 6, 8+, 13: at risk (time >= t) at 0, 6, 12 = 4, 3, 1
    assert table["b"]["At risk"] == [4, 3, 1] and table["b"]["Events"] == [0, 0, 1]
    texts = [a.text for a in fig.layout.annotations]
    assert any(t.startswith("Log-rank p = ") for t in texts)


def test_forest_figure_columns_log_axis_reference_and_not_estimable_reason():
    rows = pd.DataFrame({"factor": ["BED", "BED", "EGFR", "EGFR"], "level": ["<78 Gy", ">=78 Gy", "wild-type", "mutant"],
                         "n": [35, 39, 37, 14], "events": [10, 6, 8, 0], "is_reference": [True, False, True, False],
                         "hr": [np.nan, 0.317, np.nan, np.nan], "lower": [np.nan, 0.112, np.nan, np.nan],
                         "upper": [np.nan, 0.899, np.nan, np.nan], "p": [np.nan, 0.03, np.nan, np.nan],
                         "note": ["", "", "", "no events in this group (n=14); not estimable"]})
    fig = build_forest_figure(rows)
    columns = {tr.name: list(tr.text) for tr in fig.data if tr.mode == "text"}
    assert columns["Factor"] == ["Factor", "BED", "", "EGFR", ""]  # header, then the factor on its first level
    assert columns["Level"][1:] == ["&lt;78 Gy", "&gt;=78 Gy", "wild-type", "mutant"]  # shown as plain text
    assert columns["n"][1:] == ["35", "39", "37", "14"] and columns["Events"][1:] == ["10", "6", "8", "0"]
    assert columns["HR (95% CI)"][1:] == ["1 (reference)", "0.317 (0.112-0.899)", "1 (reference)", "not estimable"]
    assert columns["p"][1:] == ["", "0.030", "", ""]
    hr = next(tr for tr in fig.data if tr.name == "HR (95% CI)" and tr.mode == "markers")
    assert list(hr.x) == [0.317] and list(hr.y) == [2.0]  # rows top to bottom: y 3, 2, 1, 0
    ref = next(tr for tr in fig.data if tr.name == "reference")
    assert list(ref.x) == [1.0, 1.0] and list(ref.y) == [3.0, 1.0]
    failed = next(tr for tr in fig.data if tr.name == "not estimable")
    assert "no events in this group (n=14)" in failed.customdata[0]
    axis = fig.layout.xaxis2
    assert axis.type == "log"
    # the axis fits the data: from 0.112 / 1.25 to 1 * 1.25 (log10 units)
    assert 10 ** axis.range[0] == pytest.approx(0.112 / 1.25) and 10 ** axis.range[1] == pytest.approx(1.25)
    assert list(axis.tickvals) == [0.1, 0.2, 0.5, 1.0]
    assert any(s.x0 == 1 for s in fig.layout.shapes)


def test_bar_figures_write_counts_and_percentages():
    from recur.figures import build_failure_pattern_figure, build_sites_figure, build_toxicity_figure

    pattern = pd.DataFrame({"group": ["All patients"] * 2, "pattern": ["none", "distant only"], "n": [3, 1],
                            "percent": [75.0, 25.0]})
    fig = build_failure_pattern_figure(pattern)
    assert fig.data[0].name == "All patients (n=4)" and list(fig.data[0].text) == ["3 (75%)", "1 (25%)"]
    assert list(build_sites_figure(pd.DataFrame({"site": ["lung"], "n": [14]}), 74).data[0].text) == ["14 (19%)"]
    tox = tables.toxicity_table(pd.DataFrame({"tox_late_trismus": [0, 3, 3, 4]}))
    bars = build_toxicity_figure(tox).data
    assert [b.name for b in bars] == [f"Grade {g}" for g in range(6)]
    assert [int(b.x[0]) for b in bars] == [1, 0, 0, 2, 1, 0]
    assert bars[0].y[0] == "trismus (late)"


def test_cox_table_display_is_shaped_like_the_papers_tables():
    long = pd.DataFrame({
        "endpoint": ["os", "lrfs", "os"], "model": ["univariate"] * 3,
        "term": ["BED >=78 Gy", "BED >=78 Gy", "egfr=wild-type"], "variable": ["BED >=78 Gy", "BED >=78 Gy", "egfr"],
        "level": ["BED >=78 Gy", "BED >=78 Gy", "wild-type"], "reference": ["BED <78 Gy", "BED <78 Gy", "mutant"],
        "hr": [0.347, 0.288, np.nan], "lower": [0.119, 0.104, np.nan], "upper": [1.013, 0.795, np.nan],
        "p": [0.053, 0.016, np.nan], "note": ["", "", "no events in this group (n=3); not estimable"]})
    from recur.format import cox_table_display
    wide = cox_table_display(long, "univariate")
    assert list(wide.columns) == ["Factor", "Reference", "OS HR (95% CI)", "OS p", "LRFS HR (95% CI)", "LRFS p"]
    assert wide.iloc[0].tolist() == ["BED >=78 Gy", "BED <78 Gy", "0.347 (0.119-1.013)", "0.053",
                                     "0.288 (0.104-0.795)", "0.016"]
    assert wide.iloc[1]["Factor"] == "EGFR: wild-type" and wide.iloc[1]["OS HR (95% CI)"] == "not estimable"


def test_screen_reports_the_ph_test_of_each_multivariable_model():
    df = reference_data("lung").rename(columns={"time": "os_months", "event": "os_event"})
    res = screen_cox(df, ["age", "sex", "ph.ecog", "wt.loss"], ["os"], threshold=1.01)
    # every factor enters: the multivariable model is R's age + sex + ph.ecog + wt.loss
    expected = reference("lung")["cox"]["multivariable"]["efron"]["cox_zph"]["km"]["rows"]
    ph = res.ph[res.ph["model"] == "multivariable"]
    assert ph["term"].tolist() == [r["term"] for r in expected]
    assert ph["chisq"].tolist() == pytest.approx([r["chisq"] for r in expected], rel=1e-6)


def test_display_tables_for_toxicity_and_response():
    from recur.format import response_display, toxicity_display

    tox = toxicity_display(tables.toxicity_table(pd.DataFrame({"tox_esophagitis": [0, 1, 3, 4]})))
    assert tox.iloc[0][["Grade 1", "Grade 3", "Grade 4", "Any grade", "Grade >=3"]].tolist() == [
        "1 (25.0%)", "1 (25.0%)", "1 (25.0%)", "3 (75.0%)", "2 (50.0%)"]
    resp = response_display(tables.response_table(pd.DataFrame({"response": ["CR", "PR", "SD", "PD"]})))
    lo, hi = tables.clopper_pearson(2, 4)
    assert resp["ORR (95% CI)"].iloc[0] == f"50.0% ({100 * lo:.1f}-{100 * hi:.1f})"
    assert resp[["Group", "CR", "PR", "Evaluable"]].iloc[0].tolist() == ["All patients", 1, 1, 4]
    assert tox.columns[:3].tolist() == ["Adverse event", "Phase", "Assessed"]


def test_failure_pattern_display_puts_both_views_side_by_side():
    from recur.format import failure_pattern_display

    df = pd.DataFrame({"failure_pattern": ["none", "locoregional + distant", "locoregional + distant", "distant only"],
                       "failure_pattern_first": ["none", "locoregional only", "locoregional + distant",
                                                 "distant only"]})
    out = failure_pattern_display(tables.failure_pattern_table(df, "ever"), tables.failure_pattern_table(df, "first"))
    assert out.set_index("Pattern")[["Whole follow-up, n (%)", "At first failure, n (%)"]].to_dict("index") == {
        "none": {"Whole follow-up, n (%)": "1 (25.0%)", "At first failure, n (%)": "1 (25.0%)"},
        "locoregional only": {"Whole follow-up, n (%)": "0 (0.0%)", "At first failure, n (%)": "1 (25.0%)"},
        "distant only": {"Whole follow-up, n (%)": "1 (25.0%)", "At first failure, n (%)": "1 (25.0%)"},
        "locoregional + distant": {"Whole follow-up, n (%)": "2 (50.0%)", "At first failure, n (%)": "1 (25.0%)"},
    }
