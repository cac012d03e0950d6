"""AppTest: the study planner opens on the ESCC trial's design with rpact's
numbers (243.3 events, 433.1 patients, 36 months: see
tests/reference/rpact), takes its assumptions from the cohort open in one
click, explains when it cannot, and plans from an accrual rate."""

from __future__ import annotations

from pathlib import Path

import pytest
from lifelines import KaplanMeierFitter
from streamlit.testing.v1 import AppTest

import recur
from recur.ui.planner import PlanKeys
from recur.ui.state import Keys
from tests.app.test_pages import rendered

ROOT = Path(__file__).resolve().parents[2]
PAGE = "pages/7_Study_planner.py"


def planner() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page(PAGE).run()
    ok(at)
    return at


def ok(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def errors(at: AppTest) -> str:
    """The error boxes as read: user text in them is backslash-escaped Markdown."""
    return rendered("\n".join(e.value for e in at.error))


def paragraph(at: AppTest) -> str:
    return at.code[0].value


def test_the_planner_opens_on_the_trial_design_with_rpacts_numbers():
    at = planner()
    assert not at.error, [e.value for e in at.error]
    assert metrics(at) == {"Events needed": "244", "Patients needed": "434", "Expected trial length": "36 months",
                           "Power with 434 patients": "80.1%"}
    at.number_input(key=PlanKeys.PATIENTS_AVAILABLE).set_value(200).run()
    assert metrics(at)["Power with 200 patients"] == "47.8%"  # rpact getPowerSurvival: 0.4777
    text = paragraph(at)
    assert "1-year overall survival of 70% in the experimental arm versus 60% in the control arm" in text
    assert "Schoenfeld's formula requires 244 events" in text and "434 patients (217 experimental, 217 control)" in text
    assert len(at.get("plotly_chart")) == 2


def km_at(cohort: recur.Cohort, group: str, months: float) -> float:
    """Lifelines' Kaplan-Meier of the group at the landmark (independent of recur's)."""
    bed = cohort.data["bed_gy"] >= 78 - 1e-9
    rows = cohort.data[bed if group == "high" else ~bed]
    return float(KaplanMeierFitter().fit(rows["os_months"], rows["os_event"]).predict(months))


def test_take_assumptions_from_this_cohort_fills_the_design():
    cohort = recur.load_cohort(ROOT / "data" / "demo_nsclc_synthetic.csv")
    high, low = km_at(cohort, "high", 24), km_at(cohort, "low", 24)
    at = planner()
    at.selectbox(key=Keys.GROUP_BY).set_value("BED >=78 Gy").run()
    at.number_input(key=PlanKeys.LANDMARK).set_value(24.0).run()
    at.button(key=PlanKeys.FROM_COHORT_BUTTON).click().run()
    ok(at)
    assert not at.error, [e.value for e in at.error]
    assert at.number_input(key=PlanKeys.SURVIVAL_1).value == round(100 * high, 1)  # BED >=78 Gy: experimental
    assert at.number_input(key=PlanKeys.SURVIVAL_2).value == round(100 * low, 1)
    design = recur.plan.SurvivalDesign(survival_1=round(100 * high, 1) / 100, survival_2=round(100 * low, 1) / 100,
                                       landmark_months=24)
    expected = recur.plan.sample_size_survival(design)
    assert metrics(at)["Events needed"] == str(expected.events_needed)
    assert metrics(at)["Patients needed"] == str(expected.patients_needed)
    text = paragraph(at)
    assert f"2-year overall survival of {round(100 * high, 1):g}% in the experimental arm" in text
    assert "for BED >=78 Gy (n = 39)" in text and "demo_nsclc_synthetic.csv" in text
    starts = cohort.data["date_rt_start"]
    rate = (starts.notna().sum() - 1) / ((starts.max() - starts.min()).days / 30.4375)
    assert at.session_state[PlanKeys.RATE] == round(rate, 2)  # filled in for "Accrual rate"
    assert any(f"observed accrual ({rate:.2f} patients per month)" in c.value for c in at.caption)

    at.number_input(key=PlanKeys.SURVIVAL_1).set_value(95.0).run()  # edited: no longer the cohort's assumption
    ok(at)
    assert "demo_nsclc_synthetic.csv" not in paragraph(at)


def test_assumptions_that_cannot_be_taken_are_explained():
    at = planner()
    at.selectbox(key=Keys.GROUP_BY).set_value("BED >=78 Gy").run()
    at.button(key=PlanKeys.FROM_COHORT_BUTTON).click().run()  # at 12 months BED >=78 Gy has no death yet
    ok(at)
    assert "'BED >=78 Gy' has no event by 12 months" in errors(at)
    assert metrics(at)["Events needed"] == "244"  # the design typed in stays


@pytest.mark.parametrize("rate, patients, length", [(15.0, "540", "36.7 months")])
def test_planning_from_an_accrual_rate_solves_the_follow_up(rate, patients, length):
    """rpact: 15 a month over 36 months = 540 subjects; analysis at 36.68 months (follow-up 0.68)."""
    at = planner()
    at.number_input(key=PlanKeys.ACCRUAL).set_value(36.0).run()
    at.radio(key=PlanKeys.DURATION).set_value("rate").run()
    at.number_input(key=PlanKeys.RATE).set_value(rate).run()
    ok(at)
    assert {k: v for k, v in metrics(at).items() if not k.startswith("Power")} == {
        "Events needed": "244", "Patients needed": patients, "Expected trial length": length}
    at.number_input(key=PlanKeys.RATE).set_value(1.0).run()  # 36 patients cannot give 244 events
    assert "244 events need more than 36 patients" in errors(at)
