"""The fast paths of recur.stats give the numbers of a straightforward
reference on random data (seeded): one shared sort vs a sort per group,
bincount counts vs per-group searching, the compiled Cox totals vs the
per-death (n, p, p) sums. No timing here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recur.stats._coxfit import likelihood_totals, partial_likelihood, risk_sets
from recur.stats._prepare import merge_near_ties, sort_merging_near_ties, stable_argsort
from recur.stats.km import kaplan_meier, km_step_function
from recur.stats.logrank import logrank

SEEDS = range(12)


def _data(seed: int, n: int = 400, groups: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    kind = seed % 3  # continuous, tied (0.5-month grid), near-ties (noise below R's tolerance)
    t = rng.exponential(20, n)
    if kind == 1:
        t = np.round(t * 2) / 2
    elif kind == 2:
        t = np.round(t) + rng.choice([0.0, 1e-10, -1e-10], n)
        t = np.abs(t)
    return pd.DataFrame({"time": t, "event": (rng.random(n) < 0.6).astype(int),
                         "group": rng.choice([f"g{i}" for i in range(groups)], n),
                         **{f"x{i}": rng.standard_normal(n) for i in range(4)},
                         "d": (rng.random(n) < 0.4).astype(float)})


@pytest.mark.parametrize("seed", SEEDS)
def test_stable_argsort_and_tie_merging_match_numpy(seed: int) -> None:
    t = _data(seed).time.to_numpy()
    assert np.array_equal(stable_argsort(t), np.argsort(t, kind="stable"))
    merged, order = sort_merging_near_ties(t)
    assert np.array_equal(merged, merge_near_ties(t))  # exact: same floats
    assert np.array_equal(order, np.argsort(merged, kind="stable"))


@pytest.mark.parametrize("seed", SEEDS)
def test_km_by_groups_equals_one_fit_per_group(seed: int) -> None:
    df = _data(seed)
    km = kaplan_meier(df, "time", "event", by="group", at=[5, 10, 30])
    merged = df.assign(time=merge_near_ties(df.time.to_numpy()))  # near ties merge over all rows, as R
    for level in sorted(df.group.unique()):
        part = merged[merged.group == level]
        alone = kaplan_meier(part, "time", "event", at=[5, 10, 30])
        ours = km.curves[km.curves.group == level].drop(columns="group").reset_index(drop=True)
        pd.testing.assert_frame_equal(ours, alone.curves.drop(columns="group"), check_exact=True)
        sf = km_step_function(part.time.to_numpy(), part.event.to_numpy())
        assert np.array_equal(ours.time.to_numpy(), sf.time) and np.array_equal(ours.surv.to_numpy(), sf.surv)
        med = km.medians.set_index("group").loc[level]
        assert med[["median", "lower", "upper"]].to_numpy() == pytest.approx(
            alone.medians.iloc[0][["median", "lower", "upper"]].to_numpy(dtype=float), nan_ok=True, rel=0, abs=0)


def _logrank_reference(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, float]:
    """survdiff written plainly: per event time, per group, count by comparison."""
    t, e = merge_near_ties(df.time.to_numpy()), df.event.to_numpy()
    g = df.group.to_numpy()
    levels = sorted(set(g))
    obs, exp = np.zeros(len(levels)), np.zeros(len(levels))
    var = np.zeros((len(levels), len(levels)))
    for s in np.unique(t[e == 1]):
        at_risk = np.array([np.sum((t >= s) & (g == lv)) for lv in levels], dtype=float)
        deaths = np.array([np.sum((t == s) & (e == 1) & (g == lv)) for lv in levels], dtype=float)
        n, d = at_risk.sum(), deaths.sum()
        obs += deaths
        exp += d * at_risk / n
        if n > 1:
            var += d * (n - d) / (n - 1) * (np.diag(at_risk / n) - np.outer(at_risk, at_risk) / n**2)
    diff = (obs - exp)[:-1]
    return obs, exp, float(diff @ np.linalg.solve(var[:-1, :-1], diff))


@pytest.mark.parametrize("seed", SEEDS)
def test_logrank_counts_equal_plain_survdiff(seed: int) -> None:
    df = _data(seed)
    ours = logrank(df, "time", "event", "group")
    obs, exp, chisq = _logrank_reference(df)
    assert np.array_equal(ours.groups.observed.to_numpy(), obs)  # counts: exact
    np.testing.assert_allclose(ours.groups.expected.to_numpy(), exp, rtol=1e-12)  # summation order only
    assert ours.chisq == pytest.approx(chisq, rel=1e-10)


@pytest.mark.parametrize("ties", ["efron", "breslow"])
@pytest.mark.parametrize("seed", SEEDS)
def test_cox_totals_equal_per_death_sums(seed: int, ties: str) -> None:
    """The compiled one-pass totals (coxfit6's loop) vs the (n, p, p)
    per-death sums at a non-zero beta; rtol 1e-10: only the order of
    floating-point additions differs."""
    df = _data(seed)
    x = df[["x0", "x1", "x2", "x3", "d"]].to_numpy()
    rs = risk_sets(merge_near_ties(df.time.to_numpy()), df.event.to_numpy())
    xs = x[rs.order] - x.mean(axis=0)
    beta = np.random.default_rng(seed).normal(0, 0.3, x.shape[1])
    plain = partial_likelihood(rs, xs, beta, ties)
    loglik, score, info = likelihood_totals(rs, xs, beta, ties)
    assert loglik == pytest.approx(plain.loglik, rel=1e-12)
    np.testing.assert_allclose(score, plain.score, rtol=1e-10, atol=1e-10 * np.abs(xs).sum())
    np.testing.assert_allclose(info, plain.info, rtol=1e-10, atol=1e-12 * np.abs(plain.info).max())
