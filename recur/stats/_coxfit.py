"""Numerical core of the Cox model: partial likelihood with Efron or Breslow
ties and the Newton-Raphson of R's ``coxph.fit`` (survival 3.5 ``coxfit6.c``)
step for step: columns centred and scaled, R's pivoting Cholesky
(``cholesky2``) that zeroes aliased columns, its step-halving rule, its
convergence test and its "coefficient may be infinite" flag.

Written here (not taken from lifelines) because lifelines offers Efron only
and scikit-survival gives no standard errors; both ties methods, and R's
decisions on aliased and infinite coefficients, must match R.
Reference: Therneau & Grambsch (2000), ch. 3; Efron (1977) JASA 72:557.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from recur.stats._cholesky import cholesky2, chinv2, chsolve2
from recur.stats._coxkernel import center_scale, cox_totals
from recur.stats._prepare import stable_argsort

Ties = Literal["efron", "breslow"]

EPS = 1e-9  # R coxph.control(eps): relative change in log-likelihood
TOLER_CHOL = np.finfo(float).eps ** 0.75  # R coxph.control(toler.chol)
TOLER_INF = np.sqrt(EPS)  # R coxph.control(toler.inf)
MAX_ITER = 20  # R coxph.control(iter.max)


@dataclass(frozen=True)
class RiskSets:
    """Rows sorted by time, with the positions of the distinct event times."""

    order: np.ndarray  # (n,) sorting permutation of the input rows
    event: np.ndarray  # (n,) 0/1 sorted by time
    start: np.ndarray  # (K,) index of the first row with time >= t_k
    death_rows: np.ndarray  # (D,) row indices of the deaths, grouped by time
    death_group: np.ndarray  # (D,) which event time k each death belongs to
    group_start: np.ndarray  # (K,) first position in death_rows of each event time (for reduceat)
    death_rank: np.ndarray  # (D,) 0..d_k-1 within its tied set
    n_deaths: np.ndarray  # (K,) d_k
    event_times: np.ndarray  # (K,)


def risk_sets(time: np.ndarray, event: np.ndarray, order: np.ndarray | None = None) -> RiskSets:
    """Sort once and index the risk sets; reused by every iteration. ``order``:
    ``np.argsort(time, kind="stable")`` if already known."""
    if order is None:
        order = stable_argsort(time)
    t, e = time[order], event[order]
    death_rows = np.nonzero(e == 1)[0]
    death_times = t[death_rows]  # sorted: the distinct ones start where the value changes
    new = np.empty(len(death_times), dtype=bool)
    new[:1] = True
    np.not_equal(death_times[1:], death_times[:-1], out=new[1:])
    first_of_group = np.flatnonzero(new)
    event_times = death_times[first_of_group]
    death_group = np.cumsum(new) - 1
    n_deaths = np.diff(np.append(first_of_group, len(death_times)))
    death_rank = np.arange(len(death_rows)) - first_of_group[death_group]
    start = np.searchsorted(t, event_times, side="left")
    return RiskSets(order, e, start, death_rows, death_group, first_of_group, death_rank, n_deaths, event_times)


@dataclass(frozen=True)
class PartialLikelihood:
    """Log partial likelihood, score and information at one beta, plus the
    per-event-time score and information pieces (for the PH test)."""

    loglik: float
    score: np.ndarray
    info: np.ndarray
    score_by_time: np.ndarray  # (K, p)
    info_by_time: np.ndarray  # (K, p, p)


def partial_likelihood(rs: RiskSets, x: np.ndarray, beta: np.ndarray, ties: Ties) -> PartialLikelihood:
    """Evaluate the partial likelihood and its derivatives at ``beta``; ``x``
    sorted as ``rs``. Overflow gives non-finite values (the caller halves)."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        eta = x @ beta
        w = np.exp(eta)
        wx = w[:, None] * x
        # Sums over the risk set {time >= t_k}: reverse cumulative sums read at start_k.
        s0 = np.cumsum(w[::-1])[::-1][rs.start]
        s1 = np.cumsum(wx[::-1], axis=0)[::-1][rs.start]
        s2 = np.cumsum((wx[:, :, None] * x[:, None, :])[::-1], axis=0)[::-1][rs.start]
        dr, k = rs.death_rows, rs.death_group
        if ties == "efron":
            # Each of d tied deaths leaves the denominator by 1/d per term (Efron 1977).
            d0 = _by_time(w[dr], rs)
            d1 = _by_time(wx[dr], rs)
            d2 = _by_time(wx[dr][:, :, None] * x[dr][:, None, :], rs)
            frac = rs.death_rank / rs.n_deaths[k]
            denom = s0[k] - frac * d0[k]
            num1 = s1[k] - frac[:, None] * d1[k]
            num2 = s2[k] - frac[:, None, None] * d2[k]
        else:
            denom, num1, num2 = s0[k], s1[k], s2[k]
        mean = num1 / denom[:, None]
        info_each = num2 / denom[:, None, None] - mean[:, :, None] * mean[:, None, :]
        loglik = float(eta[dr].sum() - np.log(denom).sum())
        score_each = x[dr] - mean
    score_by_time = _by_time(score_each, rs)
    info_by_time = _by_time(info_each, rs)
    return PartialLikelihood(loglik, score_by_time.sum(axis=0), info_by_time.sum(axis=0),
                             score_by_time, info_by_time)


