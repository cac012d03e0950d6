"""BED / EQD2 of multi-phase courses, checked by hand (alpha/beta 10):

- SIB to the PGTV, 59.92 Gy / 28 fx: d = 2.14, BED = 59.92 x 1.214 = 72.74288,
  EQD2 = 72.74288 / 1.2 = 60.6191 (the ESCC trial states 60.62 Gy).
- SIB 62.16 Gy / 28 fx: d = 2.22, BED = 62.16 x 1.222 = 75.95952, EQD2 = 63.2996.
- Sequential 50.4 Gy / 28 fx + 10 Gy / 5 fx: BED 50.4 x 1.18 = 59.472 and
  10 x 1.2 = 12 (total 71.472); EQD2 49.56 and 10 (total 59.56).
"""

import pandas as pd
import pytest

import recur
from recur.dose import bed, eqd2


def cohort(rows: list[dict]) -> recur.Cohort:
    base = {"os_months": 5, "os_event": 1}
    return recur.build_cohort(pd.DataFrame([{**base, **r} for r in rows]).astype(str).replace("nan", None))


def test_trial_sib_eqd2_is_60_62():
    assert round(eqd2(bed(59.92, 28, 10.0), 10.0), 2) == 60.62
    assert bed(59.92, 28, 10.0) == pytest.approx(72.74288)


COURSES = [
    {"patient_id": "SIB60", "phase1_dose_gy": 50.4, "phase1_fractions": 28, "phase2_dose_gy": 59.92,
     "phase2_fractions": 28, "boost_type": "SIB"},
    {"patient_id": "SIB62", "phase1_dose_gy": 50.4, "phase1_fractions": 28, "phase2_dose_gy": 62.16,
     "phase2_fractions": 28, "boost_type": "simultaneous"},
    {"patient_id": "SEQ", "phase1_dose_gy": 50.4, "phase1_fractions": 28, "phase2_dose_gy": 10,
     "phase2_fractions": 5, "boost_type": "sequential"},
    {"patient_id": "ONE", "phase1_dose_gy": 60, "phase1_fractions": 30},
    {"patient_id": "OLD", "rt_dose_gy": 60, "rt_fractions": 20},  # no phases: as before (BED 78)
]


def test_per_phase_and_total_bed_eqd2():
    c = cohort(COURSES)
    d = c.data.set_index("patient_id")
    assert c.problems == ()
    assert d.loc["SIB60", "phase1_bed_gy"] == pytest.approx(59.472)
    assert d.loc["SIB60", "phase1_eqd2_gy"] == pytest.approx(49.56)
    assert d.loc["SIB60", "phase2_eqd2_gy"] == pytest.approx(60.619067, abs=1e-6)
    # SIB: the total is the boost volume's, not the phases added
    assert d.loc["SIB60", "bed_gy"] == pytest.approx(72.74288)
    assert d.loc["SIB60", "eqd2_gy"] == pytest.approx(60.619067, abs=1e-6)
    assert (d.loc["SIB60", "rt_dose_gy"], d.loc["SIB60", "rt_fractions"]) == (59.92, 28)
    assert d.loc["SIB62", "bed_gy"] == pytest.approx(75.95952)
    assert d.loc["SIB62", "eqd2_gy"] == pytest.approx(63.2996)
    # sequential: the phases add (not 60.4 Gy / 33 fx as one course, which gives BED 71.455)
    assert d.loc["SEQ", "phase2_bed_gy"] == pytest.approx(12.0)
    assert d.loc["SEQ", "bed_gy"] == pytest.approx(71.472)
    assert d.loc["SEQ", "eqd2_gy"] == pytest.approx(59.56)
    assert (d.loc["SEQ", "rt_dose_gy"], d.loc["SEQ", "rt_fractions"]) == (60.4, 33)
    # one phase: 60 Gy / 30 fx is 2 Gy a fraction, EQD2 = 60, BED = 72
    assert d.loc["ONE", "bed_gy"] == pytest.approx(72.0) and d.loc["ONE", "eqd2_gy"] == pytest.approx(60.0)
    assert pd.isna(d.loc["ONE", "phase2_bed_gy"])
    assert d.loc["OLD", "bed_gy"] == pytest.approx(78.0) and pd.isna(d.loc["OLD", "phase1_bed_gy"])


def test_untyped_boost_and_disagreeing_total_are_reported():
    c = cohort([{"patient_id": "X", "phase1_dose_gy": 50.4, "phase1_fractions": 28, "phase2_dose_gy": 10,
                 "phase2_fractions": 5, "rt_dose_gy": 66}])
    rules = {p.rule: p for p in c.problems}
    assert set(rules) == {"boost_type", "phase_dose"}
    assert rules["boost_type"].patient_ids == ("X",) and "sequential" in rules["boost_type"].message
    assert c.data["bed_gy"].iloc[0] == pytest.approx(71.472)  # phases win over the supplied 66 Gy
    assert c.data["rt_dose_gy"].iloc[0] == 66.0  # the supplied value is kept, not overwritten


def test_completion_from_planned_dose_unless_given():
    c = cohort([
        {"patient_id": "A", "planned_dose_gy": 60, "rt_dose_gy": 60, "rt_fractions": 30},
        {"patient_id": "B", "planned_dose_gy": 60, "rt_dose_gy": 50, "rt_fractions": 25},
        {"patient_id": "C", "planned_dose_gy": 60, "rt_dose_gy": 50, "rt_fractions": 25, "rt_completed": "yes"},
        {"patient_id": "D", "rt_dose_gy": 50, "rt_fractions": 25},
    ])
    assert c.data.set_index("patient_id")["rt_completed"].fillna("unknown").tolist() == ["yes", "no", "yes", "unknown"]


def test_regions_normalised_and_counted():
    c = cohort([{"patient_id": "A", "recurrence_regions": "iii; 1"}, {"patient_id": "B", "recurrence_regions": "II"},
                {"patient_id": "C"}, {"patient_id": "D", "recurrence_regions": "II;V"}])
    d = c.data.set_index("patient_id")
    assert d["recurrence_regions"].tolist() == ["I;III", "II", None, "II;V"]
    assert d["recurrence_region_count"].tolist()[:2] == [2.0, 1.0] and pd.isna(d.loc["C", "recurrence_region_count"])
    assert [(p.rule, p.patient_ids) for p in c.problems] == [("unknown_region", ("D",))]
