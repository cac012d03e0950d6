"""Delimited text (CSV / TSV): the encoding and the delimiter are detected
and reported; rows whose quote marks do not balance are repaired or listed."""

from __future__ import annotations

import codecs
import csv
import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from recur.errors import RecurError
from recur.memory import release_freed_memory
from recur.io.contract import (MISSING_TOKENS, CodedColumn, RawTable, ReadFinding, clean_cell, coded_from_raw,
                               frame_to_raw, records_to_raw)

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


def _sniff(text: str) -> tuple[list[str], str]:
    """The first lines of a text (at most SNIFF_LINES, read from its first
    200 kB) and the delimiter they show."""
    head = _lines(text[:200_000])[:SNIFF_LINES]
    return head, _sniff_delimiter(head)


def _width(sample: list[str], delimiter: str) -> int:
    """The most cells a line of the sample has."""
    return max((len(r) for r in csv.reader(sample, delimiter=delimiter)), default=0)


def _line_count(text: str | bytes) -> int:
    """Physical lines, as csv, pandas and Arrow split them (\\n, \\r\\n or \\r);
    one pass when no line ends in \\r."""
    nl, cr = ("\n", "\r") if isinstance(text, str) else (b"\n", b"\r")
    lines = text.count(nl) + (not text.endswith((nl, cr)))
    return lines + text.count(cr) - text.count(cr + nl) if text.find(cr) >= 0 else lines


_CODED_TEXT = pa.dictionary(pa.int32(), pa.string())  # Arrow codes each column as it reads it


def _arrow_cells(raw: bytes, start: int, delimiter: str, width: int, n_lines: int) -> list[CodedColumn] | None:
    """The records of a plain rectangular file by Arrow's CSV reader, coded
    column by column: no quote mark anywhere (so each line is one record, cut at
    each delimiter) and every line ``width`` cells. None otherwise (also for
    bytes that are not UTF-8): the other readers decide what such a file means.
    ``start``: where the text begins in ``raw`` (after a byte-order mark)."""
    if raw.find(b'"', start) >= 0:
        return None
    names = [str(i) for i in range(width)]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(raw).slice(start), read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char=False, newlines_in_values=False,
                                             ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, _CODED_TEXT),
                                                 strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if table.num_rows != n_lines:
        return None
    table = table.unify_dictionaries()  # one dictionary per column across the reader's blocks
    encoded = [table.column(name).combine_chunks() for name in names]
    del table
    # every column's distinct texts in one array: one pass of the edge-space and missing-marker tests
    texts = pa.chunked_array([e.dictionary for e in encoded], type=pa.string()).combine_chunks()
    suspect = _edge_not_plain(texts) | pc.is_in(texts, value_set=pa.array(sorted(MISSING_TOKENS))).to_numpy(
        zero_copy_only=False)
    texts = texts.to_numpy(zero_copy_only=False)
    ends = np.cumsum([len(e.dictionary) for e in encoded])
    columns = [coded_from_raw(e.indices.to_numpy(zero_copy_only=False), texts[end - len(e.dictionary):end],
                              suspect[end - len(e.dictionary):end]) for e, end in zip(encoded, ends)]
    del encoded
    release_freed_memory(len(raw))  # the table's pages: the cohort should not pay for them
    return columns


def _edge_not_plain(texts: pa.StringArray) -> np.ndarray:
    """Texts whose first or last byte is not a visible ASCII character (or
    that are empty), read from the UTF-8 buffer. Every character str.strip
    removes is an ASCII control or space, or a multi-byte one, so this is a
    superset of the texts ``clean_cell`` would trim."""
    if not len(texts):
        return np.zeros(0, dtype=bool)
    offsets = np.frombuffer(texts.buffers()[1], dtype=np.int32)[texts.offset:texts.offset + len(texts) + 1]
    data = np.frombuffer(texts.buffers()[2] or b"\0", dtype=np.uint8)  # (all empty: no data buffer)
    starts, ends = offsets[:-1], offsets[1:]
    empty = ends <= starts
    first, last = data[np.where(empty, 0, starts)], data[np.where(empty, 0, ends - 1)]
    return empty | (first <= 0x20) | (first >= 0x7F) | (last <= 0x20) | (last >= 0x7F)


