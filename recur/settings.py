"""Every user choice in one frozen ``Settings`` value: endpoint rules,
cutoffs, filters, alpha/beta, statistical method presets and the current view.

It round-trips through JSON (export / import of an analysis) and through a
URL query string (a copied link reopens the same view), both without loss.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Callable, Literal, Mapping

import numpy as np
import pandas as pd

from recur.errors import RecurError
from recur.safe_text import clip
from recur.variables import ENDPOINTS, Endpoint, format_threshold, variable_label

Op = Literal[">=", ">", "<=", "<"]
OPS: tuple[Op, ...] = (">=", ">", "<=", "<")
_COMPLEMENT: dict[str, str] = {">=": "<", ">": "<=", "<=": ">", "<": ">="}
Source = Literal["pre-specified", "data-derived"]
PRE_SPECIFIED: Source = "pre-specified"  # a clinical default or a threshold typed in
DATA_DERIVED: Source = "data-derived"  # applied from the cutoff explorer (chosen by looking at the data)
SOURCES: tuple[Source, ...] = (PRE_SPECIFIED, DATA_DERIVED)
_DERIVED_MARK = "@data"  # URL form: 'bed_gy>78@data'


@dataclass(frozen=True)
class Cutoff:
    """Dichotomise ``variable`` at ``threshold``: rows meeting ``variable op
    threshold`` form the named group; the others the reference group.

    >>> Cutoff("bed_gy", ">=", 78).label
    'BED >=78 Gy'
    """

    variable: str
    op: Op
    threshold: float
    source: Source = PRE_SPECIFIED  # the cutoff register: chosen before or after looking at the data

    def __post_init__(self) -> None:
        if self.op not in OPS:
            raise RecurError(f"Cutoff operator must be one of {', '.join(OPS)}, not {self.op!r}.")
        if self.source not in SOURCES:
            raise RecurError(f"Cutoff source must be one of {', '.join(SOURCES)}, not {self.source!r}.")
        object.__setattr__(self, "threshold", float(self.threshold))

    def _text(self, op: str) -> str:
        name, unit = variable_label(self.variable)
        return f"{name} {op}{format_threshold(self.threshold)}{' ' + unit if unit else ''}"

    @property
    def label(self) -> str:
        """The named group, e.g. 'BED >=78 Gy'."""
        return self._text(self.op)

    @property
    def reference_label(self) -> str:
        """The reference group, e.g. 'BED <78 Gy'."""
        return self._text(_COMPLEMENT[self.op])

    def codes(self, values: pd.Series) -> np.ndarray:
        """Group per row: 1 named, 0 reference, -1 missing value (int8)."""
        x = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        ops = {">=": np.greater_equal, ">": np.greater, "<=": np.less_equal, "<": np.less}
        return np.where(np.isnan(x), np.int8(-1), ops[self.op](x, self.threshold).astype(np.int8))

    def assign(self, values: pd.Series) -> pd.Series:
        """Group label per row (named / reference); NaN where the value is missing."""
        # Category codes directly: no label strings hashed per row.
        return pd.Series(pd.Categorical.from_codes(self.codes(values), categories=[self.reference_label, self.label]),
                         index=values.index)

    def to_text(self) -> str:
        """'bed_gy>=78' (the URL form); 'bed_gy>78@data' when data-derived."""
        mark = _DERIVED_MARK if self.source == DATA_DERIVED else ""
        return f"{self.variable}{self.op}{format_threshold(self.threshold)}{mark}"

    @classmethod
    def from_text(cls, text: str) -> "Cutoff":
        """Parse 'bed_gy>=78' (or 'bed_gy>78@data') back into a Cutoff."""
        source = DATA_DERIVED if text.endswith(_DERIVED_MARK) else PRE_SPECIFIED
        text = text.removesuffix(_DERIVED_MARK)
        for op in (">=", "<=", ">", "<"):
            if op in text:
                var, _, value = text.partition(op)
                try:
                    return cls(var.strip(), op, float(value), source)
                except ValueError:
                    break
        raise RecurError(f"Cannot read the cutoff {text!r}; write it like 'bed_gy>=78'.")


DEFAULT_CUTOFFS: tuple[Cutoff, ...] = (
    Cutoff("bed_gy", ">=", 78),
    Cutoff("dfi_months", ">=", 12),
    Cutoff("ttr_months", "<=", 24),
)


@dataclass(frozen=True)
class Filter:
    """Keep only rows whose ``column`` is one of ``values`` (a subgroup)."""

    column: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class EndpointRules:
    """How endpoint times and events are built from the dates (cohort-schema.md)."""

    origin: Literal["rt_start", "recurrence"] = "rt_start"
    pfs_death_is_event: bool = True
    lrfs_death_is_event: bool = False
    dmfs_death_is_event: bool = False


@dataclass(frozen=True)
class Methods:
    """Statistical method choices that differ between tools users compare us with."""

    km_conf_type: Literal["log-log", "log", "plain"] = "log-log"
    cox_ties: Literal["efron", "breslow"] = "efron"
    conf_level: float = 0.95


# Named presets: "R" = survfit's default log CI + coxph's Efron ties;
# "SPSS" = Breslow ties (SPSS, EZR and scikit-survival) with log-log CIs.
METHOD_PRESETS: dict[str, Methods] = {
    "recur": Methods("log-log", "efron"),
    "R": Methods("log", "efron"),
    "SPSS": Methods("log-log", "breslow"),
}


@dataclass(frozen=True)
class Settings:
    """The whole analysis state; hashable, so it keys caches."""

    cutoffs: tuple[Cutoff, ...] = DEFAULT_CUTOFFS
    rules: EndpointRules = field(default_factory=EndpointRules)
    methods: Methods = field(default_factory=Methods)
    filters: tuple[Filter, ...] = ()
    alpha_beta: float = 10.0
    endpoint: Endpoint = "os"
    group_by: str = ""  # "" = none; a cutoff label or a categorical column
    show_ci: bool = False
    extended_risk_table: bool = False
    screen_p: float = 0.2
    factors: tuple[str, ...] | None = None  # Cox screen; None = recur.factors.default_factors
    references: tuple[tuple[str, str], ...] = ()  # (column, reference level) for categorical factors
    trends: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (column, levels low -> high): one trend term
    landmarks_months: tuple[float, ...] = (12.0, 24.0, 36.0, 60.0)
    mapping: tuple[tuple[str, str], ...] = ()  # (user column, canonical column)
    # How the file is read (the mapping step): see recur.cohort.load_cohort.
    sheet: str = ""  # XLSX sheet; "" = the one holding patient_id
    column_types: tuple[tuple[str, str], ...] = ()  # (column, kind) overrides, kinds in recur.values.KINDS
    time_units: tuple[tuple[str, str], ...] = ()  # (time column, days / weeks / months / years)
    date_order: Literal["auto", "dmy", "mdy"] = "auto"
    recodes: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()  # (column, ((level, new level), ...))
    level_orders: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (column, levels in order)
    cohort_id: str = ""  # "<content hash>|<file name>" of the cohort these settings were made on
    # Estimands beyond KM / Cox (recur.estimands): RMST horizon; landmark analysis of post-baseline groupings.
    rmst_months: float = 24.0
    landmark_months: float = 3.0  # after the time origin (response is typically assessed by then)
    landmark_analysis: bool = False  # KM / log-rank of a post-baseline grouping from the landmark on
    explored: tuple[tuple[str, int], ...] = ()  # cutoff explorer: (variable, most cutpoints scanned on it)
    show_hr: bool = False  # the grouping's hazard ratio (95% CI) on the Kaplan-Meier figure

    def __post_init__(self) -> None:
        if self.endpoint not in ENDPOINTS:
            raise RecurError(f"Endpoint must be one of {', '.join(ENDPOINTS)}, not {self.endpoint!r}.")
        if not self.alpha_beta > 0:
            raise RecurError(f"alpha/beta must be positive (Gy), not {self.alpha_beta}.")
        if self.date_order not in ("auto", "dmy", "mdy"):
            raise RecurError(f"Date order must be auto, dmy or mdy, not {self.date_order!r}.")

    def derivation_key(self) -> tuple:
        """Everything that changes the loaded cohort itself (not just a view of it)."""
        return (self.mapping, self.rules, self.alpha_beta, self.sheet, self.column_types, self.time_units,
                self.date_order, self.recodes, self.level_orders)

    def cutoff_by_label(self, label: str) -> Cutoff | None:
        """The cutoff whose named-group label is ``label``."""
        return next((c for c in self.cutoffs if c.label == label), None)

    # JSON ---------------------------------------------------------------
    def to_json(self) -> str:
        """Serialise every field (export of the analysis settings)."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "Settings":
        """Inverse of ``to_json``; unknown keys, wrong types and out-of-range
        values are a ``RecurError`` naming the setting; missing keys take defaults."""
        try:
            raw = json.loads(text)
        except (json.JSONDecodeError, TypeError) as exc:
            raise RecurError(f"The settings file is not valid JSON ({clip(exc)}).") from exc
        if not isinstance(raw, dict):
            raise RecurError("The settings file must hold one JSON object of settings.")
        unknown = set(raw) - {f.name for f in fields(cls)}
        if unknown:
            raise RecurError(f"Unknown setting(s) {clip(', '.join(sorted(map(str, unknown))))} in the settings file.")
        kw: dict[str, Any] = {}
        for key, value in raw.items():
            try:
                kw[key] = _JSON_FIELDS.get(key, lambda v: v)(value)
            except (TypeError, ValueError, KeyError, AttributeError) as exc:
                raise RecurError(f"The setting {key} in the settings file cannot be read.") from exc
        settings = cls(**kw)
        if problems := _problems(settings):
            raise RecurError(f"The settings file's {problems[0]}")
        return settings

    # URL query string ---------------------------------------------------
    def to_query(self) -> dict[str, list[str]]:
        """A flat {key: [values]} form for ``st.query_params`` / a URL."""
        q: dict[str, list[str]] = {
            "cut": [c.to_text() for c in self.cutoffs] or ["none"],
            "filter": [f"{f.column}:{'|'.join(f.values)}" for f in self.filters],
            "map": [f"{a}=>{b}" for a, b in self.mapping],
            "lm": [format_threshold(v) for v in self.landmarks_months],
            "factor": (list(self.factors) or ["none"]) if self.factors is not None else [],
            "ref": [f"{col}=>{level}" for col, level in self.references],
            "trend": [f"{col}:{'|'.join(levels)}" for col, levels in self.trends],
            "type": [f"{a}=>{b}" for a, b in self.column_types],
            "unit": [f"{a}=>{b}" for a, b in self.time_units],
            "recode": [f"{col}=>{a}=>{b}" for col, pairs in self.recodes for a, b in pairs],
            "order": [f"{col}:{'|'.join(levels)}" for col, levels in self.level_orders],
            "explored": [f"{var}:{n}" for var, n in self.explored],
        }
        scalars = {
            "origin": self.rules.origin,
            "pfs_death": int(self.rules.pfs_death_is_event),
            "lrfs_death": int(self.rules.lrfs_death_is_event),
            "dmfs_death": int(self.rules.dmfs_death_is_event),
            "ci": self.methods.km_conf_type, "ties": self.methods.cox_ties,
            "level": repr(self.methods.conf_level), "ab": repr(self.alpha_beta),
            "ep": self.endpoint, "by": self.group_by, "band": int(self.show_ci),
            "ext": int(self.extended_risk_table), "screen": repr(self.screen_p),
            "sheet": self.sheet, "dates": self.date_order, "cohort": self.cohort_id,
            "rmst": repr(self.rmst_months), "lmk": repr(self.landmark_months), "lmk_on": int(self.landmark_analysis),
            "hr": int(self.show_hr),
        }
        q.update({k: [str(v)] for k, v in scalars.items() if v != ""})
        return {k: v for k, v in q.items() if v}

    @classmethod
    def from_query(cls, query: Mapping[str, list[str] | str]) -> "Settings":
        """Inverse of ``to_query``; absent keys keep their defaults; any key
        that cannot be read is a ``RecurError`` (see ``parse_query`` to drop it instead)."""
        settings, notices = cls.parse_query(query)
        if notices:
            raise RecurError(notices[0])
        return settings

    @classmethod
    def parse_query(cls, query: Mapping[str, list[str] | str]) -> tuple["Settings", tuple[str, ...]]:
        """Read a link's query string key by key: a key that cannot be read, or
        whose value is out of range, is dropped with one notice naming it (user
        text cut to ``TEXT_LIMIT`` characters); the other keys still apply.

        >>> Settings.parse_query({"ep": ["pfs"], "lm": ["abc"]})[0].endpoint
        'pfs'
        """
        settings = cls()
        notices: list[str] = []
        for key, raw in query.items():
            values = [raw] if isinstance(raw, str) else [str(v) for v in raw]
            parse = _QUERY_KEYS.get(key)
            if parse is None:
                notices.append(f"The link's setting {clip(key)!r} is not one recur knows; it was ignored.")
                continue
            try:
                candidate = _apply(settings, parse(values))
                problems = _problems(candidate)
            except (RecurError, ValueError, TypeError) as exc:
                problems = [str(exc)]
            if problems:
                shown = clip("&".join(f"{key}={v}" for v in values))
                notices.append(f"The link's setting {shown!r} cannot be used ({clip(problems[0].rstrip('.'), 160)}); "
                               "it was ignored.")
                continue
            settings = candidate
        return settings, tuple(notices)


