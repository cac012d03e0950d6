"""The Cox table of one endpoint as the papers print it (finalfit, or
gtsummary's ``tbl_merge``): univariate and multivariable side by side, one row
per factor level with n and events, the reference level as "1 (reference)",
numeric factors per a stated unit ("per 10 Gy") and "-" for factors the
screening rule kept out of the multivariable model (said in a footnote).

``CoxTable.rows`` holds the raw numbers (the forest plot draws them);
``CoxTable.display`` the text shown on the page and exported."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from recur.format import fmt_hr, fmt_p_value, short_note, variable_title
from recur.levels import level_label
from recur.model_checks import PH_FOOTNOTE, PH_MARK, PH_VIOLATED
from recur.screen import ENDPOINT, MODEL, N, N_EVENTS, ScreenResult
from recur.stats._prepare import group_levels
from recur.stats.cox import HR, LEVEL, LOWER, NOTE, P, REFERENCE, UPPER, VARIABLE
from recur.variables import ENDPOINT_NAMES, event_column, time_column

MODELS = ("univariate", "multivariable")
# Raw columns of ``CoxTable.rows``; per model the estimate columns carry a prefix ("univariate_hr").
FACTOR, EVENTS, IS_REFERENCE, UNIT, ENTERED = "factor", "events", "is_reference", "unit", "entered"
ESTIMATES = (HR, LOWER, UPPER, P, NOTE)
# Shown columns.
DISPLAY_COLUMNS = ["Factor", "Level", "n", "Events", "HR (95% CI), univariate", "p, univariate",
                   "HR (95% CI), multivariable", "p, multivariable", "Notes"]
REFERENCE_TEXT, NOT_ENTERED, NOT_ESTIMABLE = "1 (reference)", "-", "not estimable"

# Numeric factors: HR per this many units of the column (schema units; data/data_dictionary.csv).
# A step k reports exp(k * coef) with its CI exp(k * (coef -/+ z se)); p does not change.
PER_UNIT: dict[str, tuple[float, str]] = {
    **{c: (10.0, "per 10 Gy") for c in ("bed_gy", "eqd2_gy", "rt_dose_gy", "prior_rt_dose_gy",
                                         "cumulative_dose_gy", "cumulative_eqd2_gy")},
    "dose_per_fraction": (1.0, "per 1 Gy"),
    "age": (1.0, "per year"),
    "dfi_months": (12.0, "per year (12 months)"),
    "ttr_months": (12.0, "per year (12 months)"),
    "ecog": (1.0, "per point"),
    "kps": (10.0, "per 10 points"),
    "gtv_cc": (10.0, "per 10 cm³"),
    "ptv_cc": (10.0, "per 10 cm³"),
    "rt_fractions": (1.0, "per fraction"),
    "prior_rt_fractions": (1.0, "per fraction"),
}


@dataclass(frozen=True)
class CoxTable:
    """One endpoint's merged Cox table: ``rows`` (raw numbers: factor, level,
    n, events, is_reference, unit, variable (the analysed column), and per
    model hr, lower, upper, p, note, entered), ``display`` (text,
    ``DISPLAY_COLUMNS``) and ``footnotes``."""

    endpoint: str
    rows: pd.DataFrame
    display: pd.DataFrame
    footnotes: tuple[str, ...]

    @property
    def title(self) -> str:
        return f"{ENDPOINT_NAMES[self.endpoint]}: Cox proportional hazards"

    def model_rows(self, model: str) -> pd.DataFrame:
        """The rows of one model (factors entered into it) with plain
        estimate columns (factor, level, n, events, is_reference, variable,
        hr, lower, upper, p, note, ph_violated): what the forest plot draws."""
        sources = {c: c for c in (FACTOR, LEVEL, N, EVENTS, IS_REFERENCE, VARIABLE)}
        sources.update({c: f"{model}_{c}" for c in (*ESTIMATES, PH_VIOLATED)})
        entered = self.rows[f"{model}_{ENTERED}"].to_numpy(dtype=bool)
        return pd.DataFrame({name: self.rows[source].array[entered] for name, source in sources.items()})


def per_unit(variable: str) -> tuple[float, str]:
    """Step and wording of a numeric factor's HR: ('bed_gy') -> (10, 'per 10 Gy');
    a column the schema does not know is per one unit of its own values."""
    return PER_UNIT.get(variable, (1.0, "per unit"))


def cox_table(screen: ScreenResult, frame: pd.DataFrame, endpoint: str) -> CoxTable:
    """Merge the univariate and multivariable models of ``endpoint`` from a
    ``screen_cox`` result; ``frame`` is the data it was fitted on (the counts
    per level come from it: patients with the endpoint and that factor, the
    univariate model's patients).

    >>> cox_table(screen_cox(df, ["sex", "age"], ["os"]), df, "os").display
    """
    part = screen.table[screen.table[ENDPOINT] == endpoint]
    uni, multi = (part[part[MODEL] == m] for m in MODELS)
    t, e = time_column(endpoint), event_column(endpoint)
    rows: list[dict] = []
    uni_terms, multi_terms = _terms_by_variable(uni), _terms_by_variable(multi)  # plain records: no frame per cell
    for var, terms in uni_terms.items():
        entered = var in multi_terms
        trend = any(str(term[LEVEL]).startswith("trend: ") for term in terms)
        if var in frame and not trend and _is_categorical(frame[var]):
            usable = frame[t].notna().to_numpy() & frame[e].notna().to_numpy() & frame[var].notna().to_numpy()
            values = frame[var][usable]
            rows += _level_rows(var, terms, multi_terms.get(var, []), values, _levels(values),
                                frame[e].to_numpy()[usable], entered)
        else:
            rows.append(_numeric_row(var, terms, multi_terms.get(var, []), entered))
    flagged = {m: set(_ph_flagged(part, m)) for m in MODELS}  # the PH flag of each factor (recur.model_checks)
    for row in rows:
        row.update({f"{m}_{PH_VIOLATED}": row[VARIABLE] in flagged[m] for m in MODELS})
    return CoxTable(endpoint, _raw_table(rows), _display(rows), _footnotes(screen, part, multi))


RAW_COLUMNS = [FACTOR, LEVEL, N, EVENTS, IS_REFERENCE, UNIT, VARIABLE] + [
    f"{m}_{c}" for m in MODELS for c in (*ESTIMATES, ENTERED)] + [f"{m}_{PH_VIOLATED}" for m in MODELS]
_COUNTS = (N, EVENTS)
_FLAGS = (IS_REFERENCE, *(f"{m}_{c}" for m in MODELS for c in (ENTERED, PH_VIOLATED)))


def _raw_table(rows: list[dict]) -> pd.DataFrame:
    """``CoxTable.rows`` from the row records: counts as nullable integers,
    flags as booleans, estimates as floats, texts as objects."""
    def column(name: str):
        values = [row[name] for row in rows]
        if name in _COUNTS:
            return pd.array(values, dtype="Int64")
        if name in _FLAGS:
            return np.array(values, dtype=bool)
        return values if values else np.array([], dtype=object)
    return pd.DataFrame({name: column(name) for name in RAW_COLUMNS}, columns=RAW_COLUMNS)


def _ph_flagged(part: pd.DataFrame, model: str) -> np.ndarray:
    """Variables whose proportional-hazards test is flagged in ``model``."""
    if PH_VIOLATED not in part:
        return np.array([], dtype=object)
    bad = (part[MODEL].to_numpy() == model) & (part[PH_VIOLATED].to_numpy() == True)  # noqa: E712 (object column)
    return part[VARIABLE].to_numpy()[bad]


def _terms_by_variable(terms: pd.DataFrame) -> dict[str, list[dict]]:
    """A model's coefficient rows as records, per variable in table order."""
    out: dict[str, list[dict]] = {}
    for term in terms.to_dict("records"):
        out.setdefault(term[VARIABLE], []).append(term)
    return out


def _levels(values: pd.Series) -> list:
    """Levels as ``recur.cox`` orders them (booleans as objects, as it codes them)."""
    return group_levels(values.astype(object) if pd.api.types.is_bool_dtype(values) else values)


def _is_categorical(values: pd.Series) -> bool:
    """Coded by levels in ``recur.cox`` (text, categories, booleans), not per unit."""
    return not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)


