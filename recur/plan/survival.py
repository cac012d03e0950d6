"""Sample size and power for comparing two survival curves with the log-rank
test, as R's ``rpact::getSampleSizeSurvival`` / ``getPowerSurvival`` (fixed
design) compute them.

- Events: Schoenfeld (1981), Freedman (1982) or Hsieh-Freedman (Hsieh 1992)
  from the hazard ratio, two-sided alpha and power (for a sample size, power
  counts the rejection in the effect's direction only, as rpact's default
  ``twoSidedPower = FALSE``; power for a given design counts both tails, as
  ``getPowerSurvival`` does).
- Patients: events / the probability that a patient has had the event by the
  analysis (Kim & Tsiatis 1990; Lakatos & Lan 1992), with uniform accrual,
  exponential survival and exponential drop-out, computed in closed form.
  Arm 1 is the experimental arm, arm 2 the control; the allocation ratio is
  n1 / n2 and the hazard ratio lambda1 / lambda2.

Times are in months. The effect is given as landmark survival rates
(1-year OS 70% vs 60%), medians, or a hazard ratio with the control arm's
landmark rate or median; survival is exponential in every case.

>>> d = SurvivalDesign(survival_1=0.70, survival_2=0.60, landmark_months=12, accrual_months=24,
...                    follow_up_months=12)
>>> r = sample_size_survival(d)
>>> r.events_needed, r.patients_needed
(244, 434)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

from scipy.optimize import brentq
from scipy.stats import norm

from recur.errors import RecurError

Method = Literal["schoenfeld", "freedman", "hsieh_freedman"]
METHODS: dict[str, str] = {"schoenfeld": "Schoenfeld", "freedman": "Freedman", "hsieh_freedman": "Hsieh-Freedman"}
_MAX_MONTHS = 1e5  # no analysis is ever planned this far out


@dataclass(frozen=True)
class SurvivalDesign:
    """The assumptions of a two-arm survival comparison (arm 1 experimental,
    arm 2 control). Give the effect as ``survival_1`` and ``survival_2`` at
    ``landmark_months``, or ``median_1`` and ``median_2`` (months), or
    ``hazard_ratio`` with ``survival_2`` or ``median_2``. Give the duration as
    ``follow_up_months`` after ``accrual_months`` (patients are computed), or
    ``accrual_per_month`` (patients = rate x accrual months; the follow-up
    needed is then computed and ``follow_up_months`` is not used, as in
    rpact). Drop-out: the proportion of each arm lost by ``dropout_months``. ``basis`` says where the assumptions come from, for the
    justification (e.g. the cohort and groups they were taken from)."""

    survival_1: float | None = None
    survival_2: float | None = None
    landmark_months: float = 12.0
    median_1: float | None = None
    median_2: float | None = None
    hazard_ratio: float | None = None
    alpha: float = 0.05
    power: float = 0.80
    sided: Literal[1, 2] = 2
    method: Method = "schoenfeld"
    allocation_ratio: float = 1.0
    accrual_months: float = 24.0
    follow_up_months: float = 12.0
    accrual_per_month: float | None = None
    dropout_1: float = 0.0
    dropout_2: float = 0.0
    dropout_months: float = 12.0
    endpoint: str = "overall survival"
    basis: str = ""

    def __post_init__(self) -> None:
        _check_open("alpha", self.alpha, 0, 1)
        _check_open("power", self.power, 0, 1)
        if self.sided not in (1, 2):
            raise RecurError(f"sided must be 1 or 2, not {self.sided!r}.")
        if self.method not in METHODS:
            raise RecurError(f"method must be one of {', '.join(METHODS)}, not {self.method!r}.")
        for name in ("landmark_months", "allocation_ratio", "accrual_months", "dropout_months"):
            _check_positive(name, getattr(self, name))
        for name in ("dropout_1", "dropout_2"):
            if not 0 <= getattr(self, name) < 1:
                raise RecurError(f"{name} is a proportion lost to follow-up: from 0 up to (not including) 1, "
                                 f"not {getattr(self, name)}.")
        if not (self.follow_up_months >= 0 and math.isfinite(self.follow_up_months)):
            raise RecurError(f"follow_up_months must be 0 or more, not {self.follow_up_months}.")
        if self.accrual_per_month is not None:
            _check_positive("accrual_per_month", self.accrual_per_month)
        self.hazards()  # the effect is complete and valid

    def hazards(self) -> tuple[float, float]:
        """(lambda1, lambda2): monthly hazards of the experimental and control arms."""
        lam = [_hazard(s, m, self.landmark_months, f"arm {i}")
               for i, (s, m) in enumerate(((self.survival_1, self.median_1), (self.survival_2, self.median_2)), 1)]
        if self.hazard_ratio is not None:
            _check_positive("hazard_ratio", self.hazard_ratio)
            if lam[1] is None or lam[0] is not None:
                raise RecurError("With a hazard ratio, give the control arm's survival rate or median "
                                 "(survival_2 or median_2) and nothing for the experimental arm.")
            lam[0] = lam[1] * self.hazard_ratio
        if lam[0] is None or lam[1] is None:
            raise RecurError("Give both arms' survival rates at the landmark, both medians, or a hazard ratio "
                             "with the control arm's rate or median.")
        if lam[0] == lam[1]:
            raise RecurError("The two arms have the same survival: there is no difference to detect.")
        return lam[0], lam[1]


def _check_open(name: str, value: float, low: float, high: float) -> None:
    if not low < value < high:
        raise RecurError(f"{name} must lie strictly between {low} and {high}, not {value}.")


def _check_positive(name: str, value: float) -> None:
    if not (value > 0 and math.isfinite(value)):
        raise RecurError(f"{name} must be a positive number, not {value}.")


def _hazard(survival: float | None, median: float | None, landmark: float, arm: str) -> float | None:
    """Exponential hazard from a landmark survival rate or a median."""
    if survival is not None and median is not None:
        raise RecurError(f"Give {arm}'s survival rate or its median, not both.")
    if survival is not None:
        _check_open(f"survival rate of {arm}", survival, 0, 1)
        return -math.log(survival) / landmark
    if median is not None:
        _check_positive(f"median of {arm}", median)
        return math.log(2) / median
    return None


# The ESCC salvage trial's assumptions (published-cohorts.md, D): 1-year OS 70% vs 60%,
# two-sided alpha 0.05, power 0.80; the accrual and follow-up are ours (24 + 12 months).
ESCC_TRIAL = SurvivalDesign(survival_1=0.70, survival_2=0.60)


@dataclass(frozen=True)
class SampleSize:
    """Events and patients for a design. ``events`` and ``patients`` are the
    unrounded values rpact prints; ``events_needed`` rounds events up, and
    ``patients_needed`` = ``patients_1_needed`` + ``patients_2_needed`` rounds
    each arm up. ``analysis_months``: expected time from the first patient's
    entry to the analysis (accrual + follow-up)."""

    design: SurvivalDesign
    hazard_ratio: float
    lambda_1: float
    lambda_2: float
    events: float
    event_probability: float
    patients: float
    patients_1: float
    patients_2: float
    accrual_per_month: float
    follow_up_months: float
    analysis_months: float

    @property
    def events_needed(self) -> int:
        return _ceil(self.events)

    @property
    def patients_1_needed(self) -> int:
        return _ceil(self.patients_1)

    @property
    def patients_2_needed(self) -> int:
        return _ceil(self.patients_2)

    @property
    def patients_needed(self) -> int:
        return self.patients_1_needed + self.patients_2_needed

    @property
    def median_1(self) -> float:
        return math.log(2) / self.lambda_1

    @property
    def median_2(self) -> float:
        return math.log(2) / self.lambda_2


@dataclass(frozen=True)
class Power:
    """Power of the log-rank test with ``events`` expected among ``patients``
    at ``analysis_months`` after the first patient's entry."""

    design: SurvivalDesign
    hazard_ratio: float
    patients: float
    events: float
    power: float
    analysis_months: float


