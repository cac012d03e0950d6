"""Table 1: shape by column kind, natural level order, missing last, the
display text, and the p-values of the split against R (the calls quoted, from
tests/reference/table_one/table_one.R), scipy and hand counts."""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2, chi2_contingency, fisher_exact, kruskal, mannwhitneyu

from recur import table_one as t1mod
from recur import tables
from recur.format import fmt_stat, table_one_display, table_one_footnote
from recur.table_one import (CHI_SQUARE, FISHER, FISHER_MONTE_CARLO, KRUSKAL, WILCOXON, categorical_test,
                             default_kinds, default_variables, fisher_exact_rxc, natural_key, numeric_test,
                             table_one)

REF = Path(__file__).resolve().parents[1] / "reference" / "table_one"
KINDS = {"sex": "category", "stage": "text", "ecog": "integer", "age": "number", "dose_gy": "number",
         "gtv_cc": "number"}


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(REF / "data.csv")


@pytest.fixture(scope="module")
def r_values() -> dict:
    return json.loads((REF / "table_one.json").read_text())


def p_of(t: pd.DataFrame, variable: str) -> tuple[float, str]:
    row = t[t.variable == variable].iloc[0]
    return row.p_value, row.test


# ---------------------------------------------------------------- p-values against R

# (variable, split, key in table_one.json, test recur must choose); the R call is in the key's
# line of table_one.R, e.g. sex_grp2_chisq: chisq.test(table(d$sex, d$grp2), correct = FALSE)$p.value.
R_CASES = [
    ("sex", "grp2", "sex_grp2_chisq", CHI_SQUARE),  # expected counts 7.5
    ("sex", "grp3", "sex_grp3_chisq", CHI_SQUARE),  # smallest expected count exactly 5: still chi-square
    ("stage", "grp2", "stage_grp2_fisher", FISHER),  # 4 x 2, one stage missing
    ("stage", "grp3", "stage_grp3_fisher", FISHER),  # 4 x 3: the r x c enumeration
    ("ecog", "grp2", "ecog_grp2_fisher", FISHER),  # 3 ECOG missing, excluded
    ("ecog", "grp3", "ecog_grp3_fisher", FISHER),
    ("age", "grp2", "age_grp2_wilcox", WILCOXON),  # exact: 15 + 15 values, no ties
    ("gtv_cc", "grp2", "gtv_grp2_wilcox", WILCOXON),  # ties: normal approximation, continuity correction
    ("dose_gy", "grp2", "dose_grp2_wilcox", WILCOXON),
    ("age", "grp3", "age_grp3_kruskal", KRUSKAL),
    ("dose_gy", "grp3", "dose_grp3_kruskal", KRUSKAL),
]


@pytest.mark.parametrize("variable, by, key, test", R_CASES, ids=[c[2] for c in R_CASES])
def test_p_values_match_r(data, r_values, variable, by, key, test):
    t = table_one(data, [variable], by=by, kinds=KINDS)
    p, name = p_of(t, variable)
    assert name == test
    # Same arithmetic in double precision (exact sums or the same closed forms): 1e-9 relative.
    assert p == pytest.approx(r_values[key], rel=1e-9)


def test_r_reference_boundary_case_is_what_the_test_claims(r_values):
    assert r_values["sex_grp3_expected_min"] == 5  # R: min(chisq.test(table(d$sex, d$grp3))$expected)


def test_fisher_2x2_through_the_rxc_enumeration_matches_r_and_scipy(data, r_values):
    table = pd.crosstab(data["sex"], data["grp2"]).to_numpy()
    assert fisher_exact_rxc(table) == pytest.approx(r_values["sex_grp2_2x2_fisher"], rel=1e-9)
    assert fisher_exact_rxc(table) == pytest.approx(fisher_exact(table).pvalue, rel=1e-9)


# ---------------------------------------------------------------- p-values against scipy and by hand