def _estimates(model: str, term: Mapping | None, step: float = 1.0) -> dict:
    """One model's columns from a coefficient row (HR and CI per ``step`` units)."""
    if term is None:
        return {f"{model}_{c}": (np.nan if c != NOTE else "") for c in ESTIMATES}
    hr, lower, upper = (float(term[c]) ** step for c in (HR, LOWER, UPPER))
    return {f"{model}_{HR}": hr, f"{model}_{LOWER}": lower, f"{model}_{UPPER}": upper,
            f"{model}_{P}": float(term[P]), f"{model}_{NOTE}": str(term[NOTE])}


def _level_rows(var: str, uni: list[dict], multi: list[dict], values: pd.Series, levels: list, events: np.ndarray,
                entered: bool) -> list[dict]:
    """One row per level in level order, the reference level marked; a
    factor whose model failed keeps its levels, each with the model's note
    (``uni``, ``multi``: the factor's coefficient records in each model;
    ``values``: the factor's values of the patients with the endpoint, and
    ``events`` theirs)."""
    factor, names = _factor_names(var, levels)
    failed = [term for term in uni if term[LEVEL] == ""]
    references = {term[REFERENCE] for term in uni}
    values = values.to_numpy()
    rows = []
    for level, name in zip(levels, names):
        text = str(level)
        in_level = values == level
        is_ref = text in references
        row = {FACTOR: factor, LEVEL: name, N: int(in_level.sum()), EVENTS: int(events[in_level].sum()),
               IS_REFERENCE: is_ref, UNIT: "", VARIABLE: var}
        for model, terms, is_in in (("univariate", uni, True), ("multivariable", multi, entered)):
            match = next((term for term in terms if term[LEVEL] == text), None)
            if not is_in or is_ref:
                term = None
            elif match is not None:
                term = match
            else:  # the model failed as a whole, or this level left it (no patient in the complete cases)
                note = failed[0][NOTE] if model == "univariate" and failed else "not in this model"
                term = {HR: np.nan, LOWER: np.nan, UPPER: np.nan, P: np.nan, NOTE: note}
            row.update(_estimates(model, term))
            row[f"{model}_{ENTERED}"] = is_in
        rows.append(row)
    return rows


