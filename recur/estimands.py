"""Estimands beyond Kaplan-Meier and Cox, as analyses of (Cohort, Settings):
the cumulative incidence of a failure with death as a competing event (next
to 1 - KM), and the restricted mean survival time per group."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recur.analysis import grouping_column, landmarked
from recur.cohort import Cohort, analysis_frame
from recur.errors import RecurError
from recur.schema import MONTH_DAYS
from recur.settings import Settings
from recur.stats.competing import CIFResult, COMPETING, EVENT, cumulative_incidence, gray_test
from recur.stats.km import KMResult, kaplan_meier
from recur.stats.landmark import LandmarkResult
from recur.stats.rmst import RMSTResult, rmst
from recur.variables import ENDPOINT_NAMES, event_column, time_column

FAILURE_ENDPOINTS = ("pfs", "lrfs", "fflp", "dmfs")  # failures that death can pre-empt
SAME_DAY_MONTHS = 0.5 / MONTH_DAYS  # death "at" the censoring time: within half a day


def death_is_censored(settings: Settings, endpoint: str | None = None) -> bool:
    """True when death without the failure censors the endpoint (so a competing-risks view applies)."""
    ep = endpoint or settings.endpoint
    rules = settings.rules
    return ep in FAILURE_ENDPOINTS and not {"pfs": rules.pfs_death_is_event, "lrfs": rules.lrfs_death_is_event,
                                            "fflp": False, "dmfs": rules.dmfs_death_is_event}[ep]


def competing_status(frame: pd.DataFrame, endpoint: str) -> pd.Series:
    """0 = censored, 1 = the failure, 2 = death without the failure first
    (the patient died when follow-up for the failure ended: OS time within
    half a day of the endpoint's time); NaN where the endpoint is missing."""
    t, e = frame[time_column(endpoint)], frame[event_column(endpoint)]
    if "os_event" not in frame or "os_months" not in frame:
        raise RecurError("Cumulative incidence needs the deaths (date_death, or os_months with os_event) to "
                         "tell death from censoring; this cohort has no overall-survival data.")
    died_then = (frame["os_event"] == 1) & ((frame["os_months"] - t).abs() <= SAME_DAY_MONTHS)
    status = pd.Series(np.select([e == 1, died_then], [EVENT, COMPETING], 0), index=frame.index, dtype=float)
    return status.where(t.notna() & e.notna())


@dataclass(frozen=True)
class CompetingAnalysis:
    """CIF of the failure (cause 1) and of death first (cause 2) by group,
    Gray's test (one row per cause, None without groups) and the KM of the
    endpoint (death censored) for 1 - KM beside it."""

    endpoint: str
    group_by: str
    cif: CIFResult
    gray: pd.DataFrame | None
    km: KMResult
    landmark: LandmarkResult | None = None  # from the landmark on (a post-baseline grouping, when asked)

    @property
    def title(self) -> str:
        return f"{ENDPOINT_NAMES[self.endpoint]}: cumulative incidence of the failure"

    @property
    def gray_p(self) -> float:
        """Gray's p for the failure (NaN when not tested)."""
        if self.gray is None:
            return float("nan")
        return float(self.gray.loc[self.gray["cause"] == EVENT, "p"].iloc[0])


STATUS = "competing_status"


def competing_analysis(cohort: Cohort, settings: Settings) -> CompetingAnalysis:
    """Cumulative incidence for the Settings' failure endpoint and grouping.

    Raises ``RecurError`` when death counts as an event for this endpoint
    (the KM curve is then already the right estimand) or no patient remains.
    """
    ep = settings.endpoint
    if not death_is_censored(settings):
        raise RecurError(f"{ENDPOINT_NAMES[ep]} counts death as an event here, so there is no competing event; "
                         "cumulative incidence applies when death is censored (see the endpoint rules).")
    if ep not in cohort.endpoints:
        raise RecurError(f"{ENDPOINT_NAMES[ep]} cannot be computed from this file.")
    frame, _ = analysis_frame(cohort, settings)
    by = grouping_column(frame, settings)
    t = time_column(ep)
    frame = frame.assign(**{STATUS: competing_status(frame, ep)})  # before the landmark moves the times
    frame, lm = landmarked(cohort, settings, frame, t, event_column(ep), by)
    usable = frame[STATUS].notna() & (frame[by].notna() if by else True)
    if not usable.any():
        raise RecurError(f"No patient in the current selection has {ENDPOINT_NAMES[ep].lower()} data.")
    cif = cumulative_incidence(frame, t, STATUS, by=by, at=settings.landmarks_months)
    gray = gray_test(frame, t, STATUS, by) if by and len(cif.groups) >= 2 else None
    km = kaplan_meier(frame, t, event_column(ep), by=by, at=settings.landmarks_months,
                      conf_type=settings.methods.km_conf_type,
                      conf_level=settings.methods.conf_level)
    return CompetingAnalysis(ep, by or "", cif, gray, km, lm)


def rmst_analysis(cohort: Cohort, settings: Settings) -> RMSTResult:
    """RMST to ``settings.rmst_months`` for the endpoint and grouping (with the
    difference of each group from the first: the reference of a cutoff); from
    the landmark on when the Settings ask for it (see ``landmarked``)."""
    ep = settings.endpoint
    if ep not in cohort.endpoints:
        raise RecurError(f"{ENDPOINT_NAMES[ep]} cannot be computed from this file.")
    t, e = time_column(ep), event_column(ep)
    frame, _ = analysis_frame(cohort, settings, columns=[t, e, settings.group_by])
    by = grouping_column(frame, settings)
    frame, _ = landmarked(cohort, settings, frame, t, e, by)
    return rmst(frame, t, e, by=by, tau=settings.rmst_months, conf_level=settings.methods.conf_level)


def landmark_exclusions(cohort: Cohort, lm: LandmarkResult) -> pd.DataFrame:
    """The patients a landmark left out: patient_id and reason."""
    ids = cohort.data["patient_id"].reindex(lm.excluded["row"]).to_numpy() if "patient_id" in cohort.data \
        else lm.excluded["row"].to_numpy()
    return pd.DataFrame({"patient_id": ids, "reason": lm.excluded["reason"].to_numpy()})
