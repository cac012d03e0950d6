"""Prognostic-factor screening as the published papers do it: univariate Cox
for every candidate factor and endpoint, then a multivariable Cox per endpoint
on the factors with univariate p below a threshold (default 0.2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from recur.stats._coxfit import Ties
from recur.errors import RecurError
from recur.frames import stack_rows
from recur.model_checks import epv_warnings, flag_ph
from recur.stats.cox import COEF_COLUMNS, LEVEL, NOTE, P, REFERENCE, TERM, VARIABLE, cox, ph_test
from recur.variables import event_column, time_column

MODEL, ENDPOINT, N, N_EVENTS = "model", "endpoint", "n", "n_events"


@dataclass(frozen=True)
class ScreenResult:
    """Long table: one row per (endpoint, model 'univariate'/'multivariable',
    term) with the Cox columns plus n and events of that model, and the PH
    test p of the term's variable with its flag (``recur.model_checks``)."""

    table: pd.DataFrame
    threshold: float
    methods: dict[str, str] = field(default_factory=dict)
    ph: pd.DataFrame = field(default_factory=pd.DataFrame)  # endpoint, model, term, chisq, df, p (cox.zph, km)
    warnings: tuple[str, ...] = ()  # e.g. too few events per coefficient (recur.model_checks)

    def wide(self, model: str = "univariate") -> pd.DataFrame:
        """Rows = terms, columns = endpoints (for Tables 2 and 3 of a paper)."""
        part = self.table[self.table[MODEL] == model]
        return part.pivot_table(index="term", columns=ENDPOINT, values=["hr", "lower", "upper", P],
                                aggfunc="first")


def screen_cox(
    df: pd.DataFrame,
    factors: Sequence[str],
    endpoints: Sequence[str],
    threshold: float = 0.2,
    ties: Ties = "efron",
    reference: Mapping[str, object] | None = None,
    ordered: Mapping[str, Sequence] | None = None,
    *,
    model: ModelFit | None = None,
) -> ScreenResult:
    """Univariate then multivariable Cox per endpoint (times ``<ep>_months``).

    A factor enters the multivariable model when any of its univariate terms
    has p < ``threshold``; with none, no multivariable row is produced.
    ``model(endpoint, kind, factors)`` gives each model's rows and PH tests;
    by default ``fit_model`` on ``df`` (a caller may answer from a cache:
    a new cutoff changes only the models that hold it).
    """
    if model is None:
        def model(ep: str, kind: str, chosen: tuple[str, ...]) -> FittedModel:
            return fit_model(df, ep, kind, chosen, ties, reference, ordered)
    rows, ph_rows = [], []
    for ep in endpoints:
        selected = []
        for factor in factors:
            part, ph = model(ep, "univariate", (factor,))
            rows.append(part)
            ph_rows.append(ph)
            if (part[P].to_numpy(dtype=float) < threshold).any():
                selected.append(factor)
        if selected:
            part, ph = model(ep, "multivariable", tuple(selected))
            rows.append(part)
            ph_rows.append(ph)
    table = stack_rows(rows) if rows else pd.DataFrame(columns=[ENDPOINT, MODEL, *COEF_COLUMNS, N, N_EVENTS])
    ph_rows = [p for p in ph_rows if p is not None]
    ph_table = stack_rows(ph_rows) if ph_rows else pd.DataFrame()
    return ScreenResult(flag_ph(table, ph_table), threshold,
                        {"ties": ties, "selection": f"univariate p < {threshold:g}",
                         "PH test": "Schoenfeld score test (cox.zph, km transform)"}, ph_table, epv_warnings(table))


FittedModel = tuple[pd.DataFrame, "pd.DataFrame | None"]  # a model's coefficient rows, its PH tests (or None)
ModelFit = Callable[[str, str, tuple[str, ...]], FittedModel]  # (endpoint, kind, factors) -> FittedModel


def fit_model(df: pd.DataFrame, endpoint: str, kind: str, factors: Sequence[str], ties: Ties = "efron",
              reference: Mapping[str, object] | None = None,
              ordered: Mapping[str, Sequence] | None = None) -> FittedModel:
    """One model of the screen ('univariate' or 'multivariable' ``kind``) on
    ``factors`` for ``endpoint``: its rows (``ScreenResult.table`` layout) and
    PH tests. It uses only these factors' columns, references and orders."""
    t, e = time_column(endpoint), event_column(endpoint)
    factors = list(factors)
    rows, res = _fit(df, t, e, factors, endpoint, kind, ties, reference, ordered)
    return rows, None if res is None else _ph(res, df, t, e, factors, endpoint, kind, ties)


def _ph(res, df: pd.DataFrame, time: str, event: str, factors: list[str], endpoint: str, model: str,
        ties: Ties) -> pd.DataFrame | None:
    """The model's PH tests (per term and GLOBAL) from its fit ``res``, or
    None when no term is estimable (the coefficient notes already say why)."""
    try:
        ph = ph_test(df, time, event, factors, ties=ties, model=res)
    except RecurError:
        return None
    return ph.assign(**{ENDPOINT: endpoint, MODEL: model})


def _fit(df: pd.DataFrame, time: str, event: str, factors: list[str], endpoint: str, model: str, ties: Ties,
         reference: Mapping[str, object] | None, ordered: Mapping[str, Sequence] | None) -> tuple[pd.DataFrame, object]:
    """The model's rows and its ``cox()`` result; a model that cannot be
    fitted gives one row per factor whose note is the reason (RecurError's
    words), so none goes missing, and no result."""
    try:
        res = cox(df, time, event, factors, ties=ties, reference=reference, ordered=ordered)
    except RecurError as exc:
        failed = pd.DataFrame({c: [np.nan] * len(factors) for c in COEF_COLUMNS})
        failed[TERM] = failed[VARIABLE] = factors
        failed[LEVEL] = failed[REFERENCE] = ""
        failed[NOTE] = f"not estimable: {exc}"
        failed.insert(0, MODEL, model)
        failed.insert(0, ENDPOINT, endpoint)
        failed[N] = failed[N_EVENTS] = pd.array([pd.NA] * len(factors), dtype="Int64")  # counts stay integers
        return failed, None
    return _rows(res, endpoint, model), res


def _rows(res, endpoint: str, model: str) -> pd.DataFrame:
    """The model's coefficient rows led by its endpoint and kind, ended by its n and events."""
    coefficients = res.coefficients
    k = len(coefficients)
    return pd.DataFrame({ENDPOINT: [endpoint] * k, MODEL: [model] * k, **{c: coefficients[c].array for c in coefficients},
                         N: np.full(k, res.n, dtype=np.int64), N_EVENTS: np.full(k, res.n_events, dtype=np.int64)})