def _fast_cells(text: str, delimiter: str, sample: list[str]) -> tuple[list[CodedColumn], np.ndarray] | None:
    """The records of a well-formed file by pandas' C parser: (cells, cells per
    record), one record per physical line. None when the file needs the
    careful reader: a quoted cell or stray quote spanning lines, or a row wider
    than the first lines."""
    width = _width(sample, delimiter)
    n_lines = _line_count(text)
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
    cells = [coded_from_raw(*pd.factorize(frame[c].to_numpy(dtype=object))) for c in frame]
    del frame
    ncells = np.full(n_lines, width, dtype=np.int64)
    # pandas pads a short row with empty cells: count the cells of rows ending in an empty one as written
    maybe_short = np.flatnonzero(cells[width - 1].codes < 0)
    if len(maybe_short):
        lines = _lines(text)
        for i in maybe_short:
            ncells[i] = len(next(csv.reader([lines[i]], delimiter=delimiter), []))
    return cells, ncells


def read_text(raw: bytes, name: str) -> RawTable:
    """Read a delimited text file under the reader contract: Arrow's reader
    straight from the bytes for a plain rectangular UTF-8 file, else pandas'
    C parser on the decoded text when every record is one line, else the
    careful reader that repairs and reports stray quotes."""
    plain = _read_plain_utf8(raw, name)
    if plain is not None:
        return plain
    text, encoding = decode(raw, name)
    text = text.lstrip("\ufeff")
    head, delimiter = _sniff(text)
    description = _description(delimiter, encoding)
    fast = _fast_cells(text, delimiter, head)
    if fast is not None:
        cells, ncells = fast
        _single_column(cells, ncells, name)
        return frame_to_raw(cells, np.arange(1, len(ncells) + 1), ncells, name, "csv", (), lambda: _lines(text),
                            encoding=encoding, description=description)
    lines = _lines(text)
    records, findings = _records(lines, delimiter, name)
    widths = {len(c) for _, c in records if any(x is not None for x in c)}
    if widths == {1}:
        first = next(c[0] for _, c in records if c[0] is not None)
        _refuse_single_column(first, name)
    return records_to_raw(records, name, "csv", findings, lines, encoding=encoding, description=description)


def _description(delimiter: str, encoding: str) -> str:
    return ", ".join([f"CSV, {DELIMITERS[delimiter]}-separated", f"{ENCODING_NAMES.get(encoding, encoding)} text"]) + (
        "" if encoding.startswith("utf-8") else ": check that accented letters look right")


def _read_plain_utf8(raw: bytes, name: str) -> RawTable | None:
    """A plain rectangular UTF-8 file (see ``_arrow_cells``) read without
    decoding it into one Python string: the bytes go to Arrow as they are.
    None for anything else (other encodings, quotes, ragged rows)."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in raw:
        return None
    bom = raw.startswith(codecs.BOM_UTF8)
    start = len(codecs.BOM_UTF8) if bom else 0
    head, delimiter = _sniff(raw[start:start + 200_000].decode("utf-8", errors="replace"))
    width = _width(head, delimiter)
    cells = _arrow_cells(raw, start, delimiter, width, _line_count(raw)) if width > 1 else None
    if cells is None:
        return None
    encoding = "utf-8-sig" if bom else "utf-8"
    n = len(cells[0])
    return frame_to_raw(cells, np.arange(1, n + 1), np.full(n, width, dtype=np.int64), name, "csv",
                        (), lambda: _lines(raw[start:].decode("utf-8")), encoding=encoding,
                        description=_description(delimiter, encoding))


def _single_column(cells: list[CodedColumn], ncells: np.ndarray, name: str) -> None:
    filled = np.column_stack([c.codes >= 0 for c in cells]).any(axis=1)
    if filled.any() and (ncells[filled] == 1).all():
        first = cells[0].cells(np.flatnonzero(filled)[:1])[0]
        _refuse_single_column(str(first), name)


def _refuse_single_column(first: str, name: str) -> None:
    raise RecurError(f"{name}: every row holds a single column (the first reads '{first[:60]}'); the cells "
                     "are not separated by commas, semicolons or tabs. Export the table as CSV and upload again.")