def _factor_names(var: str, levels: list) -> tuple[str, list[str]]:
    """A cutoff column ('BED >=78 Gy', levels 'BED <78 Gy' / 'BED >=78 Gy')
    reads 'BED' with levels '<78 Gy' / '>=78 Gy'; other columns their title."""
    names = [level_label(lv) for lv in levels]
    if var in names:
        prefix = os.path.commonprefix(names)
        prefix = prefix[:prefix.rfind(" ") + 1]
        if prefix.strip():
            return prefix.strip(), [n[len(prefix):] for n in names]
        return var, names
    return variable_title(var).split(" (")[0], names


def _numeric_row(var: str, uni: list[dict], multi: list[dict], entered: bool) -> dict:
    """One row: a numeric factor per its unit, or an ordered trend per step."""
    term = uni[0]
    trend = str(term[LEVEL]).startswith("trend: ")
    step, unit = (1.0, "per step (" + str(term[LEVEL]).removeprefix("trend: ") + ")") if trend else per_unit(var)
    row = {FACTOR: variable_title(var).split(" (")[0], LEVEL: unit, N: term[N], EVENTS: term[N_EVENTS],
           IS_REFERENCE: False, UNIT: unit, VARIABLE: var}
    row.update(_estimates("univariate", term, step))
    row.update(_estimates("multivariable", multi[0] if entered else None, step))
    row.update({f"univariate_{ENTERED}": True, f"multivariable_{ENTERED}": entered})
    return row


def _cells(row, model: str) -> tuple[str, str]:
    """HR (95% CI) and p text of one model for one row."""
    if not row[f"{model}_{ENTERED}"]:
        return NOT_ENTERED, NOT_ENTERED
    if row[IS_REFERENCE]:
        return REFERENCE_TEXT, ""
    hr = row[f"{model}_{HR}"]
    if hr != hr:
        return NOT_ESTIMABLE, ""
    return fmt_hr(hr, row[f"{model}_{LOWER}"], row[f"{model}_{UPPER}"]), fmt_p_value(row[f"{model}_{P}"])


def _display(rows: list[dict]) -> pd.DataFrame:
    """The shown table (``DISPLAY_COLUMNS``) from the row records of ``CoxTable.rows``."""
    out = []
    previous = None
    for row in rows:
        notes = [f"{m}: {short_note(row[f'{m}_{NOTE}'])}" for m in MODELS
                 if row[f"{m}_{ENTERED}"] and row[f"{m}_{NOTE}"]]
        flagged = any(row[f"{m}_{PH_VIOLATED}"] for m in MODELS)
        out.append(["" if row[VARIABLE] == previous else row[FACTOR] + PH_MARK * flagged, row[LEVEL], row[N],
                    row[EVENTS],
                    *_cells(row, "univariate"), *_cells(row, "multivariable"), "; ".join(notes)])
        previous = row[VARIABLE]
    columns = dict(zip(DISPLAY_COLUMNS, map(list, zip(*out)))) if out else dict.fromkeys(DISPLAY_COLUMNS,
                                                                                           np.array([], dtype=object))
    for name in ("n", "Events"):
        columns[name] = pd.array(columns[name], dtype="Int64")
    return pd.DataFrame(columns, columns=DISPLAY_COLUMNS)


def _footnotes(screen: ScreenResult, part: pd.DataFrame, multi: pd.DataFrame) -> tuple[str, ...]:
    rule = f"univariate p < {screen.threshold:g}"
    notes = [f"n and Events: patients with this endpoint and a value of the factor (the univariate model's "
             f"patients); HR (95% CI): Cox proportional hazards, {screen.methods.get('ties', 'efron')} ties, "
             "Wald intervals."]
    if multi.empty:
        notes.append(f"-: no factor reached {rule}, so no multivariable model was fitted.")
    else:
        n, events = int(multi[N].max()), int(multi[N_EVENTS].max())
        notes.append(f"-: not entered into the multivariable model. A factor enters when any of its levels has "
                     f"{rule}; the multivariable model has n={n}, {events} events (patients with every entered "
                     "factor).")
    notes.append("Numeric factors: HR per the stated step of the column (per 10 Gy = HR per Gy to the 10th power); "
                 "an ordered trend: HR per step between adjacent levels.")
    if (part[NOTE] != "").any():
        notes.append("not estimable: the reason is under Notes.")
    if PH_VIOLATED in part and part[PH_VIOLATED].eq(True).any():
        notes.append(PH_FOOTNOTE)
    return tuple(notes)
