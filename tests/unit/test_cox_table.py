"""The per-endpoint Cox table (univariate and multivariable side by side):
n and events per level hand-counted on the demo cohort with pandas, hazard
ratios against ``recur.cox`` and R's coxph (shared/reference/lung.json)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import recur
from recur.analysis import prognostic_tables
from recur.cohort import analysis_frame
from recur.cox_table import DISPLAY_COLUMNS, cox_table
from recur.demo import PUBLISHED_RULES
from recur.format import fmt_hr, fmt_p_value
from recur.screen import screen_cox
from tests.conftest import DATA, reference, reference_data

FACTORS = ("cutoff:bed_gy", "histology", "egfr", "age", "bed_gy")


@pytest.fixture(scope="module")
def demo(nsclc_cohort):
    """The NSCLC demo (publication rules) with the BED cutoff, histology, EGFR, age and BED as factors."""
    return nsclc_cohort, recur.Settings(rules=PUBLISHED_RULES["demo_nsclc_synthetic.csv"][0], factors=FACTORS)


def _hand_counts(cohort, endpoint: str) -> pd.DataFrame:
    """The raw file's BED (dose (1 + d / 10), alpha/beta 10) and histology per
    patient, with the endpoint's derived time and event, counted by hand."""
    raw = pd.read_csv(DATA / "demo_nsclc_synthetic.csv")
    raw["bed"] = raw.rt_dose_gy * (1 + raw.rt_dose_gy / raw.rt_fractions / 10)
    derived = cohort.data[["patient_id", f"{endpoint}_months", f"{endpoint}_event"]]
    return raw.merge(derived, on="patient_id").dropna(subset=[f"{endpoint}_months", f"{endpoint}_event"])


def _row(factor_rows: pd.DataFrame, level: str) -> pd.Series:
    return factor_rows[factor_rows["Level"] == level].iloc[0]


def _factor(display: pd.DataFrame, factor: str) -> pd.DataFrame:
    """The rows of one factor (the factor's name is on its first row only)."""
    named = display["Factor"].replace("", np.nan).ffill()
    return display[named == factor]


@pytest.mark.parametrize("endpoint", ["os", "pfs"])
def test_n_and_events_per_level_are_the_hand_counts(demo, endpoint):
    cohort, settings = demo
    table = prognostic_tables(cohort, settings)[endpoint]
    assert list(table.display.columns) == DISPLAY_COLUMNS
    counts = _hand_counts(cohort, endpoint)
    event = f"{endpoint}_event"
    bed = _factor(table.display, "BED")
    low, high = counts[counts.bed < 78 - 1e-9], counts[counts.bed >= 78 - 1e-9]
    assert _row(bed, "<78 Gy")[["n", "Events"]].tolist() == [len(low), int(low[event].sum())]
    assert _row(bed, ">=78 Gy")[["n", "Events"]].tolist() == [len(high), int(high[event].sum())]
    histology = _factor(table.display, "Histology")
    expected = counts.groupby("histology")[event].agg(["size", "sum"])
    assert histology["Level"].tolist() == sorted(expected.index)
    for level, (n, events) in expected.iterrows():
        assert _row(histology, level)[["n", "Events"]].tolist() == [n, int(events)]
    # reference rows: the cutoff's reference group, and the most frequent histology
    assert expected["size"].idxmax() == "adenocarcinoma"
    assert _row(histology, "adenocarcinoma")["HR (95% CI), univariate"] == "1 (reference)"
    assert _row(bed, "<78 Gy")["HR (95% CI), univariate"] == "1 (reference)"
    assert _row(bed, "<78 Gy")["p, univariate"] == ""
    # a numeric factor is one row of all patients with the value, with its unit
    age = _factor(table.display, "Age").iloc[0]
    assert (age["Level"], age["n"], age["Events"]) == ("per year", len(counts), int(counts[event].sum()))


def test_hazard_ratios_are_recur_cox_per_the_stated_unit(demo):
    cohort, settings = demo
    table = prognostic_tables(cohort, settings)["pfs"]
    frame, _ = analysis_frame(cohort, settings)
    squamous = cox(frame, "histology", {"histology": "adenocarcinoma"}).set_index("level").loc["squamous"]
    shown = _row(_factor(table.display, "Histology"), "squamous")
    assert shown["HR (95% CI), univariate"] == fmt_hr(squamous.hr, squamous.lower, squamous.upper)
    assert shown["p, univariate"] == fmt_p_value(squamous.p)
    per_gy = cox(frame, "bed_gy").iloc[0]
    bed = _factor(table.display, "BED")
    per_10 = bed[bed["Level"] == "per 10 Gy"].iloc[0]
    # per 10 Gy: exp(10 b) with CI exp(10 (b -/+ 1.96 se)); p unchanged
    assert per_10["HR (95% CI), univariate"] == fmt_hr(np.exp(10 * per_gy.coef), per_gy.lower ** 10,
                                                       per_gy.upper ** 10)
    raw = table.rows.set_index(["factor", "level"]).loc[("BED", "per 10 Gy")]
    assert raw["univariate_hr"] == pytest.approx(np.exp(10 * per_gy.coef), rel=1e-12)


def cox(frame: pd.DataFrame, factor: str, reference: dict | None = None) -> pd.DataFrame:
    """recur.cox of PFS on one factor (the univariate model)."""
    return recur.cox(frame, "pfs_months", "pfs_event", [factor],
                     reference={k: v for k, v in (reference or {}).items() if k == factor}).coefficients


