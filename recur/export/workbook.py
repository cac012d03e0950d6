"""All tables of a view as one XLSX workbook (openpyxl): one sheet per table,
bold shaded headers, frozen header row, columns sized to their text, the
cells holding the very values shown on screen.

Formulas cannot run: a text cell that a spreadsheet would read as a formula
(``recur.export_safety.neutralise_cell``'s rule: a leading ``=``, ``+``,
``-``, ``@``, tab or carriage return) is written as a text cell with Excel's
quote prefix, so it shows exactly as on screen and stays text when edited.
A last sheet records what made the workbook (settings, cohort, version).
"""

from __future__ import annotations

import io
import re
from typing import Sequence

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from recur.cutoffs import register_lines
from recur.export.contents import ReportContents
from recur.export_safety import neutralise_cell

HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
SHEET_NAME_LIMIT = 31  # Excel's limit
ABOUT_SHEET = "About"


def workbook_bytes(tables: Sequence[tuple[str, pd.DataFrame]], about: Sequence[tuple[str, str]] = ()) -> bytes:
    """``tables`` as (sheet name, frame) -> XLSX bytes; ``about`` adds a last
    sheet of (field, value) lines. Sheet names are cut to Excel's 31 characters
    without its forbidden characters, and made unique."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for name, frame in [*tables, *([(ABOUT_SHEET, pd.DataFrame(about, columns=["Field", "Value"]))] if about
                                   else [])]:
        sheet = book.create_sheet(_sheet_name(name, used))
        _write(sheet, frame)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def workbook(contents: ReportContents) -> bytes:
    """Every table of ``contents`` (see ``recur.export.report_contents``) as XLSX."""
    return workbook_bytes(contents.tables, provenance(contents))


def provenance(contents: ReportContents) -> list[tuple[str, str]]:
    """What identifies the results (cohort, its content hash, patients, app version, date,
    settings JSON) and each result that could not be made, with its reason."""
    return [("Cohort", contents.cohort_name), ("Content hash", contents.content_hash),
            ("Patients analysed", str(contents.n_patients)), ("recur version", contents.version),
            ("Made on", contents.created.isoformat()),
            *(("Cutoff register", line) for line in register_lines(contents.settings)),
            ("Settings (JSON)", contents.settings.to_json()),
            *(("Not included", reason) for reason in contents.omitted)]


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "-", name).strip("'")[:SHEET_NAME_LIMIT] or "Sheet"
    candidate, k = base, 2
    while candidate.lower() in used:
        suffix = f" ({k})"
        candidate, k = base[:SHEET_NAME_LIMIT - len(suffix)] + suffix, k + 1
    used.add(candidate.lower())
    return candidate


def _write(sheet, frame: pd.DataFrame) -> None:
    for j, column in enumerate(frame.columns, start=1):
        cell = sheet.cell(1, j)
        _set(cell, str(column))
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        for j, value in enumerate(row, start=1):
            _set(sheet.cell(i, j), value)
    for j, column in enumerate(frame.columns, start=1):
        widest = max([len(str(column)), *(len(str(v)) for v in frame.iloc[:, j - 1])])
        sheet.column_dimensions[get_column_letter(j)].width = min(60, widest + 2)
    sheet.freeze_panes = "A2"


def _set(cell, value: object) -> None:
    """A cell's value as on screen; a formula-like text stays text (quote prefix)."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return
    if hasattr(value, "item"):  # numpy scalars -> Python numbers
        value = value.item()
    cell.value = value
    if isinstance(value, str) and neutralise_cell(value) != value:
        cell.data_type = "s"  # openpyxl would store '=...' as a formula
        cell.quotePrefix = True
