"""Hand-checkable Kaplan-Meier and log-rank cases, and Cox models that
cannot be fitted: a clear note per term instead of nonsense or an exception."""

import numpy as np
import pandas as pd
import pytest

from recur.errors import RecurError
from recur.stats.cox import cox, ph_test
from recur.stats.km import kaplan_meier
from recur.stats.logrank import logrank


def test_km_by_hand():
    # times 1,2,2+,3,4+: S(1)=4/5, S(2)=4/5*3/4=0.6, S(3)=0.6*1/2=0.3; median = 3 (first S <= 0.5)
    df = pd.DataFrame({"t": [1, 2, 2, 3, 4], "e": [1, 1, 0, 1, 0]})
    km = kaplan_meier(df, "t", "e", at=[2.5])
    assert km.curves["surv"].tolist() == pytest.approx([0.8, 0.6, 0.3, 0.3])
    assert km.curves["n_risk"].tolist() == [5, 4, 2, 1]
    assert km.at_times["surv"].iloc[0] == pytest.approx(0.6) and km.at_times["n_risk"].iloc[0] == 2
    # Greenwood: var(log S(2)) = 1/(5*4) + 1/(4*3) = 0.1333; SE of S = 0.6 * sqrt(0.1333)
    assert km.at_times["std_err"].iloc[0] == pytest.approx(0.6 * np.sqrt(1 / 20 + 1 / 12))
    assert km.medians["median"].iloc[0] == 3


def test_km_median_on_a_flat_at_half_is_the_midpoint():
    # S drops to exactly 0.5 at t=2 and stays until t=4: R's median is (2 + 4) / 2 = 3
    df = pd.DataFrame({"t": [2, 2, 4, 4], "e": [1, 1, 1, 1]})
    assert kaplan_meier(df, "t", "e").medians["median"].iloc[0] == 3


def test_km_drops_and_counts_missing_and_rejects_bad_values():
    df = pd.DataFrame({"t": [1, 2, np.nan, 4], "e": [1, 0, 1, 1]}, index=["a", "b", "c", "d"])
    km = kaplan_meier(df, "t", "e")
    assert km.n_dropped == 1 and km.dropped_rows == ("c",)
    with pytest.raises(RecurError, match="rows x"):
        kaplan_meier(pd.DataFrame({"t": [1, -2], "e": [1, 1]}, index=["w", "x"]), "t", "e")
    with pytest.raises(RecurError, match="0 \\(censored\\) or 1"):
        kaplan_meier(pd.DataFrame({"t": [1, 2], "e": [1, 2]}), "t", "e")


def test_logrank_two_groups_by_hand():
    # group a: deaths at 1, 3; group b: deaths at 2, 4 (n=2 each).
    # t=1: O_a=1, E_a=2/4*1=0.5, V=1*(3)/(3)*(2*2)/16=0.25; t=2: n_a=1,n_b=2: E_a=1/3, V=2/9;
    # t=3: n_a=1,n_b=1: E_a=1/2, V=1/4; t=4: n_a=0 -> nothing. O-E = 2-4/3 = 2/3, V = 13/18 -> chi2 = 8/13
    df = pd.DataFrame({"t": [1, 3, 2, 4], "e": [1, 1, 1, 1], "g": ["a", "a", "b", "b"]})
    res = logrank(df, "t", "e", "g")
    assert res.chisq == pytest.approx((2 / 3) ** 2 / (0.25 + 2 / 9 + 0.25))
    assert res.df == 1


def test_logrank_needs_two_groups():
    with pytest.raises(RecurError, match="at least two groups"):
        logrank(pd.DataFrame({"t": [1, 2], "e": [1, 1], "g": ["a", "a"]}), "t", "e", "g")


def _frame(n=40, seed=3):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"t": rng.exponential(10, n).round(1) + 0.1, "e": rng.integers(0, 2, n),
                         "x": rng.normal(size=n), "grp": rng.choice(["a", "b"], n)})


