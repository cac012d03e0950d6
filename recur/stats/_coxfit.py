"""Numerical core of the Cox model: partial likelihood with Efron or Breslow
ties, Newton-Raphson with step halving, as R's ``coxph.fit``.

Written here (not taken from lifelines) because lifelines offers Efron only
and scikit-survival gives no standard errors; both ties methods must match R.
Reference: Therneau & Grambsch (2000), ch. 3; Efron (1977) JASA 72:557.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

Ties = Literal["efron", "breslow"]

EPS = 1e-9  # R coxph.control(eps): relative change in log-likelihood
TOLER_INF = np.sqrt(EPS)  # R coxph.control(toler.inf)
MAX_ITER = 20  # R coxph.control(iter.max)


@dataclass(frozen=True)
class RiskSets:
    """Data sorted by time, with the positions of the distinct event times."""

    x: np.ndarray  # (n, p) centred covariates, sorted by time
    event: np.ndarray  # (n,) 0/1 sorted by time
    start: np.ndarray  # (K,) index of the first row with time >= t_k
    death_rows: np.ndarray  # (D,) row indices of the deaths, grouped by time
    death_group: np.ndarray  # (D,) which event time k each death belongs to
    death_rank: np.ndarray  # (D,) 0..d_k-1 within its tied set
    n_deaths: np.ndarray  # (K,) d_k
    event_times: np.ndarray  # (K,)


def risk_sets(time: np.ndarray, event: np.ndarray, x: np.ndarray) -> RiskSets:
    """Sort once and index the risk sets; reused by every iteration."""
    order = np.argsort(time, kind="stable")
    t, e, xs = time[order], event[order], x[order]
    xs = xs - xs.mean(axis=0)  # centring as R does: same fit, stabler sums
    death_rows = np.nonzero(e == 1)[0]
    death_times = t[death_rows]
    event_times, death_group, n_deaths = np.unique(death_times, return_inverse=True, return_counts=True)
    first_of_group = np.concatenate([[0], np.cumsum(n_deaths)[:-1]])
    death_rank = np.arange(len(death_rows)) - first_of_group[death_group]
    start = np.searchsorted(t, event_times, side="left")
    return RiskSets(xs, e, start, death_rows, death_group, death_rank, n_deaths, event_times)


@dataclass(frozen=True)
class PartialLikelihood:
    """Log partial likelihood, score and information at one beta, plus the
    per-event-time score and information pieces (for the PH test)."""

    loglik: float
    score: np.ndarray
    info: np.ndarray
    score_by_time: np.ndarray  # (K, p)
    info_by_time: np.ndarray  # (K, p, p)


def partial_likelihood(rs: RiskSets, beta: np.ndarray, ties: Ties) -> PartialLikelihood:
    """Evaluate the partial likelihood and its derivatives at ``beta``."""
    x = rs.x
    n, p = x.shape
    eta = x @ beta
    w = np.exp(eta)
    wx = w[:, None] * x
    # Sums over the risk set {time >= t_k}: reverse cumulative sums read at start_k.
    s0 = np.cumsum(w[::-1])[::-1][rs.start]
    s1 = np.cumsum(wx[::-1], axis=0)[::-1][rs.start]
    s2 = np.cumsum((wx[:, :, None] * x[:, None, :])[::-1], axis=0)[::-1][rs.start]
    dr = rs.death_rows
    k = rs.death_group
    if ties == "efron":
        # Sums over the tied deaths at each event time.
        K = len(rs.event_times)
        d0 = np.bincount(k, weights=w[dr], minlength=K)
        d1 = np.zeros((K, p))
        np.add.at(d1, k, wx[dr])
        d2 = np.zeros((K, p, p))
        np.add.at(d2, k, wx[dr][:, :, None] * x[dr][:, None, :])
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
    K = len(rs.event_times)
    score_by_time = np.zeros((K, p))
    np.add.at(score_by_time, k, score_each)
    info_by_time = np.zeros((K, p, p))
    np.add.at(info_by_time, k, info_each)
    return PartialLikelihood(loglik, score_by_time.sum(axis=0), info_by_time.sum(axis=0),
                             score_by_time, info_by_time)


@dataclass(frozen=True)
class CoxFit:
    """Raw fit: coefficients, covariance, log-likelihoods, tests, flags."""

    beta: np.ndarray
    var: np.ndarray
    loglik_null: float
    loglik: float
    score_test: float
    iterations: int
    converged: bool
    infinite: np.ndarray  # (p,) bool: R's "coefficient may be infinite" flag
    final: PartialLikelihood


def fit_cox(rs: RiskSets, ties: Ties) -> CoxFit:
    """Newton-Raphson from beta = 0 with step halving (R's coxph.fit rules)."""
    p = rs.x.shape[1]
    beta = np.zeros(p)
    current = partial_likelihood(rs, beta, ties)
    null = current
    score_test = float(null.score @ np.linalg.solve(null.info, null.score))
    converged = False
    iterations = 0
    for iterations in range(1, MAX_ITER + 1):
        step = np.linalg.solve(current.info, current.score)
        candidate_beta = beta + step
        candidate = partial_likelihood(rs, candidate_beta, ties)
        halvings = 0
        while (not np.isfinite(candidate.loglik) or candidate.loglik < current.loglik) and halvings < 30:
            candidate_beta = (candidate_beta + beta) / 2
            candidate = partial_likelihood(rs, candidate_beta, ties)
            halvings += 1
        done = abs(1 - current.loglik / candidate.loglik) <= EPS
        beta, current = candidate_beta, candidate
        if done:
            converged = True
            break
    var = np.linalg.inv(current.info)
    drift = np.abs(current.score @ var)
    infinite = (drift > EPS) & (drift > TOLER_INF * np.abs(beta))
    return CoxFit(beta, var, null.loglik, current.loglik, score_test, iterations,
                  converged, infinite, current)
