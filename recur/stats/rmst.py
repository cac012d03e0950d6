"""Restricted mean survival time (RMST): the area under the Kaplan-Meier
curve up to a horizon tau, per group, and the difference between groups.

It needs no proportional hazards, so it is the estimand to read when a Cox
term's PH test fails. Numbers as R's ``print(survfit(...), rmean = tau)``
(``survival:::survmean``): the curve is carried flat from its last time to tau;
the SE sums, over event times before tau, the squared area to the right of
the time times d / (n (n - d)).

Reference: Royston & Parmar (2013), BMC Med Res Methodol 13:152.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from recur.errors import RecurError
from recur.stats._prepare import prepare_survival
from recur.stats.km import km_step_sorted

# Column names of the result tables, defined once.
GROUP, N, N_EVENTS, RMST, SE, LOWER, UPPER = "group", "n", "n_events", "rmst", "se", "lower", "upper"
LAST_TIME, REFERENCE, DIFFERENCE, P = "last_time", "reference", "difference", "p"


@dataclass(frozen=True)
class RMSTResult:
    """``groups``: group, n, n_events, rmst, se, lower, upper, last_time.
    ``differences``: group, reference (the first group), difference (group -
    reference), se, lower, upper, p (z test); empty without a grouping."""

    tau: float
    groups: pd.DataFrame
    differences: pd.DataFrame
    conf_level: float = 0.95
    notes: tuple[str, ...] = ()
    methods: dict[str, str] = field(default_factory=dict)
    n_dropped: int = 0


def _area(time: np.ndarray, surv: np.ndarray, n_risk: np.ndarray, n_event: np.ndarray,
          tau: float) -> tuple[float, float]:
    """RMST and its SE on [0, tau] from one group's KM step function (survmean's arithmetic)."""
    keep = time <= tau
    t = np.append(time[keep], tau)
    s = np.append(surv[keep], surv[keep][-1] if keep.any() else 1.0)
    n, d = n_risk[keep], n_event[keep]
    with np.errstate(divide="ignore", invalid="ignore"):
        h = np.where(n == d, 0.0, d / (n * (n - d)))  # Greenwood's increment; 0 where the risk set empties
    rect = np.diff(np.concatenate([[0.0], t])) * np.concatenate([[1.0], s[:-1]])
    right = np.cumsum(rect[1:][::-1])[::-1]  # area from each time to tau
    return float(rect.sum()), float(np.sqrt(np.sum(right**2 * h)))


def rmst(
    df: pd.DataFrame,
    time: str,
    event: str,
    by: str | None = None,
    tau: float = 24.0,
    conf_level: float = 0.95,
) -> RMSTResult:
    """RMST up to ``tau`` (the unit of ``time``; months in recur) per group,
    with SE and CI, and each group's difference from the first group.

    A note says when tau lies beyond a group's last observed time (its curve
    is then carried flat, an extrapolation). Rows missing time, event or group
    are dropped and counted.

    >>> rmst(df, "os_months", "os_event", by="BED >=78 Gy", tau=24).differences
    """
    if not (np.isfinite(tau) and tau > 0):
        raise RecurError(f"The RMST horizon must be a positive number of months, not {tau}.")
    data = prepare_survival(df, time, event, by)
    parts = data.sorted_parts()
    z = float(ndtri(1 - (1 - conf_level) / 2))
    rows, notes = [], []
    for label, t, e in parts:
        sf = km_step_sorted(t, e)
        area, se = _area(sf.time, sf.surv, sf.n_risk, sf.n_event, tau)
        last = float(sf.time[-1])
        rows.append({GROUP: label, N: len(t), N_EVENTS: int(e.sum()), RMST: area, SE: se,
                     LOWER: area - z * se, UPPER: area + z * se, LAST_TIME: last})
        if tau > last:
            notes.append(f"The horizon ({tau:g}) is beyond the last follow-up of '{label}' ({last:.1f}): its "
                         "curve is carried flat to the horizon. Choose a horizon within every group's follow-up.")
    diffs = []
    for r in rows[1:]:
        ref = rows[0]
        d, s = r[RMST] - ref[RMST], float(np.hypot(r[SE], ref[SE]))
        diffs.append({GROUP: r[GROUP], REFERENCE: ref[GROUP], DIFFERENCE: d, SE: s, LOWER: d - z * s,
                      UPPER: d + z * s, P: float(2 * ndtr(-abs(d) / s)) if s > 0 else np.nan})
    return RMSTResult(tau=float(tau), groups=pd.DataFrame(rows),
                      differences=pd.DataFrame(diffs, columns=[GROUP, REFERENCE, DIFFERENCE, SE, LOWER, UPPER, P]),
                      conf_level=conf_level, notes=tuple(notes),
                      methods={"RMST": f"area under the Kaplan-Meier curve to {tau:g} (survfit rmean)",
                               "difference": "vs the first group, SE = sqrt(se1^2 + se2^2), normal CI"},
                      n_dropped=len(data.dropped))
