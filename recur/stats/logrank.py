"""The log-rank test (and its G-rho family) for two or more groups, as R's
``survdiff``: chi-square on k-1 df from observed minus expected events.

Reference: Harrington & Fleming (1982), Biometrika 69:553-566.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import chi2

from recur.errors import RecurError
from recur.stats._prepare import SurvivalInput, prepare_survival

GROUP, N, OBSERVED, EXPECTED = "group", "n", "observed", "expected"


@dataclass(frozen=True)
class LogrankResult:
    """survdiff's output: ``groups`` (group, n, observed, expected), chisq, df, p."""

    chisq: float
    df: int
    p: float
    groups: pd.DataFrame
    rho: float = 0.0
    n_dropped: int = 0

    @property
    def methods(self) -> dict[str, str]:
        return {"test": "log-rank" if self.rho == 0 else f"G-rho, rho = {self.rho:g} (Peto & Peto)"}


def logrank(df: pd.DataFrame, time: str, event: str, by: str, rho: float = 0.0) -> LogrankResult:
    """Log-rank test of equal survival across the levels of ``by``.

    ``rho`` = 0 is the log-rank test; ``rho`` = 1 the Peto & Peto modification
    (weights S(t-)^rho from the pooled Kaplan-Meier). Raises ``RecurError``
    when fewer than two groups have patients, or when the test is undefined
    because its variance is zero or singular (R's survdiff stops there too).

    >>> logrank(df, "os_months", "os_event", by="bed_group").p
    """
    return logrank_from_input(prepare_survival(df, time, event, by), by, rho)


def logrank_from_input(data: SurvivalInput, by: str, rho: float = 0.0) -> LogrankResult:
    """``logrank`` of an input already prepared by ``prepare_survival(df,
    time, event, by)`` (shared with ``kaplan_meier_from_input``: one sort,
    one set of per-time counts)."""
    levels = data.levels
    if len(levels) < 2:
        raise RecurError(
            f"The log-rank test needs at least two groups in '{by}'; found {len(levels)} with data."
        )
    counts = data.counts  # (groups, distinct times): each group's counts contiguous
    d_all = counts.events.sum(axis=0)
    with_death = np.flatnonzero(d_all)
    n_risk = counts.n_risk[:, with_death]
    d_tot = d_all[with_death].astype(float)
    n_tot = n_risk.sum(axis=0).astype(float)
    share = n_risk / n_tot  # each group's share of those at risk
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = np.where(n_tot > 1, d_tot * (n_tot - d_tot) / (n_tot - 1), 0.0)  # hypergeometric variance factor
    if rho:
        surv = np.cumprod(1 - d_tot / n_tot)
        weight = np.concatenate([[1.0], surv[:-1]]) ** rho  # left-continuous S(t-)
        observed = counts.events[:, with_death] @ weight
        expected = share @ (weight * d_tot)
        spread *= weight**2
    else:
        observed = counts.events.sum(axis=1).astype(float)
        expected = share @ d_tot
    # var_ij = sum over event times of spread * (share_i [i == j] - share_i share_j)
    var = np.diag(share @ spread) - (share * spread) @ share.T
    diff = observed - expected
    usable = np.nonzero(expected > 0)[0]
    sub = usable[:-1]
    chisq = _chisq(diff[sub], var[np.ix_(sub, sub)], by) if len(sub) else 0.0
    dof = len(usable) - 1
    p = float(chi2.sf(chisq, dof)) if dof > 0 else np.nan
    table = pd.DataFrame({GROUP: [str(lv) for lv in levels],
                          N: counts.total.sum(axis=1), OBSERVED: observed, EXPECTED: expected})
    return LogrankResult(chisq=chisq, df=dof, p=p, groups=table, rho=rho, n_dropped=len(data.dropped))


def _chisq(diff: np.ndarray, var: np.ndarray, by: str) -> float:
    """(O - E)' V^-1 (O - E); R's ``solve`` stops on a singular V, and so do we, in words."""
    if not np.any(var):
        raise RecurError(
            f"The log-rank test by '{by}' is undefined: its variance is zero, because at every event time "
            "every patient still at risk had the event (nothing to compare between groups)."
        )
    singular = np.linalg.svd(var, compute_uv=False)
    if singular.min() <= np.finfo(float).eps * singular.max():  # R: reciprocal condition < eps
        raise RecurError(
            f"The log-rank test by '{by}' is undefined: the variance matrix of the groups is singular "
            "(some groups are never at risk together at an event time); merge or drop groups."
        )
    return float(diff @ np.linalg.solve(var, diff))
