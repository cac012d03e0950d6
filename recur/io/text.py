"""Delimited text (CSV / TSV): the encoding and the delimiter are detected
and reported; rows whose quote marks do not balance are repaired or listed."""

from __future__ import annotations

import codecs
import csv
import io

import numpy as np
import pandas as pd

from recur.errors import RecurError
from recur.io.contract import RawTable, ReadFinding, clean_cell, frame_to_raw, records_to_raw

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
SNIFF_LINES = 50
ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "utf-16": "UTF-16",
                  "cp1252": "Windows-1252 (Excel on Windows)", "latin-1": "Latin-1 (ISO 8859-1)"}


def decode(raw: bytes, name: str) -> tuple[str, str]:
    """(text, encoding): UTF-8 (BOM or not), UTF-16 (BOM, or NUL-padded ASCII),
    then Windows-1252, then Latin-1 (which reads any byte)."""
    if raw.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif raw[:200].count(b"\x00") > 40:  # UTF-16 without a BOM: every other byte of ASCII text is NUL
        candidates = ["utf-16-le" if raw[1:2] == b"\x00" else "utf-16-be"]
    else:
        candidates = ["utf-8", "cp1252", "latin-1"]
    for encoding in candidates:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            raise RecurError(f"{name} is not a text table (it holds binary data). Upload the cohort as CSV, "
                             "XLSX or Parquet.")
        return text, ("utf-16" if encoding.startswith("utf-16") else encoding)
    raise RecurError(f"{name} is not readable text in UTF-8 or UTF-16; save it as 'CSV UTF-8' and upload again.")


def _sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the first lines into the most columns, the
    same number on most lines."""
    sample = [ln for ln in lines[:SNIFF_LINES] if ln.strip()]
    best, best_score = ",", (0, 0)
    for delim in DELIMITERS:
        widths = [len(r) for r in csv.reader(sample, delimiter=delim)]
        if not widths:
            continue
        common = max(set(widths), key=widths.count)
        score = (widths.count(common) if common > 1 else 0, common)
        if score > best_score:
            best, best_score = delim, score
    return best


def _records(lines: list[str], delimiter: str, name: str) -> tuple[list[tuple[int, list[str | None]]], list[ReadFinding]]:
    """Parse lines into (file row, cells). A record that spans several lines
    because of stray quote marks is re-read line by line, quotes taken literally."""
    records: list[tuple[int, list[str | None]]] = []
    findings: list[ReadFinding] = []
    reader = csv.reader(lines, delimiter=delimiter)
    start = 1
    width = None
    try:
        for cells in reader:
            end = reader.line_num
            if end > start and width is not None:
                literal = list(csv.reader(lines[start - 1:end], delimiter=delimiter, quoting=csv.QUOTE_NONE))
                if len(literal) > 1 and all(len(r) in (width, 0) for r in literal):
                    findings.append(ReadFinding("warning", "stray_quotes", f"rows {start}-{end}: quote marks do "
                                                "not pair up; each line was read as one row with its quote marks "
                                                "kept as text. Check these rows.", tuple(range(start, end + 1))))
                    records += [(start + i, [clean_cell(c.strip().strip('"')) for c in r])
                                for i, r in enumerate(literal)]
                    start = end + 1
                    continue
            if end > start:
                findings.append(ReadFinding("warning", "multiline_cell", f"row {start}: a quoted cell runs over "
                                            f"{end - start + 1} lines (rows {start}-{end}); read as one row.",
                                            (start,)))
            if width is None and any(c.strip() for c in cells):
                width = len(cells)
            records.append((start, [clean_cell(c) for c in cells]))
            start = end + 1
    except csv.Error as exc:
        raise RecurError(f"{name}, row {reader.line_num}: {exc}. Check the quote marks on that row "
                         "(a cell that opens a quote must close it) and upload again.") from exc
    return records, findings


def _lines(text: str) -> list[str]:
    return io.StringIO(text, newline="").readlines()


def clean_column(values: np.ndarray) -> np.ndarray:
    """``clean_cell`` on a column of text, once per distinct value."""
    codes, uniques = pd.factorize(values)
    return np.array([clean_cell(u) for u in uniques] + [None], dtype=object)[codes]


def _fast_cells(text: str, delimiter: str, sample: list[str]) -> tuple[pd.DataFrame, np.ndarray] | None:
    """The records of a well-formed file by pandas' C parser: (cells, cells per
    record), one record per physical line. None when the file needs the
    careful reader: a quoted cell or stray quote spanning lines, or a row wider
    than the first lines."""
    width = max((len(r) for r in csv.reader(sample, delimiter=delimiter)), default=0)
    n_lines = text.count("\n") + text.count("\r") - text.count("\r\n") + (not text.endswith(("\n", "\r")))
    if not width or "\x00" in text:
        return None
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, header=None, names=range(width), dtype=str,
                            keep_default_na=False, na_filter=False, skip_blank_lines=False, engine="c",
                            quoting=csv.QUOTE_MINIMAL, doublequote=True, escapechar=None)
    except (pd.errors.ParserError, csv.Error, ValueError):
        return None
    if len(frame) != n_lines:
        return None
    cells = pd.DataFrame({c: clean_column(frame[c].to_numpy(dtype=object)) for c in frame}, dtype=object)
    del frame
    ncells = np.full(len(cells), width, dtype=np.int64)
    # pandas pads a short row with empty cells: count the cells of rows ending in an empty one as written
    maybe_short = np.flatnonzero(cells[width - 1].isna().to_numpy())
    if len(maybe_short):
        lines = _lines(text)
        for i in maybe_short:
            ncells[i] = len(next(csv.reader([lines[i]], delimiter=delimiter), []))
    return cells, ncells


def read_text(raw: bytes, name: str) -> RawTable:
    """Read a delimited text file under the reader contract: pandas' C parser
    when every record is one line, else the careful reader that repairs and
    reports stray quotes."""
    text, encoding = decode(raw, name)
    text = text.lstrip("\ufeff")
    head = _lines(text[:200_000])[:SNIFF_LINES]
    delimiter = _sniff_delimiter(head)
    description = ", ".join([f"CSV, {DELIMITERS[delimiter]}-separated", f"{ENCODING_NAMES.get(encoding, encoding)} "
                             "text"]) + ("" if encoding.startswith("utf-8") else ": check that accented letters "
                                         "look right")
    fast = _fast_cells(text, delimiter, head)
    if fast is not None:
        cells, ncells = fast
        _single_column(cells, ncells, name)
        return frame_to_raw(cells, np.arange(1, len(cells) + 1), ncells, name, "csv", (), lambda: _lines(text),
                            encoding=encoding, description=description)
    lines = _lines(text)
    records, findings = _records(lines, delimiter, name)
    widths = {len(c) for _, c in records if any(x is not None for x in c)}
    if widths == {1}:
        first = next(c[0] for _, c in records if c[0] is not None)
        _refuse_single_column(first, name)
    return records_to_raw(records, name, "csv", findings, lines, encoding=encoding, description=description)


def _single_column(cells: pd.DataFrame, ncells: np.ndarray, name: str) -> None:
    filled = cells.notna().to_numpy().any(axis=1)
    if filled.any() and (ncells[filled] == 1).all():
        _refuse_single_column(cells.iloc[int(np.flatnonzero(filled)[0]), 0], name)


def _refuse_single_column(first: str, name: str) -> None:
    raise RecurError(f"{name}: every row holds a single column (the first reads '{first[:60]}'); the cells "
                     "are not separated by commas, semicolons or tabs. Export the table as CSV and upload again.")
