"""Issue 6's loading rules on small files: extra columns typed and usable,
spellings merged only when asked, one date order per file, time units,
units written in cells, integer scores printed as integers."""

import json
from pathlib import Path

import pandas as pd
import pytest

import recur
from recur.levels import propose_merges

REF = Path(__file__).resolve().parents[1] / "reference" / "extra_column"


def load(text: str, settings: recur.Settings | None = None, name: str = "c.csv") -> recur.Cohort:
    return recur.load_cohort(text.encode(), name=name, settings=settings)


def rule(c: recur.Cohort, name: str):
    return next(p for p in c.problems if p.rule == name)


def test_extra_numeric_column_is_cut_and_used_as_a_cox_term_as_in_r():
    ref = json.loads((REF / "reference.json").read_text())
    c = recur.load_cohort(REF / "cohort.csv")
    assert c.kinds["tumour_size_cm"] == "number" and "tumour_size_cm" in c.numeric_columns()
    cut = recur.Cutoff("tumour_size_cm", ">=", 3)
    frame, _ = recur.analysis_frame(c, recur.Settings(cutoffs=(cut,)))
    assert (frame[cut.label] == cut.label).sum() == ref["n_big"] == 23
    # R: coxph(Surv(os_months, os_event) ~ I(tumour_size_cm >= 3)); coxph(... ~ tumour_size_cm); survdiff
    term = recur.cox(frame, "os_months", "os_event", [cut.label]).coefficients.iloc[0]
    assert term.coef == pytest.approx(ref["cut_coef"], rel=1e-6) and term.se == pytest.approx(ref["cut_se"], rel=1e-6)
    size = recur.cox(frame, "os_months", "os_event", ["tumour_size_cm"]).coefficients.iloc[0]
    assert size.coef == pytest.approx(ref["size_coef"], rel=1e-6) and size.p == pytest.approx(ref["size_p"], rel=1e-6)
    lr = recur.logrank(frame, "os_months", "os_event", cut.label)
    assert lr.chisq == pytest.approx(ref["logrank_chisq"], rel=1e-6)


def test_extra_columns_typed_by_their_values():
    text = ("patient_id,os_months,os_event,nodes,smoker,comment,visit,mrn_hash\n"
            + "".join(f"P{i},{10 + i},{i % 2},{i % 4},{'yes' if i % 3 else 'no'},note number {i},"
                      f"2020-01-{i + 1:02d},h{i * 7919}\n" for i in range(20)))
    c = load(text)
    assert c.kinds["nodes"] == "integer" and c.kinds["smoker"] == "category"
    assert c.kinds["comment"] in ("text", "id") and c.kinds["visit"] == "date" and c.kinds["mrn_hash"] == "id"
    assert "nodes" in c.numeric_columns() and "nodes" in c.categorical_columns() and "smoker" in c.categorical_columns()
    assert "comment" not in c.categorical_columns()
    # the user's override: read nodes as a category
    c2 = load(text, recur.Settings(column_types=(("nodes", "category"),)))
    assert c2.kinds["nodes"] == "category" and "nodes" not in c2.numeric_columns()


def test_merged_levels_change_the_groups_only_when_accepted():
    text = ("patient_id,histology,os_months,os_event\n"
            "A1,Adeno,10,1\nA2,adenocarcinoma,12,0\nA3,adenocarcinoma,20,1\nS1,SCC,5,1\nS2,Squamous cell,7,1\n"
            "S3,squamous,9,0\nL1,LELC,30,0\n")
    c = load(text)
    assert sorted(c.levels("histology")) == ["Adeno", "LELC", "SCC", "Squamous cell", "adenocarcinoma", "squamous"]
    proposals = propose_merges(c.data["histology"])
    assert ("adenocarcinoma", ("adenocarcinoma", "Adeno")) in proposals
    assert any(set(sp) == {"SCC", "Squamous cell", "squamous"} for _, sp in proposals)
    assert sum(p.rule == "similar_levels" for p in c.problems) == 2
    recodes = (("histology", recur.levels.merge_recodes(proposals)),)
    merged = load(text, recur.Settings(recodes=recodes, group_by="histology"))
    km = recur.kaplan_meier(merged.data, "os_months", "os_event", by="histology")
    # the proposed spelling: the full name when one spelling is it
    assert dict(zip(km.medians.group, km.medians.n)) == {"LELC": 1, "adenocarcinoma": 3, "squamous": 3}
    assert not any(p.rule == "similar_levels" for p in merged.problems)
    ordered = load(text, recur.Settings(recodes=recodes, level_orders=(("histology", ("squamous", "adenocarcinoma")),)))
    assert ordered.levels("histology") == ["squamous", "adenocarcinoma", "LELC"]


DATES = "patient_id,date_rt_start,date_last_followup,date_death\n"


