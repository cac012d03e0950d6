"""recur.plan beyond the rpact parity suite: assumptions taken from a small
hand-made cohort (Kaplan-Meier and accrual worked out by hand), the
justification paragraph's numbers, power at the planned size, and the
messages for designs that cannot be computed."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

import recur
from recur.errors import RecurError
from recur.plan import (ESCC_TRIAL, SurvivalDesign, assumptions_from_cohort, justification, power_curve,
                        power_survival, sample_size_survival)

# Group "new": 3 died, 6 censored, 10 died, 15 censored, 20 died; group "old": 2, 14, 18 died, 16 and 24 censored.
TIMES = {"new": [(3, 1), (6, 0), (10, 1), (15, 0), (20, 1)], "old": [(2, 1), (14, 1), (16, 0), (18, 1), (24, 0)]}
STARTS = ["2020-01-01", "2020-03-01", "2020-05-01", None, "2020-06-15", "2020-07-01", "2020-08-01", "2020-09-01",
          "2020-11-30", "2021-01-01"]


def small_cohort() -> recur.Cohort:
    rows = [{"patient_id": f"P{i}", "arm": arm, "os_months": str(t), "os_event": str(e), "date_rt_start": start}
            for i, ((arm, (t, e)), start) in enumerate(zip([(a, te) for a in TIMES for te in TIMES[a]], STARTS))]
    return recur.build_cohort(pd.DataFrame(rows))


def test_assumptions_from_a_hand_made_cohort():
    a = assumptions_from_cohort(small_cohort(), recur.Settings(group_by="arm"), landmark_months=12)
    assert (a.control.group, a.experimental.group) == ("new", "old")  # the grouping's first level is the control
    # By hand: "new" S(12) = 4/5 * 2/3 (at risk 5 at month 3, 3 at month 10); "old" S(12) = 4/5.
    assert a.control.survival == pytest.approx(8 / 15, rel=1e-12)
    assert a.experimental.survival == pytest.approx(0.8, rel=1e-12)
    # Medians: "new" falls to 0 at 20 (8/15 before); "old" 0.8 -> 0.6 at 14 -> 0.3 at 18.
    assert (a.control.median, a.experimental.median) == (20.0, 18.0)
    assert (a.control.n, a.control.n_events, a.experimental.n, a.experimental.n_events) == (5, 3, 5, 3)
    # 9 dated starts over 2020-01-01 .. 2021-01-01 (366 days): 8 entries after the first in 366 / 30.4375 months.
    assert (a.n_dated, a.n_undated) == (9, 1)
    assert a.accrual_per_month == pytest.approx(8 / (366 / 30.4375), rel=1e-12)
    design = a.apply(ESCC_TRIAL)
    assert (design.survival_1, design.survival_2, design.landmark_months) == (0.8, pytest.approx(8 / 15), 12)
    assert "1-year overall survival of 80% for old (n = 5) and 53.3% for new (n = 5)" in design.basis
    medians = assumptions_from_cohort(small_cohort(), recur.Settings(group_by="arm"), 12, "median").apply(ESCC_TRIAL)
    assert (medians.median_1, medians.median_2, medians.survival_1) == (18.0, 20.0, None)
    assert sample_size_survival(medians).hazard_ratio == pytest.approx(20 / 18, rel=1e-12)


@pytest.mark.parametrize("settings, landmark, message", [
    (recur.Settings(), 12, "Choose a grouping with two groups"),
    (recur.Settings(group_by="arm"), 22, "No patient of 'new' is followed to 22 months"),
    (recur.Settings(group_by="arm"), 1, "'new' has no event by 1 months"),
])
def test_assumptions_that_cannot_be_taken_say_what_to_change(settings, landmark, message):
    with pytest.raises(RecurError, match=message):
        assumptions_from_cohort(small_cohort(), settings, landmark)


def test_three_groups_are_refused():
    cohort = recur.load_cohort("data/demo_nsclc_synthetic.csv")
    with pytest.raises(RecurError, match="'histology' has 4 groups"):
        assumptions_from_cohort(cohort, recur.Settings(group_by="histology"), 24)


def test_the_trial_justification_states_the_rpact_numbers():
    """rpact: 243.3 events, 433.1 subjects (216.5 per arm), analysis at 36.00 months; HR 0.698."""
    text = justification(ESCC_TRIAL, sample_size_survival(ESCC_TRIAL))
    for part in ("two-sided log-rank test at a significance level of 0.05 and a power of 80%",
                 "1-year overall survival of 70% in the experimental arm versus 60% in the control arm",
                 "hazard ratio of 0.698", "Schoenfeld's formula requires 244 events",
                 "uniform accrual over 24 months and 12 months of further follow-up",
                 "434 patients (217 experimental, 217 control)", "expected 36 months after the first patient"):
        assert part in text
    assert "\n" not in text


def test_justification_with_an_accrual_rate_allocation_and_dropout():
    design = replace(ESCC_TRIAL, accrual_months=36, accrual_per_month=15, allocation_ratio=2, dropout_1=0.05,
                     dropout_2=0.08)
    text = justification(design, sample_size_survival(design))
    assert "uniform accrual of 15 patients per month over 36 months, a 2:1 allocation" in text
    assert "a drop-out of 5% (experimental) and 8% (control) by 12 months" in text
    assert "540 patients (360 experimental, 180 control) are enrolled" in text


def test_power_at_the_planned_size_is_the_planned_power():
    """At the unrounded patients, the expected events are the planned events, so the power is 0.80 plus the
    other tail's Phi(-2.80 - 1.96) ~ 1e-6."""
    result = sample_size_survival(ESCC_TRIAL)
    p = power_survival(ESCC_TRIAL, result.patients)
    assert p.events == pytest.approx(result.events, rel=1e-12)
    assert p.power == pytest.approx(0.80, abs=2e-6) and p.power > 0.80
    curve = power_curve(result, [100, 200, result.patients, 600])
    assert [c.power for c in curve] == sorted(c.power for c in curve)
    assert curve[2].power == pytest.approx(p.power, rel=1e-12)


@pytest.mark.parametrize("kwargs, message", [
    (dict(survival_1=0.7, survival_2=0.7), "same survival"),
    (dict(survival_1=0.7), "Give both arms"),
    (dict(hazard_ratio=0.7, survival_1=0.7, survival_2=0.6), "nothing for the experimental arm"),
    (dict(survival_1=0.7, survival_2=1.0), "survival rate of arm 2 must lie strictly between 0 and 1"),
    (dict(survival_1=0.7, survival_2=0.6, alpha=0), "alpha must lie strictly between 0 and 1"),
    (dict(median_1=30, median_2=20, dropout_1=1.0), "dropout_1 is a proportion"),
    (dict(median_1=30, median_2=20, sided=3), "sided must be 1 or 2"),
])
def test_bad_designs_are_refused_with_the_reason(kwargs, message):
    with pytest.raises(RecurError, match=message):
        SurvivalDesign(**kwargs)


def test_events_reached_before_accrual_ends_is_refused():
    design = replace(ESCC_TRIAL, accrual_months=60, accrual_per_month=50)  # 3000 patients for 244 events
    with pytest.raises(RecurError, match="before accrual ends"):
        sample_size_survival(design)
