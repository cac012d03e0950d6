"""``load_cohort``: read -> map columns -> validate -> derive, into a
``Cohort`` that every analysis takes. Load never raises on bad data."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Callable, Hashable, Iterable, Mapping

import numpy as np
import pandas as pd

from recur.dates import ORDER_NAMES, OrderDecision
from recur.distinct import distinct_counts
from recur.derive import derive_disease_course, derive_radiotherapy
from recur.errors import RecurError
from recur.frames import with_columns
from recur.safe_text import clip
from recur.io import RawTable, Source, read_table
from recur.io.contract import DROPPED_COLUMNS, clean_cell, float_text, records_to_raw
from recur.memory import release_freed_memory
from recur.levels import apply_levels, level_label, level_text, propose_merges
from recur.mapping import column_renames, units_from_names
from recur.schema import COLUMNS, is_tox_column
from recur.settings import Settings
from recur.variables import ENDPOINTS
from recur.validate import FILE, Problem, clean_table, plain_text, problem

PROBLEM_COLUMNS = ["level", "column", "patients", "message"]
NOT_FACTORS = frozenset({"patient_id", "synthetic", "alpha_beta", "distant_sites"})
POST_BASELINE = frozenset({"response", "failure_pattern", "failure_pattern_first", "rt_completed"})
DERIVED_CATEGORIES = frozenset({"failure_pattern", "failure_pattern_first"})


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
    kinds: dict[str, str] = field(default_factory=dict)  # column -> kind (recur.validate.column_kind)
    dropped_rows: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DROPPED_COLUMNS))
    file_rows: int = 0  # rows in the file besides the header: len(data) + len(dropped_rows)
    read_notes: tuple[str, ...] = ()  # how the file was read (format, encoding, sheet, repairs)
    sheet: str = ""
    sheets: tuple[str, ...] = ()
    date_order: OrderDecision | None = None
    time_units: dict[str, str] = field(default_factory=dict)  # time column -> unit it was given in
    # Summaries of ``data`` (column lists, levels), each worked out once: the
    # sidebar asks for them on every rerun (70 ms at 1e5 patients). A cohort's
    # data are never changed after loading (analyses copy what they edit).
    _summaries: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def _summary(self, key: Hashable, compute: Callable[[], tuple]) -> tuple:
        if key not in self._summaries:
            self._summaries[key] = compute()
        return self._summaries[key]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.level == "error")

    @property
    def is_synthetic(self) -> bool:
        """True for the bundled demo cohorts (a ``synthetic`` column says so)."""
        return self._summary("synthetic", lambda: "synthetic" in self.data and bool(
            self.data["synthetic"].astype(str).str.lower().isin(["1", "true", "yes"]).all()))

    def problems_frame(self) -> pd.DataFrame:
        """The validation report as a table (level, column, patients, message)."""
        rows = [{"level": p.level, "column": p.column, "patients": ", ".join(p.patient_ids),
                 "message": p.message} for p in self.problems]
        return pd.DataFrame(rows, columns=PROBLEM_COLUMNS)

    def exclusion_counts(self) -> dict[str, int]:
        """Patients excluded per endpoint (see ``exclusions`` for who and why)."""
        return self.exclusions.groupby("endpoint", sort=False).size().to_dict()

    def _analysable(self, column: str) -> bool:
        """Not an ID, endpoint, toxicity grade, parameter or marker column."""
        endpoint = column.endswith("_event") or (column.endswith("_months") and column.split("_")[0] in ENDPOINTS)
        return not (endpoint or is_tox_column(column) or column in NOT_FACTORS)

    def numeric_columns(self) -> list[str]:
        """Columns a cutoff can be placed on: every number column, extra ones included."""
        return list(self._summary("numeric", lambda: tuple(
            c for c in self.data if self._analysable(c) and self.kinds.get(c, "number") in ("number", "integer")
            and pd.api.types.is_numeric_dtype(self.data[c]) and self.data[c].notna().any())))

    def levels(self, column: str) -> list[str]:
        """A categorical column's values as text, in their natural order (filters, reference levels)."""
        return list(self._summary(("levels", column), lambda: tuple(self._levels(self.data[column]))))

    @staticmethod
    def _levels(s: pd.Series) -> list[str]:
        if isinstance(s.dtype, pd.CategoricalDtype):  # in category order, those some patient has
            return [str(v) for v in distinct_counts(s)[0]]
        if pd.api.types.is_numeric_dtype(s):
            return [level_label(v) for v in sorted(s.dropna().unique())]
        return sorted(s.dropna().astype(str).unique())

    def categorical_columns(self, max_levels: int = 12) -> list[str]:
        """Columns usable as a grouping factor: categories with 2 to ``max_levels``
        levels, and integer scores with at most 6 values (ECOG)."""
        def columns() -> tuple[str, ...]:
            out = []
            for c in self.data:
                if not self._analysable(c):
                    continue
                kind, n = self.kinds.get(c, "category" if c in DERIVED_CATEGORIES else ""), self.data[c].nunique()
                score = kind == "integer" and (c in ("ecog", "treatment_plan") or c not in COLUMNS)  # not fractions
                if (kind == "category" and 1 < n <= max_levels) or (score and 1 < n <= 6):
                    out.append(c)
            return tuple(out)
        return list(self._summary(("categorical", max_levels), columns))

    @staticmethod
    def is_post_baseline(column: str) -> bool:
        """Known only after treatment (response, failure pattern): grouping by it
        builds in immortal-time bias."""
        return column in POST_BASELINE


