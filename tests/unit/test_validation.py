"""Every validation rule, on small bad files: the problem names the column
and the patient, the load never raises, excluded rows are listed."""

import io

import pandas as pd
import pytest

import recur
from recur.errors import RecurError

HEADER = "patient_id,date_rt_start,date_last_followup,date_death,rt_dose_gy,rt_fractions\n"
GOOD = "P1,2015-01-05,2016-01-05,,60,30\nP2,2015-02-01,2015-09-01,2015-09-01,66,33\n"


def load(text: str, name: str = "cohort.csv") -> recur.Cohort:
    return recur.load_cohort(text.encode(), name=name)


def find(cohort: recur.Cohort, column: str, rule: str):
    hits = [p for p in cohort.problems if p.column == column and p.rule == rule]
    assert hits, f"no {rule} problem on {column}: {cohort.problems}"
    return hits[0]


def test_clean_file_has_no_problems():
    c = load(HEADER + GOOD)
    assert c.problems == ()
    assert list(c.data["os_event"]) == [0, 1]


def test_missing_patient_id_column():
    c = load("date_rt_start,date_last_followup\n2015-01-05,2016-01-05\n")
    p = find(c, "patient_id", "missing_column")
    assert p.level == "error" and "unique study ID" in p.message
    assert list(c.data["patient_id"]) == ["row 2"]


def test_empty_and_duplicate_ids():
    c = load(HEADER + GOOD + ",2015-01-05,2016-01-05,,60,30\nP1,2015-03-01,2016-01-05,,60,30\n")
    assert find(c, "patient_id", "missing_id").patient_ids == ("row 4",)
    dup = find(c, "patient_id", "duplicate_id")
    assert dup.patient_ids == ("P1",) and "unique ID" in dup.message


def test_unparseable_dates_name_patient_and_value():
    c = load(HEADER + GOOD + "P3,2015-13-45,2016-01-05,,60,30\nP4,soon,2016-01-05,,60,30\n")
    p = find(c, "date_rt_start", "impossible_date")  # shaped like a date, not on the calendar
    assert p.patient_ids == ("P3",) and "2015-13-45" in p.message and "not on the calendar" in p.message
    p = find(c, "date_rt_start", "unparseable_date")
    assert p.patient_ids == ("P4",) and "soon" in p.message and "YYYY-MM-DD" in p.message
    excluded = c.exclusions[c.exclusions.endpoint == "os"]
    assert list(excluded.patient_id) == ["P3", "P4"] and "date_rt_start" in excluded.reason.iloc[0]


def test_other_date_format_is_read_and_reported():
    # 05.01.2015 could be 5 January or 1 May: the file is asked about once, read day first meanwhile
    c = load("patient_id,date_rt_start,date_last_followup\nP1,05.01.2015,05.01.2016\n")
    assert find(c, "dates", "date_order_ambiguous").level == "warning"
    assert c.data["os_months"].iloc[0] == pytest.approx(365 / 30.4375)


def test_death_before_rt_start():
    c = load(HEADER + "P9,2015-05-01,2015-06-01,2015-04-01,60,30\n")
    p = find(c, "date_death", "date_order")
    assert p.patient_ids == ("P9",) and "before the start of radiotherapy" in p.message


def test_event_after_last_followup_is_excluded_from_that_endpoint_only():
    text = ("patient_id,date_rt_start,date_last_followup,date_distant_failure,date_local_failure\n"
            "P1,2015-01-05,2015-06-01,2015-08-01,\nP2,2015-01-05,2016-01-05,,2015-06-01\n")
    c = load(text)
    p = find(c, "date_distant_failure", "date_order")
    assert p.patient_ids == ("P1",) and "after the last follow-up" in p.message
    dm = c.exclusions[c.exclusions.endpoint == "dmfs"]
    assert list(dm.patient_id) == ["P1"]
    assert c.exclusion_counts() == {"pfs": 1, "dmfs": 1}  # the distant failure also counts for PFS
    assert c.data.loc[c.data.patient_id == "P1", "os_months"].notna().all()  # still in OS
    assert c.data.loc[c.data.patient_id == "P1", "dmfs_months"].isna().all()


def test_recurrence_before_surgery_leaves_dfi_missing():
    c = load("patient_id,date_surgery,date_recurrence,date_rt_start,date_last_followup\n"
             "P1,2014-05-01,2014-01-01,2014-02-01,2015-01-01\n")
    assert find(c, "date_recurrence", "date_order").patient_ids == ("P1",)
    assert c.data["dfi_months"].isna().all()