def _ceil(x: float) -> int:
    """Round up, ignoring float noise below 1e-9 (100.0000000001 events is 100)."""
    return math.ceil(x - 1e-9)


def _z(p: float) -> float:
    return float(norm.isf(p))


def _effect(method: str, hr: float, r: float) -> float:
    """The standardised effect per square-root event (rpact's ``theta``)."""
    if method == "schoenfeld":
        return math.sqrt(r) / (1 + r) * math.log(hr)
    if method == "freedman":
        return math.sqrt(r) * (hr - 1) / (r * hr + 1)
    return math.sqrt(4 * r) / (1 + r) * (hr - 1) / (hr + 1)


def events_needed(design: SurvivalDesign) -> float:
    """Events for the design's alpha and power (unrounded), by its method."""
    lam1, lam2 = design.hazards()
    theta = _effect(design.method, lam1 / lam2, design.allocation_ratio)
    return (_z(design.alpha / design.sided) + _z(1 - design.power)) ** 2 / theta ** 2


def event_probability(design: SurvivalDesign, months: float) -> float:
    """Probability that a patient has had the event (not dropped out first) by
    ``months`` after the first entry, with uniform accrual over the accrual
    period (a patient entering at u is followed for months - u), averaged over
    the arms by allocation: (1/a) times the integral of
    lambda/(lambda+phi) (1 - exp(-(lambda+phi) s)) over the follow-up times s."""
    a, r = design.accrual_months, design.allocation_ratio
    lam1, lam2 = design.hazards()
    arms = []
    for lam, dropout in ((lam1, design.dropout_1), (lam2, design.dropout_2)):
        k = lam - math.log(1 - dropout) / design.dropout_months
        low, high = max(0.0, months - a), months
        integral = (high - low) - (math.exp(-k * low) - math.exp(-k * high)) / k
        arms.append(lam / k * integral / a)
    return (r * arms[0] + arms[1]) / (1 + r)


