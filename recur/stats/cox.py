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
from scipy.special import chdtrc, ndtr, ndtri  # the ufuncs behind scipy.stats' chi2 / norm, ~50x faster

from recur.errors import RecurError
from recur.levels import level_label
from recur.stats._cholesky import cholesky2, chsolve2
from recur.stats._cox_notes import DIVERGING, INFINITE, NOT_CONVERGED, aliased_note, no_events_cause
from recur.stats._coxfit import MAX_ITER, TOLER_CHOL, Ties, fit_cox, partial_likelihood, risk_sets
from recur.stats._prepare import group_levels, prepare_survival
from recur.stats.km import km_step_function

# Column names of the coefficient table.
TERM, VARIABLE, LEVEL, REFERENCE = "term", "variable", "level", "reference"
COEF, SE, HR, LOWER, UPPER, Z, P, NOTE = "coef", "se", "hr", "lower", "upper", "z", "p", "note"
COEF_COLUMNS = [TERM, VARIABLE, LEVEL, REFERENCE, COEF, SE, HR, LOWER, UPPER, Z, P, NOTE]


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
    fitted: tuple | None = field(default=None, repr=False, compare=False)  # (design, kept columns, fit): ph_test reuses it


@dataclass(frozen=True)
class Design:
    """Model matrix with the column -> term bookkeeping."""

    x: np.ndarray
    time: np.ndarray
    event: np.ndarray
    columns: list[dict]  # per column: term, variable, level, reference, note
    n_dropped: int
    dropped_rows: tuple
    order: np.ndarray | None = None  # np.argsort(time, kind="stable"), shared by the fit and the notes


def _trend_codes(values: pd.Series, levels: Sequence) -> pd.Series:
    """0, 1, 2, ... for the ordered ``levels`` (low to high); values outside
    them become missing (the row leaves models with this factor). Levels
    match by value or by their text, so "0", "1", "2" chosen on a page code
    an integer ECOG column instead of silently dropping every row."""
    codes = {level_label(lv): i for i, lv in enumerate(levels)}
    coded = values.map(lambda v: codes.get(level_label(v)) if pd.notna(v) else None).astype(float)
    if values.notna().any() and coded.isna().all():
        raise RecurError(
            f"The ordered trend for '{values.name}' lists levels {', '.join(map(str, levels))}, but the "
            f"column holds {', '.join(sorted({level_label(v) for v in values.dropna()}))}; choose its levels again."
        )
    return coded


