"""Downloads that are safe to open in a spreadsheet: OWASP's rule against
CSV / formula injection. A text cell starting with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return gets a leading single quote, so Excel, LibreOffice
and Google Sheets show it as text instead of running it. A cell that reads as
a number (``-2.5``, ``+3``, ``1e-3``) is left as it is, so negative numbers stay
numbers. Column names are cells too.

>>> to_csv(pd.DataFrame({"id": ["=HYPERLINK(\\"http://x\\")", "-3"], "dfi": [-1.5, 2.0]}))
'id,dfi\\n"\\'=HYPERLINK(""http://x"")",-1.5\\n-3,2.0\\n'
"""

from __future__ import annotations

import re

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def neutralise_cell(value: object) -> object:
    """One cell: a formula-leading text gets a leading quote; anything else is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names cannot run as formulas.
    Numeric columns are untouched; text columns are checked cell by cell."""
    out = frame.copy()
    for i in range(out.shape[1]):
        col = out.iloc[:, i]
        if not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)
                or pd.api.types.is_datetime64_any_dtype(col)):
            out.isetitem(i, col.map(neutralise_cell, na_action="ignore").astype(object))
    out.columns = [neutralise_cell(str(c)) for c in out.columns]
    return out


def to_csv(frame: pd.DataFrame) -> str:
    """The frame as CSV text for a download, formulas neutralised, no index."""
    return neutralise_formulas(frame).to_csv(index=False)