def test_negative_and_zero_precomputed_times():
    c = load("patient_id,os_months,os_event\nA,-3,1\nB,0,0\nC,10,1\n")
    neg = find(c, "os_months", "negative_time")
    assert neg.patient_ids == ("A",) and neg.level == "error"
    assert find(c, "os_months", "zero_time").patient_ids == ("B",)
    assert list(c.exclusions.patient_id) == ["A"]


def test_grades_outside_0_5():
    c = load("patient_id,os_months,os_event,tox_pneumonitis\nA,5,1,3\nB,6,0,7\n")
    p = find(c, "tox_pneumonitis", "out_of_range")
    assert p.patient_ids == ("B",) and "0-5" in p.message
    assert c.data["tox_pneumonitis"].isna().tolist() == [False, True]


def test_unknown_category_suggests_closest():
    c = load("patient_id,os_months,os_event,sex,egfr\nA,5,1,Mlae,wild type\nB,6,0,F,mutnat\n")
    sex = find(c, "sex", "unknown_category")
    assert sex.patient_ids == ("A",) and "'Mlae'" in sex.message and "did you mean 'M'" in sex.message
    egfr = find(c, "egfr", "unknown_category")
    assert egfr.patient_ids == ("B",) and "did you mean 'mutant'" in egfr.message
    assert c.data["egfr"].tolist()[0] == "wild-type"  # a known spelling is normalised


def test_zero_fractions():
    c = load(HEADER + "P1,2015-01-05,2016-01-05,,60,0\n")
    p = find(c, "rt_fractions", "out_of_range")
    assert p.patient_ids == ("P1",) and "fractions" in p.message
    assert c.data["bed_gy"].isna().all()


def test_identifying_columns_and_mrn_like_ids_warn():
    c = load("patient_id,Patient Name,date_of_birth,os_months,os_event\n12345678,Ann Smith,1950-01-01,5,1\n")
    assert find(c, "Patient Name", "privacy").level == "warning"
    assert find(c, "date_of_birth", "privacy").level == "warning"
    assert find(c, "patient_id", "privacy").level == "warning"


def test_a_column_of_personal_names_warns():
    c = load("patient_id,contact,os_months,os_event\nA,Ann Smith,5,1\nB,Bo Li,6,0\nC,Eva Maria Stone,7,1\n")
    assert find(c, "contact", "privacy").level == "warning"
    assert not [p for p in load(HEADER + GOOD).problems if p.rule == "privacy"]


def test_not_a_number():
    c = load("patient_id,os_months,os_event,age\nA,5,1,sixty\n")
    p = find(c, "age", "not_a_number")
    assert p.patient_ids == ("A",) and "sixty" in p.message


def test_no_endpoint_is_an_error_not_an_exception():
    c = load("patient_id,age\nA,50\n")
    assert find(c, "date_rt_start", "no_endpoint").level == "error"
    assert c.endpoints == ()


def test_supplied_time_disagreeing_with_dates():
    c = load("patient_id,date_rt_start,date_last_followup,os_months,os_event\nA,2015-01-01,2016-01-01,20,0\n")
    assert find(c, "os_months", "time_mismatch").patient_ids == ("A",)
    assert c.data["os_months"].iloc[0] == pytest.approx(365 / 30.4375)  # dates win


def test_semicolon_bom_xlsx_parquet_and_mapping(tmp_path):
    semi = "\ufeffID;OS (months);os_status\nA;5,5;1\nB;7;0\n".encode("utf-8")
    c = recur.load_cohort(semi, name="c.csv")
    assert c.renames == {"ID": "patient_id", "OS (months)": "os_months", "os_status": "os_event"}
    assert c.data["os_months"].tolist() == [5.5, 7.0]
    frame = pd.DataFrame({"Study": ["A", "B"], "t": [5.0, 7.0], "e": [1, 0]})
    mapping = {"Study": "patient_id", "t": "os_months", "e": "os_event"}
    frame.to_excel(tmp_path / "c.xlsx", index=False)
    frame.to_parquet(tmp_path / "c.parquet")
    for path in (tmp_path / "c.xlsx", tmp_path / "c.parquet"):
        c = recur.load_cohort(path, mapping=mapping)
        assert c.problems == () and c.data["os_event"].tolist() == [1, 0]
    with open(tmp_path / "c.xlsx", "rb") as fh:  # a file-like object, as uploads are
        assert len(recur.load_cohort(io.BytesIO(fh.read()), mapping=mapping, name="c.xlsx").data) == 2


def test_unreadable_file_raises_recur_error(tmp_path):
    with pytest.raises(RecurError, match="not a text table"):
        recur.load_cohort(bytes(range(256)) * 4, name="x.csv")
    with pytest.raises(RecurError, match="not found"):
        recur.load_cohort(tmp_path / "missing.csv")