def _frame_as_raw(table: pd.DataFrame, name: str) -> RawTable:
    """An in-memory table under the reader contract (every cell as text)."""
    def text(v) -> str | None:
        if v is None or (isinstance(v, float) and v != v) or v is pd.NaT or v is pd.NA:
            return None
        if isinstance(v, pd.Timestamp):
            return v.date().isoformat()
        if isinstance(v, float):
            return float_text(v)
        return clean_cell(str(v))
    records = [(1, [str(c) for c in table.columns])]
    records += [(i + 2, [text(v) for v in row]) for i, row in enumerate(table.itertuples(index=False, name=None))]
    return records_to_raw(records, name, "table", header_first=True, description="in-memory table")


def _fingerprint(raw: RawTable) -> str:
    """Identifies the table's content (a missing cell and the text 'None'
    differ): SHA-256 over each cell's 64-bit hash, computed in C once per
    distinct text (all columns in one call) and spread by the column's codes."""
    h = hashlib.sha256()
    h.update("\x1f".join(map(str, raw.table.names)).encode())
    texts = [np.append(column.texts, "") for column in raw.table.coded]
    hashes = pd.util.hash_array(np.concatenate(texts) if texts else np.array([], dtype=object), categorize=False)
    start = 0
    for column, own in zip(raw.table.coded, texts):
        h.update(column.codes < 0)  # (the arrays' own bytes, as tobytes() would give them)
        h.update(hashes[start:start + len(own)][column.codes])
        start += len(own)
    return h.hexdigest()[:16]


def _reader_problems(raw: RawTable) -> tuple[list[Problem], list[str]]:
    """The reader's findings as Problems (rows named 'row N'), and its notes."""
    problems, notes = [], [raw.description] if raw.description else []
    for f in raw.findings:
        if f.level == "info":
            notes.append((f"Column '{f.column}': " if f.column else "") + f.message)
        else:
            problems.append(problem(f.level, f.column or FILE, [f"row {r}" for r in f.rows], f.message,
                                    f.rule))
    return problems, notes


def _similar_levels(data: pd.DataFrame, kinds: Mapping[str, str], problems: list[Problem]) -> None:
    for col, kind in kinds.items():
        if kind != "category" or col not in data:
            continue
        for target, spellings in propose_merges(data[col]):
            problems.append(problem("warning", col, (), f"{', '.join(repr(clip(s, 30)) for s in spellings)} "
                                    f"look like one level ('{clip(target, 30)}'); merge them on the Cohort page "
                                    "(Levels), or they are analysed as different groups.", "similar_levels"))


def build_cohort(table: pd.DataFrame | RawTable, source_name: str = "table",
                 mapping: Mapping[str, str] | None = None, settings: Settings | None = None) -> Cohort:
    """Map, validate and derive from a table read by ``recur.io.read_table``
    (or an in-memory DataFrame); see ``load_cohort``."""
    settings = settings or Settings()
    raw = table if isinstance(table, RawTable) else _frame_as_raw(table, source_name)
    renames = column_renames(raw.table.names, mapping)
    mapped = raw.table.renamed(renames)
    problems, notes = _reader_problems(raw)
    dup_cols = [name for name in dict.fromkeys(mapped.names) if mapped.names.count(name) > 1]
    if dup_cols:
        for col in dup_cols:
            users = [u for u, c in renames.items() if c == col] + ([col] if col in raw.table.names else [])
            problems.append(problem("error", col, (), f"the columns {', '.join(repr(u) for u in users)} all map to "
                                    "this name; only the first is used. Map or rename the others.",
                                    "duplicate_column"))
        mapped = mapped.first_of_each()
    units = {**units_from_names(renames), **dict(settings.time_units)}
    cleaned = clean_table(mapped, types=dict(settings.column_types), units=units, date_order=settings.date_order)
    problems += cleaned.problems
    if cleaned.date_order.status in ("settled", "chosen"):
        why = f"shown by {cleaned.date_order.evidence}" if cleaned.date_order.evidence else "as chosen"
        notes.append(f"Dates read {ORDER_NAMES[cleaned.date_order.order]}, {why}.")
    data, absent = apply_levels(cleaned.data, dict(settings.recodes), dict(settings.level_orders))
    if absent:
        notes.append(f"Level recodings or orders for {', '.join(absent)} do not apply: not in this cohort.")
    _similar_levels(data, cleaned.kinds, problems)
    data = plain_text(data, [c for c in cleaned.kinds if c not in dict(settings.level_orders)])
    data = derive_radiotherapy(data, settings.alpha_beta, problems)
    data, exclusions, endpoints = derive_disease_course(data, settings.rules, problems)
    if not endpoints:
        problems.append(problem("error", "date_rt_start", (), "no endpoint can be built: give date_rt_start "
                                "(or date_recurrence) with date_last_followup / date_death, or precomputed "
                                "os_months and os_event.", "no_endpoint"))
    problems.sort(key=lambda p: (p.level != "error", p.column))
    release_freed_memory(data.size * 8)  # what validation and derivation freed (about the table) goes back
    dtypes = data.dtypes
    kinds = {**cleaned.kinds, **{c: "number" if pd.api.types.is_numeric_dtype(dtypes[c]) else "category"
                                 for c in data if c not in cleaned.kinds}}
    return Cohort(data=data, problems=tuple(problems), exclusions=exclusions, endpoints=endpoints,
                  source_name=raw.name if isinstance(table, RawTable) else source_name, renames=renames,
                  content_hash=_fingerprint(raw), raw_columns=raw.table.names, kinds=kinds,
                  dropped_rows=raw.dropped, file_rows=raw.file_rows, read_notes=tuple(notes), sheet=raw.sheet,
                  sheets=raw.sheets, date_order=cleaned.date_order, time_units=units)


