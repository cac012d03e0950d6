"""Trial report on a small hand-made file: completion, the CONSORT-like flow
(every exclusion counted and named) and the 1-year OS per arm, by hand."""

import pandas as pd
import pytest

import recur
from recur.trial import trial_report

CSV = b"""patient_id,arm,date_recurrence,date_rt_start,date_last_followup,date_death,rt_dose_gy,rt_fractions,planned_dose_gy
A,ENI,2020-01-01,2020-01-20,2022-01-20,,60,30,60
B,ENI,2020-01-01,2020-01-20,2020-09-20,2020-09-20,50,25,60
C,IFI,2020-01-01,2020-01-20,2021-01-10,,60,30,60
D,IFI,2020-01-01,,2021-01-10,,,,60
E,,2020-01-01,2020-01-20,2021-01-10,,60,30,60
F,IFI,2020-01-01,2020-01-20,,,60,30,
G,ENI,2020-01-01,2020-01-20,2021-01-10,,60,30,60,surplus,cells
"""


@pytest.fixture(scope="module")
def report():
    cohort = recur.load_cohort(CSV, name="trial.csv")
    return trial_report(cohort, recur.Settings())


def test_completion_per_arm(report):
    t = report.completion.set_index("group")
    # completed: A, C, E; not: B (50 of 60 Gy); unknown: D (no dose given), F (no plan)
    assert t.loc["All patients", ["n", "completed", "not_completed", "unknown"]].tolist() == [6, 3, 1, 2]
    assert t.loc["All patients", "rate"] == pytest.approx(0.75)
    assert t.loc["ENI", ["completed", "not_completed", "unknown", "rate"]].tolist() == [1, 1, 0, 0.5]
    assert t.loc["IFI", ["completed", "unknown"]].tolist() == [1, 2]


def test_flow_counts_every_exclusion(report):
    f = report.flow.set_index(["step", "group"])
    assert report.arm == "arm"
    assert f.loc[("Rows in the file", "All patients"), "n"] == 7
    assert f.loc[("Enrolled (patients in the file)", "All patients"), ["n", "n_excluded"]].tolist() == [6, 1]
    assert f.loc[("Allocated", "ENI"), "n"] == 2 and f.loc[("Allocated", "IFI"), "n"] == 3
    assert f.loc[("Allocated", "All patients"), ["n", "n_excluded"]].tolist() == [0, 1]
    assert f.loc[("Started salvage RT", "IFI"), ["n", "n_excluded"]].tolist() == [2, 1]
    assert f.loc[("Received the planned dose", "ENI"), ["n", "n_excluded"]].tolist() == [1, 1]
    assert f.loc[("Received the planned dose", "IFI"), ["n", "n_excluded"]].tolist() == [1, 1]
    assert f.loc[("Analysed for OS", "IFI"), ["n", "n_excluded"]].tolist() == [1, 2]
    excluded = {(r.step, r.patient_id): r.reason for r in report.exclusions.itertuples()}
    assert excluded[("Enrolled (patients in the file)", "row 8")].startswith("11 cells but the header has 9")
    assert excluded[("Allocated", "E")] == "no value of arm"
    assert excluded[("Started salvage RT", "D")] == "no date_rt_start or rt_dose_gy"
    assert excluded[("Received the planned dose", "B")] == "planned dose not completed"
    assert excluded[("Received the planned dose", "F")] == "completion not recorded"
    assert excluded[("Analysed for OS", "D")] == "no date_rt_start"
    assert excluded[("Analysed for OS", "F")] == "no date_last_followup or date_death"
    assert len(report.exclusions) == report.flow["n_excluded"].sum() == 7
    # each step: n + excluded over its groups = the parent's n over the same groups
    flow = report.flow
    for step, rows in flow[flow["parent"] != ""].groupby("step", sort=False):
        parent = flow[(flow["step"] == rows["parent"].iloc[0]) & flow["group"].isin(rows["group"])]
        assert (rows["n"] + rows["n_excluded"]).sum() == parent["n"].sum(), step


def test_one_year_os_per_arm(report):
    at = report.survival["os"].at_times.set_index(["group", "time"])
    # ENI: B dies at 8 months, A censored at 24 -> S(12) = 1/2; IFI: C alone, censored at 11.7 months
    assert at.loc[("ENI", 12.0), "surv"] == pytest.approx(0.5)
    assert set(report.survival) == {"os"}  # no progression dates: no PFS
    assert "PFS cannot be built" in report.notes[0]
