"""The rate of one kind of failure (default: out-of-field regional) at 1, 2
and 3 years, with death before that failure as a competing event.

The interface is the competing-risks one: per patient a time (months from
the origin) and a status, 0 = censored, 1 = the failure, 2 = death without
it. The rate is the cumulative incidence (Aalen-Johansen, as R's
cmprsk::cuminc), not 1 - Kaplan-Meier, which overstates it when many die
first. Its 95% CI is cuminc's variance on the log(-log) scale (as R's
tidycmprsk), which stays inside 0-1.

>>> rates = failure_rates(cohort, Settings())
>>> rates.table[["group", "time", "incidence"]]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from recur.cohort import Cohort, analysis_frame
from recur.derive import EXCLUSION_COLUMNS
from recur.errors import RecurError
from recur.schema import MONTH_DAYS
from recur.settings import Settings
from recur.stats.competing import CENSORED, cumulative_incidence
from recur.stats.competing import COMPETING as COMPETING_DEATH, EVENT as FAILURE  # the codes cuminc reads

OUT_OF_FIELD = "date_regional_failure"
FAILURE_NAMES = {"date_regional_failure": "out-of-field regional failure",
                 "date_local_failure": "in-field (local) failure", "date_distant_failure": "distant failure"}
TIME, STATUS = "failure_months", "failure_status"
YEARS_MONTHS = (12.0, 24.0, 36.0)
METHOD_CIF = ("cumulative incidence with death as a competing event (Aalen-Johansen, as cmprsk::cuminc); 95% CI "
              "on the log(-log) scale")


def competing_status(df: pd.DataFrame, failure: str = OUT_OF_FIELD,
                     origin: str = "date_rt_start") -> tuple[pd.DataFrame, pd.DataFrame]:
    """``failure_months`` and ``failure_status`` (0 censored at the last
    follow-up, 1 the failure, 2 death without the failure first) per patient,
    and the patients left out with why (endpoint, patient_id, reason)."""
    for col in (failure, origin):
        if col not in df:
            raise RecurError(f"Column '{col}' is needed for the rate of {FAILURE_NAMES.get(failure, failure)}; "
                             "add it to the file (see the data dictionary).")
    fail, start = df[failure], df[origin]
    death = df["date_death"] if "date_death" in df else pd.Series(pd.NaT, index=df.index)
    last = df["date_last_followup"] if "date_last_followup" in df else pd.Series(pd.NaT, index=df.index)
    end = fail.where(fail.notna(), death.where(death.notna(), last))
    status = pd.Series(CENSORED, index=df.index).mask(death.notna(), COMPETING_DEATH).mask(fail.notna(), FAILURE)
    time = (end - start).dt.days / MONTH_DAYS
    reasons = pd.Series("", index=df.index, dtype=object)
    reasons[start.isna()] = f"no {origin}"
    reasons[(reasons == "") & end.isna()] = "no date_last_followup or date_death"
    reasons[(reasons == "") & (time < 0)] = f"failure or follow-up dated before {origin}"
    bad = reasons != ""
    out = pd.DataFrame({TIME: time.where(~bad), STATUS: status.where(~bad)}, index=df.index)
    excluded = pd.DataFrame({"endpoint": FAILURE_NAMES.get(failure, failure), "patient_id": df["patient_id"][bad],
                             "reason": reasons[bad]}, columns=EXCLUSION_COLUMNS)
    return out, excluded.reset_index(drop=True)


def cumulative_failure(df: pd.DataFrame, time: str, status: str, by: str | None = None,
                       at: tuple[float, ...] = YEARS_MONTHS,
                       conf_level: float = 0.95) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cumulative incidence of status 1 at ``at`` months per group, death
    (status 2) competing: (group, time, incidence, lower, upper,
    beyond_last_observed), and per group the counts behind it (group, n,
    failures, deaths_first, censored)."""
    result = cumulative_incidence(df, time, status, by=by, at=list(at))
    rows = result.at_times[result.at_times["cause"] == FAILURE]
    cif, var = rows["cif"].to_numpy(float), rows["variance"].to_numpy(float)
    z = float(norm.ppf(0.5 + conf_level / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = z * np.sqrt(var) / (cif * np.log(cif))
        lower, upper = cif ** np.exp(-spread), cif ** np.exp(spread)
    inside = (cif > 0) & (cif < 1)
    table = pd.DataFrame({"group": rows["group"].to_numpy(), "time": rows["time"].to_numpy(float), "incidence": cif,
                          "lower": np.where(inside, lower, np.nan), "upper": np.where(inside, upper, np.nan),
                          "beyond_last_observed": rows["beyond_last_observed"].to_numpy(bool)})
    c = result.counts
    counts = pd.DataFrame({"group": c["group"], "n": c["n"], "failures": c["n_events"],
                           "deaths_first": c["n_competing"], "censored": c["n"] - c["n_events"] - c["n_competing"]})
    return table, counts


@dataclass(frozen=True)
class FailureRates:
    """Rates of one failure at landmark times per group, with the counts
    behind them and who was left out."""

    failure: str
    table: pd.DataFrame  # group, time, incidence, lower, upper, beyond_last_observed
    counts: pd.DataFrame  # group, n, failures, deaths first (competing), censored
    excluded: pd.DataFrame  # endpoint, patient_id, reason
    method: str = METHOD_CIF


def failure_rates(cohort: Cohort, settings: Settings, failure: str = OUT_OF_FIELD,
                  by: str | None = None) -> FailureRates:
    """The rate of ``failure`` at 1, 2 and 3 years for the Settings' subgroup,
    from the Settings' time origin, overall or per ``by`` group."""
    frame, _ = analysis_frame(cohort, settings)
    origin = "date_rt_start" if settings.rules.origin == "rt_start" else "date_recurrence"
    status, excluded = competing_status(frame, failure, origin)
    frame = frame.join(status)
    usable = frame[frame[STATUS].notna() & (frame[by].notna() if by else True)]
    if usable.empty:
        raise RecurError(f"No patient has the dates needed for the rate of {FAILURE_NAMES.get(failure, failure)}.")
    table, counts = cumulative_failure(usable, TIME, STATUS, by, conf_level=settings.methods.conf_level)
    return FailureRates(FAILURE_NAMES.get(failure, failure), table, counts, excluded)