def load_cohort(source: Source, mapping: Mapping[str, str] | None = None, settings: Settings | None = None,
                name: str | None = None) -> Cohort:
    """Read a cohort file (CSV / XLSX / Parquet; path, bytes or file object),
    map its columns, validate it and derive variables and endpoints.

    Only an unreadable file raises ``RecurError``; bad values become problems,
    rows that are not patients are listed in ``dropped_rows``.

    >>> cohort = load_cohort("data/demo_nsclc_synthetic.csv")
    >>> cohort.data[["bed_gy", "os_months", "os_event"]].head()
    """
    settings = settings or Settings()
    raw = read_table(source, name, sheet=settings.sheet or None)
    if settings.mapping and mapping is None:
        mapping = dict(settings.mapping)
    return build_cohort(raw, raw.name, mapping, settings)


def analysis_frame(cohort: Cohort, settings: Settings,
                   columns: Iterable[str] | None = None) -> tuple[pd.DataFrame, int]:
    """The rows selected by the filters (a missing value is kept by none), with
    one group column per cutoff (named by its label). Returns (frame, number of
    rows filtered out). ``columns``: only these of the cohort's columns and
    cutoff groups (those it lacks are skipped), for an analysis that reads a
    few: copying every column of a large cohort costs more than it."""
    keep = _selected_rows(cohort, settings)
    data = cohort.data
    cutoffs = [cut for cut in settings.cutoffs if cut.variable in data]
    if columns is not None:
        columns = list(columns)
        cutoffs = [cut for cut in cutoffs if cut.label in columns]
        wanted = dict.fromkeys([*columns, *(cut.variable for cut in cutoffs)])
        data = data[[c for c in wanted if c in data]]
    out = data.take(np.flatnonzero(keep))  # a copy (the cached cohort stays untouched), in one pass
    return with_columns(out, {cut.label: cut.assign(out[cut.variable]) for cut in cutoffs}), int((~keep).sum())


def _selected_rows(cohort: Cohort, settings: Settings) -> np.ndarray:
    """Which rows the filters keep (a missing value is kept by none)."""
    df = cohort.data
    keep = np.ones(len(df), dtype=bool)
    for f in settings.filters:
        if f.column not in df:
            raise RecurError(f"Filter column '{f.column}' is not in this cohort.")
        keep &= level_text(df[f.column]).isin(f.values).to_numpy()
    return keep


def cutoff_group_sizes(cohort: Cohort, settings: Settings) -> pd.DataFrame:
    """Per cutoff among the rows the filters keep: n in the named group, n in
    the reference, n missing (each cutoff's own column, no copy of the table)."""
    keep = _selected_rows(cohort, settings)
    rows = []
    for cut in settings.cutoffs:
        if cut.variable not in cohort.data:
            rows.append({"cutoff": cut.label, "n_group": 0, "n_reference": 0, "n_missing": int(keep.sum()),
                         "available": False})
            continue
        n_missing, n_reference, n_group = np.bincount(cut.codes(cohort.data[cut.variable])[keep] + 1, minlength=3)
        rows.append({"cutoff": cut.label, "n_group": int(n_group), "n_reference": int(n_reference),
                     "n_missing": int(n_missing), "available": True})
    return pd.DataFrame(rows)
