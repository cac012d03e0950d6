"""Reading a cohort table from a path or an uploaded file: CSV (comma or
semicolon, UTF-8 with or without BOM), XLSX, Parquet. Everything is read as
text first so that validation, not pandas, decides what a value means."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import BinaryIO, Union

import pandas as pd

from recur.errors import RecurError

Source = Union[str, Path, bytes, BinaryIO]


def _name_and_bytes(source: Source, name: str | None) -> tuple[str, bytes]:
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.exists():
            raise RecurError(f"File not found: {path}.")
        return name or path.name, path.read_bytes()
    if isinstance(source, bytes):
        return name or "upload.csv", source
    data = source.read()
    return name or getattr(source, "name", "upload.csv"), data if isinstance(data, bytes) else data.encode()


def read_table(source: Source, name: str | None = None) -> tuple[pd.DataFrame, str]:
    """Read the raw table (all cells as text, empty cells as missing).

    Returns (table, source name). The format comes from the file name's
    extension; CSV delimiters (comma or semicolon) are sniffed.
    """
    name, raw = _name_and_bytes(source, name)
    suffix = Path(name).suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            table = pd.read_excel(io.BytesIO(raw), dtype=object)
        elif suffix in (".parquet", ".pq"):
            table = pd.read_parquet(io.BytesIO(raw))
        else:
            text = raw.decode("utf-8-sig")
            first = text.splitlines()[0] if text.strip() else ""
            try:
                sep = csv.Sniffer().sniff(first, delimiters=",;").delimiter
            except csv.Error:
                sep = ","
            table = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                                na_values=["", "NA", "N/A", "NaN", "nan", "null", "NULL", "."])
    except UnicodeDecodeError as exc:
        raise RecurError(f"{name} is not UTF-8 text; save it as 'CSV UTF-8' and upload again.") from exc
    except (ValueError, OSError, ImportError) as exc:
        raise RecurError(f"{name} could not be read as a {suffix or 'CSV'} table: {exc}.") from exc
    if table.shape[1] == 0:
        raise RecurError(f"{name} has no columns; the first row must hold the column names.")
    table.columns = [str(c).strip() for c in table.columns]
    return table, name
