"""Parquet files: every column turned into text under the reader contract.
Time zones, dates pandas cannot hold (year 3000), binary and nested values
are normalised or reported, never passed on."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from recur.errors import RecurError
from recur.safe_text import clip
from recur.io.contract import CodedColumn, RawTable, ReadFinding, clean_cell, coded_column, float_text, frame_to_raw


def _as_text(column: pa.ChunkedArray, label: str, findings: list[ReadFinding]) -> CodedColumn:
    """One column as coded text cells, each distinct value turned into text
    once; what cannot become text is reported and missing."""
    kind = column.type
    if pa.types.is_dictionary(kind):
        column = column.cast(kind.value_type)
        kind = column.type
    if pa.types.is_timestamp(kind):
        if kind.tz is not None:
            findings.append(ReadFinding("info", "timezone", f"timestamps with the time zone {kind.tz}: the local "
                                        "date was used.", (), label))
            column = pc.local_timestamp(column)
        column = column.cast(pa.date32())
        kind = column.type
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return coded_column(np.array([None if v is None else clean_cell(";".join(str(x) for x in v if x is not None))
                               for v in column.to_pylist()] or [], dtype=object))
    to_text = _TEXT_OF.get(next((k for k in _TEXT_OF if k(kind)), None))
    if to_text is None:
        findings.append(ReadFinding("error", "nested_value", f"values of type {clip(kind, 40)} cannot be used; the "
                                    "column is read as missing. Store it as text or numbers.", (), label))
        return coded_column(np.full(len(column), None, dtype=object))
    encoded = pc.dictionary_encode(column.combine_chunks() if column.num_chunks != 1 else column.chunk(0))
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    texts = [to_text(v) for v in encoded.dictionary.to_pylist()]
    undecodable = [k for k, t in enumerate(texts) if t is _BINARY]
    if undecodable:
        bad = int(np.isin(codes, undecodable).sum())
        findings.append(ReadFinding("error", "binary_value", f"{bad} value(s) are binary data, not text; "
                                    "read as missing. Store the column as text.", (), label))
        texts = [None if t is _BINARY else t for t in texts]
    new, uniques = pd.factorize(np.array(texts + [None], dtype=object))  # values that read alike merge
    return CodedColumn(new[codes], np.asarray(uniques, dtype=object))


_BINARY = object()  # marks a binary value that is not UTF-8 text


def _decoded(value: bytes) -> str | None | object:
    try:
        return clean_cell(value.decode("utf-8"))
    except UnicodeDecodeError:
        return _BINARY


_TEXT_OF = {  # kind test -> one distinct value as text
    pa.types.is_date: str, pa.types.is_time: str, pa.types.is_duration: str,
    pa.types.is_floating: lambda v: None if v != v else float_text(v),
    pa.types.is_integer: lambda v: str(v).lower(), pa.types.is_decimal: lambda v: str(v).lower(),
    pa.types.is_boolean: lambda v: str(v).lower(),
    pa.types.is_string: clean_cell, pa.types.is_large_string: clean_cell,
    pa.types.is_binary: _decoded, pa.types.is_large_binary: _decoded, pa.types.is_fixed_size_binary: _decoded,
}


def read_parquet(raw: bytes, name: str) -> RawTable:
    """Read a Parquet file under the reader contract (its rows start at file row 2)."""
    try:
        data = pq.read_table(io.BytesIO(raw))
    except (pa.ArrowException, OSError, ValueError, TypeError, KeyError, IndexError) as exc:
        raise RecurError(f"{name} could not be read as a Parquet file ({clip(exc)}). Export it again, or "
                         "upload the cohort as CSV or XLSX.") from exc
    findings: list[ReadFinding] = []
    names = [str(n) for n in data.column_names]
    try:
        columns = [_with_header(names[i], _as_text(data.column(i), names[i], findings))
                   for i in range(data.num_columns)]
    except (pa.ArrowException, ValueError, OverflowError) as exc:
        raise RecurError(f"{name}: a column could not be converted ({clip(exc)}). Store dates as dates and "
                         "numbers as numbers, and export the file again.") from exc
    n = data.num_rows + 1
    return frame_to_raw(columns, np.arange(1, n + 1), np.full(n, len(names), dtype=np.int64), name, "parquet",
                        findings, header_first=True, description="Parquet file")


def _with_header(label: str, cells: CodedColumn) -> CodedColumn:
    """The column with its name as the first record (the header row)."""
    header = label or None  # as written: the contract's header rule trims it
    texts = list(cells.texts)
    if header is None:
        code = -1
    elif header in texts:
        code = texts.index(header)
    else:
        code, texts = len(texts), texts + [header]
    codes = np.concatenate([[code], cells.codes]).astype(np.int64)
    return CodedColumn(codes, np.array(texts, dtype=object))
