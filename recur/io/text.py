"""Delimited text (CSV / TSV): the encoding and the delimiter are detected
and reported; rows whose quote marks do not balance are repaired or listed."""

from __future__ import annotations

import codecs
import csv
import io

from recur.errors import RecurError
from recur.io.contract import RawTable, ReadFinding, clean_cell, records_to_raw

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


def read_text(raw: bytes, name: str) -> RawTable:
    """Read a delimited text file under the reader contract."""
    text, encoding = decode(raw, name)
    lines = io.StringIO(text.lstrip("\ufeff"), newline="").readlines()
    delimiter = _sniff_delimiter(lines)
    records, findings = _records(lines, delimiter, name)
    widths = {len(c) for _, c in records if any(x is not None for x in c)}
    if widths == {1}:
        first = next(c[0] for _, c in records if c[0] is not None)
        raise RecurError(f"{name}: every row holds a single column (the first reads '{first[:60]}'); the cells "
                         "are not separated by commas, semicolons or tabs. Export the table as CSV and upload again.")
    description = (f"CSV, {DELIMITERS[delimiter]}-separated, {ENCODING_NAMES.get(encoding, encoding)} text"
                   + ("" if encoding.startswith("utf-8") else ": check that accented letters look right"))
    return records_to_raw(records, name, "csv", findings, lines, encoding=encoding, description=description)
