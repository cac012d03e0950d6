"""The reader contract shared by every format: records (file row number,
cells) -> header, patient rows, dropped rows and findings.

Cells are held coded (``CodedColumn``: the distinct cleaned texts once, one
integer per cell, -1 for a missing cell), so that a million-row file costs a
few thousand distinct values to validate, not a million Python strings per
column."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Literal, Sequence, Union

import numpy as np
import pandas as pd

from recur.errors import RecurError
from recur.frames import rows_frame
from recur.safe_text import clip
from recur.mapping import SYNONYMS
from recur.schema import canonical_key

MISSING_TOKENS = frozenset({"", "NA", "N/A", "n/a", "NaN", "nan", "null", "NULL", ".", "#N/A"})
HEADER_SEARCH_ROWS = 30
DROPPED_COLUMNS = ["row", "reason", "content"]
Lines = Union[Sequence[str], Callable[[], Sequence[str]]]  # physical lines, or how to split them


@dataclass(frozen=True)
class ReadFinding:
    """Something the reader decided or repaired, with the file rows it concerns."""

    level: Literal["error", "warning", "info"]
    rule: str
    message: str
    rows: tuple[int, ...] = ()
    column: str = ""


@dataclass(frozen=True)
class RawTable:
    """A file read under the reader contract (see ``recur.io``).

    ``table``: the patient rows, coded column by column (``CodedTable``),
    with the file row of each patient row as its index.
    ``dropped``: file rows that are not patients (row, reason, content).
    ``file_rows``: every row of the file but the header (= len(table) + len(dropped)).
    """

    table: CodedTable
    name: str
    format: str
    dropped: pd.DataFrame
    file_rows: int
    findings: tuple[ReadFinding, ...] = ()
    encoding: str = ""
    sheet: str = ""
    sheets: tuple[str, ...] = ()
    description: str = ""

    def __post_init__(self) -> None:
        assert len(self.table) + len(self.dropped) == self.file_rows, "reader lost a row"


def clean_cell(value: str | None) -> str | None:
    """Trim a text cell; blanks and the usual missing-value markers become None."""
    if value is None:
        return None
    text = value.strip()
    return None if text in MISSING_TOKENS else text


@dataclass(frozen=True)
class CodedColumn:
    """A column as a reader hands it over: each cell's code into ``texts``
    (-1: missing) and the distinct cleaned texts (str, each once). Validation
    reads the codes; a pandas Categorical is made only for the columns that
    stay text (``categorical``): pandas checks its categories on every build."""

    codes: np.ndarray
    texts: np.ndarray  # object array

    def __len__(self) -> int:
        return len(self.codes)

    def cells(self, positions: np.ndarray | None = None) -> np.ndarray:
        """The cells (at ``positions``, else all) as an object array: str, or None where missing."""
        lookup = np.empty(len(self.texts) + 1, dtype=object)  # the last entry (None) is where code -1 points
        lookup[:-1] = self.texts
        return lookup[self.codes if positions is None else self.codes[positions]]

    def categorical(self) -> pd.Categorical:
        return pd.Categorical.from_codes(self.codes, pd.Index(self.texts, dtype=object), validate=False)

    def present_head(self, n: int) -> pd.Series:
        """The first ``n`` cells that are not missing (str), as a Series."""
        codes = self.codes[self.codes >= 0][:n]
        return pd.Series(self.texts[codes], dtype=object)


def coded_column(values: np.ndarray) -> CodedColumn:
    """Cleaned cells (str or None) as a ``CodedColumn``, codes in order of first appearance."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    return CodedColumn(codes, np.asarray(uniques, dtype=object))


