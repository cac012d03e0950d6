"""The synthetic ESCC salvage-CRT trial cohort (section D of
shared/docs/published-cohorts.md): its counts, doses, and the arms' 1-year OS
at the trial's assumptions (70% ENI, 60% IFI), checked with lifelines on
times computed straight from the file's dates."""

import pandas as pd
import pytest
from lifelines import KaplanMeierFitter

import recur
from recur import tables
from recur.demo import PUBLISHED_RULES
from recur.failure_rates import failure_rates
from tests.conftest import DATA

FILE = DATA / "demo_escc_salvage_synthetic.csv"


@pytest.fixture(scope="module")
def escc():
    settings = recur.Settings(rules=PUBLISHED_RULES[FILE.name][0])
    return recur.load_cohort(FILE, settings=settings), settings


def counts(cohort, column):
    return cohort.data[column].value_counts(dropna=False).to_dict()


def test_counts_and_doses(escc):
    c, _ = escc
    assert len(c.data) == 280 and c.is_synthetic and c.problems == ()
    assert counts(c, "arm") == {"ENI": 140, "IFI": 140}
    assert counts(c, "margin") == {"R0": 220, "R1": 45, "R2": 15}
    assert counts(c, "rt_completed") == {"yes": 252, "no": 28}
    assert c.data["boost_type"].fillna("one phase").value_counts().to_dict() == {"SIB": 200, "one phase": 60,
                                                                                 "sequential": 20}
    assert sorted(c.data["treatment_plan"].unique()) == [1, 2, 3, 4]
    assert (c.data["recurrence_region_count"].value_counts().sort_index().tolist() == [150, 90, 30, 10])
    assert tables.recurrence_regions_table(c.data)["region"].tolist() == ["I", "II", "III", "IV"]
    full_sib = c.data[(c.data["boost_type"] == "SIB") & (c.data["rt_dose_gy"] == 59.92)]
    assert len(full_sib) > 20 and full_sib["eqd2_gy"].round(2).eq(60.62).all()  # the trial's 60.62 Gy
    lesion = c.data["lesion_diameter_cm"]
    assert (lesion.median(), lesion.min(), lesion.max()) == (2.5, 0.8, 7.0)


def test_one_year_os_per_arm_independent_km(escc):
    raw = pd.read_csv(FILE, parse_dates=["date_rt_start", "date_death", "date_last_followup"])
    end = raw["date_death"].fillna(raw["date_last_followup"])
    raw["t"] = (end - raw["date_rt_start"]).dt.days / 30.4375
    raw["e"] = raw["date_death"].notna().astype(int)
    c, settings = escc
    ours = recur.kaplan_meier(c.data, "os_months", "os_event", by="arm", at=[12, 24, 36]).at_times
    for arm, expected in (("ENI", 0.70), ("IFI", 0.60)):
        part = raw[raw["arm"] == arm]
        lifelines_12 = KaplanMeierFitter().fit(part["t"], part["e"]).predict(12.0)
        assert lifelines_12 == pytest.approx(expected, abs=1e-12)
        mine = ours[ours["group"] == arm].set_index("time")["surv"]
        assert mine[12] == pytest.approx(lifelines_12, abs=1e-12)
        for months in (24, 36):
            assert mine[months] == pytest.approx(KaplanMeierFitter().fit(part["t"], part["e"]).predict(
                float(months)), abs=1e-12)
    assert ours.set_index(["group", "time"]).loc[("ENI", 24), "surv"] > ours.set_index(
        ["group", "time"]).loc[("IFI", 24), "surv"]


def test_pfs_counts_death_and_out_of_field_commoner_after_ifi(escc):
    c, settings = escc
    d = c.data
    died_first = d["date_death"].notna() & d["date_progression"].isna()
    assert (d.loc[died_first, "pfs_event"] == 1).all() and died_first.sum() > 10
    rates = failure_rates(c, settings, by="arm").table.set_index(["group", "time"])
    assert rates.loc[("IFI", 12.0), "incidence"] > rates.loc[("ENI", 12.0), "incidence"]
    types = tables.failure_type_table(d, by="arm").set_index(["group", "failure"])
    assert types.loc[("IFI", "out-of-field regional"), "n_ever"] > 2 * types.loc[("ENI", "out-of-field regional"),
                                                                                  "n_ever"]