def _design(
    df: pd.DataFrame,
    time: str,
    event: str,
    covariates: Sequence[str],
    reference: Mapping[str, object] | None,
    ordered: Mapping[str, Sequence] | None,
) -> tuple[Design, list[int]]:
    """Build the model matrix; drop incomplete rows. Returns the design and the
    columns to fit: a constant column gets a note here; aliased ones are
    found by the fit, as R does (pivoting Cholesky of the information)."""
    if not covariates:
        raise RecurError("A Cox model needs at least one covariate.")
    missing = [c for c in covariates if c not in df.columns]
    if missing:
        raise RecurError(f"Covariate column(s) {', '.join(missing)} not found in the data.")
    reference = dict(reference or {})
    ordered = dict(ordered or {})
    absent = [c for c in (time, event) if c not in df.columns]
    if absent:
        raise RecurError(f"Column(s) {', '.join(absent)} not found; available: {', '.join(map(str, df.columns))}.")
    # Series by name and numpy masks, no sub-DataFrame: pandas' per-call cost dominates small models.
    columns = {c: df[c] for c in dict.fromkeys([time, event, *covariates])}
    for var, levels in ordered.items():
        if var in columns:
            columns[var] = _trend_codes(columns[var], levels)
    complete = np.ones(len(df), dtype=bool)
    for values in columns.values():  # column by column: no (n, columns) object block
        complete &= ~pd.isna(values.to_numpy())
    every = bool(complete.all())  # the usual case: no row copies
    surv = prepare_survival(df if every else pd.DataFrame({time: columns[time][complete],
                                                           event: columns[event][complete]}), time, event)
    cols: list[np.ndarray] = []
    info: list[dict] = []
    for var in covariates:
        values = columns[var] if every else columns[var][complete]
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
            ref = next((lv for lv in levels if level_label(lv) == level_label(ref)), ref)  # "1" names level 1
            if levels and ref not in levels:
                raise RecurError(
                    f"Reference level {ref!r} for '{var}' is not among its values: {', '.join(map(str, levels))}."
                )
            if len(levels) < 2:  # one level left: nothing to compare, but the factor keeps its row
                cols.append(np.zeros(len(values)))
                info.append({TERM: var, VARIABLE: var, LEVEL: "", REFERENCE: "", NOTE:
                             f"not estimable: only one level ({', '.join(map(str, levels))}) among the patients analysed"})
            for lv in levels:
                if lv == ref:
                    continue
                cols.append((values.to_numpy() == lv).astype(float))
                term = str(lv) if str(lv) == var else f"{var}={lv}"  # cutoff columns are named by their group
                info.append({TERM: term, VARIABLE: var, LEVEL: str(lv), REFERENCE: str(ref), NOTE: ""})
    x = np.column_stack(cols) if cols else np.empty((len(surv.time), 0))
    keep = []
    for j in range(x.shape[1]):
        if len(x) == 0 or np.ptp(x[:, j]) == 0:
            info[j][NOTE] = info[j][NOTE] or "not estimable: no variation among the patients analysed"
            continue
        keep.append(j)
    return Design(
        x=x, time=surv.time, event=surv.event, columns=info,
        n_dropped=int((~complete).sum()), dropped_rows=tuple(df.index[~complete]), order=surv.order,
    ), keep


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
    na.omit). Terms R reports as NA (aliased, no information) or flags as
    infinite get NaN and a ``note`` saying why; in a model that did not
    converge the estimates are shown with a note. Tests count the estimated
    terms only (R's df). Raises ``RecurError`` for bad data, in words.

    >>> cox(df, "lrfs_months", "lrfs_event", ["BED >=78 Gy"]).coefficients
    """
    design, keep = _design(df, time, event, covariates, reference, ordered)
    n, n_events = len(design.time), int(design.event.sum())
    rows = [{**c, **dict.fromkeys((COEF, SE, HR, LOWER, UPPER, Z, P), np.nan)} for c in design.columns]
    methods = {"model": "Cox proportional hazards", "ties": ties, "ci": "Wald", "conf_level": str(conf_level)}
    nan_test = TestResult(np.nan, 0, np.nan)
    notes: list[str] = []
    if n_events == 0 or not keep:
        reason = "no events among the patients analysed" if n_events == 0 else "no estimable term"
        for row in rows:
            row[NOTE] = row[NOTE] or "not estimable: " + reason
        return CoxResult(pd.DataFrame(rows, columns=COEF_COLUMNS), n, n_events, design.n_dropped,
                         design.dropped_rows, np.nan, np.nan, nan_test, nan_test, nan_test, 0, False,
                         methods, (reason,), (design, keep, None))
    fit = fit_cox(design.time, design.event, design.x[:, keep], ties, design.order)
    notes_by_column = _term_notes(design, keep, fit, ties)
    z_crit = float(ndtri(1 - (1 - conf_level) / 2))
    se = np.sqrt(np.diag(fit.var))
    for pos, j in enumerate(keep):
        note = rows[j][NOTE] = notes_by_column.get(j, "")
        if note in ("", NOT_CONVERGED.format(iterations=MAX_ITER)):  # shown (flagged when not converged)
            b, s = float(fit.beta[pos]), float(se[pos])
            rows[j].update(zip((COEF, SE, HR, LOWER, UPPER, Z, P), (b, s, *_wald_row(b, s, z_crit))))
    fitted = ~fit.aliased
    p = int(fitted.sum())
    lr = 2 * (fit.loglik - fit.loglik_null)
    wald = _wald_test(fit.beta[fitted], fit.var[np.ix_(fitted, fitted)])
    if not fit.converged:
        notes.append(f"The model did not converge in {MAX_ITER} iterations; its estimates are unreliable.")
    if fit.aliased.any():
        notes.append("Some terms are aliased with others (collinear) or carry no information; R reports "
                     "them as NA and so does recur: see the note of each term.")
    return CoxResult(
        coefficients=pd.DataFrame(rows, columns=COEF_COLUMNS), n=n, n_events=n_events, n_dropped=design.n_dropped,
        dropped_rows=design.dropped_rows, loglik_null=fit.loglik_null, loglik=fit.loglik,
        lr_test=TestResult(lr, p, _chi2_p(lr, p)),
        wald_test=TestResult(wald, p, _chi2_p(wald, p)),
        score_test=TestResult(fit.score_test, p, _chi2_p(fit.score_test, p)),
        iterations=fit.iterations, converged=fit.converged, methods=methods, notes=tuple(notes),
        fitted=(design, keep, fit),
    )


def _chi2_p(statistic: float, df: int) -> float:
    """Upper tail of chi-square on df degrees of freedom (NaN for df = 0, as R prints no test)."""
    return float(chdtrc(df, statistic)) if df > 0 else np.nan


def _wald_row(b: float, s: float, z_crit: float) -> list[float]:
    """HR, its Wald CI, z and p for one coefficient."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        z = np.float64(b) / np.float64(s)
        return [float(v) for v in (np.exp(b), np.exp(b - z_crit * s), np.exp(b + z_crit * s), z,
                                   2 * ndtr(-abs(z)))]


def _wald_test(beta: np.ndarray, var: np.ndarray) -> float:
    """b' V^-1 b with R's coxph.wtest (generalised Cholesky, toler.chol)."""
    if not len(beta) or not (np.isfinite(beta).all() and np.isfinite(var).all()):
        return np.nan
    factor, _ = cholesky2(var, TOLER_CHOL)
    return float(beta @ chsolve2(factor, beta))


def _term_notes(design: Design, keep: list[int], fit, ties: Ties) -> dict[int, str]:
    """A note for every fitted column R reports as NA, infinite or not converged."""
    out: dict[int, str] = {}
    x = design.x[:, keep]
    rs = None  # indexed only when a term is aliased
    info0 = None
    terms = [design.columns[j][TERM] for j in keep]
    for pos, j in enumerate(keep):
        column = design.columns[j]
        cause = no_events_cause(x[:, pos], design.event, column)
        if fit.aliased[pos] or not fit.var[pos, pos] > 0:  # NA in R, or no information left
            if info0 is None:
                rs = risk_sets(design.time, design.event, design.order)
                xs = x[rs.order] - x.mean(axis=0)
                info0 = partial_likelihood(rs, xs, np.zeros(len(keep)), ties).info
            others = [k for k in range(pos) if fit.var[k, k] > 0]
            out[j] = aliased_note(x[rs.order, pos], rs, column, info0, pos, others, terms)
        elif fit.infinite[pos]:
            out[j] = INFINITE.format(cause=f": {cause.removeprefix('not estimable: ')}" if cause else "")
        elif cause is not None:  # an infinite MLE even where R's flag stays silent
            out[j] = cause
        elif not fit.converged:
            out[j] = (DIVERGING if fit.diverging else NOT_CONVERGED).format(iterations=MAX_ITER)
    return out


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
    model: CoxResult | None = None,
) -> pd.DataFrame:
    """Proportional-hazards test per term and GLOBAL (columns term, chisq, df,
    p, note; a non-empty note says why a test is undefined).

    The score test of adding x * g(t) to the model (Grambsch & Therneau 1994),
    as survival 3.x ``cox.zph``; a factor is one term with k-1 df. ``model``:
    ``cox()`` of this same model (same data, terms and ties), whose fit is
    reused instead of fitting again.
    """
    design, keep, fit = model.fitted if model is not None and model.fitted else (
        *_design(df, time, event, covariates, reference, ordered), None)
    if design.event.sum() == 0 or not keep:
        raise RecurError("The PH test needs events and at least one estimable term.")
    if fit is None:
        fit = fit_cox(design.time, design.event, design.x[:, keep], ties, design.order)
    fitted = np.nonzero(~fit.aliased)[0]  # R's NA coefficients are not in the model
    keep = [keep[i] for i in fitted]
    if not keep:
        raise RecurError("The PH test needs at least one estimable term; every term here is not estimable "
                         "(see the notes of the Cox model).")
    rs = risk_sets(design.time, design.event, design.order)
    x = design.x[rs.order][:, keep]
    final = partial_likelihood(rs, x - x.mean(axis=0), fit.beta[fitted], ties)
    e_sorted = design.event[rs.order]
    g = _time_transform(design.time[rs.order], e_sorted, rs.event_times, transform)
    g = g - np.average(g, weights=rs.n_deaths)
    info_k, score_k = final.info_by_time, final.score_by_time
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
        stat, note = _score_statistic(u[kk], imat[np.ix_(kk, kk)])
        rows.append({TERM: term, "chisq": stat, "df": len(jj), P: _chi2_p(stat, len(jj)), NOTE: note})
    return pd.DataFrame(rows)


def _score_statistic(u: np.ndarray, imat: np.ndarray) -> tuple[float, str]:
    """u' I^-1 u, or NaN with the reason when I is singular or not finite."""
    if not (np.isfinite(u).all() and np.isfinite(imat).all()):
        return np.nan, "PH test undefined: the fitted model has an infinite estimate"
    try:
        stat = float(u @ np.linalg.solve(imat, u))
    except np.linalg.LinAlgError:
        return np.nan, "PH test undefined: its information matrix is singular"
    return stat, ""
