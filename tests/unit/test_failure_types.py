"""In-field / out-of-field / distant failure counts and the out-of-field rate
on a small hand-made cohort, counted by hand (days from the RT start,
2020-01-01; failures within 28 days of the first are synchronous):

P1 in-field 100, alive to 731        P5 no failure, alive to 800
P2 out-of-field 200 + distant 210    P6 in-field 90 + out-of-field 100, distant 500
P3 distant 150, in-field 400, died 500   P7 in-field 50, but no date_rt_start
P4 died 300 without failure
"""

import pandas as pd
import pytest

import recur
from recur import tables
from recur.failure_rates import COMPETING_DEATH, FAILURE, competing_status, failure_rates

START = pd.Timestamp("2020-01-01")


def day(n: int | None) -> str | None:
    return None if n is None else (START + pd.Timedelta(days=n)).date().isoformat()


def patient(pid, local=None, regional=None, distant=None, death=None, last=None, start=True, regions=None):
    return {"patient_id": pid, "date_recurrence": "2019-12-01", "date_rt_start": day(0) if start else None,
            "date_local_failure": day(local), "date_regional_failure": day(regional),
            "date_distant_failure": day(distant), "date_death": day(death), "date_last_followup": day(last or death),
            "recurrence_regions": regions, "arm": "ENI" if pid in ("P1", "P2", "P3") else "IFI"}


ROWS = [patient("P1", local=100, last=731, regions="I;II"), patient("P2", regional=200, distant=210, last=900,
                                                                       regions="II"),
        patient("P3", distant=150, local=400, death=500, regions="ii;iii"), patient("P4", death=300),
        patient("P5", last=800, regions="IV"), patient("P6", local=90, regional=100, distant=500, last=1000),
        patient("P7", local=50, last=400, start=False)]


@pytest.fixture(scope="module")
def cohort():
    return recur.build_cohort(pd.DataFrame(ROWS))


def test_failure_types_ever_and_first(cohort):
    t = tables.failure_type_table(cohort.data).set_index("failure")
    assert t["n_ever"].to_dict() == {"in-field (local)": 4, "out-of-field regional": 2, "distant": 3}
    # first: in-field P1, P6, P7 (not P3: its distant came 250 days earlier); out-of-field P2 (first),
    # P6 (10 days after its in-field); distant P2 (10 days after), P3 (first), not P6 (410 days later)
    assert t["n_first"].to_dict() == {"in-field (local)": 3, "out-of-field regional": 2, "distant": 2}
    assert t.loc["distant", "percent_ever"] == pytest.approx(300 / 7)


def test_failure_types_by_arm(cohort):
    t = tables.failure_type_table(cohort.data, by="arm")
    eni = t[t.group == "ENI"].set_index("failure")["n_ever"].to_dict()
    assert eni == {"in-field (local)": 2, "out-of-field regional": 1, "distant": 2}
    assert t[t.group == "IFI"]["percent_ever"].tolist() == pytest.approx([50.0, 25.0, 25.0])


def test_recurrence_regions_counted_like_distant_sites(cohort):
    regions = tables.recurrence_regions_table(cohort.data)
    assert regions.to_dict("list") == {"region": ["I", "II", "III", "IV"], "n": [1, 3, 1, 1]}


def test_competing_status_and_out_of_field_rate(cohort):
    status, excluded = competing_status(cohort.data)
    s = status.set_index(cohort.data["patient_id"])
    assert s["failure_status"].dropna().to_dict() == {"P1": 0, "P2": FAILURE, "P3": COMPETING_DEATH,
                                                      "P4": COMPETING_DEATH, "P5": 0, "P6": FAILURE}
    assert s.loc["P3", "failure_months"] == pytest.approx(500 / 30.4375)
    assert excluded[["patient_id", "reason"]].values.tolist() == [["P7", "no date_rt_start"]]
    rates = failure_rates(cohort, recur.Settings())
    # Aalen-Johansen: failures at 100 (6 at risk) and 200 (5 at risk), nobody leaves before: 1/6 + 5/6 x 1/5 = 1/3;
    # the deaths come later, so the incidence stays 1/3 at 2 years
    at = rates.table.set_index("time")
    assert at.loc[12.0, "incidence"] == pytest.approx(1 / 3) and at.loc[24.0, "incidence"] == pytest.approx(1 / 3)
    assert bool(at.loc[36.0, "beyond_last_observed"])  # the last time is day 800 (26.3 months)
    assert rates.counts.iloc[0].to_dict() == {"group": "All patients", "n": 6, "failures": 2, "deaths_first": 2,
                                              "censored": 2}
    assert rates.excluded["patient_id"].tolist() == ["P7"]
