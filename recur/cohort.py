"""``load_cohort``: read -> map columns -> validate -> derive, into a
``Cohort`` that every analysis takes. Load never raises on bad data."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Mapping

import pandas as pd

from recur.derive import derive_endpoints, derive_failure_patterns, derive_intervals, derive_radiotherapy
from recur.errors import RecurError
from recur.io import Source, read_table
from recur.mapping import apply_mapping
from recur.schema import is_tox_column
from recur.settings import Settings
from recur.validate import Problem, clean_table, problem

PROBLEM_COLUMNS = ["level", "column", "patients", "message"]


@dataclass(frozen=True)
class Cohort:
    """A validated cohort: canonical + derived columns, problems, exclusions.

    ``data``: one row per patient. ``problems``: every finding, errors first.
    ``exclusions``: (endpoint, patient_id, reason) for rows an endpoint cannot use.
    ``content_hash``: identifies the content for caching.
    """

    data: pd.DataFrame
    problems: tuple[Problem, ...]
    exclusions: pd.DataFrame
    endpoints: tuple[str, ...]
    source_name: str
    renames: dict[str, str] = field(default_factory=dict)
    content_hash: str = ""
    raw_columns: tuple[str, ...] = ()  # the file's own column names, for the mapping step

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.level == "error")

    @property
    def is_synthetic(self) -> bool:
        """True for the bundled demo cohorts (a ``synthetic`` column says so)."""
        return "synthetic" in self.data and bool(self.data["synthetic"].astype(str).str.lower()
                                                  .isin(["1", "true", "yes"]).all())

    def problems_frame(self) -> pd.DataFrame:
        """The validation report as a table (level, column, patients, message)."""
        rows = [{"level": p.level, "column": p.column, "patients": ", ".join(p.patient_ids),
                 "message": p.message} for p in self.problems]
        return pd.DataFrame(rows, columns=PROBLEM_COLUMNS)

    def exclusion_counts(self) -> dict[str, int]:
        """Patients excluded per endpoint (see ``exclusions`` for who and why)."""
        return self.exclusions.groupby("endpoint", sort=False).size().to_dict()

    def numeric_columns(self) -> list[str]:
        """Columns a cutoff can be placed on (numeric, not an endpoint or ID)."""
        skip = {"synthetic"} | {c for c in self.data if c.endswith("_event") or c.endswith("_months")
                                and c.split("_")[0] in ("os", "pfs", "lrfs", "fflp", "dmfs")}
        return [c for c in self.data if c not in skip and not is_tox_column(c)
                and pd.api.types.is_numeric_dtype(self.data[c]) and self.data[c].notna().any()]

    def levels(self, column: str) -> list[str]:
        """A categorical column's values as text, in their natural order (filters, reference levels)."""
        s = self.data[column]
        if isinstance(s.dtype, pd.CategoricalDtype):
            return [str(v) for v in s.cat.categories if (s == v).any()]
        return sorted(s.dropna().astype(str).unique())

    def categorical_columns(self, max_levels: int = 12) -> list[str]:
        """Columns usable as a grouping factor (few distinct text values)."""
        out = []
        for c in self.data:
            s = self.data[c]
            if c == "patient_id" or is_tox_column(c) or pd.api.types.is_datetime64_any_dtype(s):
                continue
            if (isinstance(s.dtype, pd.CategoricalDtype) or s.dtype == object) and 1 < s.nunique() <= max_levels:
                out.append(c)
        return out


def _content_hash(table: pd.DataFrame) -> str:
    h = hashlib.sha256()
    h.update("\x1f".join(map(str, table.columns)).encode())
    h.update(pd.util.hash_pandas_object(table.astype(str), index=False).to_numpy().tobytes())
    return h.hexdigest()[:16]


def build_cohort(table: pd.DataFrame, source_name: str = "table", mapping: Mapping[str, str] | None = None,
                 settings: Settings | None = None) -> Cohort:
    """Validate and derive from an in-memory raw table (see ``load_cohort``)."""
    settings = settings or Settings()
    mapped, renames = apply_mapping(table, mapping)
    dup_cols = mapped.columns[mapped.columns.duplicated()].unique()
    problems: list[Problem] = []
    if len(dup_cols):
        for col in dup_cols:
            problems.append(problem("error", col, (), "two columns map to this name; only the first is "
                                    "used. Remove or rename the other.", "duplicate_column"))
        mapped = mapped.loc[:, ~mapped.columns.duplicated()]
    clean, found = clean_table(mapped)
    problems += found
    data = derive_radiotherapy(clean, settings.alpha_beta)
    data = derive_intervals(data, problems)
    data, exclusions, endpoints = derive_endpoints(data, settings.rules, problems)
    data = derive_failure_patterns(data)
    if not endpoints:
        problems.append(problem("error", "date_rt_start", (), "no endpoint can be built: give date_rt_start "
                                "(or date_recurrence) with date_last_followup / date_death, or precomputed "
                                "os_months and os_event.", "no_endpoint"))
    problems.sort(key=lambda p: (p.level != "error", p.column))
    return Cohort(data=data, problems=tuple(problems), exclusions=exclusions, endpoints=endpoints,
                  source_name=source_name, renames=renames, content_hash=_content_hash(table),
                  raw_columns=tuple(table.columns))


def load_cohort(source: Source, mapping: Mapping[str, str] | None = None, settings: Settings | None = None,
                name: str | None = None) -> Cohort:
    """Read a cohort file (CSV / XLSX / Parquet; path, bytes or file object),
    map its columns, validate it and derive variables and endpoints.

    Only an unreadable file raises ``RecurError``; bad values become problems.

    >>> cohort = load_cohort("data/demo_nsclc_synthetic.csv")
    >>> cohort.data[["bed_gy", "os_months", "os_event"]].head()
    """
    table, source_name = read_table(source, name)
    if settings and settings.mapping and mapping is None:
        mapping = dict(settings.mapping)
    return build_cohort(table, source_name, mapping, settings)


def analysis_frame(cohort: Cohort, settings: Settings) -> tuple[pd.DataFrame, int]:
    """The rows selected by the filters (a missing value is kept by none), with
    one group column per cutoff (named by its label). Returns (frame, number of
    rows filtered out)."""
    df = cohort.data
    keep = pd.Series(True, index=df.index)
    for f in settings.filters:
        if f.column not in df:
            raise RecurError(f"Filter column '{f.column}' is not in this cohort.")
        keep &= df[f.column].astype(str).isin(f.values)
    out = df[keep].copy()
    for cut in settings.cutoffs:
        if cut.variable not in out:
            continue
        out[cut.label] = cut.assign(out[cut.variable])
    return out, int((~keep).sum())


def cutoff_group_sizes(cohort: Cohort, settings: Settings) -> pd.DataFrame:
    """Per cutoff: n in the named group, n in the reference, n missing."""
    frame, _ = analysis_frame(cohort, settings)
    rows = []
    for cut in settings.cutoffs:
        if cut.label not in frame:
            rows.append({"cutoff": cut.label, "n_group": 0, "n_reference": 0, "n_missing": len(frame),
                         "available": False})
            continue
        g = frame[cut.label]
        rows.append({"cutoff": cut.label, "n_group": int((g == cut.label).sum()),
                     "n_reference": int((g == cut.reference_label).sum()), "n_missing": int(g.isna().sum()),
                     "available": True})
    return pd.DataFrame(rows)
