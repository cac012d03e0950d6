"""Derived variables and endpoint rules, checked by hand calculation."""

import pandas as pd
import pytest

import recur
from recur.derive import BOTH, DISTANT_ONLY, LR_ONLY, NO_FAILURE
from recur.settings import EndpointRules, Settings


def cohort(rows: list[dict], settings: Settings | None = None) -> recur.Cohort:
    return recur.build_cohort(pd.DataFrame(rows).astype(str).replace("nan", None), settings=settings)


def test_bed_eqd2_dose_per_fraction_cumulative():
    c = cohort([
        {"patient_id": "A", "rt_dose_gy": 60, "rt_fractions": 20, "os_months": 5, "os_event": 1},
        # alpha/beta 3: 50 Gy / 10 fx -> d 5, BED 50 (1 + 5/3) = 133.33, EQD2 = BED / (1 + 2/3) = 80
        {"patient_id": "B", "rt_dose_gy": 50, "rt_fractions": 10, "alpha_beta": 3, "os_months": 5, "os_event": 1,
         "prior_rt_dose_gy": 70, "prior_rt_fractions": 35},
    ])
    d = c.data.set_index("patient_id")
    assert d.loc["A", "dose_per_fraction"] == 3.0
    assert d.loc["A", "bed_gy"] == pytest.approx(78.0)  # 60 (1 + 3/10)
    assert d.loc["A", "eqd2_gy"] == pytest.approx(65.0)  # 78 / 1.2
    assert d.loc["B", "bed_gy"] == pytest.approx(400 / 3)
    assert d.loc["B", "eqd2_gy"] == pytest.approx(80.0)
    assert d.loc["B", "cumulative_dose_gy"] == 120.0
    assert d.loc["B", "cumulative_eqd2_gy"] == pytest.approx(70.0 + 80.0)  # 2 Gy fractions: EQD2 = dose


def test_alpha_beta_setting_is_the_default():
    c = cohort([{"patient_id": "A", "rt_dose_gy": 60, "rt_fractions": 20, "os_months": 5, "os_event": 1}],
               Settings(alpha_beta=3.0))
    assert c.data["bed_gy"].iloc[0] == pytest.approx(120.0)  # 60 (1 + 3/3)


def test_intervals_in_months():
    c = cohort([
        {"patient_id": "A", "date_surgery": "2014-01-01", "date_recurrence": "2015-01-01",
         "date_rt_start": "2015-02-01", "date_last_followup": "2016-01-01"},
        {"patient_id": "B", "date_surgery": "2010-01-01", "date_initial_rt_end": "2012-01-01",
         "date_recurrence": "2013-01-01", "date_rt_start": "2013-02-01", "date_last_followup": "2014-01-01"},
    ])
    d = c.data.set_index("patient_id")
    assert d.loc["A", "dfi_months"] == pytest.approx(365 / 30.4375)
    assert d.loc["A", "ttr_months"] == pytest.approx(365 / 30.4375)  # no first RT: from surgery
    assert d.loc["B", "ttr_months"] == pytest.approx(366 / 30.4375)  # from the first RT's end (2012 leap year)


ROWS = [
    # progressed (distant) at 100 days, died at 300 days
    {"patient_id": "A", "date_recurrence": "2015-01-01", "date_rt_start": "2015-01-31",
     "date_distant_failure": "2015-05-11", "date_progression": "2015-05-11", "date_death": "2015-11-27",
     "date_last_followup": "2015-11-27"},
    # died at 200 days without any failure
    {"patient_id": "B", "date_recurrence": "2015-01-01", "date_rt_start": "2015-01-31",
     "date_death": "2015-08-19", "date_last_followup": "2015-08-19"},
    # local failure at 50 days, regional at 60, distant at 110 (60 days after the first failure)
    {"patient_id": "C", "date_recurrence": "2015-01-01", "date_rt_start": "2015-01-31",
     "date_local_failure": "2015-03-22", "date_regional_failure": "2015-04-01", "date_distant_failure": "2015-05-21",
     "date_last_followup": "2016-01-31"},
]


