"""XLSX workbooks: read safely (no XML entity expansion, a cap on the
unzipped size), the sheet that holds ``patient_id`` chosen and named,
formula and error cells reported."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
import zlib
from xml.etree.ElementTree import ParseError

import defusedxml
import openpyxl

from recur.errors import RecurError
from recur.safe_text import clip
from recur.io.contract import RawTable, ReadFinding, clean_cell, float_text, is_id_header, records_to_raw

MAX_UNZIPPED_BYTES = 300 * 1024 * 1024
MAX_RATIO = 200  # a workbook part that inflates more than this is a zip bomb
MAX_ROWS = 1_048_576  # Excel's own limit
# What openpyxl raises on a damaged or hostile workbook (it has no base class of its own).
_BROKEN = (zipfile.BadZipFile, zlib.error, KeyError, ValueError, TypeError, IndexError, EOFError, OSError,
           ParseError, defusedxml.DefusedXmlException)


def _check_archive(raw: bytes, name: str) -> None:
    try:
        infos = zipfile.ZipFile(io.BytesIO(raw)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise RecurError(f"{name} is not a readable XLSX workbook (damaged or cut short?). Open it in Excel, "
                         "save it again and upload the new file.") from exc
    total = sum(i.file_size for i in infos)
    bomb = any(i.file_size > 10 * 2**20 and i.file_size > MAX_RATIO * max(i.compress_size, 1) for i in infos)
    if total > MAX_UNZIPPED_BYTES or bomb:
        raise RecurError(f"{name} unpacks to {total / 2**20:.0f} MB, more than a cohort table needs "
                         f"(limit {MAX_UNZIPPED_BYTES // 2**20} MB, compression at most {MAX_RATIO}:1). "
                         "Save the cohort sheet alone as CSV and upload that.")
    if not openpyxl.DEFUSEDXML:  # entity expansion must stay off: defusedxml is a pinned requirement
        raise RecurError("XLSX reading is disabled: the 'defusedxml' package is missing. Reinstall recur.")


def _text(value) -> str | None:
    """A cell value as text: whole floats without '.0', dates as YYYY-MM-DD."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return float_text(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return clean_cell(str(value))


def _rows(ws_values, ws_formulas) -> tuple[list, dict[str, list], dict[str, list]]:
    """Records plus, per column position, the rows of formula cells without a
    saved result and of error cells (#DIV/0!, #REF!, ...)."""
    records, formulas, errors = [], {}, {}
    first = ws_values.min_row or 1
    for i, (vals, forms) in enumerate(zip(ws_values.iter_rows(), ws_formulas.iter_rows())):
        if i >= MAX_ROWS:
            break
        row = first + i
        cells = []
        for pos, (v, f) in enumerate(zip(vals, forms)):
            if v.data_type == "e":
                errors.setdefault(pos, []).append((row, str(v.value)))
                cells.append(None)
                continue
            if f.data_type == "f":
                formulas.setdefault(pos, []).append((row, v.value is None))
            cells.append(_text(v.value))
        records.append((row, cells))
    while records and all(c is None for c in records[-1][1]):
        records.pop()  # formatting below the table, not rows
    return records, formulas, errors


def _has_id(records) -> bool:
    return any(is_id_header(c) for _, cells in records[:30] for c in cells)


def read_xlsx(raw: bytes, name: str, sheet: str | None = None) -> RawTable:
    """Read one sheet of a workbook under the reader contract."""
    _check_archive(raw, name)
    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        book_f = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
        names = [ws.title for ws in book.worksheets]
        if sheet is not None and sheet not in names:
            raise RecurError(f"{name} has no sheet '{clip(sheet)}'; its sheets are {', '.join(names)}.")
        read = {t: _rows(book[t], book_f[t]) for t in ([sheet] if sheet else names)}
    except _BROKEN as exc:
        raise RecurError(f"{name} could not be read as an XLSX workbook ({clip(exc)}). Open it in Excel, save "
                         "it again (or save the cohort sheet as CSV) and upload the new file.") from exc
    with_data = [t for t in read if read[t][0]]
    if not with_data:
        raise RecurError(f"{name} has no data on {'sheet ' + clip(sheet) if sheet else 'any sheet'}.")
    findings: list[ReadFinding] = []
    if sheet:
        chosen = sheet
    else:
        holding_id = [t for t in with_data if _has_id(read[t][0])]
        chosen = (holding_id or with_data)[0]
        others = [t for t in with_data if t != chosen]
        if others:
            why = "it holds the patient_id column" if holding_id else "it is the first sheet with data"
            findings.append(ReadFinding("warning", "other_sheets", f"the workbook has {len(with_data)} sheets with "
                                        f"data; sheet '{chosen}' was read ({why}). Not read: "
                                        + ", ".join(f"'{t}' ({len(read[t][0])} rows)" for t in others)
                                        + ". Choose another sheet on the Cohort page if the patients are there."))
    records, formulas, errors = read[chosen]
    header = records[0][1] if records else []
    label = {pos: (header[pos] if pos < len(header) and header[pos] else f"column {pos + 1}")
             for pos in set(formulas) | set(errors)}
    for pos, hits in errors.items():
        findings.append(ReadFinding("error", "error_cell", f"{len(hits)} cell(s) hold a spreadsheet error "
                                    f"({', '.join(sorted({v for _, v in hits}))}); read as missing. Fix the formula "
                                    "or type the value.", tuple(r for r, _ in hits), label[pos]))
    for pos, hits in formulas.items():
        unsaved = tuple(r for r, missing in hits if missing)
        if unsaved:
            findings.append(ReadFinding("error", "formula_no_value", f"{len(unsaved)} formula cell(s) have no saved "
                                        "result; read as missing. Open the file in Excel and save it, or paste "
                                        "the values.", unsaved, label[pos]))
        if len(unsaved) < len(hits):
            findings.append(ReadFinding("info", "formula_cell", f"{len(hits) - len(unsaved)} formula cell(s): the "
                                        "results Excel saved were used.", (), label[pos]))
    description = f"XLSX workbook, sheet '{chosen}'"
    return records_to_raw(records, name, "xlsx", findings, sheet=chosen, sheets=tuple(names),
                          description=description)