def test_categorical_test_against_scipy_and_by_hand():
    table = np.array([[10, 5], [5, 10]])  # every expected count 7.5
    p, name = categorical_test(table)
    assert name == CHI_SQUARE
    assert p == pytest.approx(chi2_contingency(table, correction=False).pvalue, rel=1e-12)
    # by hand: X2 = 4 * 2.5^2 / 7.5 = 10/3 on 1 df
    assert p == pytest.approx(chi2.sf(10 / 3, 1), rel=1e-12)
    # [[3, 1], [1, 3]]: hypergeometric weights of x = 0..4 are 1, 16, 36, 16, 1 (/70); x = 3 has 16,
    # so two-sided p = (1 + 16 + 16 + 1) / 70
    p, name = categorical_test(np.array([[3, 1], [1, 3]]))
    assert name == FISHER and p == pytest.approx(34 / 70, rel=1e-12)
    assert fisher_exact_rxc(np.array([[3, 1], [1, 3]])) == pytest.approx(34 / 70, rel=1e-12)


def test_empty_levels_and_groups_are_dropped_before_testing():
    # R's chisq.test / fisher.test re-factor their inputs, so unused levels never enter the table
    with_empty = np.array([[10, 5, 0], [5, 10, 0], [0, 0, 0]])
    assert categorical_test(with_empty) == categorical_test(np.array([[10, 5], [5, 10]]))
    assert math.isnan(categorical_test(np.array([[4, 0], [6, 0]]))[0])  # one group only


def test_numeric_test_against_scipy():
    x, y, z = np.array([1.0, 4, 6, 9]), np.array([2.0, 3, 8, 10, 12]), np.array([5.0, 7, 11])
    p, name = numeric_test([x, y])
    assert name == WILCOXON
    assert p == pytest.approx(mannwhitneyu(x, y, method="exact").pvalue, rel=1e-12)
    tied = np.array([1.0, 2, 2, 3])
    p, _ = numeric_test([tied, y])
    assert p == pytest.approx(mannwhitneyu(tied, y, method="asymptotic", use_continuity=True).pvalue, rel=1e-12)
    p, name = numeric_test([x, y, z])
    assert name == KRUSKAL and p == pytest.approx(kruskal(x, y, z).pvalue, rel=1e-12)
    assert math.isnan(numeric_test([x, np.array([])])[0])
    assert math.isnan(numeric_test([np.ones(3), np.ones(4)])[0])  # no variation: no test


def test_wilcoxon_switches_to_the_normal_approximation_at_50_values():
    rng = np.random.default_rng(1)
    x, y = rng.permutation(200)[:50].astype(float), rng.permutation(200)[50:60].astype(float) + 0.5
    p, _ = numeric_test([x, y])  # 50 values in one group: R uses the normal approximation
    assert p == pytest.approx(mannwhitneyu(x, y, method="asymptotic", use_continuity=True).pvalue, rel=1e-12)


def test_fisher_monte_carlo_when_too_many_tables(monkeypatch, data, r_values):
    monkeypatch.setattr(t1mod, "FISHER_MAX_TABLES", 10)
    table = pd.crosstab(data["stage"], data["grp3"]).to_numpy()
    p, name = categorical_test(table)
    assert name == FISHER_MONTE_CARLO
    # 100,000 simulated tables: standard error sqrt(0.37 * 0.63 / 1e5) = 0.0015, so 0.01 is > 6 SE
    assert p == pytest.approx(r_values["stage_grp3_fisher"], abs=0.01)
    assert categorical_test(table) == (p, name)  # fixed seed: the same p on every rerun


# ---------------------------------------------------------------- shape, order, missing

def test_dose_with_three_values_is_a_number():
    df = pd.DataFrame({"rt_dose_gy": [60, 62.00000000000001, 66, 62.00000000000001, np.nan]})
    t = table_one(df, ["rt_dose_gy"], kinds=default_kinds(df))
    assert list(t.kind) == ["numeric", "numeric"] and list(t.is_missing) == [False, True]
    row = t.iloc[0]
    assert (row.n, row["min"], row["max"], row.n_missing) == (4, 60, 66, 1)
    assert row["median"] == pytest.approx(62)
    shown = table_one_display(t).set_index("Level")["All patients (n=5)"]
    assert shown.to_dict() == {"Median (range)": "62 (60-66)", "Missing": "1"}


