"""Kaplan-Meier estimates with Greenwood errors, pointwise CIs and medians,
computed exactly as R's ``survfit`` / ``summary.survfit`` / ``quantile.survfit``.

Reference: Kalbfleisch & Prentice (2002), ch. 1.4; Therneau, survival 3.5.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Sequence

import numpy as np
import pandas as pd
from scipy.special import ndtri  # scipy.stats.norm.ppf without its per-call overhead

from recur.stats._prepare import OVERALL, SurvivalInput, prepare_survival, stable_argsort  # noqa: F401  (OVERALL: recur.stats.km.OVERALL)

ConfType = Literal["log", "log-log", "plain"]

# Column names of the result tables, defined once.
GROUP, TIME, N_RISK, N_EVENT, N_CENSOR = "group", "time", "n_risk", "n_event", "n_censor"
SURV, STD_ERR, LOWER, UPPER = "surv", "std_err", "lower", "upper"
N, N_EVENTS, MEDIAN = "n", "n_events", "median"
N_EVENT_INTERVAL, BEYOND_LAST = "n_event_interval", "beyond_last_observed"
CURVE_COLUMNS = [GROUP, TIME, N_RISK, N_EVENT, N_CENSOR, SURV, STD_ERR, LOWER, UPPER]


@dataclass(frozen=True)
class StepFunction:
    """One group's KM curve over its distinct times (censor-only times included)."""

    time: np.ndarray
    n_risk: np.ndarray
    n_event: np.ndarray
    n_censor: np.ndarray
    surv: np.ndarray
    std_err_log: np.ndarray  # SE of log S (R's survfit $std.err)


@dataclass(frozen=True)
class KMResult:
    """Kaplan-Meier fit per group.

    ``curves``: the step function (group, time, n_risk, n_event, n_censor, surv,
    std_err (of S), lower, upper). ``at_times``: estimates at requested times.
    ``medians``: group, n, n_events, median, lower, upper (NaN = not reached).
    """

    curves: pd.DataFrame
    at_times: pd.DataFrame
    medians: pd.DataFrame
    groups: list[str]
    methods: dict[str, str] = field(default_factory=dict)
    n_dropped: int = 0
    dropped_rows: tuple = ()


def km_step_function(time: np.ndarray, event: np.ndarray) -> StepFunction:
    """The product-limit estimate over the distinct observed times."""
    order = stable_argsort(time)
    return km_step_sorted(time[order], event[order])


def km_step_sorted(t: np.ndarray, e: np.ndarray) -> StepFunction:
    """``km_step_function`` of times already sorted (ascending): the distinct
    times are where the sorted times change, no second sort."""
    new = np.empty(len(t), dtype=bool)
    new[:1] = True
    np.not_equal(t[1:], t[:-1], out=new[1:])
    first = np.flatnonzero(new)
    uniq = t[first]
    n_event = np.add.reduceat(e, first) if len(t) else np.array([], dtype=int)
    n_total = np.diff(np.append(first, len(t)))
    return _product_limit(uniq, len(t) - first, n_event, n_total - n_event)


def _product_limit(time: np.ndarray, n_risk: np.ndarray, n_event: np.ndarray, n_censor: np.ndarray) -> StepFunction:
    """S(t) and Greenwood's SE of log S from the counts at each distinct time."""
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = np.cumprod(1.0 - n_event / n_risk)
        greenwood = np.cumsum(n_event / (n_risk * (n_risk - n_event)))
    std_err = np.sqrt(greenwood)
    std_err[~np.isfinite(std_err)] = np.nan
    return StepFunction(time, n_risk, n_event, n_censor, surv, std_err)


def km_step_counts(time: np.ndarray, total: np.ndarray, events: np.ndarray) -> StepFunction:
    """``km_step_sorted`` from one group's column of ``TimeCounts``: its
    distinct times are the rows where it has patients (same integers, so the
    same floating-point estimates)."""
    mine = np.flatnonzero(total)
    n_total, n_event = total[mine], events[mine]
    n_risk = np.cumsum(n_total[::-1])[::-1]
    return _product_limit(time[mine], n_risk, n_event, n_total - n_event)


