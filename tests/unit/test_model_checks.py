"""PH flags on the screening table (against R's cox.zph on veteran) and the
events-per-variable warning (hand-counted)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recur.figures import build_forest_figure
from recur.format import cox_table_display
from recur.cox_table import cox_table
from recur.model_checks import PH_FIGURE_NOTE, PH_FOOTNOTE, PH_MARK, epv_warnings, flag_ph
from recur.safe_text import html_text
from recur.screen import screen_cox
from tests.conftest import reference, reference_data


def test_ph_flags_follow_cox_zph_per_model():
    # R: cox.zph(coxph(Surv(time, status) ~ karno, data = veteran), transform = "km"): p = 0.000316 (flagged);
    # ~ trt: p = 0.060 (not flagged)
    df = reference_data("veteran").rename(columns={"time": "os_months", "status": "os_event"})
    res = screen_cox(df, ["karno", "trt"], ["os"], threshold=0.01)
    uni = res.table[res.table["model"] == "univariate"].set_index("variable")
    cox = reference("veteran")["cox"]
    for term in ("karno", "trt"):
        r_p = cox[term]["efron"]["cox_zph"]["km"]["rows"][0]["p"]
        assert uni.loc[term, "ph_p"] == pytest.approx(r_p, rel=1e-6)
    assert uni["ph_violated"].to_dict() == {"karno": True, "trt": False}
    multi = res.table[res.table["model"] == "multivariable"]  # karno alone enters (p < 0.01)
    assert multi["variable"].tolist() == ["karno"] and multi["ph_violated"].tolist() == [True]
    wide = cox_table_display(res.table, "univariate").set_index("Factor")
    assert wide.iloc[0]["OS HR (95% CI)"].endswith(PH_MARK) and not wide.iloc[1]["OS HR (95% CI)"].endswith(PH_MARK)
    paper = cox_table(res, df, "os")  # the per-endpoint table and its forest plot carry the same mark
    assert paper.display["Factor"].tolist() == ["karno" + PH_MARK, "trt"]
    assert PH_FOOTNOTE in paper.footnotes
    fig = build_forest_figure(paper.model_rows("univariate"))
    assert [tr.text for tr in fig.data if tr.mode == "text"][0] == ("Factor", "karno" + PH_MARK, "trt")
    assert [a.text for a in fig.layout.annotations if a.name == "ph_footnote"] == [html_text(PH_FIGURE_NOTE)]


def test_epv_warning_names_model_events_and_coefficients():
    table = pd.DataFrame({
        "endpoint": ["os", "os", "os", "lrfs", "lrfs", "pfs"],
        "model": ["multivariable"] * 5 + ["univariate"],
        "coef": [0.1, -0.2, np.nan, 0.3, 0.4, 0.5],  # the NaN term was not estimated: 2 coefficients for OS
        "n_events": [19, 19, 19, 20, 20, 3]})
    warnings = epv_warnings(table)
    assert len(warnings) == 1  # LRFS has 20 / 2 = 10 (enough); PFS is univariate
    assert warnings[0].startswith("The multivariable Cox model for OS has 19 events for 2 estimated coefficient(s) "
                                  "(9.5 per coefficient, fewer than 10)")


def test_ph_flags_are_matched_by_endpoint_model_and_variable():
    table = pd.DataFrame({"endpoint": ["os", "os", "os", "pfs"], "model": ["univariate", "univariate",
                                                                           "multivariable", "univariate"],
                          "variable": ["sex", "sex", "sex", "sex"], "term": ["sex: M", "sex: X", "sex: M", "sex: M"]})
    ph = pd.DataFrame({"endpoint": ["os", "os", "os", "os"], "model": ["univariate", "univariate", "multivariable",
                                                                      "multivariable"],
                       "term": ["sex", "GLOBAL", "sex", "GLOBAL"], "p": [0.01, 0.01, 0.30, 0.30]})
    out = flag_ph(table, ph)
    assert out["ph_p"].tolist()[:3] == [0.01, 0.01, 0.30] and np.isnan(out["ph_p"].iloc[3])  # PFS: no test run
    assert out["ph_violated"].tolist() == [True, True, False, False]
    with pytest.raises(ValueError, match="two PH tests"):
        flag_ph(table, pd.concat([ph, ph.iloc[:1]]))