def test_ecog_with_a_missing_value_prints_integer_levels_missing_last():
    df = pd.DataFrame({"ecog": [2, 0, np.nan, 1, 0, 1, 1]})  # float64 because of the NaN
    t = table_one(df, ["ecog"], kinds=default_kinds(df))
    assert list(t.level) == ["0", "1", "2", "missing"]
    assert list(t.n) == [2, 3, 1, 1]
    assert t.percent.iloc[:3].tolist() == pytest.approx([100 * 2 / 6, 100 * 3 / 6, 100 * 1 / 6])
    shown = table_one_display(t)
    assert list(shown.Level) == ["0", "1", "2", "Missing"]
    assert list(shown["All patients (n=7)"]) == ["2 (33.3%)", "3 (50.0%)", "1 (16.7%)", "1"]


def test_integer_kind_with_many_values_and_no_kind_numbers_are_medians():
    df = pd.DataFrame({"rt_fractions": [5, 10, 15, 20, 25, 30, 33], "score": [0, 1, 0, 1, 1, 0, 1]})
    t = table_one(df, ["rt_fractions", "score"], kinds={"rt_fractions": "integer"})
    assert set(t.kind) == {"numeric"}  # 7 distinct fractions > 6; 'score' has no kind and is numeric
    t = table_one(df, ["score"], kinds={"score": "integer"})
    assert list(t.level) == ["0", "1"]


def test_natural_level_order():
    df = pd.DataFrame({
        "stage_initial": ["IV", "IIIB", "I", "IIA", "IIIA", "II", "IIIA"],
        "stage_recurrence": ["rT10", "rT3-4", "rT1-2", "rT3-4", "rT1-2", "rT1-2", "rT3-4"],
        "count": ["10", "2", "1", "2", "1", "10", "1"],
        "histology": ["squamous", "LELC", "adenocarcinoma", "other", "LELC", "other", "squamous"],
        "grade": pd.Categorical(["high", "low", "low", "high", "low", "low", "high"], categories=["low", "high"]),
    })
    t = table_one(df, kinds={c: "text" for c in df})
    levels = {v: list(g.level) for v, g in t.groupby("variable", sort=False)}
    assert levels == {"stage_initial": ["I", "II", "IIA", "IIIA", "IIIB", "IV"],
                      "stage_recurrence": ["rT1-2", "rT3-4", "rT10"],
                      "count": ["1", "2", "10"],
                      "histology": ["adenocarcinoma", "LELC", "other", "squamous"],
                      "grade": ["low", "high"]}
    assert sorted(["V", "IV", "III"], key=natural_key) == ["III", "IV", "V"]
    assert natural_key("IMRT")[0] == 2  # text, not stage I


def test_missing_row_last_in_every_group_and_levels_shared():
    df = pd.DataFrame({"stage_initial": ["I", None, "III", "I", "II", None],
                       "arm": ["a", "a", "a", "b", "b", "b"]})
    t = table_one(df, ["stage_initial"], by="arm", kinds={"stage_initial": "text"})
    for _, g in t.groupby("group", sort=False):
        assert list(g.level) == ["I", "II", "III", "missing"]
    b = t[t.group == "b"].set_index("level")
    assert (b.loc["III", "n"], b.loc["missing", "n"]) == (0, 1)
    assert b.loc["I", "percent"] == pytest.approx(50.0)  # percent of patients with a value


