"""Planning assumptions taken from the cohort open: the two groups of the
current grouping (their Kaplan-Meier survival at a landmark, or their
medians, for the Settings' endpoint, filters and cutoffs) and the observed
accrual (patients per month from the salvage RT start dates)."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

from recur.analysis import survival_analysis
from recur.cohort import Cohort, analysis_frame
from recur.errors import RecurError
from recur.format import fmt_number, landmark_label
from recur.safe_text import clip
from recur.schema import MONTH_DAYS
from recur.settings import Settings
from recur.plan.justify import percent_text
from recur.plan.survival import SurvivalDesign
from recur.variables import ENDPOINT_NAMES

Basis = Literal["landmark", "median"]


@dataclass(frozen=True)
class GroupAssumption:
    """One group: size, events, Kaplan-Meier survival at the landmark and median (months; NaN = not reached)."""

    group: str
    n: int
    n_events: int
    survival: float
    median: float


@dataclass(frozen=True)
class CohortAssumptions:
    """What the cohort says for planning. ``control`` is the grouping's first
    group (the reference group of a cutoff), ``experimental`` the second.
    ``accrual_per_month``: the n - 1 RT starts after the first, over the months
    from the first to the last (None with fewer than two dates or one day)."""

    source_name: str
    endpoint: str
    group_by: str
    basis: Basis
    landmark_months: float
    experimental: GroupAssumption
    control: GroupAssumption
    accrual_per_month: float | None
    n_dated: int
    n_undated: int
    accrual_span_months: float

    def sentence(self) -> str:
        """Where the assumptions come from, for the justification."""
        def part(g: GroupAssumption) -> str:
            value = percent_text(g.survival) if self.basis == "landmark" else f"{fmt_number(g.median)} months"
            return f"{value} for {clip(g.group)} (n = {g.n})"
        what = (f"{landmark_label(self.landmark_months)} {ENDPOINT_NAMES[self.endpoint].lower()}"
                if self.basis == "landmark" else f"median {ENDPOINT_NAMES[self.endpoint].lower()}")
        text = (f"The assumptions are the observed {what} of {part(self.experimental)} and {part(self.control)} "
                f"in {clip(self.source_name)} (Kaplan-Meier)")
        if self.accrual_per_month is not None:
            text += (f"; that cohort accrued {self.accrual_per_month:.2f} patients per month ({self.n_dated - 1} "
                     f"further RT starts in the {fmt_number(self.accrual_span_months)} months after the first)")
        return text + "."

    def apply(self, design: SurvivalDesign) -> SurvivalDesign:
        """``design`` with this effect (rates at the landmark, or medians) and its source sentence."""
        effect = (dict(survival_1=self.experimental.survival, survival_2=self.control.survival, median_1=None,
                       median_2=None, landmark_months=self.landmark_months)
                  if self.basis == "landmark" else
                  dict(median_1=self.experimental.median, median_2=self.control.median, survival_1=None,
                       survival_2=None))
        return replace(design, hazard_ratio=None, basis=self.sentence(),
                       endpoint=ENDPOINT_NAMES[self.endpoint].lower(), **effect)


def assumptions_from_cohort(cohort: Cohort, settings: Settings, landmark_months: float = 12.0,
                            basis: Basis = "landmark") -> CohortAssumptions:
    """The two groups at the current grouping, with their survival at
    ``landmark_months`` and medians, and the observed accrual.

    Raises ``RecurError`` (saying what to change) when there is no grouping,
    it does not have exactly two groups, a group has no event or no patient
    followed to the landmark, or (``basis="median"``) a median is not reached.
    """
    if basis not in ("landmark", "median"):
        raise RecurError(f"basis must be 'landmark' or 'median', not {basis!r}.")
    if not settings.group_by:
        raise RecurError("Choose a grouping with two groups (a cutoff, or a column with two levels): the "
                         "planner compares its two groups.")
    if not (landmark_months > 0 and math.isfinite(landmark_months)):
        raise RecurError(f"The landmark must be a positive number of months, not {landmark_months}.")
    result = survival_analysis(cohort, replace(settings, landmarks_months=(float(landmark_months),)))
    groups = result.km.groups
    if len(groups) != 2:
        raise RecurError(f"The grouping '{clip(settings.group_by)}' has {len(groups)} groups with data; the "
                         "planner compares two. Choose a cutoff or a two-level column, or filter to two levels.")
    found = []
    for g in groups:
        med = result.km.medians[result.km.medians["group"] == g].iloc[0]
        at = result.km.at_times[result.km.at_times["group"] == g].iloc[0]
        name = clip(g)
        if basis == "landmark":
            if at["beyond_last_observed"]:
                raise RecurError(f"No patient of '{name}' is followed to {landmark_months:g} months: choose an "
                                 "earlier landmark.")
            if not 0 < at["surv"] < 1:
                raise RecurError(f"'{name}' has {'no event' if at['surv'] == 1 else 'no survivor'} by "
                                 f"{landmark_months:g} months, so no hazard can be assumed from it: choose "
                                 "another landmark or use the medians.")
        elif math.isnan(med["median"]):
            raise RecurError(f"The median of '{name}' is not reached: use the landmark rates instead.")
        found.append(GroupAssumption(str(g), int(med["n"]), int(med["n_events"]), float(at["surv"]),
                                     float(med["median"])))
    if basis == "median" and found[0].median == found[1].median or \
            basis == "landmark" and found[0].survival == found[1].survival:
        raise RecurError("The two groups have the same survival here: there is no difference to plan for.")
    rate, dated, undated, span = _accrual(cohort, settings)
    return CohortAssumptions(cohort.source_name, settings.endpoint, settings.group_by, basis, float(landmark_months),
                             found[1], found[0], rate, dated, undated, span)


def _accrual(cohort: Cohort, settings: Settings) -> tuple[float | None, int, int, float]:
    """(patients per month, patients dated, patients without a date, span in months)
    from ``date_rt_start`` in the current selection."""
    frame, _ = analysis_frame(cohort, settings)
    if "date_rt_start" not in frame:
        return None, 0, len(frame), 0.0
    dates = frame["date_rt_start"].dropna()
    span = (dates.max() - dates.min()).days / MONTH_DAYS if len(dates) >= 2 else 0.0
    rate = (len(dates) - 1) / span if span > 0 else None
    return rate, len(dates), int(frame["date_rt_start"].isna().sum()), float(span)
