"""Cumulative incidence with a competing event (Aalen-Johansen) and Gray's
K-sample test, with the numbers of R's ``cmprsk::cuminc``.

When death ends follow-up before a failure can be seen, 1 - Kaplan-Meier of
the failure (death censored) overstates the failure's probability; the
cumulative incidence function (CIF) counts death as a competing event instead.

References: Kalbfleisch & Prentice (2002), ch. 8 (CIF and its variance);
Gray (1988), Ann. Stat. 16:1141-1154 (the test, rho = 0 weights as cuminc).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd
from scipy.special import chdtrc

from recur.errors import RecurError
from recur.stats._prepare import prepare_survival

CENSORED, EVENT, COMPETING = 0, 1, 2
# Column names of the result tables, defined once.
GROUP, CAUSE, TIME, CIF, VARIANCE, N, N_EVENTS = "group", "cause", "time", "cif", "variance", "n", "n_events"
BEYOND_LAST = "beyond_last_observed"
STATISTIC, DF, P, NOTE = "statistic", "df", "p", "note"


@dataclass(frozen=True)
class CIFResult:
    """Cumulative incidence per group and cause (1 = event of interest, 2 = competing).

    ``curves``: group, cause, time, cif, variance; one row per group x cause at
    time 0 and at each distinct time of that cause (the right-continuous step
    function). ``at_times``: group, cause, time, cif, variance at requested
    times (NaN beyond the group's last observed time, as ``cmprsk::timepoints``).
    ``counts``: group, n, n_events (cause 1), n_competing, last_time.
    """

    curves: pd.DataFrame
    at_times: pd.DataFrame
    counts: pd.DataFrame
    groups: list[str]
    methods: dict[str, str] = field(default_factory=dict)
    n_dropped: int = 0
    dropped_rows: tuple = ()


@dataclass(frozen=True)
class CompetingInput:
    """Complete cases: merged times, cause codes 0/1/2 and group codes."""

    time: np.ndarray
    cause: np.ndarray
    code: np.ndarray
    levels: list[str]
    dropped: pd.Index


def _prepare(df: pd.DataFrame, time: str, status: str, by: str | None) -> CompetingInput:
    """Validate status (0/1/2) and reuse the survival checks (missing rows
    dropped and listed, bad times refused, near-tied times merged as R's aeqSurv)."""
    missing = [c for c in (time, status, by) if c and c not in df.columns]
    if missing:
        raise RecurError(f"Column(s) {', '.join(missing)} not found; available: {', '.join(map(str, df.columns))}.")
    code = pd.to_numeric(df[status], errors="coerce")
    bad = code.notna() & ~code.isin([CENSORED, EVENT, COMPETING])
    if bad.any():
        raise RecurError(f"Column '{status}' must be 0 (censored), 1 (event of interest) or 2 (competing "
                         f"event); rows {', '.join(map(str, df.index[bad][:10]))} hold other values.")
    frame = pd.DataFrame({time: df[time], status: (code != CENSORED).where(code.notna())}, index=df.index)
    if by:
        frame[by] = df[by]
    data = prepare_survival(frame, time, status, by)
    # the rows prepare_survival kept (its index labels may repeat, so select by position)
    kept = pd.to_numeric(frame[time], errors="coerce").notna() & code.notna() & (frame[by].notna() if by else True)
    cause = code.to_numpy()[kept.to_numpy()].astype(int)
    labels, codes = data.sorted_groups()
    return CompetingInput(data.time[data.order], cause[data.order], codes, labels, data.dropped)


def _cif_steps(t: np.ndarray, cause: np.ndarray) -> dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """CIF of causes 1 and 2 over sorted times, with cuminc's variance (the
    delta-method estimate of Aalen 1978 as coded in cmprsk's ``cinc``).
    Per cause: (times of that cause, CIF just after each, variance there)."""
    new = np.empty(len(t), dtype=bool)
    new[:1] = True
    np.not_equal(t[1:], t[:-1], out=new[1:])
    first = np.flatnonzero(new)
    counts = {c: np.add.reduceat((cause == c).astype(float), first) if len(t) else np.zeros(0)
              for c in (EVENT, COMPETING)}
    at_risk = (len(t) - first).astype(float)
    surv_after = np.cumprod(1.0 - (counts[EVENT] + counts[COMPETING]) / at_risk)  # all-cause KM
    surv_before = np.concatenate([[1.0], surv_after[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_after = np.where(surv_after > 0, 1.0 / surv_after, 0.0)
        ties = {c: np.where(d > 1, 1.0 - (d - 1.0) / (at_risk - 1.0), 1.0) for c, d in counts.items()}
    out = {}
    for which, other in ((EVENT, COMPETING), (COMPETING, EVENT)):
        d1, d2 = counts[which], counts[other]
        cif = np.cumsum(surv_before * d1 / at_risk)
        w1 = surv_before**2 * ties[which] * d1 / at_risk**2  # events of this cause
        w2 = np.where((d2 > 0) & (surv_after > 0), surv_before**2 * ties[other] * d2 / at_risk**2, 0.0)  # other
        a1, a2 = 1.0 + inv_after * cif, cif * inv_after
        v1 = np.cumsum(a1 * a1 * w1 + a2 * a2 * w2)
        v2 = np.cumsum(inv_after * (a1 * w1 + a2 * w2))
        v3 = np.cumsum(inv_after**2 * (w1 + w2))
        at = d1 > 0
        out[which] = (t[first][at], cif[at], v1[at] + cif[at] ** 2 * v3[at] - 2 * cif[at] * v2[at])
    return out


def cumulative_incidence(
    df: pd.DataFrame,
    time: str,
    status: str,
    by: str | None = None,
    at: Sequence[float] | None = None,
) -> CIFResult:
    """Cumulative incidence of cause 1 and of cause 2 per group, with variances.

    ``status``: 0 = censored, 1 = event of interest, 2 = competing event.
    Rows missing time, status or group are dropped and counted; times closer
    than R's tolerance are merged as the rest of recur does (cuminc takes them
    as given; with exact times the numbers are identical).

    >>> cif = cumulative_incidence(df, "lrfs_months", "lrfs_status", by="bed_group", at=[24])
    >>> cif.at_times.query("cause == 1")[["group", "cif", "variance"]]
    """
    data = _prepare(df, time, status, by)
    parts: list[dict[str, np.ndarray]] = []
    at_rows, counts = [], []
    for g, label in enumerate(data.levels):
        mine = data.code == g
        t, c = data.time[mine], data.cause[mine]
        last = float(t[-1]) if len(t) else np.nan
        counts.append({GROUP: label, N: len(t), N_EVENTS: int((c == EVENT).sum()),
                       "n_competing": int((c == COMPETING).sum()), "last_time": last})
        for which, (times, cif, var) in sorted(_cif_steps(t, c).items()):
            size = len(times) + 1
            parts.append({GROUP: np.full(size, label, dtype=object), CAUSE: np.full(size, which),
                          TIME: np.append(0.0, times), CIF: np.append(0.0, cif), VARIANCE: np.append(0.0, var)})
            for x in sorted(at or ()):
                k = np.searchsorted(times, x, side="right") - 1
                beyond = not x <= last
                at_rows.append({GROUP: label, CAUSE: which, TIME: x,
                                CIF: np.nan if beyond else (float(cif[k]) if k >= 0 else 0.0),
                                VARIANCE: np.nan if beyond else (float(var[k]) if k >= 0 else 0.0),
                                BEYOND_LAST: beyond})
    return CIFResult(
        curves=pd.DataFrame({c: np.concatenate([p[c] for p in parts]) for c in (GROUP, CAUSE, TIME, CIF, VARIANCE)}),
        at_times=pd.DataFrame(at_rows), counts=pd.DataFrame(counts),
        groups=data.levels,
        methods={"estimator": "Aalen-Johansen cumulative incidence (competing event: cause 2)",
                 "variance": "cmprsk::cuminc (Aalen 1978, delta method)"},
        n_dropped=len(data.dropped), dropped_rows=tuple(data.dropped))


def gray_test(df: pd.DataFrame, time: str, status: str, by: str, rho: float = 0.0) -> pd.DataFrame:
    """Gray's test that the CIF of each cause is equal across the groups of ``by``.

    ``rho``: weights (1 - F(t-))^rho on the pooled CIF F, as cuminc (0, its
    default, is the log-rank-like test). Returns one row per cause (1, 2):
    cause, statistic, df, p, note; a test that
    is undefined (singular variance) has NaN and a note, as cuminc's -1.
    Raises ``RecurError`` with fewer than two groups.

    >>> gray_test(df, "lrfs_months", "lrfs_status", by="bed_group").query("cause == 1").p
    """
    data = _prepare(df, time, status, by)
    present = np.unique(data.code)
    if len(present) < 2:
        raise RecurError(f"Gray's test needs at least two groups in '{by}'; found {len(present)} with data.")
    k = len(present)
    code = np.searchsorted(present, data.code)  # cuminc drops empty groups
    rs, d = _counts_at_event_times(data.time, data.cause, code, k)
    risk = _risk_sets(rs, d[EVENT] + d[COMPETING])
    rows = []
    for which, other in ((EVENT, COMPETING), (COMPETING, EVENT)):
        score, var = _gray_score(risk, d[which], d[other], rho)
        stat, note = _quadratic_form(score, var)
        rows.append({CAUSE: which, STATISTIC: stat, DF: k - 1, P: float(chdtrc(k - 1, stat)) if note == "" else np.nan,
                     NOTE: note})
    return pd.DataFrame(rows)


def _counts_at_event_times(t: np.ndarray, cause: np.ndarray, g: np.ndarray,
                           k: int) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """At each distinct time with an event of either cause (sorted ``t``):
    the number at risk per group and the events of each cause per group."""
    new = np.empty(len(t), dtype=bool)
    new[:1] = True
    np.not_equal(t[1:], t[:-1], out=new[1:])
    n_cells = int(new.sum()) * k
    cell = (np.cumsum(new) - 1) * k + g
    leaving = np.bincount(cell, minlength=n_cells).reshape(-1, k)
    d = {c: np.bincount(cell, weights=cause == c, minlength=n_cells).reshape(-1, k) for c in (EVENT, COMPETING)}
    events = (d[EVENT] + d[COMPETING]).sum(axis=1) > 0
    at_risk = np.cumsum(leaving[::-1], axis=0)[::-1]
    return at_risk[events].astype(float), {c: v[events] for c, v in d.items()}


@dataclass(frozen=True)
class _RiskSets:
    """What Gray's test of either cause shares, per event time x group: the
    number at risk, the all-cause KM after and before the time, rs / KM(t-)
    (t1), its sum over groups (tr), and diag(t1) - t1 t1' / tr (a)."""

    rs: np.ndarray
    live: np.ndarray
    skm: np.ndarray
    skmm: np.ndarray
    t1: np.ndarray
    tr: np.ndarray
    a: np.ndarray


def _risk_sets(rs: np.ndarray, d_all: np.ndarray) -> _RiskSets:
    k = rs.shape[1]
    live = rs > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        skm = np.cumprod(np.where(live, 1.0 - d_all / rs, 1.0), axis=0)
        skmm = np.vstack([np.ones((1, k)), skm[:-1]])
        t1 = np.where(live, rs / skmm, 0.0)
    tr = t1.sum(axis=1)
    a = -(t1[:, :, None] * (t1 / tr[:, None])[:, None, :])
    a[:, np.arange(k), np.arange(k)] += t1
    return _RiskSets(rs, live, skm, skmm, t1, tr, a)


def _gray_score(risk: _RiskSets, d1: np.ndarray, d2: np.ndarray, rho: float) -> tuple[np.ndarray, np.ndarray]:
    """Score (first k-1 groups) and its variance for Gray's test of the cause
    counted in ``d1`` (``d2``: the other cause), vectorised over event times:
    the sums of Gray (1988) in the order cmprsk's ``crstm`` accumulates them."""
    rs, live, skm, skmm, t1, tr = risk.rs, risk.live, risk.skm, risk.skmm, risk.t1, risk.tr
    k = rs.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        f1 = np.cumsum(np.where(live, skmm * d1 / rs, 0.0), axis=0)
        f1m = np.vstack([np.zeros((1, k)), f1[:-1]])
        tq = (t1 * (1 - f1m)).sum(axis=1)
        nd1 = d1.sum(axis=1)
        f = np.cumsum(nd1 / tr)
        fm = np.concatenate([[0.0], f[:-1]])
        fb = (1 - fm) ** rho if rho else np.ones_like(fm)
        a = risk.a * fb[:, None, None] if rho else risk.a
        c = np.cumsum(a * (nd1 / (tr * (1 - fm)))[:, None, None], axis=0)
        score = (fb[:, None] * (d1 - nd1[:, None] * t1 * (1 - f1m) / tq[:, None])).sum(axis=0)
        # events of the cause tested
        t4 = np.where(skm > 0, 1 - (1 - f)[:, None] / skm, 1.0)
        tie = np.where(nd1[:, None] > 1, 1 - (nd1[:, None] - 1) / (tr[:, None] * skmm - 1), 1.0)
        t3 = np.where(live & (nd1[:, None] > 0), tie * skmm * nd1[:, None] / (tr[:, None] * rs), 0.0)
        # events of the other cause
        s4 = np.where((skm > 0) & (d2 > 0), (1 - f)[:, None] / skm, 0.0)
        tie2 = np.where(d2 > 1, 1 - (d2 - 1) / (rs - 1), 1.0)
        s3 = np.where((skm > 0) & (d2 > 0), tie2 * skmm**2 * d2 / rs**2, 0.0)
    u1 = a - t4[:, None, :] * c  # [time, i, k]
    u2 = s4[:, None, :] * c
    v3 = (t4**2 * t3 + s4**2 * s3).sum(axis=0)
    v2 = (u1 * (t4 * t3)[:, None, :]).sum(axis=0) - (u2 * (s4 * s3)[:, None, :]).sum(axis=0)
    flat1, flat2 = u1.transpose(1, 0, 2).reshape(k, -1), u2.transpose(1, 0, 2).reshape(k, -1)
    var = (flat1 * t3.ravel()) @ flat1.T + (flat2 * s3.ravel()) @ flat2.T
    cf = c[-1]
    var = var + (cf * v3) @ cf.T + cf @ v2.T + v2 @ cf.T
    return score[:-1], var[:-1, :-1]


def _quadratic_form(score: np.ndarray, var: np.ndarray) -> tuple[float, str]:
    """s' V^-1 s, or NaN with the reason when V is singular (cuminc's rank check)."""
    if not (np.isfinite(var).all() and np.isfinite(score).all()):
        return np.nan, "Gray's test undefined: no events of this cause in some groups"
    if np.linalg.matrix_rank(var) < len(var):
        return np.nan, "Gray's test undefined: its variance matrix is singular (too few events of this cause)"
    return float(score @ np.linalg.solve(var, score)), ""