def test_mean_sd_and_display_with_split():
    df = pd.DataFrame({"age": [50, 61, 72, 45, 58, 66, 70, 49], "arm": list("aaaabbbb")})
    t = table_one(df, ["age"], by="arm", kinds={"age": "number"})
    all_row = t[t.group == "All patients"].iloc[0]
    assert all_row["mean"] == pytest.approx(np.mean(df.age))
    assert all_row["sd"] == pytest.approx(np.std(df.age, ddof=1))
    shown = table_one_display(t, mean_sd=True)
    assert list(shown.columns) == ["Characteristic", "Level", "All patients (n=8)", "a (n=4)", "b (n=4)",
                                   "p-value", "Test"]
    assert list(shown.Level) == ["Median (range)", "Mean (SD)"]
    # a: 45 50 61 72 -> median 55.5; mean 57; SD sqrt((49 + 16 + 225 + 144) / 3) = 12.03 -> '12'
    assert shown["a (n=4)"].tolist() == ["55.5 (45-72)", "57 (12)"]
    assert shown.Test.tolist() == [WILCOXON, ""]
    assert shown["p-value"].iloc[1] == ""
    note = table_one_footnote(t, "arm")
    assert "Wilcoxon rank-sum" in note and "Fisher's exact" in note and "gtsummary" in note


def test_footnote_counts_patients_outside_the_split():
    df = pd.DataFrame({"sex": list("MFMFMF"), "arm": ["a", "a", "b", "b", None, None]})
    t = table_one(df, ["sex"], by="arm", kinds={"sex": "category"})
    assert "2 patient(s) without a value of arm are in All patients only." in table_one_footnote(t, "arm")
    assert table_one_footnote(table_one(df, ["sex"])).startswith("Numbers: median (range)")


def test_fmt_stat_digits():
    assert [fmt_stat(x) for x in (62.00000000000001, 60.0, 78.04, 2.25, 0.0412, 1234.5, -0.0)] == [
        "62", "60", "78", "2.25", "0.0412", "1234", "0"]


# ---------------------------------------------------------------- kinds and default variables

def test_default_kinds():
    df = pd.DataFrame({"patient_id": ["p1"], "ecog": [1.0], "rt_dose_gy": [60.0], "eqd2_gy": [70.0],
                       "dose_per_fraction": [2.0], "os_event": [1.0], "tox_pneumonitis": [2],
                       "date_rt_start": pd.to_datetime(["2020-01-01"]), "pack_years": [20.5],
                       "charlson": [3], "smoker": ["yes"]})
    assert default_kinds(df) == {"patient_id": "id", "ecog": "integer", "rt_dose_gy": "number",
                                 "eqd2_gy": "number", "dose_per_fraction": "number", "os_event": "category",
                                 "tox_pneumonitis": "integer", "date_rt_start": "date", "pack_years": "number",
                                 "charlson": "integer", "smoker": "category"}


def test_default_variables_add_the_users_extra_columns():
    n = 20
    df = pd.DataFrame({
        "patient_id": [f"p{i}" for i in range(n)], "age": np.arange(n) + 40.0, "sex": ["M", "F"] * 10,
        "os_months": np.arange(n) * 1.0, "os_event": [0, 1] * 10, "tox_pneumonitis": [0, 1] * 10,
        "dose_per_fraction": [2.0, 3.0] * 10, "failure_pattern": ["none"] * n,
        "date_extra": pd.date_range("2020-01-01", periods=n), "notes": [f"free text {i}" for i in range(n)],
        "BED >=78 Gy": ["BED <78 Gy", "BED >=78 Gy"] * 10, "constant": ["x"] * n,
        "pack_years": np.linspace(0, 60, n), "smoker": ["yes", "no", "former", "no"] * 5, "hospital_code": [1, 2] * 10,
    })
    assert default_variables(df) == ["age", "sex", "pack_years", "smoker", "hospital_code"]
    t = table_one(df)  # variables default to default_variables
    assert list(dict.fromkeys(t.variable)) == ["age", "sex", "pack_years", "smoker", "hospital_code"]


def test_tables_module_keeps_table_one_importable():
    assert tables.table_one is table_one and tables.VARIABLE == "variable"