ALPHA_BETA_RANGE = (0.5, 30.0)  # Gy; the sidebar's input allows the same
SCREEN_P_RANGE = (0.01, 1.0)  # the Prognostic factors page's input allows the same
CONF_TYPES = ("log-log", "log", "plain")
COX_TIES = ("efron", "breslow")
ORIGINS = ("rt_start", "recurrence")
KINDS = ("number", "integer", "category", "date", "text", "id")  # a column's kind (recur.values)
TIME_UNITS = ("days", "weeks", "months", "years")


def _problems(s: Settings) -> list[str]:
    """What makes a Settings unusable by the app, one sentence per problem
    (each names its setting); empty when every value is in range."""
    out = []
    variables = [c.variable for c in s.cutoffs]
    if any(not v for v in variables) or any(not math.isfinite(c.threshold) for c in s.cutoffs):
        out.append("cutoffs need a column name and a finite threshold.")
    if len(set(variables)) < len(variables):
        out.append("cutoffs name the same column twice; keep one cutoff per column.")
    columns = [f.column for f in s.filters]
    if any(not c for c in columns) or len(set(columns)) < len(columns):
        out.append("filters need a column name, once per column.")
    if s.rules.origin not in ORIGINS:
        out.append(f"time origin must be one of {', '.join(ORIGINS)}.")
    if s.methods.km_conf_type not in CONF_TYPES or s.methods.cox_ties not in COX_TIES:
        out.append(f"methods must be CIs {'/'.join(CONF_TYPES)} and ties {'/'.join(COX_TIES)}.")
    if not 0 < s.methods.conf_level < 1:
        out.append("confidence level must be between 0 and 1 (e.g. 0.95).")
    if not ALPHA_BETA_RANGE[0] <= s.alpha_beta <= ALPHA_BETA_RANGE[1]:
        out.append(f"alpha/beta must be {ALPHA_BETA_RANGE[0]:g} to {ALPHA_BETA_RANGE[1]:g} Gy.")
    if not SCREEN_P_RANGE[0] <= s.screen_p <= SCREEN_P_RANGE[1]:
        out.append(f"screening p must be {SCREEN_P_RANGE[0]:g} to {SCREEN_P_RANGE[1]:g}.")
    if any(not (math.isfinite(t) and t >= 0) for t in s.landmarks_months):
        out.append("landmark times must be finite, in months, not negative.")
    pairs = s.mapping + s.references
    if any(len(p) != 2 or not all(isinstance(x, str) and x for x in p) for p in pairs):
        out.append("mapping and reference levels need two non-empty names (column=>name).")
    if len({a for a, _ in s.mapping}) < len(s.mapping):
        out.append("mapping names the same column twice.")
    if any(not c for c, _ in s.trends) or s.factors is not None and any(not f for f in s.factors):
        out.append("factors and trends need column names.")
    if not isinstance(s.group_by, str) or not all(isinstance(b, bool) for b in (
            s.show_ci, s.extended_risk_table, s.rules.pfs_death_is_event, s.rules.lrfs_death_is_event,
            s.rules.dmfs_death_is_event, s.show_hr)):
        out.append("switches must be true or false, grouping a name.")
    if any(k not in KINDS for _, k in s.column_types) or any(u not in TIME_UNITS for _, u in s.time_units):
        out.append(f"column types must be {'/'.join(KINDS)} and time units {'/'.join(TIME_UNITS)}.")
    if not (math.isfinite(s.rmst_months) and s.rmst_months > 0):
        out.append("RMST horizon must be a positive number of months.")
    if not (math.isfinite(s.landmark_months) and s.landmark_months >= 0):
        out.append("landmark time must be a finite number of months, not negative.")
    if not isinstance(s.landmark_analysis, bool):
        out.append("landmark analysis switch must be true or false.")
    return out


