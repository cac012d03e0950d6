"""AppTest: the ESCC trial demo opens from the Cohort page; the Trial report
page shows its completion, the arms' 1-year OS (70% / 60% by construction)
and the flow of patients; Failure patterns shows the out-of-field rate."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from recur.ui.state import Keys

ROOT = Path(__file__).resolve().parents[2]
ESCC = "Synthetic ESCC salvage CRT trial (280 patients)"


def no_problem(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def escc_app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.selectbox(key=Keys.DEMO).set_value(ESCC).run()
    return at


def test_escc_demo_opens_and_trial_report_shows_the_arms():
    at = escc_app()
    no_problem(at)
    assert any("escc" in s.value and s.value.endswith(": 280 patients") for s in at.subheader)
    at.switch_page("pages/6_Trial_report.py").run()
    no_problem(at)
    completion, survival, flow = (at.dataframe[i].value for i in range(3))
    assert completion["Group"].tolist() == ["All patients", "ENI", "IFI"]
    assert completion["Received the planned dose"].iloc[0].startswith("252 (90.0% (")
    os_rows = survival[survival["Endpoint"] == "OS"].set_index("Group")
    assert os_rows.loc["ENI", "1-year"].startswith("70.0% (") and os_rows.loc["IFI", "1-year"].startswith("60.0% (")
    assert set(survival["Endpoint"]) == {"OS", "PFS"}
    received = flow[flow["Step"] == "Received the planned dose"].set_index("Group")
    assert received["n"].sum() == 252 and received["Left out"].sum() == 28
    assert any("the arm column is used" in c.value for c in at.caption)


def test_failure_patterns_show_in_and_out_of_field_on_the_escc_demo():
    at = escc_app()
    at.switch_page("pages/3_Failure_patterns.py").run()
    no_problem(at)
    tables = [d.value for d in at.dataframe]
    types = next(t for t in tables if "Failure" in t)
    assert types["Failure"].tolist() == ["in-field (local)", "out-of-field regional", "distant"]
    rates = next(t for t in tables if "Deaths first" in t)
    assert rates["n"].tolist() == [280] and {"1-year", "2-year", "3-year"} <= set(rates)
    regions = next(t for t in tables if "region" in t)
    assert regions["region"].tolist() == ["I", "II", "III", "IV"]


def test_trial_report_on_a_cohort_without_arms():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/6_Trial_report.py").run()
    no_problem(at)
    assert any("Completion needs rt_completed" in i.value for i in at.info)
    survival = at.dataframe[0].value
    assert survival["Endpoint"].tolist() == ["OS", "PFS"] and set(survival["Group"]) == {"All patients"}
    assert survival["n"].tolist() == [74, 74]
