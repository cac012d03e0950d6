"""recur.plan against R's rpact 3.3.4 (rpact/make_rpact.R writes the designs
and rpact's answers to rpact/rpact_reference.json; R is never needed here):
getSampleSizeSurvival on ten designs (Schoenfeld, Freedman, Hsieh-Freedman;
rates, medians, a hazard ratio; allocation 1, 1.5 and 2; with and without
drop-out; one- and two-sided; follow-up given or solved from an accrual
rate, including the trial's 1-year OS 70% vs 60%), one design rpact refuses,
and getPowerSurvival on four.

Tolerances: every value rpact prints matches to its printed digit (our
value rounded to the decimals rpact shows gives its text). Unrounded values:
events, patients, hazards and power rel 1e-6 (rpact integrates the event
probability numerically with R's integrate(); recur uses the closed form;
measured agreement within 5e-10). rpact reports no ceilings for a fixed design,
so the events and patients needed (rounded up) are compared with the ceiling
of rpact's values, exactly. Analysis times recur solves by root finding:
abs 1e-5 months (rpact's uniroot stops at tol = 1e-6; measured difference
< 2e-8); when the follow-up is given, the analysis time is exact."""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path

import pytest

from recur.errors import RecurError
from recur.plan import SurvivalDesign, power_survival, sample_size_survival

REFERENCE = Path(__file__).parent / "rpact" / "rpact_reference.json"
REL = 1e-6
SOLVED_TIME_ABS = 1e-5  # months


@cache
def _cases() -> tuple[dict, ...]:
    return tuple(json.loads(REFERENCE.read_text())["cases"])


def _of_kind(kind: str) -> list[dict]:
    return [c for c in _cases() if c["kind"] == kind]


def _ids(cases: list[dict]) -> list[str]:
    return [c["name"] for c in cases]


def _matches_print(ours: float, printed: str) -> bool:
    """Ours rounded to the decimals rpact printed reads as rpact's text."""
    decimals = len(printed.partition(".")[2])
    return f"{ours:.{decimals}f}" == printed


def test_the_reference_holds_the_promised_designs():
    cases = _cases()
    assert len(_of_kind("sample_size")) >= 6 and len(_of_kind("power")) >= 3
    methods = {c["recur"].get("method", "schoenfeld") for c in cases}
    assert methods == {"schoenfeld", "freedman", "hsieh_freedman"}
    trial = next(c for c in cases if c["name"] == "trial_70_vs_60_schoenfeld")
    assert "pi1 = 0.3, pi2 = 0.4, eventTime = 12" in trial["R_call"] and "sided = 2" in trial["R_call"]
    assert "beta = 0.2" in trial["R_call"] and "alpha = 0.05" in trial["R_call"]


@pytest.mark.parametrize("case", _of_kind("sample_size"), ids=_ids(_of_kind("sample_size")))
def test_sample_size_matches_rpact(case):
    r = sample_size_survival(SurvivalDesign(**case["recur"]))
    for ours, theirs in ((r.events, case["events"]), (r.patients, case["patients"]),
                         (r.patients_1, case["patients_1"]), (r.patients_2, case["patients_2"]),
                         (r.hazard_ratio, case["hazard_ratio"]), (r.lambda_1, case["lambda_1"]),
                         (r.lambda_2, case["lambda_2"]), (r.median_1, case["median_1"]),
                         (r.median_2, case["median_2"]), (r.event_probability, case["event_probability"]),
                         (r.accrual_per_month, case["accrual_per_month"])):
        assert ours == pytest.approx(theirs, rel=REL)
    assert r.events_needed == math.ceil(case["events"])
    assert r.patients_1_needed == math.ceil(case["patients_1"] - 1e-9)
    assert r.patients_2_needed == math.ceil(case["patients_2"] - 1e-9)
    solved = "accrual_per_month" in case["recur"]
    assert r.analysis_months == pytest.approx(case["analysis_months"], abs=SOLVED_TIME_ABS if solved else 1e-12)
    assert r.follow_up_months == pytest.approx(case["follow_up_months"], abs=SOLVED_TIME_ABS if solved else 1e-12)
    printed = case["printed"]
    for label, ours in (("Number of events fixed", r.events), ("Number of subjects fixed", r.patients),
                        ("Number of subjects fixed (1)", r.patients_1), ("Number of subjects fixed (2)", r.patients_2),
                        ("Hazard ratio", r.hazard_ratio), ("median(1)", r.median_1), ("median(2)", r.median_2),
                        ("lambda(1)", r.lambda_1), ("lambda(2)", r.lambda_2), ("Analysis times", r.analysis_months),
                        ("Accrual intensity", r.accrual_per_month)):
        assert _matches_print(ours, printed[label]), (label, ours, printed[label])
    if solved:
        assert _matches_print(r.follow_up_months, printed["Follow up time"])


def test_the_trial_needs_244_events_and_434_patients():
    """rpact prints 243.3 events and 433.1 subjects (216.5 per arm) for the trial."""
    r = sample_size_survival(SurvivalDesign(survival_1=0.70, survival_2=0.60, landmark_months=12))
    assert (r.events_needed, r.patients_1_needed, r.patients_2_needed, r.patients_needed) == (244, 217, 217, 434)
    assert r.analysis_months == 36.0


@pytest.mark.parametrize("case", _of_kind("sample_size_error"), ids=_ids(_of_kind("sample_size_error")))
def test_too_few_patients_is_refused_like_rpact(case):
    assert "is smaller than the number of events (65.346)" in case["R_error"]
    with pytest.raises(RecurError, match="66 events need more than 48 patients"):
        sample_size_survival(SurvivalDesign(**case["recur"]))


@pytest.mark.parametrize("case", _of_kind("power"), ids=_ids(_of_kind("power")))
def test_power_matches_rpact(case):
    given = case["events_source"] == "given"
    p = power_survival(SurvivalDesign(**case["recur"]), case["patients"], case["events"] if given else None)
    assert p.power == pytest.approx(case["power"], rel=REL)
    assert p.events == pytest.approx(case["events"], rel=REL)
    assert p.hazard_ratio == pytest.approx(case["hazard_ratio"], rel=REL)
    # Given events: both solve the time; else recur's time is accrual + follow-up and rpact's is its root.
    assert p.analysis_months == pytest.approx(case["analysis_months"], abs=SOLVED_TIME_ABS)
    printed = case["printed"]
    assert _matches_print(p.power, printed["Overall reject"])
    assert _matches_print(p.analysis_months, printed["Analysis times"])
    assert _matches_print(p.hazard_ratio, printed["Hazard ratio"])