def confidence_band(
    surv: np.ndarray, std_err_log: np.ndarray, conf_type: ConfType, conf_level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise CI for S(t) as survfit computes it (NaN where undefined)."""
    z = float(ndtri(1 - (1 - conf_level) / 2))
    s = np.asarray(surv, dtype=float)
    se = np.asarray(std_err_log, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if conf_type == "log":
            lo, hi = s * np.exp(-z * se), np.minimum(s * np.exp(z * se), 1.0)
            bad = s == 0
        elif conf_type == "log-log":
            # R's survfit: lower exp(-exp(log(-log S) - z se / log S)), upper with +
            log_s = np.log(s)
            loglog = np.log(-log_s)
            shift = z * se / log_s
            lo, hi = loglog - shift, loglog + shift
            for bound in (lo, hi):
                np.exp(bound, out=bound)
                np.negative(bound, out=bound)
                np.exp(bound, out=bound)
            bad = (s == 0) | (s == 1)
        elif conf_type == "plain":
            lo = np.maximum(s - z * se * s, 0.0)
            hi = np.minimum(s + z * se * s, 1.0)
            bad = s == 0
        else:
            raise ValueError(f"conf_type must be 'log', 'log-log' or 'plain', not {conf_type!r}")
    lo[bad] = np.nan
    hi[bad] = np.nan
    return lo, hi


def _first_at_or_above(nodes: np.ndarray, v: float) -> int | None:
    """R's ``approx(nodes, seq_along(nodes), v, method = "constant", f = 1)``
    read as a position: NA nodes ignored, the node that comes first at or
    above v in a stable sort of the nodes (the smallest such, earliest among
    equals), None outside the nodes' range. One pass instead of a sort."""
    with np.errstate(invalid="ignore"):
        above = nodes >= v  # NaN nodes: False
    if not above.any() or v < np.nanmin(nodes):
        return None
    return int(np.argmin(np.where(above, nodes, np.inf)))


def _find_quantile(x: np.ndarray, y: np.ndarray, p: float, tol: float) -> float:
    """Where the CDF curve y(x) (steps) reaches p, line for line R's ``findq``
    (survival 3.5, used by quantile.survfit): duplicated levels dropped, the
    first point at or above p found after sorting the levels (so a CI curve
    that is not monotone is read as R reads it), midpoint rule on flats.
    The first point at or above a level is never a repeat of an earlier
    level, so the search runs on ``y`` itself; only the last kept level
    (the flat-at-the-end rule) needs the duplicates dropped."""
    if not np.fmax.reduce(y) >= p:  # every level below p, or all NaN
        return np.nan
    i1 = _first_at_or_above(y + tol, p)
    i2 = _first_at_or_above(y - tol, p)
    quant = np.nan if i1 is None or i2 is None else (x[i1] + x[i2]) / 2
    # The last level can be within tol of p only if the first level reaching p - tol is.
    near = i1 is not None and y[i1] < p + 2 * tol
    last = y[np.flatnonzero(_first_occurrences(y))[-1]] if near else np.nan
    if not np.isnan(last) and abs(p - last) < tol:  # a flat exactly at p at the end
        quant = (x[i1] + x[-1]) / 2 if i1 is not None else np.nan
    return float(quant)


def _first_occurrences(y: np.ndarray) -> np.ndarray:
    """Mask of the first occurrence of each value (R's ``!duplicated(y)``: one
    NaN kept). A curve read in time order is usually non-decreasing apart
    from NaNs; then the first occurrences are where it changes, without a sort."""
    nan = np.isnan(y)
    keep = np.zeros(len(y), dtype=bool)
    values = y[~nan]
    if np.all(values[1:] >= values[:-1]):
        positions = np.flatnonzero(~nan)
        changes = np.empty(len(values), dtype=bool)
        changes[:1] = True
        np.not_equal(values[1:], values[:-1], out=changes[1:])
        keep[positions[changes]] = True
        if nan.any():
            keep[np.argmax(nan)] = True
        return keep
    _, first = np.unique(y, return_index=True, equal_nan=True)
    keep[first] = True
    return keep


def median_with_ci(sf: StepFunction, conf_type: ConfType, conf_level: float = 0.95,
                   band: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[float, float, float]:
    """Median survival and its CI as ``quantile.survfit`` (times where the
    estimate and the CI limits cross 0.5); ``band`` if already computed."""
    tol = np.sqrt(np.finfo(float).eps)
    lo, hi = band if band is not None else confidence_band(sf.surv, sf.std_err_log, conf_type, conf_level)
    x = np.concatenate([[0.0], sf.time])
    est = _find_quantile(x, np.concatenate([[0.0], 1 - sf.surv]), 0.5, tol)
    # The lower curve crosses 0.5 first, so it gives the lower limit.
    lower = _find_quantile(x, np.concatenate([[0.0], 1 - lo]), 0.5, tol)
    upper = _find_quantile(x, np.concatenate([[0.0], 1 - hi]), 0.5, tol)
    return est, lower, upper


def estimates_at(
    sf: StepFunction, times: Sequence[float], conf_type: ConfType, conf_level: float = 0.95
) -> pd.DataFrame:
    """S(t), Greenwood SE and CI at given times, as ``summary(fit, times, extend=TRUE)``."""
    return pd.DataFrame(_estimate_rows(sf, times, confidence_band(sf.surv, sf.std_err_log, conf_type, conf_level)))


def _estimate_rows(sf: StepFunction, times: Sequence[float], band: tuple[np.ndarray, np.ndarray]) -> list[dict]:
    """One row per requested time (sorted), given the curve's CI ``band``."""
    rows = []
    lo, hi = band
    last_time = sf.time[-1] if len(sf.time) else 0.0
    events_before = np.concatenate([[0], np.cumsum(sf.n_event)])  # events at times < sf.time[i]
    previous = -1  # events counted up to here
    for t in sorted(times):
        idx = np.searchsorted(sf.time, t, side="right") - 1
        n_risk = int(sf.n_risk[np.searchsorted(sf.time, t, side="left")]) if t <= last_time else 0
        n_ev = int(events_before[idx + 1] - events_before[previous + 1])  # events in (previous time, t]
        if idx < 0:  # before the first time: survfit0's added point S = 1 with CI (1, 1), any conf.type
            s, se, l, u = 1.0, 0.0, 1.0, 1.0
        else:
            s = float(sf.surv[idx])
            se = float(s * sf.std_err_log[idx]) if s > 0 else np.nan
            l, u = float(lo[idx]), float(hi[idx])
        rows.append({TIME: t, N_RISK: n_risk, N_EVENT_INTERVAL: n_ev, SURV: s, STD_ERR: se,
                     LOWER: l, UPPER: u, BEYOND_LAST: bool(t > last_time)})
        previous = idx
    return rows


def kaplan_meier(
    df: pd.DataFrame,
    time: str,
    event: str,
    by: str | None = None,
    at: Sequence[float] | None = None,
    conf_type: ConfType = "log-log",
    conf_level: float = 0.95,
) -> KMResult:
    """Kaplan-Meier curves, estimates at ``at`` times and medians per group.

    ``time`` in any unit (months in recur); ``event`` 1 = event, 0 = censored.
    Rows missing time, event or group are dropped and counted in ``n_dropped``.
    CIs: "log-log" (default, as SAS / lifelines) or "log" (R's default).

    >>> km = kaplan_meier(df, "os_months", "os_event", by="bed_group", at=[24])
    >>> km.medians[["group", "median", "lower", "upper"]]
    """
    return kaplan_meier_from_input(prepare_survival(df, time, event, by), at, conf_type, conf_level)


def kaplan_meier_from_input(
    data: SurvivalInput,
    at: Sequence[float] | None = None,
    conf_type: ConfType = "log-log",
    conf_level: float = 0.95,
) -> KMResult:
    """``kaplan_meier`` of an input already prepared by ``prepare_survival``
    (shared with ``logrank_from_input``): every group's curve is read from
    one table of per-time counts, no split and sort per group."""
    labels = data.labels
    counts = data.counts
    curves: dict[str, list[np.ndarray]] = {c: [] for c in CURVE_COLUMNS}
    at_rows, med_rows = [], []
    for g, label in enumerate(labels):
        sf = km_step_counts(counts.time, counts.total[g], counts.events[g])
        band = confidence_band(sf.surv, sf.std_err_log, conf_type, conf_level)
        for column, values in zip(CURVE_COLUMNS, (np.full(len(sf.time), label, dtype=object), sf.time,
                                                  sf.n_risk, sf.n_event, sf.n_censor, sf.surv,
                                                  sf.surv * sf.std_err_log, *band)):
            curves[column].append(values)
        if at is not None and len(at):
            at_rows += [{GROUP: label, **row} for row in _estimate_rows(sf, at, band)]
        m, ml, mu = median_with_ci(sf, conf_type, conf_level, band)
        med_rows.append({GROUP: label, N: int(sf.n_risk[0]) if len(sf.n_risk) else 0,
                         N_EVENTS: int(sf.n_event.sum()), MEDIAN: m, LOWER: ml, UPPER: mu})
    return KMResult(
        curves=pd.DataFrame({c: np.concatenate(v) for c, v in curves.items()}, copy=False),  # fresh arrays: no copy
        at_times=pd.DataFrame(at_rows),
        medians=pd.DataFrame(med_rows),
        groups=labels,
        methods={"estimator": "Kaplan-Meier", "variance": "Greenwood",
                 "conf_type": conf_type, "conf_level": str(conf_level)},
        n_dropped=len(data.dropped),
        dropped_rows=tuple(data.dropped),
    )


def median_followup(
    df: pd.DataFrame, time: str, event: str, conf_type: ConfType = "log-log"
) -> tuple[float, float, float]:
    """Median follow-up by the reverse Kaplan-Meier method (censoring as the
    event; Schemper & Smith 1996): (median, lower, upper)."""
    data = prepare_survival(df, time, event)
    return median_with_ci(km_step_sorted(data.time[data.order], 1 - data.event[data.order]), conf_type)
