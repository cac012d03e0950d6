"""The synthetic demo cohorts reproduce the published marginals exactly and
land near the published rates and effect directions
(shared/docs/published-cohorts.md, cohorts A and C)."""

import pandas as pd
import pytest

import recur
from recur import tables
from recur.demo import DEMO_FILES
from tests.conftest import DATA


def counts(cohort, column):
    return cohort.data[column].value_counts(dropna=False).rename(index=lambda k: "missing" if pd.isna(k) else k).to_dict()


def test_shipped_files_are_the_generators_output():
    for name, make in DEMO_FILES.items():
        shipped = pd.read_csv(DATA / name, dtype=str, keep_default_na=False)
        fresh = pd.read_csv(__import__("io").StringIO(make().to_csv(index=False)), dtype=str, keep_default_na=False)
        pd.testing.assert_frame_equal(shipped, fresh)


def test_nsclc_table_one_matches_published_cohort_a(nsclc_cohort):
    c = nsclc_cohort
    assert len(c.data) == 74 and c.is_synthetic and c.problems == ()
    assert counts(c, "sex") == {"M": 54, "F": 20}
    assert counts(c, "stage_initial") == {"I": 17, "II": 16, "III": 34, "missing": 7}
    assert counts(c, "histology") == {"squamous": 18, "adenocarcinoma": 41, "LELC": 10, "other": 5}
    assert counts(c, "egfr") == {"mutant": 14, "wild-type": 37, "unknown": 23}
    assert counts(c, "recurrence_site") == {"stump": 8, "regional LN": 56, "ipsilateral lung": 6,
                                            "stump + LN": 3, "LN + lung": 1}
    assert counts(c, "concurrent_chemo") == {"yes": 59, "no": 15}
    assert counts(c, "rt_technique") == {"3D-CRT": 5, "IMRT": 62, "SBRT": 7}
    assert counts(c, "response") == {"CR": 11, "PR": 36, "SD": 14, "PD": 13}
    age = c.data["age"]
    assert (age.median(), age.min(), age.max()) == (59, 29, 84)
    t1 = tables.table_one(c.data, ["sex"]).set_index("level")
    assert t1.loc["M", "n"] == 54 and t1.loc["M", "percent"] == pytest.approx(100 * 54 / 74)
    tox = tables.toxicity_table(c.data).set_index("event")
    assert tox.loc["neutropenia", "grade_3plus"] == 8 and tox.loc["esophagitis", "grade_3plus"] == 7
    assert tox.loc["esophagitis", "grade_4"] == 1 and tox.loc["pneumonitis", "grade_3plus"] == 1


def rate(cohort, settings, endpoint, months):
    frame, _ = recur.analysis_frame(cohort, settings)
    km = recur.kaplan_meier(frame, f"{endpoint}_months", f"{endpoint}_event", at=[months])
    return km.at_times["surv"].iloc[0]


@pytest.mark.parametrize("endpoint,published", [("os", 0.842), ("pfs", 0.425), ("lrfs", 0.700), ("dmfs", 0.509)])
def test_nsclc_two_year_rates_near_published(nsclc_cohort, endpoint, published):
    # a synthetic sample of 74: within 6 percentage points of the published 2-year rates
    assert rate(nsclc_cohort, recur.Settings(), endpoint, 24) == pytest.approx(published, abs=0.06)


def test_nsclc_effect_directions(nsclc_cohort):
    frame, _ = recur.analysis_frame(nsclc_cohort, recur.Settings())
    bed = recur.cox(frame, "lrfs_months", "lrfs_event", ["BED >=78 Gy"]).coefficients.iloc[0]
    assert bed.term == "BED >=78 Gy" and bed.reference == "BED <78 Gy"
    assert bed.hr < 0.5 and bed.p < 0.05  # published 0.288, p 0.016
    egfr = recur.cox(frame, "dmfs_months", "dmfs_event", ["egfr"],
                     ordered={"egfr": ["wild-type", "mutant", "unknown"]}).coefficients.iloc[0]
    assert egfr.hr < 0.7 and egfr.p < 0.05  # published 0.418, p 0.028
    assert recur.cox(frame, "os_months", "os_event", ["BED >=78 Gy"]).coefficients.hr.iloc[0] < 1


def test_npc_marginals_and_rates(npc_cohort):
    c, settings = npc_cohort
    assert len(c.data) == 184 and c.problems == ()
    assert counts(c, "sex") == {"M": 133, "F": 51}
    assert counts(c, "stage_recurrence") == {"rT3-4": 120, "rT1-2": 64}
    assert (c.data["ttr_months"] <= 24).sum() == 59
    assert int(c.data["os_event"].sum()) == pytest.approx(134, abs=8)
    assert rate(c, settings, "os", 36) == pytest.approx(0.460, abs=0.05)
    assert rate(c, settings, "lrfs", 36) == pytest.approx(0.851, abs=0.05)
    assert rate(c, settings, "dmfs", 36) == pytest.approx(0.911, abs=0.05)
    frame, _ = recur.analysis_frame(c, settings)
    ttr = recur.cox(frame, "dmfs_months", "dmfs_event", ["TTR <=24 months", "concurrent_chemo"]).coefficients
    assert ttr.set_index("term").loc["TTR <=24 months", "hr"] > 1  # short TTR harmful (published HR 0.291 for >2 y)
    assert ttr.set_index("term").loc["concurrent_chemo=yes", "hr"] < 1  # published 0.210
    tox = tables.toxicity_table(c.data).set_index("event")
    assert tox.loc["trismus", "grade_3plus"] == 35 and tox.loc["haemorrhage", "phase"] == "late"