def coded_from_raw(codes: np.ndarray, texts: np.ndarray, suspect: np.ndarray | None = None) -> CodedColumn:
    """A ``CodedColumn`` from raw (uncleaned) distinct ``texts`` and each
    cell's code: ``clean_cell`` runs once per distinct text (only on the
    ``suspect`` ones when the caller knows the others need nothing: no edge
    space, no missing marker); texts that clean to the same value merge,
    those that clean to None become missing."""
    texts = np.asarray(texts, dtype=object)
    cleaned, missing, trimmed = texts, [], False
    for k in np.flatnonzero(suspect) if suspect is not None else range(len(texts)):
        value = clean_cell(texts[k])
        if value is not texts[k]:
            if cleaned is texts:
                cleaned = texts.copy()
            cleaned[k] = value
            if value is None:
                missing.append(k)
            else:
                trimmed = True
    if cleaned is texts:  # nothing trimmed or missing: the codes stand
        return CodedColumn(codes, texts)
    if not trimmed:  # only missing markers (an empty cell): drop their texts, nothing can merge
        kept = np.ones(len(texts), dtype=bool)
        kept[missing] = False
        remap = np.append(np.where(kept, np.cumsum(kept) - 1, -1), -1).astype(_code_type(codes))
        return CodedColumn(remap[codes], texts[kept])
    new, uniques = pd.factorize(cleaned)
    remap = np.append(new, -1).astype(_code_type(codes))
    return CodedColumn(remap[codes], np.asarray(uniques, dtype=object))


def _code_type(codes: np.ndarray) -> np.dtype:
    return codes.dtype if codes.dtype.kind == "i" else np.dtype(np.int64)


@dataclass(frozen=True)
class CodedTable:
    """The patient rows of a file, coded column by column (each column only
    the texts its patients hold), in the file's column order; ``index``: each
    row's file row. A name can occur twice once columns are renamed."""

    names: tuple[str, ...]
    coded: tuple[CodedColumn, ...]
    index: pd.Index

    def __len__(self) -> int:
        return len(self.index)

    def column(self, name: str) -> CodedColumn:
        """The (first) column named ``name``."""
        return self.coded[self.names.index(name)]

    def renamed(self, renames: dict[str, str]) -> CodedTable:
        return CodedTable(tuple(renames.get(n, n) for n in self.names), self.coded, self.index)

    def first_of_each(self) -> CodedTable:
        """Only the first of the columns that share a name."""
        keep = [self.names.index(n) == i for i, n in enumerate(self.names)]
        return CodedTable(tuple(n for n, k in zip(self.names, keep) if k),
                          tuple(c for c, k in zip(self.coded, keep) if k), self.index)


def text_cells(column: pd.Series) -> pd.Series:
    """A Categorical column as plain cells: str, or None where missing (object dtype)."""
    return pd.Series(categorical_cells(column.array), index=column.index, name=column.name, dtype=object)


def categorical_cells(cat: pd.Categorical) -> np.ndarray:
    """A Categorical's cells as an object array: str, or None where missing."""
    return CodedColumn(cat.codes, cat.categories.to_numpy(dtype=object)).cells()


def float_text(value: float) -> str:
    """A float as a person writes it: 62.0 -> '62', 0.1 -> '0.1' (exact round trip)."""
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def is_id_header(cell: str | None) -> bool:
    if not cell:
        return False
    key = canonical_key(cell)
    return key == "patient_id" or SYNONYMS.get(key) == "patient_id"


def _header_index(records: Sequence[tuple[int, list[str | None]]]) -> int:
    """The header is the first row naming the patient ID column, else the first
    row filled at least half as wide as the widest of the first rows."""
    head = records[:HEADER_SEARCH_ROWS]
    for i, (_, cells) in enumerate(head):
        if any(is_id_header(c) for c in cells):
            return i
    widths = [sum(c is not None for c in cells) for _, cells in head]
    widest = max(widths, default=0)
    return next((i for i, w in enumerate(widths) if w and w * 2 >= widest), 0)


