"""Reading a cohort file: one reader per format (CSV / text, XLSX, Parquet),
one contract for all of them.

The contract (``RawTable``): every row of the file is either a row of
``table`` (a patient, named by its file row number in ``table.index``) or a
row of ``dropped`` with its reason; every cell is text or missing, held
coded (``CodedTable``, ``recur.io.contract``), so that validation, not a file
format, decides what a value means, once per distinct value; everything the
reader had to decide or repair is a finding in ``findings``. Any file that
cannot be read raises one ``RecurError`` naming the file, the row or column
and the fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO, Union

from recur.errors import RecurError
from recur.memory import release_freed_memory
from recur.io.contract import RawTable, ReadFinding
from recur.io.parquet import read_parquet
from recur.io.text import read_text
from recur.io.xlsx import read_xlsx

Source = Union[str, Path, bytes, BinaryIO]
FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx",
           ".parquet": "parquet", ".pq": "parquet"}
UPLOAD_TYPES = [ext.lstrip(".") for ext in FORMATS]  # what an upload box accepts: every extension read here
MAX_FILE_BYTES = 200 * 1024 * 1024

__all__ = ["RawTable", "ReadFinding", "Source", "UPLOAD_TYPES", "read_table", "file_format", "source_bytes"]


def source_bytes(source: Source, name: str | None = None) -> tuple[str, bytes]:
    """(file name, bytes) of a path, bytes or file object."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise RecurError(f"File not found: {path}.")
        return name or path.name, path.read_bytes()
    if isinstance(source, (bytes, bytearray, memoryview)):
        return name or "upload.csv", bytes(source)
    data = source.read()
    return name or str(getattr(source, "name", "upload.csv")), data if isinstance(data, bytes) else data.encode()


def file_format(name: str, raw: bytes) -> str:
    """'csv', 'xlsx' or 'parquet', from the content first (a renamed file is
    still read right), then from the extension."""
    if raw[:4] == b"PAR1":
        return "parquet"
    if raw[:2] == b"PK":
        return "xlsx"
    return FORMATS.get(Path(name).suffix.lower(), "csv")


def read_table(source: Source, name: str | None = None, sheet: str | None = None) -> RawTable:
    """Read a cohort file into a ``RawTable`` (see the module docstring).

    ``sheet`` picks an XLSX sheet; by default the one that holds ``patient_id``.

    >>> raw = read_table("data/demo_nsclc_synthetic.csv")
    >>> len(raw.table) + len(raw.dropped) == raw.file_rows
    True
    """
    name, raw = source_bytes(source, name)
    release_freed_memory(len(raw))  # what an earlier cohort left freed goes back before this one is read
    if len(raw) > MAX_FILE_BYTES:
        raise RecurError(f"{name} is {len(raw) / 2**20:.0f} MB; recur reads files up to "
                         f"{MAX_FILE_BYTES // 2**20} MB. Remove unused columns or save it as Parquet.")
    if not raw or raw.isspace():  # (strip() would copy a large file)
        raise RecurError(f"{name} is empty; export the cohort table again.")
    fmt = file_format(name, raw)
    if fmt == "xlsx":
        return read_xlsx(raw, name, sheet)
    if fmt == "parquet":
        return read_parquet(raw, name)
    return read_text(raw, name)