def likelihood_totals(rs: RiskSets, x: np.ndarray, beta: np.ndarray, ties: Ties) -> tuple[float, np.ndarray, np.ndarray]:
    """(log partial likelihood, score, information) at ``beta``: the totals of
    ``partial_likelihood`` without its per-time pieces, from one compiled pass
    over the rows (``_coxkernel.cox_totals``, coxfit6's loop). ``x`` sorted as ``rs``."""
    return cox_totals(np.ascontiguousarray(x, dtype=float), np.asarray(beta, dtype=float), rs.start,
                      rs.death_rows, rs.group_start, ties == "efron")


def _by_time(values: np.ndarray, rs: RiskSets) -> np.ndarray:
    """Sum per-death values over each event time (deaths are stored grouped by time)."""
    if len(values) == 0:
        return np.zeros((0, *values.shape[1:]))
    return np.add.reduceat(values, rs.group_start, axis=0)


@dataclass(frozen=True)
class CoxFit:
    """Raw fit on the original scale: coefficients (NaN where aliased),
    covariance, log-likelihoods, tests and R's flags."""

    beta: np.ndarray
    var: np.ndarray
    loglik_null: float
    loglik: float
    score_test: float
    iterations: int
    converged: bool
    aliased: np.ndarray  # (p,) bool: R's which.sing (coefficient NA)
    infinite: np.ndarray  # (p,) bool: R's "Loglik converged before variable j"
    diverging: bool  # R's "one or more coefficients may be infinite" after running out of iterations


def _finite(pl: PartialLikelihood | _Totals) -> bool:
    return bool(np.isfinite(pl.loglik) and np.isfinite(pl.score).all() and np.isfinite(pl.info).all())


@dataclass(frozen=True)
class _Totals:
    loglik: float
    score: np.ndarray
    info: np.ndarray


def _evaluate(rs: RiskSets, x: np.ndarray, beta: np.ndarray, ties: Ties) -> _Totals:
    return _Totals(*likelihood_totals(rs, x, beta, ties))


def fit_cox(time: np.ndarray, event: np.ndarray, x: np.ndarray, ties: Ties,
            order: np.ndarray | None = None) -> CoxFit:
    """Newton-Raphson from beta = 0, line for line as R's coxfit6. ``order``:
    ``np.argsort(time, kind="stable")`` if already known."""
    rs = risk_sets(time, event, order)
    xs = np.take(np.asarray(x, dtype=float), rs.order, axis=0)  # np.take: several times faster than x[order]
    scale = center_scale(xs)  # in place
    p = xs.shape[1]
    beta = np.zeros(p)
    current = _evaluate(rs, xs, beta, ties)
    loglik_null = best = current.loglik
    chol, _ = cholesky2(current.info, TOLER_CHOL)
    step = chsolve2(chol, current.score)
    score_test = float(current.score @ step)
    new_beta = beta + step
    halving = 0
    for iteration in range(1, MAX_ITER + 1):
        current = _evaluate(rs, xs, new_beta, ties)
        chol, _ = cholesky2(current.info, TOLER_CHOL)
        finite = _finite(current)
        with np.errstate(divide="ignore", invalid="ignore"):  # C semantics: x / 0 is inf or nan
            change = abs(1 - np.float64(best) / np.float64(current.loglik))
        if finite and change <= EPS:
            var = chinv2(chol) * np.outer(scale, scale)
            return _finish(new_beta * scale, var, current.score / scale, loglik_null, current.loglik,
                           score_test, iteration, True, False)
        if not finite or current.loglik < best:  # not improving: move back towards the last good beta
            halving += 1
            new_beta = (new_beta + halving * beta) / (halving + 1.0)
        else:
            halving = 0
            best = current.loglik
            beta, new_beta = new_beta, new_beta + chsolve2(chol, current.score)
    # Out of iterations: R returns the last good beta, recomputes the likelihood
    # there and inverts that information matrix without factoring it first
    # (coxfit6 calls chinv2 on the raw matrix), i.e. var = 1 / diag(information).
    last = _evaluate(rs, xs, beta, ties)
    var = chinv2(np.triu(last.info)) * np.outer(scale, scale)
    # R's fit$iter reads iter.max + 1 here; its linear predictor (x centred as coxfit6 does) over
    # 500 is its sign of an infinite coefficient.
    return _finish(beta * scale, var, last.score / scale, loglik_null, last.loglik, score_test,
                   MAX_ITER + 1, False, bool(np.max(xs @ beta) > 500))


def _finish(beta: np.ndarray, var: np.ndarray, score: np.ndarray, loglik_null: float, loglik: float,
            score_test: float, iterations: int, converged: bool, large_lp: bool) -> CoxFit:
    """R's coxph.fit epilogue: NA for aliased columns, the infinite-beta flag."""
    aliased = (np.diag(var) == 0) & converged  # R: which.sing only when flag < nvar (not 1000)
    with np.errstate(invalid="ignore", over="ignore"):
        drift = np.abs(score @ var)
        infinite = ~np.isfinite(score) | ((drift > EPS) & (drift > TOLER_INF * np.abs(beta)))
    beta = np.where(aliased, np.nan, beta)
    diverging = not converged and (large_lp or not np.isfinite(drift).all())
    return CoxFit(beta, var, loglik_null, loglik, score_test, iterations, converged,
                  aliased, infinite & converged & ~aliased, diverging)
