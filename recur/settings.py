"""Every user choice in one frozen ``Settings`` value: endpoint rules,
cutoffs, filters, alpha/beta, statistical method presets and the current view.

It round-trips through JSON (export / import of an analysis) and through a
URL query string (a copied link reopens the same view), both without loss.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Literal, Mapping

import numpy as np
import pandas as pd

from recur.errors import RecurError
from recur.variables import ENDPOINTS, Endpoint, format_threshold, variable_label

Op = Literal[">=", ">", "<=", "<"]
OPS: tuple[Op, ...] = (">=", ">", "<=", "<")
_COMPLEMENT: dict[str, str] = {">=": "<", ">": "<=", "<=": ">", "<": ">="}


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

    def __post_init__(self) -> None:
        if self.op not in OPS:
            raise RecurError(f"Cutoff operator must be one of {', '.join(OPS)}, not {self.op!r}.")
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

    def assign(self, values: pd.Series) -> pd.Series:
        """Group label per row (named / reference); NaN where the value is missing."""
        x = pd.to_numeric(values, errors="coerce")
        ops = {">=": x >= self.threshold, ">": x > self.threshold,
               "<=": x <= self.threshold, "<": x < self.threshold}
        out = pd.Series(np.where(ops[self.op], self.label, self.reference_label), index=values.index, dtype=object)
        out[x.isna()] = np.nan
        return pd.Series(pd.Categorical(out, categories=[self.reference_label, self.label]), index=values.index)

    def to_text(self) -> str:
        """'bed_gy>=78' (the URL form)."""
        return f"{self.variable}{self.op}{format_threshold(self.threshold)}"

    @classmethod
    def from_text(cls, text: str) -> "Cutoff":
        """Parse 'bed_gy>=78' back into a Cutoff."""
        for op in (">=", "<=", ">", "<"):
            if op in text:
                var, _, value = text.partition(op)
                try:
                    return cls(var.strip(), op, float(value))
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
        """Inverse of ``to_json``; unknown keys are an error, missing ones take defaults."""
        raw = json.loads(text)
        unknown = set(raw) - {f.name for f in fields(cls)}
        if unknown:
            raise RecurError(f"Unknown setting(s) {', '.join(sorted(unknown))} in the settings file.")
        kw: dict[str, Any] = dict(raw)
        if "cutoffs" in kw:
            kw["cutoffs"] = tuple(Cutoff(**c) for c in kw["cutoffs"])
        if "filters" in kw:
            kw["filters"] = tuple(Filter(f["column"], tuple(f["values"])) for f in kw["filters"])
        if "rules" in kw:
            kw["rules"] = EndpointRules(**kw["rules"])
        if "methods" in kw:
            kw["methods"] = Methods(**kw["methods"])
        for key in ("landmarks_months",):
            if key in kw:
                kw[key] = tuple(float(v) for v in kw[key])
        for key in ("mapping", "column_types", "time_units"):
            if key in kw:
                kw[key] = tuple((a, b) for a, b in kw[key])
        if "recodes" in kw:
            kw["recodes"] = tuple((col, tuple((a, b) for a, b in pairs)) for col, pairs in kw["recodes"])
        if "level_orders" in kw:
            kw["level_orders"] = tuple((col, tuple(levels)) for col, levels in kw["level_orders"])
        if kw.get("factors") is not None:
            kw["factors"] = tuple(kw["factors"])
        if "references" in kw:
            kw["references"] = tuple((a, b) for a, b in kw["references"])
        if "trends" in kw:
            kw["trends"] = tuple((col, tuple(levels)) for col, levels in kw["trends"])
        return cls(**kw)

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
        }
        q.update({k: [str(v)] for k, v in scalars.items() if v != ""})
        return {k: v for k, v in q.items() if v}

    @classmethod
    def from_query(cls, query: Mapping[str, list[str] | str]) -> "Settings":
        """Inverse of ``to_query``; absent keys keep their defaults."""
        def many(key: str) -> list[str] | None:
            if key not in query:
                return None
            v = query[key]
            return [v] if isinstance(v, str) else list(v)

        def one(key: str) -> str | None:
            v = many(key)
            return v[-1] if v else None

        base = cls()
        kw: dict[str, Any] = {}
        if (cuts := many("cut")) is not None:
            kw["cutoffs"] = tuple(Cutoff.from_text(c) for c in cuts if c != "none")
        if (flts := many("filter")) is not None:
            kw["filters"] = tuple(Filter(col, _split_levels(vals)) for col, _, vals in (f.partition(":") for f in flts))
        if (facs := many("factor")) is not None:
            kw["factors"] = tuple(f for f in facs if f != "none")
        if (refs := many("ref")) is not None:
            kw["references"] = tuple(tuple(r.split("=>", 1)) for r in refs)  # type: ignore[misc]
        if (trends := many("trend")) is not None:
            kw["trends"] = tuple((col, _split_levels(vals)) for col, _, vals in (t.partition(":") for t in trends))
        if (maps := many("map")) is not None:
            kw["mapping"] = tuple(tuple(m.split("=>", 1)) for m in maps)  # type: ignore[misc]
        for key, attr in (("type", "column_types"), ("unit", "time_units")):
            if (pairs := many(key)) is not None:
                kw[attr] = tuple(tuple(p.split("=>", 1)) for p in pairs)  # type: ignore[misc]
        if (recodes := many("recode")) is not None:
            kw["recodes"] = _group_recodes(r.split("=>", 2) for r in recodes)
        if (orders := many("order")) is not None:
            kw["level_orders"] = tuple((col, _split_levels(v)) for col, _, v in (o.partition(":") for o in orders))
        if (lms := many("lm")) is not None:
            kw["landmarks_months"] = tuple(float(v) for v in lms)
        rules = base.rules
        if (v := one("origin")) is not None:
            rules = replace(rules, origin=v)  # type: ignore[arg-type]
        for key, attr in (("pfs_death", "pfs_death_is_event"), ("lrfs_death", "lrfs_death_is_event"),
                          ("dmfs_death", "dmfs_death_is_event")):
            if (v := one(key)) is not None:
                rules = replace(rules, **{attr: v == "1"})
        kw["rules"] = rules
        methods = base.methods
        if (v := one("ci")) is not None:
            methods = replace(methods, km_conf_type=v)  # type: ignore[arg-type]
        if (v := one("ties")) is not None:
            methods = replace(methods, cox_ties=v)  # type: ignore[arg-type]
        if (v := one("level")) is not None:
            methods = replace(methods, conf_level=float(v))
        kw["methods"] = methods
        for key, attr, conv in (("ab", "alpha_beta", float), ("ep", "endpoint", str), ("by", "group_by", str),
                                ("band", "show_ci", lambda s: s == "1"),
                                ("ext", "extended_risk_table", lambda s: s == "1"),
                                ("screen", "screen_p", float), ("sheet", "sheet", str),
                                ("dates", "date_order", str), ("cohort", "cohort_id", str)):
            if (v := one(key)) is not None:
                try:
                    kw[attr] = conv(v)
                except ValueError as exc:
                    raise RecurError(f"The link's setting {key}={v!r} cannot be read.") from exc
        return cls(**kw)


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
