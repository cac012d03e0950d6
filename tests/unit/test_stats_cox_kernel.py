"""The compiled pieces of the Cox fit (issue 9): coxfit6's standardisation,
R's generalised Cholesky trio and the one-pass likelihood on large tied
data, each against a hand calculation or a plain numpy reference. The fits
themselves are checked against R in tests/reference. No timing here."""

from __future__ import annotations

import numpy as np
import pytest

from recur.stats._cholesky import chinv2, cholesky2, chsolve2
from recur.stats._coxfit import TOLER_CHOL, likelihood_totals, partial_likelihood, risk_sets
from recur.stats._coxkernel import center_scale


def test_center_scale_by_hand():
    # column 0: mean 2.5, |x - mean| sums to 4 -> factor 4 / 4 = 1; column 1 only 0/1 and
    # column 2 only -1/0/1: kept (R's nocenter); column 3 constant: centred to 0, factor 1
    x = np.array([[1.0, 0.0, -1.0, 7.0], [2.0, 1.0, 0.0, 7.0], [3.0, 1.0, 1.0, 7.0], [4.0, 0.0, 1.0, 7.0]])
    xs = x.copy()
    scale = center_scale(xs)
    assert scale.tolist() == [1.0, 1.0, 1.0, 1.0]
    assert xs[:, 0].tolist() == [-1.5, -0.5, 0.5, 1.5]
    assert xs[:, 1].tolist() == x[:, 1].tolist() and xs[:, 2].tolist() == x[:, 2].tolist()
    assert xs[:, 3].tolist() == [0.0] * 4
    y = np.array([[0.0], [10.0]])  # mean 5, sum |y - 5| = 10 -> factor 2 / 10
    assert center_scale(y).tolist() == [0.2] and y[:, 0].tolist() == [-1.0, 1.0]


@pytest.mark.parametrize("seed", range(5))
def test_cholesky_trio_inverts_and_solves(seed):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((6, 6))
    m = a @ a.T + 0.1 * np.eye(6)
    factor, rank = cholesky2(m, TOLER_CHOL)
    assert rank == 6
    np.testing.assert_allclose(chinv2(factor), np.linalg.inv(m), rtol=1e-9, atol=1e-12)
    y = rng.standard_normal(6)
    np.testing.assert_allclose(chsolve2(factor, y), np.linalg.solve(m, y), rtol=1e-9, atol=1e-12)


def test_cholesky_zeroes_an_aliased_column():
    # column 2 = column 0 + column 1: R drops it (zero pivot, zero step, zero row and column in the inverse)
    b = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, -1.0]])
    x = np.column_stack([b, b.sum(axis=1)])
    m = x.T @ x
    factor, rank = cholesky2(m, TOLER_CHOL)
    assert rank == 2 and factor[2, 2] == 0.0
    inv = chinv2(factor)
    assert inv[2].tolist() == [0.0] * 3 and inv[:, 2].tolist() == [0.0] * 3
    np.testing.assert_allclose(inv[:2, :2], np.linalg.inv(m[:2, :2]), rtol=1e-12)
    assert chsolve2(factor, np.array([1.0, 2.0, 3.0]))[2] == 0.0


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_one_pass_totals_on_large_tied_sets(ties):
    # 20,000 patients on a 0.1-month grid (up to ~70 deaths at one time): per-death (n, p, p) sums as reference
    rng = np.random.default_rng(7)
    n = 20_000
    x = rng.standard_normal((n, 4))
    time = np.round(rng.exponential(20 * np.exp(-x @ np.array([0.3, -0.2, 0.1, 0.0])), n), 1)
    event = (rng.random(n) < 0.6).astype(int)
    rs = risk_sets(time, event)
    xs = x[rs.order] - x.mean(axis=0)
    beta = np.array([0.25, -0.15, 0.05, 0.02])
    plain = partial_likelihood(rs, xs, beta, ties)
    loglik, score, info = likelihood_totals(rs, xs, beta, ties)
    assert rs.n_deaths.max() > 50
    assert loglik == pytest.approx(plain.loglik, rel=1e-12)
    np.testing.assert_allclose(score, plain.score, rtol=1e-8, atol=1e-9 * np.abs(xs).sum())
    np.testing.assert_allclose(info, plain.info, rtol=1e-10)