def _apply(s: Settings, changes: dict[str, Any]) -> Settings:
    """``s`` with ``changes``; 'rules.x' and 'methods.x' change a nested field."""
    rules = {k.split(".", 1)[1]: v for k, v in changes.items() if k.startswith("rules.")}
    methods = {k.split(".", 1)[1]: v for k, v in changes.items() if k.startswith("methods.")}
    top = {k: v for k, v in changes.items() if "." not in k}
    return replace(s, rules=replace(s.rules, **rules), methods=replace(s.methods, **methods), **top)


def _last(values: list[str]) -> str:
    if not values:
        raise RecurError("no value given")
    return values[-1]


def _flag(values: list[str]) -> bool:
    v = _last(values)
    if v not in ("0", "1"):
        raise RecurError("write 1 or 0")
    return v == "1"


def _pair(text: str, sep: str) -> tuple[str, str]:
    if sep not in text:
        raise RecurError(f"write it as name{sep}value")
    a, _, b = text.partition(sep)
    return a, b


def _number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise RecurError("not a finite number")
    return value


_QUERY_KEYS: dict[str, Callable[[list[str]], dict[str, Any]]] = {
    "cut": lambda vs: {"cutoffs": tuple(Cutoff.from_text(c) for c in vs if c != "none")},
    "filter": lambda vs: {"filters": tuple(Filter(c, _split_levels(v)) for c, v in (_pair(f, ":") for f in vs))},
    "map": lambda vs: {"mapping": tuple(_pair(m, "=>") for m in vs)},
    "lm": lambda vs: {"landmarks_months": tuple(_number(v) for v in vs)},
    "factor": lambda vs: {"factors": tuple(f for f in vs if f != "none")},
    "ref": lambda vs: {"references": tuple(_pair(r, "=>") for r in vs)},
    "trend": lambda vs: {"trends": tuple((c, _split_levels(v)) for c, v in (_pair(t, ":") for t in vs))},
    "origin": lambda vs: {"rules.origin": _last(vs)},
    "pfs_death": lambda vs: {"rules.pfs_death_is_event": _flag(vs)},
    "lrfs_death": lambda vs: {"rules.lrfs_death_is_event": _flag(vs)},
    "dmfs_death": lambda vs: {"rules.dmfs_death_is_event": _flag(vs)},
    "ci": lambda vs: {"methods.km_conf_type": _last(vs)},
    "ties": lambda vs: {"methods.cox_ties": _last(vs)},
    "level": lambda vs: {"methods.conf_level": _number(_last(vs))},
    "ab": lambda vs: {"alpha_beta": _number(_last(vs))},
    "ep": lambda vs: {"endpoint": _last(vs)},
    "by": lambda vs: {"group_by": _last(vs)},
    "band": lambda vs: {"show_ci": _flag(vs)},
    "ext": lambda vs: {"extended_risk_table": _flag(vs)},
    "screen": lambda vs: {"screen_p": _number(_last(vs))},
    "type": lambda vs: {"column_types": tuple(_pair(p, "=>") for p in vs)},
    "unit": lambda vs: {"time_units": tuple(_pair(p, "=>") for p in vs)},
    "recode": lambda vs: {"recodes": _group_recodes(r.split("=>", 2) for r in vs)},
    "order": lambda vs: {"level_orders": tuple((c, _split_levels(v)) for c, v in (_pair(o, ":") for o in vs))},
    "sheet": lambda vs: {"sheet": _last(vs)},
    "dates": lambda vs: {"date_order": _last(vs)},
    "cohort": lambda vs: {"cohort_id": _last(vs)},
    "rmst": lambda vs: {"rmst_months": _number(_last(vs))},
    "lmk": lambda vs: {"landmark_months": _number(_last(vs))},
    "lmk_on": lambda vs: {"landmark_analysis": _flag(vs)},
    "explored": lambda vs: {"explored": tuple(_explored(var, n) for var, _, n in (v.rpartition(":") for v in vs))},
    "hr": lambda vs: {"show_hr": _flag(vs)},
}