def test_endpoint_rules_death_and_origin():
    c = cohort(ROWS)
    d = c.data.set_index("patient_id")
    m = 30.4375
    assert d.loc["A", "os_months"] == pytest.approx(300 / m) and d.loc["A", "os_event"] == 1
    assert d.loc["A", "pfs_months"] == pytest.approx(100 / m) and d.loc["A", "pfs_event"] == 1
    assert d.loc["B", "pfs_months"] == pytest.approx(200 / m) and d.loc["B", "pfs_event"] == 1  # death = event
    assert d.loc["B", "lrfs_event"] == 0 and d.loc["B", "lrfs_months"] == pytest.approx(200 / m)  # censored at death
    assert d.loc["C", "lrfs_months"] == pytest.approx(50 / m)
    assert d.loc["C", "fflp_months"] == pytest.approx(50 / m) and d.loc["C", "dmfs_months"] == pytest.approx(110 / m)
    switched = cohort(ROWS, Settings(rules=EndpointRules(origin="recurrence", pfs_death_is_event=False,
                                                         lrfs_death_is_event=True)))
    s = switched.data.set_index("patient_id")
    assert s.loc["A", "os_months"] == pytest.approx(330 / m)  # from the recurrence, 30 days earlier
    assert s.loc["B", "pfs_event"] == 0 and s.loc["B", "lrfs_event"] == 1


def test_failure_patterns_ever_and_first_with_28_day_window():
    c = cohort(ROWS + [
        {"patient_id": "D", "date_rt_start": "2015-01-31", "date_local_failure": "2015-03-01",
         "date_distant_failure": "2015-03-20", "date_last_followup": "2016-01-31"},
        {"patient_id": "E", "date_rt_start": "2015-01-31", "date_regional_failure": "2015-03-01",
         "date_last_followup": "2016-01-31"},
    ])
    d = c.data.set_index("patient_id")
    assert d.loc["A", "failure_pattern"] == DISTANT_ONLY
    assert d.loc["B", "failure_pattern"] == NO_FAILURE
    assert d.loc["C", "failure_pattern"] == BOTH
    assert d.loc["C", "failure_pattern_first"] == LR_ONLY  # distant 60 days after the first failure
    assert d.loc["D", "failure_pattern_first"] == BOTH  # 19 days apart: synchronous
    assert d.loc["E", "failure_pattern"] == LR_ONLY


def test_analysis_frame_filters_and_counts():
    c = cohort([{"patient_id": str(i), "os_months": 5, "os_event": 1, "histology": h, "bed_gy": b}
                for i, (h, b) in enumerate([("squamous", 70), ("squamous", 80), ("adenocarcinoma", None)])])
    s = Settings(filters=(recur.Filter("histology", ("squamous",)),))
    frame, n_out = recur.analysis_frame(c, s)
    assert n_out == 1 and len(frame) == 2
    assert frame["bed_gy"].tolist() == [70.0, 80.0] and frame["BED >=78 Gy"].astype(str).tolist() == [
        "BED <78 Gy", "BED >=78 Gy"]
    frame["bed_gy"].to_numpy()[:] = 0.0  # the frame is the analysis's own: writing into it leaves the cohort as read
    assert c.data["bed_gy"].iloc[:2].tolist() == [70.0, 80.0]
    sizes = recur.cutoff_group_sizes(c, Settings()).set_index("cutoff")
    assert sizes.loc["BED >=78 Gy", ["n_group", "n_reference", "n_missing"]].tolist() == [1, 1, 1]
    assert not sizes.loc["DFI >=12 months", "available"]


def test_analysis_frame_of_a_few_columns_keeps_rows_groups_and_values():
    c = cohort([{"patient_id": str(i), "os_months": m, "os_event": 1, "histology": h, "bed_gy": b}
                for i, (m, h, b) in enumerate([(5, "squamous", 70), (7, "squamous", 80), (9, "adenocarcinoma", 90)])])
    s = Settings(filters=(recur.Filter("histology", ("squamous",)),))
    whole, n_out = recur.analysis_frame(c, s)
    few, n_out_few = recur.analysis_frame(c, s, columns=["os_months", "os_event", "BED >=78 Gy", "not_a_column"])
    assert n_out == n_out_few == 1
    assert list(few.columns) == ["os_months", "os_event", "bed_gy", "BED >=78 Gy"]  # other cutoffs' groups left out
    pd.testing.assert_frame_equal(few, whole[few.columns])
    assert list(recur.analysis_frame(c, s, columns=["os_months"])[0].columns) == ["os_months"]
    assert few["os_months"].tolist() == [5.0, 7.0] and few["BED >=78 Gy"].astype(str).tolist() == [
        "BED <78 Gy", "BED >=78 Gy"]