def _header_names(cells: list[str | None], has_values: list[bool], name: str) -> tuple[list[str], list[int],
                                                                                      list[ReadFinding]]:
    """Column names and the positions kept; unnamed columns with values are named
    'column N', unnamed empty ones dropped; exact duplicates are an error."""
    names, keep, findings = [], [], []
    seen: dict[str, int] = {}
    for pos, cell in enumerate(cells):
        label = (cell or "").strip()
        if not label:
            if not has_values[pos]:
                continue
            label = f"column {pos + 1}"
            findings.append(ReadFinding("warning", "unnamed_column", f"column {pos + 1} has values but no name "
                                        f"in the header; it is called '{label}'. Give it a name.", column=label))
        if label in seen:
            raise RecurError(f"{name}: columns {seen[label] + 1} and {pos + 1} are both named "
                             f"'{clip(label)}'. Rename one of them (or delete the copy) and upload again.")
        seen[label] = pos
        names.append(label)
        keep.append(pos)
    return names, keep, findings


def records_to_raw(records: list[tuple[int, list[str | None]]], name: str, fmt: str,
                   findings: Iterable[ReadFinding] = (), raw_lines: Lines = (),
                   header_first: bool = False, **meta) -> RawTable:
    """Apply the contract to a format's records: (file row, cleaned cells).
    ``raw_lines``: a text file's physical lines, to show dropped rows as written."""
    width = max((len(c) for _, c in records), default=0)
    cells = pd.DataFrame([list(c) + [None] * (width - len(c)) for _, c in records], dtype=object,
                         columns=range(width))
    return frame_to_raw(cells, np.array([r for r, _ in records], dtype=np.int64),
                        np.array([len(c) for _, c in records], dtype=np.int64), name, fmt, findings, raw_lines,
                        header_first, **meta)


Columns = Sequence[CodedColumn]  # one per position; together one record per row


def frame_to_raw(cells: pd.DataFrame | Columns, rows: np.ndarray, ncells: np.ndarray, name: str, fmt: str,
                 findings: Iterable[ReadFinding] = (), raw_lines: Lines = (), header_first: bool = False,
                 **meta) -> RawTable:
    """The contract itself, on whole columns: ``cells`` holds one record per
    row (cleaned text or None, padded with None; a frame, or its coded
    columns in order), ``rows`` each record's file row and ``ncells`` how
    many cells the record had as written."""
    found = list(findings)
    if isinstance(cells, pd.DataFrame):
        cells = [coded_column(cells.iloc[:, j].to_numpy(dtype=object)) for j in range(cells.shape[1])]
    filled = np.column_stack([c.codes >= 0 for c in cells]) if len(cells) else np.zeros((len(rows), 0), bool)
    nonblank = filled.any(axis=1)
    if not nonblank.any():
        raise RecurError(f"{name} holds no table; the first row must hold the column names.")
    n_records = int(np.flatnonzero(nonblank)[-1]) + 1  # blank lines after the table are not rows
    head = [(int(rows[i]), rec) for i, rec in enumerate(_records(cells, ncells, range(min(HEADER_SEARCH_ROWS,
                                                                                             n_records))))]
    h = 0 if header_first else _header_index(head)
    lines = _LazyLines(raw_lines)
    dropped = [(row, "blank row", "") if all(c is None for c in rec) else
               (row, "above the header row (a title or note, not a patient)", _content(rec, lines, row))
               for row, rec in head[:h]]
    header_row, header = int(rows[h]), head[h][1]
    width = len(header)
    body = np.arange(h + 1, n_records)
    has_values = filled[body, :width].any(axis=0) if width else np.zeros(0, dtype=bool)
    names, keep, header_findings = _header_names(header, list(has_values) or [False], name)
    found += header_findings
    if not names:
        raise RecurError(f"{name}: row {header_row} (the header) names no column; the first row of the table "
                         "must hold the column names.")
    if h:
        found.append(ReadFinding("info", "header_row", f"The column names were found on row {header_row}; "
                                 f"{h} row(s) above it were skipped (listed under dropped rows).",
                                 tuple(r for r, _ in head[:h])))
    blank = ~nonblank[body]
    long = (ncells[body] > width) & filled[body, width:].any(axis=1) & ~blank
    # a short row matters when a column it lacks holds values in other rows
    later_values = np.append(np.logical_or.accumulate(has_values[::-1])[::-1], False)
    short = (ncells[body] < width) & later_values[np.minimum(ncells[body], width)] & ~blank & ~long
    too_long = body[long]
    written = dict(zip(too_long.tolist(), _records(cells, ncells, too_long))) if len(too_long) else {}
    for i in body[blank | long]:
        row = int(rows[i])
        dropped.append((row, "blank row", "") if not nonblank[i] else
                       (row, f"{ncells[i]} cells but the header has {width} columns: the values cannot be matched "
                             "to columns (an unquoted delimiter or decimal comma?). Fix the row and upload again.",
                        _content(written[i], lines, row)))
    if short.any():
        found.append(ReadFinding("warning", "short_row", f"{int(short.sum())} row(s) have fewer cells than the "
                                 "header; their last columns are read as empty. Check these rows.",
                                 tuple(int(r) for r in rows[body[short]])))
    bad = tuple(r for r, why, _ in dropped[h:] if why != "blank row")  # rows above the header: reported above
    if bad:
        found.append(ReadFinding("error", "dropped_row", f"{len(bad)} row(s) could not be read as patients and "
                                 "are listed under dropped rows.", bad))
    patients = body[~blank & ~long]
    rows_kept = _as_slice(patients)
    table = CodedTable(tuple(names), tuple(_kept(cells[pos], rows_kept) for pos in keep),
                       pd.Index(rows[patients], name="file_row"))
    return RawTable(table=table, name=name, format=fmt, dropped=rows_frame(dropped, DROPPED_COLUMNS),
                    file_rows=n_records - 1, findings=tuple(found), **meta)


