"""R survival's generalised Cholesky (``cholesky2.c``, ``chsolve2.c``,
``chinv2.c``), transcribed so that recur drops the same aliased columns as
R: a pivot below ``toler`` times the largest diagonal is set to zero, that
column gets a zero step and a zero row and column in the inverse.

Layout as in C: ``m[i, j]`` is ``matrix[i][j]``; the factor F (unit lower
triangular) sits below the diagonal, D on it, the input's upper triangle
is left alone. Matrices are tiny (one row per model column): compiled
(numba, cached) because a Newton step of a small model otherwise spends
more time in these interpreted loops than in the likelihood.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, error_model="numpy")
def cholesky2(matrix: np.ndarray, toler: float) -> tuple[np.ndarray, int]:
    """Factor a symmetric matrix as F D F'; returns (factor, rank), rank
    negative when the matrix is not non-negative definite."""
    m = matrix.astype(np.float64)  # a copy
    n = len(m)
    largest = 0.0
    for i in range(n):
        if m[i, i] > largest:
            largest = m[i, i]
    for i in range(n):
        m[i + 1:, i] = m[i, i + 1:]
    if largest == 0:
        for i in range(n):  # no positive diagonal: every column constant
            m[i, i] = 0.0
        return m, 0
    eps = largest * toler
    rank, nonneg = 0, 1
    for i in range(n):
        pivot = m[i, i]
        if not np.isfinite(pivot) or pivot < eps:
            m[i, i] = 0.0
            if pivot < -8 * eps:
                nonneg = -1
            continue
        rank += 1
        for j in range(i + 1, n):
            temp = m[j, i] / pivot
            m[j, i] = temp
            m[j, j] -= temp * temp * pivot
            m[j + 1:, j] -= temp * m[j + 1:, i]
    return m, rank * nonneg


@numba.njit(cache=True, error_model="numpy")
def chsolve2(factor: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Solve (F D F') b = y; components of zeroed pivots are 0."""
    n = len(y)
    b = y.astype(np.float64)  # a copy
    for i in range(n):
        for j in range(i):
            b[i] -= b[j] * factor[i, j]
    for i in range(n - 1, -1, -1):
        if factor[i, i] == 0:
            b[i] = 0.0
        else:
            temp = b[i] / factor[i, i]
            for j in range(i + 1, n):
                temp -= b[j] * factor[j, i]
            b[i] = temp
    return b


@numba.njit(cache=True, error_model="numpy")
def chinv2(factor: np.ndarray) -> np.ndarray:
    """The symmetric inverse from a factor (zero rows and columns for zeroed
    pivots), as chinv2 followed by coxfit6's mirroring of the upper triangle."""
    m = factor.astype(np.float64)  # a copy
    n = len(m)
    for i in range(n):
        if m[i, i] > 0:
            m[i, i] = 1 / m[i, i]
            for j in range(i + 1, n):
                m[j, i] = -m[j, i]
                m[j, :i] += m[j, i] * m[i, :i]
    for i in range(n):
        if m[i, i] == 0:
            m[:i, i] = 0.0
            m[i, i:] = 0.0
        else:
            for j in range(i + 1, n):
                temp = m[j, i] * m[j, j]
                m[i, j] = temp
                m[i, i:j] += temp * m[j, i:j]
    for i in range(n):  # the upper triangle, mirrored
        for j in range(i):
            m[i, j] = m[j, i]
    return m