def test_one_date_order_per_file_settled_by_any_column():
    # 25/03/2019 in the follow-up column settles day-first for the whole file, RT start included
    c = load(DATES + "P1,06/05/2019,25/03/2020,\nP2,01/02/2019,01/03/2019,01/03/2019\n")
    assert c.date_order.status == "settled" and c.date_order.order == "dmy"
    assert c.data["date_rt_start"].iloc[0] == pd.Timestamp("2019-05-06")
    assert not any(p.rule.startswith("date_order_") or p.rule == "date_format" for p in c.problems)
    assert any("day first" in n for n in c.read_notes)
    c = load(DATES + "P1,06/05/2019,03/25/2020,\nP2,01/02/2019,01/03/2019,01/03/2019\n")
    assert c.date_order.order == "mdy" and c.data["date_rt_start"].iloc[0] == pd.Timestamp("2019-06-05")


def test_ambiguous_and_conflicting_files_ask_once():
    text = DATES + "P1,06/05/2019,07/08/2020,\nP2,01/02/2019,01/03/2019,01/03/2019\n"
    c = load(text)
    assert c.date_order.status == "ambiguous"
    assert sum(p.rule == "date_order_ambiguous" for p in c.problems) == 1  # once, not per column
    # day first: 6 May 2019 -> 7 Aug 2020 = 459 days; month first: 5 June 2019 -> 8 July 2020 = 399 days
    assert c.data["os_months"].iloc[0] == pytest.approx(459 / 30.4375)
    mdy = load(text, recur.Settings(date_order="mdy"))
    assert mdy.data["os_months"].iloc[0] == pytest.approx(399 / 30.4375)
    assert mdy.date_order.status == "chosen" and not any(p.rule == "date_order_ambiguous" for p in mdy.problems)
    clash = load(DATES + "P1,25/05/2019,07/30/2020,\n")
    assert rule(clash, "date_order_conflict").level == "warning"


def test_time_units_from_the_column_name_and_the_mapping_step():
    c = load("patient_id,OS (days),os_event\nP1,365.25,1\nP2,730.5,0\n")
    assert c.time_units == {"os_months": "days"}
    assert list(c.data["os_months"]) == pytest.approx([12.0, 24.0])  # days / 30.4375
    c = load("patient_id,os_months,os_event\nP1,2,1\nP2,3,0\n", recur.Settings(time_units=(("os_months", "years"),)))
    assert list(c.data["os_months"]) == pytest.approx([24.0, 36.0])


def test_spelled_out_radiotherapy_names_map_to_the_schema():
    c = load("Patient ID,RT start,RT end date,Total dose (Gy),Fractions,date_last_followup\n"
             "P1,2015-01-05,2015-02-13,60,30,2016-01-05\n")
    assert c.renames == {"Patient ID": "patient_id", "RT start": "date_rt_start", "RT end date": "date_rt_end",
                         "Total dose (Gy)": "rt_dose_gy", "Fractions": "rt_fractions"}
    assert c.data["bed_gy"].iloc[0] == pytest.approx(72.0)  # 60 Gy in 2 Gy fractions, alpha/beta 10
    assert c.data["os_months"].iloc[0] == pytest.approx(365 / 30.4375)


def test_a_time_column_holding_days_is_flagged():
    c = load("patient_id,os,os_event\n" + "".join(f"P{i},{1900 + 20 * i},{i % 2}\n" for i in range(6)))
    p = rule(c, "implausible_unit")
    assert p.column == "os_months" and "days" in p.message and "1,950 months" in p.message


def test_units_in_cells_non_finite_and_absurd_values():
    c = load("patient_id,rt_dose_gy,rt_fractions,os_months,os_event\n"
             "P1,60 Gy,30,12 mo,1\nP2,6000 cGy,30,365.25 d,0\nP3,60 apples,30,inf,1\nP4,60,30,5000,1\n")
    d = c.data.set_index("patient_id")
    assert d.loc["P1", "rt_dose_gy"] == 60 and d.loc["P2", "rt_dose_gy"] == pytest.approx(60)
    assert d.loc["P2", "os_months"] == pytest.approx(12.0)
    assert rule(c, "unit_in_cell").patient_ids == ("P1", "P2")
    assert rule(c, "not_a_number").patient_ids == ("P3",) and "60 apples" in rule(c, "not_a_number").message
    assert rule(c, "non_finite").patient_ids == ("P3",)
    assert rule(c, "absurd_time").patient_ids == ("P4",)
    assert d[["os_months"]].isna().sum().iloc[0] == 2 and len(c.data) == 4  # no patient lost, values missing


def test_integer_scores_are_levels_without_decimals():
    c = load("patient_id,ecog,os_months,os_event\nP1,0,1,1\nP2,1,2,0\nP3,,3,1\nP4,2,4,1\n")
    assert c.levels("ecog") == ["0", "1", "2"]
    frame, _ = recur.analysis_frame(c, recur.Settings(filters=(recur.Filter("ecog", ("1", "2")),)))
    assert list(frame["patient_id"]) == ["P2", "P4"]
