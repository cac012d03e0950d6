"""Parquet files: every column turned into text under the reader contract.
Time zones, dates pandas cannot hold (year 3000), binary and nested values
are normalised or reported, never passed on."""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from recur.errors import RecurError
from recur.safe_text import clip
from recur.io.contract import RawTable, ReadFinding, clean_cell, float_text, records_to_raw


def _as_text(column: pa.ChunkedArray, label: str, findings: list[ReadFinding]) -> list[str | None]:
    """One column as text cells; what cannot become text is reported and missing."""
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
    if pa.types.is_date(kind) or pa.types.is_time(kind) or pa.types.is_duration(kind):
        return [None if v is None else str(v) for v in column.to_pylist()]
    if pa.types.is_floating(kind):
        return [None if v is None or v != v else float_text(v) for v in column.to_pylist()]
    if pa.types.is_integer(kind) or pa.types.is_decimal(kind) or pa.types.is_boolean(kind):
        return [None if v is None else str(v).lower() for v in column.to_pylist()]
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return [clean_cell(v) for v in column.to_pylist()]
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or pa.types.is_fixed_size_binary(kind):
        out, bad = [], 0
        for v in column.to_pylist():
            try:
                out.append(None if v is None else clean_cell(v.decode("utf-8")))
            except UnicodeDecodeError:
                out.append(None)
                bad += 1
        if bad:
            findings.append(ReadFinding("error", "binary_value", f"{bad} value(s) are binary data, not text; "
                                        "read as missing. Store the column as text.", (), label))
        return out
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return [None if v is None else clean_cell(";".join(str(x) for x in v if x is not None))
                for v in column.to_pylist()]
    findings.append(ReadFinding("error", "nested_value", f"values of type {clip(kind, 40)} cannot be used; the "
                                "column is read as missing. Store it as text or numbers.", (), label))
    return [None] * len(column)


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
        columns = [_as_text(data.column(i), names[i], findings) for i in range(data.num_columns)]
    except (pa.ArrowException, ValueError, OverflowError) as exc:
        raise RecurError(f"{name}: a column could not be converted ({clip(exc)}). Store dates as dates and "
                         "numbers as numbers, and export the file again.") from exc
    records = [(1, list(names))] + [(i + 2, [col[i] for col in columns]) for i in range(data.num_rows)]
    return records_to_raw(records, name, "parquet", findings, header_first=True, description="Parquet file")