def _analysis_time(design: SurvivalDesign, events: float, patients: float) -> float:
    """Months from the first entry until ``events`` are expected among
    ``patients``; RecurError when drop-out or too few patients never get there."""
    if events >= patients:
        raise RecurError(f"{_ceil(events)} events need more than {patients:.0f} patients: enrol more patients "
                         "(a longer accrual or a faster rate).")
    target = events / patients
    upper = 2.0 * design.accrual_months
    while event_probability(design, upper) < target:
        upper *= 2
        if upper > _MAX_MONTHS:
            raise RecurError(f"{patients:.0f} patients never reach {_ceil(events)} events with this drop-out: "
                             "enrol more patients or assume less drop-out.")
    return brentq(lambda t: event_probability(design, t) - target, 0.0, upper, xtol=1e-12, rtol=1e-14)


def sample_size_survival(design: SurvivalDesign) -> SampleSize:
    """Events and patients needed, and the expected time to the analysis.

    As ``rpact::getSampleSizeSurvival(alpha, beta = 1 - power, sided,
    typeOfComputation, pi1 = 1 - survival_1, pi2 = 1 - survival_2, eventTime =
    landmark_months (or median1/median2, or hazardRatio), accrualTime = c(0,
    accrual_months), followUpTime, allocationRatioPlanned, dropoutRate1/2,
    dropoutTime)``; with ``accrual_per_month`` instead of a follow-up,
    ``accrualIntensity`` = that rate (absolute) and rpact's follow-up search."""
    lam1, lam2 = design.hazards()
    events = events_needed(design)
    r, a = design.allocation_ratio, design.accrual_months
    if design.accrual_per_month is None:
        analysis = a + design.follow_up_months
        probability = event_probability(design, analysis)
        patients = events / probability
    else:
        patients = design.accrual_per_month * a
        analysis = _analysis_time(design, events, patients)
        probability = event_probability(design, analysis)
    if analysis < a:
        raise RecurError(f"The {_ceil(events)} events would be reached {a - analysis:.1f} months before accrual "
                         "ends: shorten the accrual or lower the accrual rate.")
    return SampleSize(design, lam1 / lam2, lam1, lam2, events, probability, patients, patients * r / (1 + r),
                      patients / (1 + r), patients / a, analysis - a, analysis)


def power_survival(design: SurvivalDesign, patients: float, events: float | None = None) -> Power:
    """Power of the two-sided (or one-sided) log-rank test for ``patients``
    accrued uniformly over the accrual period.

    Without ``events``: the events expected by the end of the design's
    follow-up (``follow_up_months`` after accrual). With ``events``: the analysis is held when they are expected.
    As ``rpact::getPowerSurvival(maxNumberOfSubjects = patients,
    maxNumberOfEvents = events, accrualTime = c(0, accrual_months), ...)``
    (both tails counted when two-sided; one-sided, the direction of the
    assumed effect, as rpact's ``directionUpper``)."""
    _check_positive("patients", patients)
    lam1, lam2 = design.hazards()
    if events is None:
        analysis = design.accrual_months + design.follow_up_months
        events = patients * event_probability(design, analysis)
    else:
        _check_positive("events", events)
        analysis = _analysis_time(design, events, patients)
    drift = abs(_effect(design.method, lam1 / lam2, design.allocation_ratio)) * math.sqrt(events)
    z = _z(design.alpha / design.sided)
    power = norm.cdf(drift - z) + (norm.cdf(-drift - z) if design.sided == 2 else 0.0)
    return Power(design, lam1 / lam2, patients, events, float(power), analysis)


def power_curve(result: SampleSize, patients: list[float]) -> list[Power]:
    """``power_survival`` at each number of patients, accrued over the design's
    accrual period and analysed at the result's analysis time."""
    design = replace(result.design, follow_up_months=result.follow_up_months, accrual_per_month=None)
    return [power_survival(design, n) for n in patients]
