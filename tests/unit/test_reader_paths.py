"""The fast reading paths give exactly what the careful ones give: Arrow from
the bytes, pandas' C parser on the decoded text and the line-by-line reader
agree cell for cell (text, missing, file rows, dropped rows, findings); the
ISO-date shortcut agrees with the format loop; coded columns hash as the
text they hold."""

import codecs
import hashlib

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import recur
from recur.cohort import _fingerprint
from recur.dates import parse_dates
from recur.io import contract, read_table, text

DEMOS = ["data/demo_nsclc_synthetic.csv", "data/demo_escc_salvage_synthetic.csv"]
# Edge spaces of every kind str.strip removes, missing markers, accents and CJK, a cell that is only spaces.
EDGES = ("patient_id,sex,histology,age,date_rt_start,note\r\n"
         "P1, M ,adenocarcinoma,61,2015-01-02,caf\u00e9\r\n"
         "P2,F\u00a0,squamous,NA,2015-01-03,\u3000\u80ba\u764c\r\n"
         "P3,\u2003M,.,  ,2015-02-30,\x1cx\x1f\r\n"
         "P4,n/a,SCC,72,#N/A,null\r\n"
         "P5,M,adenocarcinoma,1e2,2015-03-01,   \r\n")


def _paths(monkeypatch, raw: bytes, name: str) -> dict[str, recur.io.RawTable]:
    """The file read by each path in turn (the faster ones switched off)."""
    out = {"arrow": read_table(raw, name)}
    monkeypatch.setattr(text, "_arrow_cells", lambda *a: None)
    out["pandas"] = read_table(raw, name)
    monkeypatch.setattr(text, "_fast_cells", lambda *a: None)
    out["careful"] = read_table(raw, name)
    return out


def _as_text(raw: recur.io.RawTable) -> pd.DataFrame:
    return pd.DataFrame({c: raw.table.column(c).cells() for c in raw.table.names}, index=raw.table.index)


@pytest.mark.parametrize("source", DEMOS + ["edges", "edges-bom", "edges-tab"])
def test_arrow_pandas_and_careful_readers_agree_cell_for_cell(monkeypatch, source):
    if source.startswith("edges"):
        content = EDGES.replace(",", "\t") if source.endswith("tab") else EDGES
        raw = (codecs.BOM_UTF8 if source.endswith("bom") else b"") + content.encode("utf-8")
    else:
        raw = open(source, "rb").read()
    assert text._read_plain_utf8(raw, "f.csv") is not None  # the file does take the Arrow path
    reads = _paths(monkeypatch, raw, "f.csv")
    first = reads["arrow"]
    assert first.description == reads["careful"].description
    for path, other in reads.items():
        pd.testing.assert_frame_equal(_as_text(other), _as_text(first), obj=path)
        pd.testing.assert_frame_equal(other.dropped, first.dropped, obj=path)
        assert (other.findings, other.file_rows, other.encoding) == (first.findings, first.file_rows, first.encoding)
    if source.startswith("edges"):
        cells = _as_text(first)
        # each rule by hand: trimmed, markers missing, accents and CJK kept, a cell of spaces missing
        assert cells["sex"].tolist() == ["M", "F", "M", None, "M"]
        assert cells["age"].tolist() == ["61", None, None, "72", "1e2"]
        assert cells["note"].tolist() == ["caf\u00e9", "\u80ba\u764c", "x", None, None]
        assert list(cells.index) == [2, 3, 4, 5, 6]


SHAPES = {"header only": b"patient_id,age\n", "no final newline": b"patient_id,age\nP1,60",
          "CR line ends": b"patient_id,age\rP1,60\rP2,61\r", "mixed line ends": b"patient_id,age\r\nP1,60\nP2,61\r\n",
          "blank lines": b"patient_id,age\nP1,60\n\nP2,61\n\n\n", "spaced header": b" patient_id , age \nP1 , 60 \n"}


@pytest.mark.parametrize("shape", SHAPES)
def test_file_shapes_read_alike_by_every_path(monkeypatch, shape):
    reads = _paths(monkeypatch, SHAPES[shape], "s.csv")
    for path, other in reads.items():
        pd.testing.assert_frame_equal(_as_text(other), _as_text(reads["arrow"]), obj=path)
        pd.testing.assert_frame_equal(other.dropped, reads["arrow"].dropped, obj=path)
        assert (other.findings, other.file_rows) == (reads["arrow"].findings, reads["arrow"].file_rows)
    assert len(reads["arrow"].table) == {"header only": 0, "no final newline": 1, "spaced header": 1}.get(shape, 2)


def test_coded_columns_keep_only_the_texts_of_patient_rows():
    raw = read_table(b"Cohort export 2024,,\npatient_id,sex,stage\nP1,M,III\nP2,M,IV\n", "t.csv")
    assert list(raw.table.column("sex").texts) == ["M"]  # not the title row's nor the header's words
    assert list(raw.table.column("patient_id").texts) == ["P1", "P2"]
    assert raw.dropped["row"].tolist() == [1]


