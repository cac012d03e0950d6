"""AppTest: the Cohort page's Table 1 (mean (SD) toggle, split with p-values, footnote)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def table_one(at: AppTest):
    return at.dataframe[-1].value


def test_table_one_toggle_split_and_footnote():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception, [e.message for e in at.exception]
    plain = table_one(at)
    assert list(plain.columns) == ["Characteristic", "Level", "All patients (n=74)"]
    assert "Mean (SD)" not in set(plain.Level)
    ecog = plain[plain.Characteristic == "ECOG"]
    assert list(ecog.Level) == ["0", "1", "2"]  # integer levels, not 0.0
    dose = plain[plain.Characteristic == "Dose (Gy)"]
    assert list(dose.Level) == ["Median (range)"]  # a number, whatever its few distinct values

    next(t for t in at.toggle if t.label == "Mean (SD) too").set_value(True).run()
    assert "Mean (SD)" in set(table_one(at).Level)

    split = next(s for s in at.selectbox if s.label == "Split by")
    assert split.value == ""  # no sidebar grouping: no split
    split.set_value("BED >=78 Gy").run()
    assert not at.exception, [e.message for e in at.exception]
    grouped = table_one(at)
    assert list(grouped.columns)[-2:] == ["p-value", "Test"]
    assert grouped.loc[grouped.Characteristic == "Sex", "Test"].iloc[0] == "Pearson's chi-square"
    assert any("gtsummary" in c.value for c in at.caption)


def test_split_defaults_to_the_sidebar_grouping():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update({"by": "histology"})
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert next(s for s in at.selectbox if s.label == "Split by").value == "histology"
    columns = list(table_one(at).columns)
    assert columns[2:7] == ["All patients (n=74)", "adenocarcinoma (n=41)", "LELC (n=10)", "other (n=5)",
                            "squamous (n=18)"]  # groups in natural (case-blind alphabetical) order
