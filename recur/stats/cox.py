"""Cox proportional-hazards regression on a DataFrame, with R's numbers:
dummy or ordered-trend coding, Efron or Breslow ties, Wald / LR / score tests,
and a note per term (instead of nonsense) when a hazard ratio is not estimable.
The Schoenfeld-residual PH test reproduces survival 3.x ``cox.zph``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.stats import chi2, norm

from recur.errors import RecurError
from recur.stats._coxfit import Ties, fit_cox, risk_sets
from recur.stats._prepare import group_levels, prepare_survival
from recur.stats.km import km_step_function

# Column names of the coefficient table.
TERM, VARIABLE, LEVEL, REFERENCE = "term", "variable", "level", "reference"
COEF, SE, HR, LOWER, UPPER, Z, P, NOTE = "coef", "se", "hr", "lower", "upper", "z", "p", "note"
COEF_COLUMNS = [TERM, VARIABLE, LEVEL, REFERENCE, COEF, SE, HR, LOWER, UPPER, Z, P, NOTE]

HUGE_COEF = 15.0  # |log HR| beyond this (HR > 3e6) is a sign of separation


@dataclass(frozen=True)
class TestResult:
    """A chi-square test: statistic, df, p."""

    statistic: float
    df: int
    p: float


@dataclass(frozen=True)
class CoxResult:
    """One Cox model. ``coefficients`` has one row per model column (term,
    variable, level, reference, coef, se, hr, lower, upper, z, p, note); a
    non-empty note means the estimate is not usable and says why."""

    coefficients: pd.DataFrame
    n: int
    n_events: int
    n_dropped: int
    dropped_rows: tuple
    loglik_null: float
    loglik: float
    lr_test: TestResult
    wald_test: TestResult
    score_test: TestResult
    iterations: int
    converged: bool
    methods: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Design:
    """Model matrix with the column -> term bookkeeping."""

    x: np.ndarray
    time: np.ndarray
    event: np.ndarray
    columns: list[dict]  # per column: term, variable, level, reference, note
    n_dropped: int
    dropped_rows: tuple


def _design(
    df: pd.DataFrame,
    time: str,
    event: str,
    covariates: Sequence[str],
    reference: Mapping[str, object] | None,
    ordered: Mapping[str, Sequence] | None,
) -> tuple[Design, list[int]]:
    """Build the model matrix; drop incomplete rows. Returns the design and the
    columns to fit: those carrying no information (constant, collinear) get a note."""
    if not covariates:
        raise RecurError("A Cox model needs at least one covariate.")
    missing = [c for c in covariates if c not in df.columns]
    if missing:
        raise RecurError(f"Covariate column(s) {', '.join(missing)} not found in the data.")
    reference = dict(reference or {})
    ordered = dict(ordered or {})
    frame = df[list(dict.fromkeys([time, event, *covariates]))].copy()
    for var, levels in ordered.items():
        if var in frame:
            codes = {lv: i for i, lv in enumerate(levels)}
            frame[var] = frame[var].map(codes)
    complete = frame.notna().all(axis=1)
    surv = prepare_survival(frame[complete], time, event)
    data = frame[complete]
    cols: list[np.ndarray] = []
    info: list[dict] = []
    for var in covariates:
        values = data[var]
        if var in ordered:
            cols.append(values.to_numpy(float))
            info.append({TERM: var, VARIABLE: var, LEVEL: "trend: " + " < ".join(map(str, ordered[var])),
                         REFERENCE: "", NOTE: ""})
        elif pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            cols.append(values.to_numpy(float))
            info.append({TERM: var, VARIABLE: var, LEVEL: "", REFERENCE: "", NOTE: ""})
        else:
            levels = group_levels(values.astype(object) if pd.api.types.is_bool_dtype(values) else values)
            ref = reference.get(var, levels[0] if levels else None)
            if levels and ref not in levels:
                raise RecurError(
                    f"Reference level {ref!r} for '{var}' is not among its values: {', '.join(map(str, levels))}."
                )
            for lv in levels:
                if lv == ref:
                    continue
                cols.append((values == lv).to_numpy(float))
                term = str(lv) if str(lv) == var else f"{var}={lv}"  # cutoff columns are named by their group
                info.append({TERM: term, VARIABLE: var, LEVEL: str(lv), REFERENCE: str(ref), NOTE: ""})
    x = np.column_stack(cols) if cols else np.empty((len(data), 0))
    keep = []
    for j in range(x.shape[1]):
        if len(x) == 0 or np.ptp(x[:, j]) == 0:
            info[j][NOTE] = "no variation among the patients analysed; not estimable"
            continue
        trial = keep + [j]
        centred = x[:, trial] - x[:, trial].mean(axis=0)
        if np.linalg.matrix_rank(centred) < len(trial):
            info[j][NOTE] = "collinear with other terms in the model; not estimable"
            continue
        keep.append(j)
    return Design(
        x=x, time=surv.time, event=surv.event, columns=info,
        n_dropped=int((~complete).sum()), dropped_rows=tuple(df.index[~complete]),
    ), keep


def _no_event_notes(design: Design, keep: list[int]) -> dict[int, str]:
    """Binary columns whose one side has no events: the HR is infinite or zero."""
    out = {}
    for j in keep:
        col = design.x[:, j]
        if set(np.unique(col)) <= {0.0, 1.0}:
            for side, name in ((1.0, "in this group"), (0.0, "in the reference group")):
                if design.event[col == side].sum() == 0:
                    n = int((col == side).sum())
                    out[j] = f"no events {name} (n={n}); hazard ratio not estimable"
    return out


def cox(
    df: pd.DataFrame,
    time: str,
    event: str,
    covariates: Sequence[str],
    ties: Ties = "efron",
    reference: Mapping[str, object] | None = None,
    ordered: Mapping[str, Sequence] | None = None,
    conf_level: float = 0.95,
) -> CoxResult:
    """Fit a Cox model; HRs per unit (numeric), per level vs ``reference``
    (categorical, default the first level) or per step of an ``ordered`` trend.

    Rows missing any variable are dropped (counted in ``n_dropped``, as R's
    na.omit). Terms that cannot be estimated get NaN and a ``note``.

    >>> cox(df, "lrfs_months", "lrfs_event", ["BED >=78 Gy"]).coefficients
    """
    design, keep = _design(df, time, event, covariates, reference, ordered)
    n, n_events = len(design.time), int(design.event.sum())
    table = pd.DataFrame(design.columns, columns=[TERM, VARIABLE, LEVEL, REFERENCE, NOTE])
    for c in (COEF, SE, HR, LOWER, UPPER, Z, P):
        table[c] = np.nan
    methods = {"model": "Cox proportional hazards", "ties": ties, "ci": "Wald", "conf_level": str(conf_level)}
    nan_test = TestResult(np.nan, 0, np.nan)
    notes: list[str] = []
    if n_events == 0 or not keep:
        reason = "no events among the patients analysed" if n_events == 0 else "no estimable term"
        table.loc[table[NOTE] == "", NOTE] = reason + "; not estimable"
        return CoxResult(table[COEF_COLUMNS], n, n_events, design.n_dropped, design.dropped_rows,
                         np.nan, np.nan, nan_test, nan_test, nan_test, 0, False, methods, (reason,))
    no_events = _no_event_notes(design, keep)
    rs = risk_sets(design.time, design.event, design.x[:, keep])
    fit = fit_cox(rs, ties)
    z_crit = norm.ppf(1 - (1 - conf_level) / 2)
    se = np.sqrt(np.diag(fit.var))
    for pos, j in enumerate(keep):
        b, s = fit.beta[pos], se[pos]
        if j in no_events:
            table.loc[j, NOTE] = no_events[j]
            continue
        if fit.infinite[pos] or abs(b) > HUGE_COEF:
            table.loc[j, NOTE] = "estimate diverges (separation: the groups barely overlap in events); not estimable"
            continue
        if not fit.converged:  # shown, but flagged
            table.loc[j, NOTE] = "model did not converge in 20 iterations; estimate unreliable"
        table.loc[j, [COEF, SE, HR, LOWER, UPPER, Z, P]] = [
            b, s, np.exp(b), np.exp(b - z_crit * s), np.exp(b + z_crit * s), b / s, 2 * norm.sf(abs(b / s))]
    p = len(keep)
    lr = 2 * (fit.loglik - fit.loglik_null)
    wald = float(fit.beta @ np.linalg.solve(fit.var, fit.beta))
    if not fit.converged:
        notes.append("The model did not converge; its estimates are unreliable.")
    return CoxResult(
        coefficients=table[COEF_COLUMNS], n=n, n_events=n_events, n_dropped=design.n_dropped,
        dropped_rows=design.dropped_rows, loglik_null=fit.loglik_null, loglik=fit.loglik,
        lr_test=TestResult(lr, p, float(chi2.sf(lr, p))),
        wald_test=TestResult(wald, p, float(chi2.sf(wald, p))),
        score_test=TestResult(fit.score_test, p, float(chi2.sf(fit.score_test, p))),
        iterations=fit.iterations, converged=fit.converged, methods=methods, notes=tuple(notes),
    )


PhTransform = Literal["km", "rank", "identity"]


def _time_transform(time: np.ndarray, event: np.ndarray, event_times: np.ndarray, transform: PhTransform) -> np.ndarray:
    """g(t) at each distinct event time, centred on its mean over deaths."""
    if transform == "km":
        sf = km_step_function(time, event)
        idx = np.searchsorted(sf.time, event_times, side="left")  # times strictly before t
        g = 1.0 - np.concatenate([[1.0], sf.surv])[idx]
    elif transform == "rank":
        ranks = pd.Series(time).rank(method="average").to_numpy()
        lookup = pd.Series(ranks, index=time).groupby(level=0).first()
        g = lookup.loc[event_times].to_numpy()
    elif transform == "identity":
        g = event_times.astype(float)
    else:
        raise ValueError(f"transform must be 'km', 'rank' or 'identity', not {transform!r}")
    return g


def ph_test(
    df: pd.DataFrame,
    time: str,
    event: str,
    covariates: Sequence[str],
    ties: Ties = "efron",
    transform: PhTransform = "km",
    reference: Mapping[str, object] | None = None,
    ordered: Mapping[str, Sequence] | None = None,
) -> pd.DataFrame:
    """Proportional-hazards test per term and GLOBAL (columns term, chisq, df, p).

    The score test of adding x * g(t) to the model (Grambsch & Therneau 1994),
    as survival 3.x ``cox.zph``; a factor is one term with k-1 df.
    """
    design, keep = _design(df, time, event, covariates, reference, ordered)
    if design.event.sum() == 0 or not keep:
        raise RecurError("The PH test needs events and at least one estimable term.")
    rs = risk_sets(design.time, design.event, design.x[:, keep])
    fit = fit_cox(rs, ties)
    t_sorted = np.sort(design.time)
    e_sorted = design.event[np.argsort(design.time, kind="stable")]
    g = _time_transform(t_sorted, e_sorted, rs.event_times, transform)
    g = g - np.average(g, weights=rs.n_deaths)
    info_k, score_k = fit.final.info_by_time, fit.final.score_by_time
    p = len(keep)
    imat = np.zeros((2 * p, 2 * p))
    imat[:p, :p] = info_k.sum(axis=0)
    imat[:p, p:] = imat[p:, :p] = np.tensordot(g, info_k, axes=1)
    imat[p:, p:] = np.tensordot(g**2, info_k, axes=1)
    u = np.concatenate([np.zeros(p), g @ score_k])
    columns = [design.columns[j] for j in keep]
    terms = list(dict.fromkeys(c[VARIABLE] for c in columns))
    rows = []
    for term in terms + ["GLOBAL"]:
        jj = [i for i, c in enumerate(columns) if term == "GLOBAL" or c[VARIABLE] == term]
        kk = list(range(p)) + [p + i for i in jj]
        uu = u[kk]
        stat = float(uu @ np.linalg.solve(imat[np.ix_(kk, kk)], uu))
        rows.append({TERM: term, "chisq": stat, "df": len(jj), P: float(chi2.sf(stat, len(jj)))})
    return pd.DataFrame(rows)
