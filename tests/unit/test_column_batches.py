"""Work done for many columns at once gives what it gives column by column:
every date column parsed in one pass, number columns one pass per unit
family, and a table's columns set in one step."""

import numpy as np
import pandas as pd
import pytest

from recur.dates import parse_date_columns, parse_dates
from recur.frames import rows_frame, stack_rows, with_columns
from recur.values import parse_number_columns, parse_numbers


def _coded(values: list) -> pd.Series:
    return pd.Series(pd.Categorical(values), dtype="category")


def test_date_columns_in_one_pass_read_as_each_alone():
    columns = {
        "date_rt_start": _coded(["2015-01-02", "2015-02-30", None, "2015-01-02"]),  # ISO, one off the calendar
        "date_death": _coded(["31/01/2016", "1850-01-01", "soon", None]),  # day first, implausible, unreadable
        "date_last_followup": _coded(["2016-03-04", "2016-03-04", "2016-05-06", None]),  # all ISO
    }
    together = parse_date_columns(columns, "dmy")
    for col, values in columns.items():
        alone = parse_dates(values, "dmy")
        np.testing.assert_array_equal(together[col].values, alone.values, err_msg=col)
        for mask in ("unreadable", "impossible", "implausible"):
            assert getattr(together[col], mask).tolist() == getattr(alone, mask).tolist(), (col, mask)
    start, death = together["date_rt_start"], together["date_death"]
    assert start.values[0] == pd.Timestamp("2015-01-02") and pd.isna(start.values[2])
    assert start.impossible.tolist() == [False, True, False, False]
    assert death.values[0] == pd.Timestamp("2016-01-31")
    assert death.implausible.tolist() == [False, True, False, False]
    assert death.unreadable.tolist() == [False, False, True, False]


def test_number_columns_read_each_with_its_own_unit_family():
    columns = {
        "rt_dose_gy": _coded(["60", "6000 cGy", "60 Gy", None]),  # dose: cGy and Gy read
        "os_months": _coded(["12 mo", "60 Gy", "1,5", "inf"]),  # time: Gy is not a time unit; decimal comma
        "age": _coded(["61", "60 Gy", "70", "61"]),  # no family: no unit is read
    }
    together = parse_number_columns(columns)
    assert list(together) == list(columns)
    for col, values in columns.items():
        alone = parse_numbers(values, {"rt_dose_gy": "dose", "os_months": "time", "age": None}[col])
        np.testing.assert_array_equal(together[col].values, alone.values, err_msg=col)
        for mask in ("not_numbers", "non_finite", "with_units"):
            assert getattr(together[col], mask).tolist() == getattr(alone, mask).tolist(), (col, mask)
    assert together["rt_dose_gy"].values.tolist()[:3] == [60.0, 60.0, 60.0]
    assert together["rt_dose_gy"].with_units.tolist() == [False, True, True, False]
    assert together["os_months"].values[0] == 12.0 and together["os_months"].values[2] == 1.5
    assert together["os_months"].not_numbers.tolist() == [False, True, False, False]
    assert together["os_months"].non_finite.tolist() == [False, False, False, True]
    assert together["age"].not_numbers.tolist() == [False, True, False, False]


@pytest.mark.parametrize("added", [1, 5])  # a few are set one by one, more by rebuilding the frame
def test_with_columns_replaces_in_place_adds_at_the_end_and_copies_nothing(added):
    df = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]}, index=pd.Index([5, 7], name="file_row"))
    b_before = df["b"].copy()
    new = {"b": pd.Series(["p", "q"], index=df.index), **{f"c{i}": np.array([3.0, i]) for i in range(added)}}
    out = with_columns(df, new)
    assert list(out.columns) == ["a", "b"] + [f"c{i}" for i in range(added)]
    assert out["b"].tolist() == ["p", "q"] and out[f"c{added - 1}"].tolist() == [3.0, added - 1]
    assert out.index.tolist() == [5, 7] and out.index.name == "file_row"
    pd.testing.assert_series_equal(df["b"], b_before)  # the input is left as it was
    assert list(df.columns) == ["a", "b"]
    assert np.shares_memory(out["a"].to_numpy(), df["a"].to_numpy())  # untouched columns are not copied


def test_with_columns_on_a_frame_with_a_repeated_name_sets_as_setitem_does():
    df = pd.DataFrame([[1, 2, 3]], columns=["a", "a", "b"])
    out = with_columns(df, {"b": pd.Series([9]), **{f"c{i}": pd.Series([i]) for i in range(4)}})
    assert list(out.columns) == ["a", "a", "b", "c0", "c1", "c2", "c3"]
    assert out.iloc[0].tolist() == [1, 2, 9, 0, 1, 2, 3]


def test_stacked_rows_equal_pandas_concat_with_a_new_index():
    def part(rows: int, n, note: str) -> pd.DataFrame:
        return pd.DataFrame({"term": [f"t{i}" for i in range(rows)], "hr": np.linspace(0.5, 2.0, rows),
                             "n": n, "level": pd.Categorical(["a"] * rows, categories=["a", "b"]),
                             "note": note}, index=range(10, 10 + rows))
    same = [part(1, np.int64(74), ""), part(3, np.int64(70), "x"), part(2, np.int64(0), "")]
    mixed = same + [part(1, pd.array([pd.NA], dtype="Int64"), "not estimable")]  # a failed model's counts
    for frames in (same, mixed):
        out = stack_rows(frames)
        pd.testing.assert_frame_equal(out, pd.concat(frames, ignore_index=True))
        assert out.index.tolist() == list(range(len(out)))
    assert stack_rows(mixed)["n"].dtype == "Int64" and stack_rows(same)["n"].dtype == np.int64
    other = [part(1, 1, ""), part(1, 2, "").rename(columns={"note": "reason"})]  # other columns: pandas aligns
    pd.testing.assert_frame_equal(stack_rows(other), pd.concat(other, ignore_index=True))
    assert stack_rows(other)["note"].isna().tolist() == [False, True]


def test_a_rows_frame_reads_tuples_and_keeps_its_columns_when_empty():
    rows = [("os", "P1", "no date_rt_start"), ("pfs", "P7", "failure dated after the last follow-up")]
    full = rows_frame(rows, ["endpoint", "patient_id", "reason"])
    assert full.to_dict("list") == {"endpoint": ["os", "pfs"], "patient_id": ["P1", "P7"],
                                    "reason": ["no date_rt_start", "failure dated after the last follow-up"]}
    empty = rows_frame([], ["row", "reason", "content"])
    assert list(empty.columns) == ["row", "reason", "content"] and len(empty) == 0
    assert (empty.dtypes == object).all()
