"""Why a Cox term has no usable estimate, in a statistician's words: the
fit (R's rules) says *that* a column is aliased or infinite; these helpers
say *why* (no events in a group, a group never at risk, collinear with which
terms), so a page can show the reason instead of a number."""

from __future__ import annotations

import numpy as np

from recur.stats._coxfit import RiskSets

NOT_AT_RISK = "not estimable: no patients of group {group} at risk at any event time"
NO_VARIATION_AT_RISK = "not estimable: no variation among the patients at risk at the event times"
ALIASED = "aliased with {terms} (collinear), dropped"
ALIASED_UNNAMED = "aliased with the other terms (collinear), dropped"
INFINITE = "infinite estimate (monotone likelihood){cause}; not estimable"
NO_EVENTS = "not estimable: no events in group {group} (n={n})"
NOT_CONVERGED = "did not converge in {iterations} iterations; estimate unreliable"
DIVERGING = "did not converge in {iterations} iterations, coefficients may be infinite; not estimable"


def _group_names(column: dict) -> tuple[str, str] | None:
    """(level coded 1, level coded 0) of a dummy column, else None."""
    if column.get("reference"):
        return column["level"], f"{column['reference']} (reference)"
    return None


def no_events_cause(x: np.ndarray, event: np.ndarray, column: dict) -> str | None:
    """'no events in group b (n=7)' when one side of a 0/1 column has no event."""
    if not np.all((x == 0.0) | (x == 1.0)):  # a 0/1 column (no sort of a continuous one)
        return None
    names = _group_names(column) or (f"{column['term']} = 1", f"{column['term']} = 0")
    for side, name in zip((1.0, 0.0), names):
        if event[x == side].sum() == 0:
            return NO_EVENTS.format(group=name, n=int((x == side).sum()))
    return None


def _constant_in_every_risk_set(x_sorted: np.ndarray, rs: RiskSets) -> bool:
    """True when x takes one value among those at risk at each event time."""
    suffix_max = np.maximum.accumulate(x_sorted[::-1])[::-1][rs.start]
    suffix_min = np.minimum.accumulate(x_sorted[::-1])[::-1][rs.start]
    return bool(np.all(suffix_max == suffix_min))


def aliased_note(x_sorted: np.ndarray, rs: RiskSets, column: dict, info: np.ndarray, pos: int,
                 others: list[int], terms: list[str]) -> str:
    """Why a column was dropped: no information of its own (a group never at
    risk at an event time), or a linear combination of the ``others``.
    ``info`` is the information at beta = 0 of the fitted columns, ``pos``
    and ``others`` positions in it, ``terms`` their names."""
    if _constant_in_every_risk_set(x_sorted, rs):
        names = _group_names(column)
        if names is not None and set(np.unique(x_sorted)) <= {0.0, 1.0}:
            at_risk = x_sorted[rs.start.min():] if len(rs.start) else x_sorted[:0]
            return NOT_AT_RISK.format(group=names[0] if not (at_risk == 1.0).any() else names[1])
        return NO_VARIATION_AT_RISK
    if not others:
        return ALIASED_UNNAMED
    coef = np.linalg.lstsq(info[np.ix_(others, others)], info[others, pos], rcond=None)[0]
    size = np.abs(coef) * np.sqrt(np.abs(np.diag(info)[others]))
    named = [terms[k] for k, s in zip(others, size) if s > 1e-6 * np.sqrt(abs(info[pos, pos]))]
    return ALIASED.format(terms=", ".join(named)) if named else ALIASED_UNNAMED