def test_multivariable_columns_show_entered_factors_and_dash_for_the_others(demo):
    cohort, settings = demo
    table = prognostic_tables(cohort, settings)["pfs"]
    frame, _ = analysis_frame(cohort, settings)
    references = {"histology": "adenocarcinoma", "egfr": "wild-type"}  # the most frequent levels
    uni_p = {c: cox(frame, c, references).p.min() for c in ("BED >=78 Gy", "histology", "egfr", "age", "bed_gy")}
    entered = {c for c, p in uni_p.items() if p < 0.2}
    assert entered == {"BED >=78 Gy", "egfr"}  # the screening rule, by hand
    age = _factor(table.display, "Age").iloc[0]
    assert age[["HR (95% CI), multivariable", "p, multivariable"]].tolist() == ["-", "-"]
    bed = _factor(table.display, "BED")
    assert _row(bed, "<78 Gy")["HR (95% CI), multivariable"] == "1 (reference)"
    assert _row(bed, "per 10 Gy")["HR (95% CI), multivariable"] == "-"
    multi = recur.cox(frame, "pfs_months", "pfs_event", ["BED >=78 Gy", "egfr"],
                      reference={"egfr": "wild-type"}).coefficients.set_index("level")
    assert _row(bed, ">=78 Gy")["HR (95% CI), multivariable"] == fmt_hr(*multi.loc["BED >=78 Gy", ["hr", "lower", "upper"]])
    egfr = _factor(table.display, "EGFR")
    assert _row(egfr, "unknown")["HR (95% CI), multivariable"] == fmt_hr(*multi.loc["unknown", ["hr", "lower", "upper"]])
    assert _row(egfr, "wild-type")["HR (95% CI), multivariable"] == "1 (reference)"
    events = int(frame.dropna(subset=["pfs_months", "pfs_event", "BED >=78 Gy", "egfr"])["pfs_event"].sum())
    assert any("univariate p < 0.2" in note for note in table.footnotes)
    assert any(f"n={len(frame)}, {events} events" in note for note in table.footnotes)
    # the forest plot's rows are the entered factors' levels
    assert table.model_rows("multivariable")["factor"].tolist() == ["BED", "BED", "EGFR", "EGFR", "EGFR"]


def test_lung_table_matches_r_coxph_univariate_and_multivariable():
    lung = reference_data("lung").rename(columns={"time": "os_months", "event": "os_event", "ph.ecog": "ecog"})
    lung["sex"] = lung["sex"].map({1: "male", 2: "female"})
    screen = screen_cox(lung, ["age", "sex", "ecog", "wt.loss"], ["os"], threshold=1.01, reference={"sex": "male"})
    table = cox_table(screen, lung, "os")
    r = reference("lung")["cox"]
    shown = table.display.set_index("Level")

    def r_hr(model: str, term: str) -> str:
        row = next(c for c in r[model]["efron"]["coefficients"] if c["term"] == term)
        return fmt_hr(row["hr"], row["hr_lower95"], row["hr_upper95"])

    # R: coxph(Surv(time, status) ~ sex), sex 2 vs 1 = female vs male
    assert shown.loc["female", "HR (95% CI), univariate"] == r_hr("sex", "sex")
    assert shown.loc["male", "HR (95% CI), univariate"] == "1 (reference)"
    assert shown.loc["per year", "HR (95% CI), univariate"] == r_hr("age", "age")
    assert shown.loc["per point", "HR (95% CI), univariate"] == r_hr("ph.ecog", "ph.ecog")
    # R: coxph(Surv(time, status) ~ age + sex + ph.ecog + wt.loss), complete cases n = 213, 151 events
    for level, term in (("female", "sex"), ("per year", "age"), ("per point", "ph.ecog"), ("per unit", "wt.loss")):
        assert shown.loc[level, "HR (95% CI), multivariable"] == r_hr("multivariable", term)
    assert any("n=213, 151 events" in note for note in table.footnotes)
    # n and events per sex level: hand count
    counts = lung.groupby("sex")["os_event"].agg(["size", "sum"])
    assert shown.loc["female", ["n", "Events"]].tolist() == [counts.loc["female", "size"], counts.loc["female", "sum"]]
    assert shown.loc["male", ["n", "Events"]].tolist() == [counts.loc["male", "size"], counts.loc["male", "sum"]]


def test_forest_plot_of_the_table_shows_every_reference_row_and_the_same_numbers(demo):
    from recur.figures import build_forest_figure

    cohort, settings = demo
    table = prognostic_tables(cohort, settings)["pfs"]
    fig = build_forest_figure(table.model_rows("univariate"))
    columns = {tr.name: list(tr.text)[1:] for tr in fig.data if tr.mode == "text"}  # less the header
    assert columns["HR (95% CI)"] == table.display["HR (95% CI), univariate"].tolist()
    assert columns["n"] == [str(n) for n in table.display["n"]]
    reference_rows = int((table.display["HR (95% CI), univariate"] == "1 (reference)").sum())
    assert reference_rows == 3  # BED <78 Gy, adenocarcinoma, wild-type
    ref = next(tr for tr in fig.data if tr.name == "reference")
    assert list(ref.x) == [1.0] * reference_rows
    assert columns["Factor"] == [f.replace("<", "&lt;") for f in table.display["Factor"]]
