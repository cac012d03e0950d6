"""Issue 8, item by item, against R survival 3.5.3 (issue8/make_reference.R
wrote issue8/issue8_reference.json; the R call sits next to each number).
Tolerances: Cox coef, se, p and LR rel 1e-5 (R's convergence, eps 1e-9);
KM estimates and CI limits abs 1e-9 (R writes 15 significant digits);
medians exact (observed times); log-rank chi-square rel 1e-6."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recur.errors import RecurError
from recur.stats.cox import cox, ph_test
from recur.stats.km import kaplan_meier
from recur.stats.logrank import logrank
from tests.conftest import reference, reference_data

REF = json.loads((Path(__file__).parent / "issue8" / "issue8_reference.json").read_text())


def _frame(block: dict) -> pd.DataFrame:
    return pd.DataFrame(block["data"])


def test_1_near_tied_times_are_one_time():
    block = REF["near_ties"]
    df = _frame(block)
    # R: summary(survfit(Surv(time, event) ~ 1), times = 1) -> S(1) = 4/6 = 0.667 (timefix merges 1 and 1 + 1e-10)
    at = kaplan_meier(df, "time", "event", at=[1]).at_times.iloc[0]
    assert at.surv == pytest.approx(block["km"]["surv"], abs=1e-9) and at.n_risk == block["km"]["n_risk"]
    assert at.surv == pytest.approx(4 / 6, abs=1e-12)
    # R: survdiff(Surv(time, event) ~ g) -> chisq 0.0318471
    assert logrank(df, "time", "event", "g").chisq == pytest.approx(block["logrank"]["chisq"], rel=1e-6)
    # R: coxph(Surv(time, event) ~ x) -> coef 0.2337105, se 0.9734768
    row = cox(df, "time", "event", ["x"]).coefficients.iloc[0]
    assert row.coef == pytest.approx(block["cox"]["coef"], rel=1e-5)
    assert row.se == pytest.approx(block["cox"]["se"], rel=1e-5)


def test_2_group_never_at_risk_is_na_and_the_rest_is_estimated():
    block = REF["never_at_risk"]
    # R: coxph(Surv(time, event) ~ g + x) -> gB NA, x -0.3337571 (se 0.6836072), LR df 1
    res = cox(_frame(block), "time", "event", ["g", "x"])
    rows = res.coefficients.set_index("term")
    assert math.isnan(rows.loc["g=B", "coef"])
    assert rows.loc["g=B", "note"] == "not estimable: no patients of group A (reference) at risk at any event time"
    assert rows.loc["x", "coef"] == pytest.approx(block["coef"][1], rel=1e-5)
    assert rows.loc["x", "se"] == pytest.approx(block["se"][1], rel=1e-5)
    assert res.lr_test.df == block["df"] == 1
    assert res.lr_test.statistic == pytest.approx(block["lr"], rel=1e-5)
    _assert_zph_matches(ph_test(_frame(block), "time", "event", ["g", "x"]), block["cox_zph"])


def _assert_zph_matches(ours: pd.DataFrame, theirs: dict) -> None:
    # R: cox.zph(fit) leaves the NA terms out; chisq rel 1e-6
    assert ours.term.tolist() == theirs["terms"]
    assert ours.chisq.tolist() == pytest.approx(theirs["chisq"], rel=1e-6)


def test_3_a_huge_coefficient_on_a_small_scale_is_an_estimate():
    block = REF["small_scale"]
    df = reference_data("lung").assign(age_per_1000=lambda d: d.age / 1000)
    # R: coxph(Surv(time, event) ~ I(age / 1000), data = lung) -> 18.72018, se 9.199207, p 0.04185
    row = cox(df, "time", "event", ["age_per_1000"]).coefficients.iloc[0]
    assert row.note == ""
    assert row.coef == pytest.approx(block["coef"], rel=1e-5)
    assert row.se == pytest.approx(block["se"], rel=1e-5)
    assert row.p == pytest.approx(block["p"], rel=1e-5)


def test_3_monotone_likelihood_is_named_from_the_likelihood():
    # every event in group b before any event in group a: R warns "Loglik converged before
    # variable 1; coefficient may be infinite" (coxph(Surv(t, e) ~ grp)); by hand, beta -> +inf
    df = pd.DataFrame({"t": range(1, 21), "e": [1] * 17 + [0] * 3, "grp": ["b"] * 10 + ["a"] * 10})
    row = cox(df, "t", "e", ["grp"]).coefficients.iloc[0]
    assert math.isnan(row.hr) and row.note.startswith("infinite estimate (monotone likelihood)")


def test_4_near_collinear_column_is_aliased_and_named():
    block = REF["collinear"]
    # R: coxph(Surv(time, event) ~ x1 + x2) with x2 = x1 + N(0, 1e-9) -> x2 NA, x1 -0.003649526, LR df 1
    res = cox(_frame(block), "time", "event", ["x1", "x2"])
    rows = res.coefficients.set_index("term")
    assert rows.loc["x2", "note"] == "aliased with x1 (collinear), dropped" and math.isnan(rows.loc["x2", "coef"])
    assert rows.loc["x1", "coef"] == pytest.approx(block["coef"][0], rel=1e-5)
    assert rows.loc["x1", "se"] == pytest.approx(block["se"][0], rel=1e-5)
    assert res.lr_test.df == block["df"] == 1
    assert res.lr_test.statistic == pytest.approx(block["lr"], rel=1e-5)
    _assert_zph_matches(ph_test(_frame(block), "time", "event", ["x1", "x2"]), block["cox_zph"])


def test_5_log_log_ci_before_the_first_time():
    block = REF["loglog_start"]
    # R: summary(survfit(..., conf.type = 'log-log'), times = c(1, 2.5, 3.5)): (1, 1) before the first
    # time, NA at S = 1 after it (a censoring at 2), then 0.2038-0.9692
    at = kaplan_meier(_frame(block), "time", "event", at=block["times"], conf_type="log-log").at_times
    for col in ("surv", "lower", "upper"):
        for mine, theirs in zip(at[col], block[col]):
            assert (math.isnan(mine) if theirs is None else mine == pytest.approx(theirs, abs=1e-9)), col


def test_6_median_ci_reads_a_non_monotone_band_as_r():
    block = REF["median_ci"]
    # R: quantile(survfit(Surv(time, event) ~ 1), 0.5) -> 8 (6, 26); a first-crossing rule gives 22
    med = kaplan_meier(_frame(block), "time", "event", conf_type="log").medians.iloc[0]
    assert [med["median"], med["lower"], med["upper"]] == block["median"] == [8, 6, 26]


def test_7_logrank_with_zero_variance_is_undefined_in_words():
    # R: survdiff(Surv(time, event) ~ g) stops: "Lapack routine dgesv: system is exactly singular"
    assert "singular" in REF["zero_variance"]["error"]
    with pytest.raises(RecurError, match="undefined: its variance is zero"):
        logrank(_frame(REF["zero_variance"]), "time", "event", "g")


def test_9_trend_on_integer_coded_ecog_equals_r_numeric_ecog():
    # R: coxph(Surv(time, status) ~ ph.ecog, data = lung): the trend 0 < 1 < 2 < 3 is ph.ecog itself
    ref = reference("lung")["cox"]["ph.ecog"]["efron"]["coefficients"][0]
    df = reference_data("lung")
    assert df["ph.ecog"].dropna().isin([0, 1, 2, 3]).all()
    res = cox(df, "time", "event", ["ph.ecog"], ordered={"ph.ecog": ["0", "1", "2", "3"]})
    row = res.coefficients.iloc[0]
    assert res.n == 227 and row.coef == pytest.approx(ref["coef"], rel=1e-5)
    assert row.se == pytest.approx(ref["se"], rel=1e-5)
    np.testing.assert_equal(row.level, "trend: 0 < 1 < 2 < 3")