_JSON_FIELDS: dict[str, Callable[[Any], Any]] = {
    "cutoffs": lambda v: tuple(Cutoff(str(c["variable"]), c["op"], _number(c["threshold"]),
                                      c.get("source", PRE_SPECIFIED)) for c in v),
    "filters": lambda v: tuple(Filter(str(f["column"]), tuple(map(str, f["values"]))) for f in v),
    "rules": lambda v: EndpointRules(**v),
    "methods": lambda v: Methods(**{**v, "conf_level": _number(v.get("conf_level", 0.95))}),
    "landmarks_months": lambda v: tuple(_number(x) for x in v),
    "mapping": lambda v: tuple((str(a), str(b)) for a, b in v),
    "factors": lambda v: None if v is None else tuple(map(str, v)),
    "references": lambda v: tuple((str(a), str(b)) for a, b in v),
    "trends": lambda v: tuple((str(c), tuple(map(str, levels))) for c, levels in v),
    "alpha_beta": _number,
    "screen_p": _number,
    "column_types": lambda v: tuple((str(a), str(b)) for a, b in v),
    "time_units": lambda v: tuple((str(a), str(b)) for a, b in v),
    "recodes": lambda v: tuple((str(c), tuple((str(a), str(b)) for a, b in pairs)) for c, pairs in v),
    "level_orders": lambda v: tuple((str(c), tuple(map(str, levels))) for c, levels in v),
    "rmst_months": _number,
    "landmark_months": _number,
    "explored": lambda v: tuple(_explored(var, n) for var, n in v),
}


def _explored(variable: str, n_cuts) -> tuple[str, int]:
    """One cutoff-explorer record: a column name and a count of cutpoints (>= 0)."""
    count = int(n_cuts)
    if not variable or count < 0 or count != float(n_cuts):
        raise RecurError("write each explored variable as column:number of cutpoints")
    return str(variable), count


def _split_levels(text: str) -> tuple[str, ...]:
    """'a|b' -> ('a', 'b'); '' -> () (a filter or trend with no level chosen)."""
    return tuple(text.split("|")) if text else ()


def _group_recodes(triples) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """[(column, level, new level), ...] -> ((column, ((level, new), ...)), ...) in first-seen order."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    for triple in triples:
        if len(triple) != 3:
            raise RecurError("Cannot read a level recoding in the link; write it as column=>level=>new level.")
        col, old, new = triple
        grouped.setdefault(col, []).append((old, new))
    return tuple((col, tuple(pairs)) for col, pairs in grouped.items())
