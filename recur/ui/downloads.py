"""Every download button of the app. Tables go out through
``recur.export_safety.to_csv``, so no spreadsheet runs a cell as a formula;
st.dataframe's own CSV export is off (``client.disableDataExport``) so this is
the only way a table leaves the app."""

from __future__ import annotations

from typing import Callable

import pandas as pd
import streamlit as st

from recur.export_safety import to_csv


def download_table(label: str, frame: pd.DataFrame, file_name: str, container=st) -> None:
    """A CSV download of ``frame`` with formula-leading cells neutralised, written
    when clicked (not on every rerun: 40 ms for a 1e5-patient curve table)."""
    container.download_button(label, lambda: to_csv(frame), file_name, mime="text/csv", on_click="ignore")


def download_json(label: str, text: str, file_name: str, container=st, help: str | None = None) -> None:
    """A JSON download (analysis settings): not a spreadsheet format."""
    container.download_button(label, text, file_name, mime="application/json", help=help, on_click="ignore")


def download_made_on_click(label: str, make: Callable[[], bytes | str], file_name: str, mime: str, *,
                           key: str, container=st, help: str | None = None, disabled: bool = False) -> None:
    """A download whose file is made only when clicked (Streamlit runs ``make``
    in its download thread), for exports that take seconds to build. ``make``
    must not call streamlit; the exports neutralise formulas themselves
    (``recur.export.workbook``)."""
    container.download_button(label, make, file_name, mime=mime, key=key, help=help, on_click="ignore",
                              disabled=disabled, width="stretch")