def test_no_events_in_a_level_gets_a_note():
    df = _frame()
    df.loc[df.grp == "b", "e"] = 0
    res = cox(df, "t", "e", ["grp", "x"])
    row = res.coefficients.set_index("term").loc["grp=b"]
    assert np.isnan(row.hr) and "no events in group b" in row.note
    assert not np.isnan(res.coefficients.set_index("term").loc["x", "hr"])


def test_separation_is_reported_not_printed_as_huge_hr():
    # every event in group b happens before any event in group a: the likelihood is monotone
    df = pd.DataFrame({"t": list(range(1, 21)), "e": [1] * 20, "grp": ["b"] * 10 + ["a"] * 10})
    df.loc[df.index[-3:], "e"] = 0
    res = cox(df, "t", "e", ["grp"])
    row = res.coefficients.iloc[0]
    assert np.isnan(row.hr) and "not estimable" in row.note


def test_constant_and_collinear_terms():
    df = _frame()
    df["const"] = 1.0
    df["x2"] = 2 * df["x"]
    res = cox(df, "t", "e", ["x", "const", "x2"]).coefficients.set_index("term")
    assert "no variation" in res.loc["const", "note"]
    assert "collinear" in res.loc["x2", "note"]
    assert res.loc["x", "note"] == ""


def test_no_events_at_all_and_missing_rows():
    df = _frame()
    df["e"] = 0
    res = cox(df, "t", "e", ["x"])
    assert res.n_events == 0 and "no events" in res.coefficients.note.iloc[0]
    df = _frame()
    df.loc[[0, 1], "x"] = np.nan
    assert cox(df, "t", "e", ["x"]).n_dropped == 2
    with pytest.raises(RecurError, match="not found"):
        cox(df, "t", "e", ["nope"])
    with pytest.raises(RecurError, match="Reference level"):
        cox(df, "t", "e", ["grp"], reference={"grp": "zzz"})


def test_infinite_times_are_refused_naming_the_rows():
    df = pd.DataFrame({"t": [1.0, np.inf, 3.0, -np.inf], "e": [1, 1, 0, 1], "x": [0.1, 0.5, 0.2, 0.9]},
                      index=["p1", "p2", "p3", "p4"])
    for call in (lambda: cox(df, "t", "e", ["x"]), lambda: kaplan_meier(df, "t", "e")):
        with pytest.raises(RecurError, match="infinite times in rows p2, p4"):
            call()


def test_screen_gives_a_reason_for_a_model_it_cannot_fit():
    from recur.screen import screen_cox
    df = _frame().rename(columns={"t": "os_months", "e": "os_event"})
    screen = screen_cox(df, ["x", "grp"], ["os"], ordered={"grp": ["zz", "yy"]})
    rows = screen.table[screen.table.model == "univariate"].set_index("term")
    assert rows.loc["x", "note"] == "" and rows.loc["x", "hr"] > 0
    assert rows.loc["grp", "note"].startswith("not estimable: The ordered trend for 'grp' lists levels zz, yy")


def test_trend_levels_given_as_text_code_an_integer_column():
    df = _frame().assign(ecog=lambda d: np.arange(len(d)) % 3)
    as_text = cox(df, "t", "e", ["ecog"], ordered={"ecog": ["0", "1", "2"]})
    as_number = cox(df, "t", "e", ["ecog"])
    assert as_text.n == len(df) and as_text.coefficients.coef[0] == pytest.approx(as_number.coefficients.coef[0],
                                                                                  rel=1e-12)


def test_ph_test_with_no_estimable_term_says_so():
    # group A is censored before the first event: g=B carries no information (R: NA, cox.zph has no term)
    df = pd.DataFrame({"t": range(1, 8), "e": [0, 0, 1, 1, 0, 1, 1], "g": ["A"] * 2 + ["B"] * 5})
    with pytest.raises(RecurError, match="at least one estimable term"):
        ph_test(df, "t", "e", ["g"])
