"""R survival's generalised Cholesky (``cholesky2.c``, ``chsolve2.c``,
``chinv2.c``), transcribed so that recur drops the same aliased columns as
R: a pivot below ``toler`` times the largest diagonal is set to zero, that
column gets a zero step and a zero row and column in the inverse.

Layout as in C: ``m[i, j]`` is ``matrix[i][j]``; the factor F (unit lower
triangular) sits below the diagonal, D on it, the input's upper triangle
is left alone. Matrices are tiny (one row per model column), so loops are fine.
"""

from __future__ import annotations

import numpy as np


def cholesky2(matrix: np.ndarray, toler: float) -> tuple[np.ndarray, int]:
    """Factor a symmetric matrix as F D F'; returns (factor, rank), rank
    negative when the matrix is not non-negative definite."""
    m = np.array(matrix, dtype=float)
    n = len(m)
    diag = np.diag(m)
    largest = max([d for d in diag if d > 0], default=0.0)
    for i in range(n):
        m[i + 1:, i] = m[i, i + 1:]
    if largest == 0:
        m[np.diag_indices(n)] = 0.0  # no positive diagonal: every column constant
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


def chsolve2(factor: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Solve (F D F') b = y; components of zeroed pivots are 0."""
    n = len(y)
    b = np.array(y, dtype=float)
    for i in range(n):
        b[i] -= b[:i] @ factor[i, :i]
    for i in range(n - 1, -1, -1):
        if factor[i, i] == 0:
            b[i] = 0.0
        else:
            b[i] = b[i] / factor[i, i] - b[i + 1:] @ factor[i + 1:, i]
    return b


def chinv2(factor: np.ndarray) -> np.ndarray:
    """The symmetric inverse from a factor (zero rows and columns for zeroed
    pivots), as chinv2 followed by coxfit6's mirroring of the upper triangle."""
    m = np.array(factor, dtype=float)
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
    upper = np.triu(m)
    return upper + np.triu(m, 1).T
