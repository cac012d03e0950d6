"""The reader contract on small hostile and real-world files: every file row
is a patient or a listed dropped row, repairs are reported, unreadable
files raise one RecurError that names the file and the fix."""

import io
import time
import zipfile

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import recur
from recur.errors import RecurError
from recur.io import read_table

HEADER = "patient_id,histology,date_rt_start,date_last_followup,os_event\n"


def rows(n: int, start: int = 1) -> str:
    return "".join(f"P{i},adenocarcinoma,2015-01-{i % 28 + 1:02d},2017-01-01,{i % 2}\n" for i in range(start, start + n))


def conserved(c: recur.Cohort) -> bool:
    return len(c.data) + len(c.dropped_rows) == c.file_rows


def rules(c: recur.Cohort) -> set[str]:
    return {p.rule for p in c.problems}


def xlsx(sheets: dict[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, cells in sheets.items():
        ws = book.create_sheet(title)
        for r in cells:
            ws.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_stray_quotes_keep_every_patient():
    # Two stray quote marks (rows 4 and 28) used to swallow 25 rows into one cell.
    lines = (HEADER + rows(74)).splitlines(keepends=True)
    lines[3] = lines[3].replace(",adenocarcinoma,", ',"adenocarcinoma,')
    lines[27] = lines[27].replace(",adenocarcinoma,", ',"adenocarcinoma,')
    c = recur.load_cohort("".join(lines).encode(), name="quotes.csv")
    assert len(c.data) == 74 and conserved(c)
    stray = next(p for p in c.problems if p.rule == "stray_quotes")
    assert stray.patient_ids[0] == "row 4" and stray.patient_ids[-1] == "row 28"
    assert set(c.data["histology"]) == {"adenocarcinoma"}  # the stray marks are not part of the level


def test_short_long_and_blank_rows_are_reported_and_counted():
    text = HEADER + rows(3) + "P9,squamous,2015-02-01\n" + "\n" + ",,,,\n" + "P10,squamous,2015-02-01,2016-01-01,1,extra\n" + rows(1, 20)
    c = recur.load_cohort(text.encode(), name="ragged.csv")
    assert c.file_rows == 8 and len(c.data) == 5 and conserved(c)
    short = next(p for p in c.problems if p.rule == "short_row")
    assert short.patient_ids == ("row 5",)
    dropped = c.dropped_rows.set_index("row")
    assert dropped.loc[6, "reason"] == "blank row" and dropped.loc[7, "reason"] == "blank row"
    assert "6 cells but the header has 5" in dropped.loc[8, "reason"] and "P10" in dropped.loc[8, "content"]
    assert next(p for p in c.problems if p.rule == "dropped_row").patient_ids == ("row 8",)


def test_title_row_above_the_header_and_semicolons():
    text = "Salvage RT cohort; exported 2024-01-05\n\n" + (HEADER + rows(3)).replace(",", ";")
    c = recur.load_cohort(text.encode(), name="titled.csv")
    assert len(c.data) == 3 and conserved(c) and "semicolon" in c.read_notes[0]
    assert list(c.dropped_rows["row"]) == [1, 2] and "above the header" in c.dropped_rows["reason"].iloc[0]


def test_single_column_file_says_the_delimiter_is_the_problem():
    with pytest.raises(RecurError, match="not separated by commas"):
        recur.load_cohort(b"patient_id:age\nP1:60\nP2:70\n", name="colons.csv")


def test_duplicate_header_is_an_error_naming_both_columns():
    with pytest.raises(RecurError, match=r"columns 2 and 4 are both named 'age'"):
        recur.load_cohort(b"patient_id,age,os_months,age,os_event\nP1,60,12,61,1\n", name="dup.csv")


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "utf-16", "utf-8-sig"])
def test_encodings_keep_accents(encoding):
    text = "patient_id,recurrence_site,os_months,os_event\nP1,médiastin,12,1\nP2,cœur ganglion,10,0\n"
    if encoding == "latin-1":
        text = text.replace("cœur", "cour")  # latin-1 has no œ
    c = recur.load_cohort(text.encode(encoding), name="accents.csv")
    assert c.data["recurrence_site"].iloc[0] == "médiastin"
    named = {"cp1252": "Windows-1252", "latin-1": "Windows-1252", "utf-16": "UTF-16", "utf-8-sig": "UTF-8"}
    assert named[encoding] in c.read_notes[0]


def test_long_values_are_cut_in_messages():
    c = recur.load_cohort(("patient_id,os_months,os_event\nP1," + "x" * 100_000 + ",1\n").encode(), name="l.csv")
    message = next(p.message for p in c.problems if p.rule == "not_a_number")
    assert len(message) < 300 and "…" in message