def _as_slice(positions: np.ndarray) -> np.ndarray | slice:
    """``positions`` as a slice when they run without a gap (the usual file:
    taking a slice is a view, not a copy of every column's codes)."""
    if len(positions) and positions[-1] - positions[0] + 1 == len(positions):
        return slice(int(positions[0]), int(positions[-1]) + 1)
    return positions


def _kept(column: CodedColumn, rows: np.ndarray | slice) -> CodedColumn:
    """The cells at ``rows`` with only the texts they use (the header's and
    dropped rows' texts go), by counting codes instead of sorting them."""
    codes = column.codes[rows]
    used = np.bincount(codes + 1, minlength=len(column.texts) + 1)[1:] > 0  # (+1: a missing cell counts at 0)
    if used.all():
        return CodedColumn(codes, column.texts)
    remap = np.append(np.cumsum(used) - 1, -1).astype(codes.dtype)
    return CodedColumn(remap[codes], column.texts[used])


def _records(cells: Columns, ncells: np.ndarray, positions) -> list[list[str | None]]:
    """Records at ``positions`` as written: each its first ``ncells`` cells
    (str or None), read column by column (a row across columns is slow)."""
    positions = np.asarray(list(positions), dtype=np.int64)
    columns = [c.cells(positions) for c in cells]
    return [[col[k] for col in columns[:int(n)]] for k, n in enumerate(ncells[positions])]


class _LazyLines:
    """A text file's physical lines, split only when a dropped row is shown."""

    def __init__(self, source: Lines) -> None:
        self._source, self._lines = source, None

    def get(self, row: int) -> str | None:
        if self._lines is None:
            self._lines = self._source() if callable(self._source) else self._source
        return self._lines[row - 1] if 0 < row <= len(self._lines) else None


def _content(cells: list[str | None], lines: _LazyLines, row: int) -> str:
    """The row as the file has it (text files: the physical line ``row``), cut short."""
    text = lines.get(row)
    return clip((" | ".join(c or "" for c in cells) if text is None else text).strip())
