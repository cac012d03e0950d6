"""Landmark selection, RMST differences and competing-risks input checks on
hand-countable examples (the R parity is in tests/reference)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import recur
from recur.errors import RecurError
from recur.stats.landmark import CENSORED_BEFORE, EVENT_BEFORE, NO_DATA


def test_landmark_keeps_event_free_patients_and_resets_the_clock():
    df = pd.DataFrame({"t": [1, 3, 2, 3, 5, 10, np.nan], "e": [1, 1, 0, 0, 1, 0, 1], "g": list("abcdefg")},
                      index=[f"p{i}" for i in range(7)])
    lm = recur.landmark(df, "t", "e", 3)
    # p4 (t=5, event) and p5 (t=10, censored) were followed beyond month 3 without the event.
    assert list(lm.data.index) == ["p4", "p5"]
    assert list(lm.data["t"]) == [2, 7] and list(lm.data["e"]) == [1, 0] and list(lm.data["g"]) == ["e", "f"]
    assert lm.n_excluded == 5
    reasons = dict(zip(lm.excluded["row"], lm.excluded["reason"]))
    assert reasons == {"p0": EVENT_BEFORE, "p1": EVENT_BEFORE, "p2": CENSORED_BEFORE, "p3": CENSORED_BEFORE,
                       "p6": NO_DATA}
    assert lm.counts() == {EVENT_BEFORE: 2, CENSORED_BEFORE: 2, NO_DATA: 1}
    assert list(df["t"][:2]) == [1, 3]  # the input is not changed


def test_landmark_refuses_a_negative_time():
    with pytest.raises(RecurError, match="landmark"):
        recur.landmark(pd.DataFrame({"t": [1.0], "e": [1]}), "t", "e", -1)


def test_rmst_difference_by_hand():
    # Group A: events at 2 and 4 -> S = 1 on [0,2), 0.5 on [2,4), 0 after: area to 5 = 2 + 1 = 3.
    # Var = (area right of 2)^2 * 1/(2*1) = 1 * 0.5 (the event at 4 empties the risk set: 0).
    # Group B: both censored at 6 -> area 5, SE 0. B - A = 2, SE sqrt(0.5).
    df = pd.DataFrame({"t": [2, 4, 6, 6], "e": [1, 1, 0, 0], "g": ["A", "A", "B", "B"]})
    res = recur.rmst(df, "t", "e", by="g", tau=5)
    g = res.groups.set_index("group")
    assert g.loc["A", "rmst"] == pytest.approx(3.0) and g.loc["A", "se"] == pytest.approx(math.sqrt(0.5))
    assert g.loc["B", "rmst"] == pytest.approx(5.0) and g.loc["B", "se"] == 0
    d = res.differences.iloc[0]
    assert (d.group, d.reference) == ("B", "A")
    assert d.difference == pytest.approx(2.0) and d.se == pytest.approx(math.sqrt(0.5))
    assert d.lower == pytest.approx(2 - 1.959963985 * math.sqrt(0.5))
    assert len(res.notes) == 1 and "'A'" in res.notes[0]  # A's follow-up ends at 4 < 5


def test_cif_by_hand_and_status_checks():
    # 4 patients: death (2) at 1, failure (1) at 2, censored at 3, failure at 4.
    # CIF of failure: at 2, S(2-) = 3/4, 1 of 3 at risk -> 1/4; at 4, S(4-) = 1/2 * ... = 3/4*2/3 = 1/2, 1 of 1 -> +1/2.
    df = pd.DataFrame({"t": [1, 2, 3, 4], "s": [2, 1, 0, 1]})
    res = recur.cumulative_incidence(df, "t", "s", at=[0.5, 2, 3.5, 5])
    fail = res.at_times[res.at_times.cause == 1]
    assert list(fail.cif[:3]) == pytest.approx([0.0, 0.25, 0.25]) and math.isnan(fail.cif.iloc[3])
    assert res.curves[res.curves.cause == 1].cif.iloc[-1] == pytest.approx(0.75)
    assert res.curves[res.curves.cause == 2].cif.iloc[-1] == pytest.approx(0.25)
    with pytest.raises(RecurError, match="rows 1"):
        recur.cumulative_incidence(pd.DataFrame({"t": [1, 2], "s": [0, 3]}), "t", "s")
    with pytest.raises(RecurError, match="two groups"):
        recur.gray_test(df.assign(g="x"), "t", "s", "g")


def test_estimand_settings_round_trip_and_bad_values_are_dropped():
    s = recur.Settings(rmst_months=36.5, landmark_months=6.0, landmark_analysis=True)
    assert recur.Settings.from_json(s.to_json()) == s
    assert recur.Settings.from_query(s.to_query()) == s
    assert s.to_query()["lmk"] == ["6.0"] and s.to_query()["lmk_on"] == ["1"]
    kept, notices = recur.Settings.parse_query({"rmst": ["0"], "lmk": ["-1"], "lmk_on": ["1"]})
    assert len(notices) == 2 and "rmst=0" in notices[0] and "lmk=-1" in notices[1]
    assert (kept.rmst_months, kept.landmark_months, kept.landmark_analysis) == (24.0, 3.0, True)
    with pytest.raises(RecurError, match="RMST horizon"):
        recur.Settings.from_json('{"rmst_months": -3}')


def test_cif_drops_and_counts_rows_without_data_even_with_a_repeated_index():
    df = pd.DataFrame({"t": [1, "x", 2, 3, 4, np.nan], "s": [2, 1, np.nan, 1, 0, 1], "g": list("aabbab")},
                      index=[7, 7, 8, 8, 9, 9])
    res = recur.cumulative_incidence(df, "t", "s", by="g")
    assert res.n_dropped == 3 and res.dropped_rows == (7, 8, 9)
    assert res.counts[["group", "n", "n_events", "n_competing"]].values.tolist() == [["a", 2, 0, 1], ["b", 1, 1, 0]]