def test_xlsx_reads_the_sheet_holding_patient_id_and_names_the_others():
    raw = xlsx({"Notes": [["Cohort of 2024"], ["draft"]],
                "Patients": [["patient_id", "os_months", "os_event"], ["P1", 12, 1], ["P2", 30.5, 0]],
                "More patients": [["patient_id", "os_months", "os_event"], ["P3", 4, 1]]})
    c = recur.load_cohort(raw, name="book.xlsx")
    assert c.sheet == "Patients" and list(c.data["patient_id"]) == ["P1", "P2"]
    other = next(p for p in c.problems if p.rule == "other_sheets")
    assert "'More patients' (2 rows)" in other.message and "'Notes'" in other.message
    c = recur.load_cohort(raw, name="book.xlsx", settings=recur.Settings(sheet="More patients"))
    assert list(c.data["patient_id"]) == ["P3"]


def test_xlsx_formula_and_error_cells_are_reported():
    raw = xlsx({"S": [["patient_id", "os_months", "os_event"], ["P1", "=1/0", 1], ["P2", "=2*6", 0],
                      ["P3", 7, 1]]})
    c = recur.load_cohort(raw, name="formulas.xlsx")  # openpyxl saves no results: both formulas have none
    unsaved = next(p for p in c.problems if p.rule == "formula_no_value")
    assert unsaved.column == "os_months" and unsaved.patient_ids == ("row 2", "row 3")
    assert len(c.data) == 3 and conserved(c)


def _patched_xlsx(raw: bytes, part: str, text: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, text if info.filename == part else src.read(info.filename))
    return out.getvalue()


def test_xlsx_entity_expansion_truncation_and_zip_bomb_are_refused():
    raw = xlsx({"S": [["patient_id", "os_months", "os_event"], ["P1", 12, 1]]})
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
              b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
              b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>')
    with pytest.raises(RecurError, match="could not be read as an XLSX"):
        recur.load_cohort(_patched_xlsx(raw, "xl/worksheets/sheet1.xml", laughs), name="lol.xlsx")
    with pytest.raises(RecurError, match="not a readable XLSX"):
        recur.load_cohort(raw[: len(raw) // 2], name="cut.xlsx")
    bomb = _patched_xlsx(raw, "xl/worksheets/sheet1.xml", b" " * (40 * 2**20))
    started = time.perf_counter()
    with pytest.raises(RecurError, match="compression at most"):
        recur.load_cohort(bomb, name="bomb.xlsx")
    assert time.perf_counter() - started < 5  # refused from the zip directory, never inflated


def test_parquet_time_zones_far_dates_binary_and_lists():
    table = pa.table({
        "patient_id": ["P1", "P2", "P3"],
        # 23:30 UTC on 4 Jan is 5 Jan in Tokyo: the local date is the date the clinic wrote down
        "date_rt_start": pa.array(pd.to_datetime(["2015-01-04 23:30", "2015-02-01 00:00", "2015-03-01 00:00"]).tz_localize("UTC")
                                  .tz_convert("Asia/Tokyo")),
        "date_last_followup": pa.array([pd.Timestamp("2016-01-05").to_pydatetime(), None, None],
                                       pa.timestamp("us")),
        "date_death": pa.array([None, pd.Timestamp("2015-06-01").to_pydatetime(),
                                __import__("datetime").datetime(3000, 1, 1)], pa.timestamp("us")),
        "notes": pa.array([b"ok", b"\xff\xfe", None], pa.binary()),
        "distant_sites": pa.array([["lung", "bone"], None, ["brain"]]),
    })
    out = io.BytesIO()
    pq.write_table(table, out)
    c = recur.load_cohort(out.getvalue(), name="c.parquet")
    d = c.data.set_index("patient_id")
    assert d.loc["P1", "date_rt_start"] == pd.Timestamp("2015-01-05")
    assert d.loc["P1", "distant_sites"] == "lung;bone"
    assert next(p for p in c.problems if p.rule == "implausible_date").patient_ids == ("P3",)
    assert next(p for p in c.problems if p.rule == "binary_value").column == "notes"
    assert len(c.data) == 3 and conserved(c)


def test_rows_in_file_equal_rows_loaded_plus_listed_for_the_demo():
    raw = read_table("data/demo_npc_reirradiation_synthetic.csv")
    assert raw.file_rows == len(raw.table) == 184 and raw.dropped.empty
    assert list(raw.table.index[:2]) == [2, 3]  # file rows, the header being row 1