def test_a_quoted_or_ragged_file_leaves_the_arrow_path_and_reads_the_same(monkeypatch):
    calls = []
    original = text._arrow_cells
    monkeypatch.setattr(text, "_arrow_cells", lambda *a: calls.append(original(*a)) or calls[-1])
    quoted = read_table(b'patient_id,site\nP1,"lung, left"\nP2,brain\n', "q.csv")
    ragged = read_table(b"patient_id,site,age\nP1,lung\nP2,brain,60\n", "r.csv")
    assert calls == [None, None]
    assert quoted.table.column("site").cells().tolist() == ["lung, left", "brain"]
    assert ragged.table.column("age").cells().tolist() == [None, "60"]
    assert any(f.rule == "short_row" for f in ragged.findings)


def test_iso_date_shortcut_agrees_with_the_format_loop():
    iso = ["2015-01-02", "1850-06-01", "0000-01-01", "2399-12-31", "2020-02-29", None]
    fast = parse_dates(pd.Series(iso, dtype=object))
    # one value the shortcut cannot take sends every value through the loop of formats
    loop = parse_dates(pd.Series(iso + ["02/01/2015"], dtype=object)).__dict__
    np.testing.assert_array_equal(fast.values, loop["values"][:len(iso)])
    for field in ("unreadable", "impossible", "implausible"):
        assert getattr(fast, field).tolist() == loop[field][:len(iso)].tolist(), field
    assert fast.values[0] == pd.Timestamp("2015-01-02") and fast.values[4] == pd.Timestamp("2020-02-29")
    assert fast.implausible.tolist() == [False, True, True, True, False, False]
    impossible = parse_dates(pd.Series(["2015-02-30", "2015-01-02"], dtype=object))
    assert impossible.impossible.tolist() == [True, False]  # not on the calendar: the loop names it


def test_content_hash_is_the_sha256_of_each_cells_text_hash():
    raw = read_table(EDGES.encode(), "e.csv")
    h = hashlib.sha256("\x1f".join(raw.table.names).encode())
    for col in raw.table.names:  # by hand, cell by cell: missing mask, then a 64-bit hash of each text ("" if missing)
        cells = raw.table.column(col).cells().tolist()
        h.update(np.array([c is None for c in cells]).tobytes())
        h.update(pd.util.hash_array(np.array(["" if c is None else c for c in cells], dtype=object)).tobytes())
    assert _fingerprint(raw) == h.hexdigest()[:16]


def test_edge_test_flags_every_character_str_strip_removes():
    spaces = [chr(cp) for cp in range(0x110000) if chr(cp).isspace()]
    texts = [f"{c}a" for c in spaces] + [f"a{c}" for c in spaces] + ["", "abc", "caf\u00e9", "a b", "1.5"]
    flagged = text._edge_not_plain(pa.array(texts, type=pa.string()))
    assert flagged[:2 * len(spaces)].all()
    assert flagged[2 * len(spaces):].tolist() == [True, False, True, False, False]  # empty; accented end: looked at
    assert len(spaces) == 29  # the str.isspace set this test walks (Python 3.11, Unicode 14)


@pytest.mark.parametrize("odd", ["2015-1-02", "+2015-01-01", "20150102", "2015-01", "2015-01-02T00:00",
                                 "\u0662\u0660\u0661\u0665-\u0660\u0661-\u0660\u0662", "10000-01-01", "-001-01-01",
                                 "2015-02-30", "31/01/2015", "NaT", "today"])
def test_iso_shortcut_takes_only_plain_valid_yyyy_mm_dd(odd):
    from recur import dates

    latest = pd.Timestamp("2030-01-01")
    assert dates._all_iso(pd.Series([odd, "2015-01-02"], dtype=object), latest) is None
    taken = dates._all_iso(pd.Series(["2016-02-29", None, "1899-12-31"], dtype=object), latest)
    assert taken.values[0] == pd.Timestamp("2016-02-29") and taken.implausible.tolist() == [False, False, True]


def test_raw_codes_lose_missing_markers_and_merge_trimmed_texts():
    texts = np.array(["a", "", "NA", "b"], dtype=object)  # cells: a, '', b, NA, a
    only_missing = contract.coded_from_raw(np.array([0, 1, 3, 2, 0], dtype=np.int32), texts)
    assert only_missing.texts.tolist() == ["a", "b"] and only_missing.codes.tolist() == [0, -1, 1, -1, 0]
    assert only_missing.codes.dtype == np.int32
    trimmed = contract.coded_from_raw(np.array([0, 1, 2, 3], dtype=np.int32),
                                      np.array(["a", " a", "", "b "], dtype=object))
    assert trimmed.texts.tolist() == ["a", "b"] and trimmed.codes.tolist() == [0, 0, -1, 1]
    assert trimmed.cells().tolist() == ["a", "a", None, "b"]
