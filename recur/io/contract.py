"""The reader contract shared by every format: records (file row number,
cells) -> header, patient rows, dropped rows and findings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal, Sequence

import pandas as pd

from recur.errors import RecurError
from recur.safe_text import clip
from recur.mapping import SYNONYMS
from recur.schema import canonical_key

MISSING_TOKENS = frozenset({"", "NA", "N/A", "n/a", "NaN", "nan", "null", "NULL", ".", "#N/A"})
HEADER_SEARCH_ROWS = 30
DROPPED_COLUMNS = ["row", "reason", "content"]


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

    ``table``: text cells or None, index = the file row of each patient row.
    ``dropped``: file rows that are not patients (row, reason, content).
    ``file_rows``: every row of the file but the header (= len(table) + len(dropped)).
    """

    table: pd.DataFrame
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
                   findings: Iterable[ReadFinding] = (), raw_lines: Sequence[str] = (),
                   header_first: bool = False, **meta) -> RawTable:
    """Apply the contract to a format's records: (file row, cleaned cells).
    ``raw_lines``: a text file's physical lines, to show dropped rows as written."""
    found = list(findings)
    while records and all(c is None for c in records[-1][1]):
        records = records[:-1]  # blank lines after the table are not rows
    if not records:
        raise RecurError(f"{name} holds no table; the first row must hold the column names.")
    h = 0 if header_first else _header_index(records)
    dropped = [(row, "blank row", "") if all(c is None for c in cells) else
               (row, "above the header row (a title or note, not a patient)", _content(cells, raw_lines, row))
               for row, cells in records[:h]]
    header_row, header = records[h]
    body = records[h + 1:]
    width = len(header)
    has_values = [False] * max(width, 1)
    for _, cells in body:
        for pos in range(min(width, len(cells))):
            if cells[pos] is not None:
                has_values[pos] = True
    names, keep, header_findings = _header_names(header, has_values, name)
    found += header_findings
    if not names:
        raise RecurError(f"{name}: row {header_row} (the header) names no column; the first row of the table "
                         "must hold the column names.")
    if h:
        found.append(ReadFinding("info", "header_row", f"The column names were found on row {header_row}; "
                                 f"{h} row(s) above it were skipped (listed under dropped rows).",
                                 tuple(r for r, _ in records[:h])))
    rows, index, short = [], [], []
    for row, cells in body:
        if all(c is None for c in cells):
            dropped.append((row, "blank row", ""))
            continue
        if len(cells) > width and any(c is not None for c in cells[width:]):
            dropped.append((row, f"{len(cells)} cells but the header has {width} columns: the values cannot be "
                                 "matched to columns (an unquoted delimiter or decimal comma?). Fix the row and "
                                 "upload again.", _content(cells, raw_lines, row)))
            continue
        if len(cells) < width and any(has_values[p] for p in range(len(cells), width)):
            short.append(row)
        cells = (list(cells) + [None] * width)[:width]
        rows.append([cells[p] for p in keep])
        index.append(row)
    if short:
        found.append(ReadFinding("warning", "short_row", f"{len(short)} row(s) have fewer cells than the header; "
                                 "their last columns are read as empty. Check these rows.", tuple(short)))
    bad = tuple(r for r, why, _ in dropped[h:] if why != "blank row")  # rows above the header: reported above
    if bad:
        found.append(ReadFinding("error", "dropped_row", f"{len(bad)} row(s) could not be read as patients and "
                                 "are listed under dropped rows.", bad))
    table = pd.DataFrame(rows, columns=names, index=pd.Index(index, name="file_row"), dtype=object)
    frame = pd.DataFrame(dropped, columns=DROPPED_COLUMNS)
    return RawTable(table=table, name=name, format=fmt, dropped=frame, file_rows=len(records) - 1,
                    findings=tuple(found), **meta)


def _content(cells: list[str | None], raw_lines: Sequence[str], row: int) -> str:
    """The row as the file has it (text files: the physical line ``row``), cut short."""
    text = raw_lines[row - 1] if 0 < row <= len(raw_lines) else " | ".join(c or "" for c in cells)
    return clip(text.strip())
