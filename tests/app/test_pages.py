"""AppTest: every page opens on the demo cohort; widgets change numbers;
uploads show the validation report; the URL restores the Settings."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from recur.safe_text import WORD_JOINER
from recur.settings import Cutoff, EndpointRules, Filter, Settings
from recur.ui.state import Keys

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["pages/1_Survival.py", "pages/2_Prognostic_factors.py", "pages/3_Failure_patterns.py",
         "pages/4_Toxicity_and_response.py", "pages/5_Cutoff_explorer.py", "pages/6_Trial_report.py",
         "pages/7_Study_planner.py", "pages/8_Export.py"]


def open_app(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if query:
        at.query_params.update(query)
    return at.run()


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]


def rendered(markdown: str) -> str:
    """What Markdown shows for escaped text: a backslash-escaped character is that
    character; the invisible word joiners that stop autolinks are not seen."""
    return re.sub(r"\\(.)", r"\1", markdown).replace(WORD_JOINER, "")


def texts(at: AppTest) -> str:
    return rendered("\n".join([m.value for m in at.markdown] + [c.value for c in at.caption]
                               + [i.value for i in at.info]))


def test_every_page_opens_on_the_demo_cohort():
    at = open_app()
    no_exception(at)
    assert "Synthetic demo data" in texts(at)
    assert at.dataframe[-1].value.shape[0] > 20  # Table 1
    for page in PAGES:
        at.switch_page(page).run()
        no_exception(at)
        assert not at.error, [e.value for e in at.error]


def survival_page(query: dict | None = None) -> AppTest:
    at = open_app(query)
    at.switch_page(PAGES[0]).run()
    return at


def logrank_line(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**Log-rank**"))


def bed_at_least(threshold: float) -> int:
    """Patients of the demo file with BED10 = D (1 + d/10) >= threshold, by hand."""
    demo = pd.read_csv(ROOT / "data" / "demo_nsclc_synthetic.csv")
    bed = demo.rt_dose_gy * (1 + demo.rt_dose_gy / demo.rt_fractions / 10)
    return int((bed >= threshold - 1e-9).sum())


def test_bed_threshold_changes_group_sizes_and_logrank_p():
    at = survival_page({"by": "BED >=78 Gy"})
    no_exception(at)
    summary = at.dataframe[0].value
    assert summary["Group"].tolist() == ["BED <78 Gy", "BED >=78 Gy"]
    before_n, before_p = summary["n"].tolist(), logrank_line(at)
    assert before_n == [74 - bed_at_least(78), bed_at_least(78)]
    assert f"BED >=78 Gy: n={bed_at_least(78)}" in texts(at)
    at.number_input(key=Keys.cutoff_threshold("bed_gy")).set_value(72.0).run()
    no_exception(at)
    summary = at.dataframe[0].value
    assert summary["Group"].tolist() == ["BED <72 Gy", "BED >=72 Gy"]  # the grouping follows the cutoff
    assert summary["n"].tolist() == [74 - bed_at_least(72), bed_at_least(72)] != before_n
    assert logrank_line(at) != before_p
    assert f"BED >=72 Gy: n={summary['n'].iloc[1]}" in texts(at)


def test_switching_endpoint_changes_the_curves():
    at = survival_page()
    os_events = at.dataframe[0].value["Events"].iloc[0]
    at.selectbox(key=Keys.ENDPOINT).set_value("pfs").run()
    no_exception(at)
    assert at.dataframe[0].value["Events"].iloc[0] != os_events
    assert at.session_state[Keys.SETTINGS].endpoint == "pfs"


def test_settings_survive_page_switches():
    at = survival_page()
    at.selectbox(key=Keys.GROUP_BY).set_value("DFI >=12 months").run()
    at.switch_page(PAGES[2]).run()
    at.switch_page(PAGES[0]).run()
    no_exception(at)
    assert at.session_state[Keys.SETTINGS].group_by == "DFI >=12 months"
    assert at.dataframe[0].value["Group"].tolist() == ["DFI <12 months", "DFI >=12 months"]


def test_subgroup_filter_on_two_columns_counts_and_survives_page_switches():
    demo = pd.read_csv(ROOT / "data" / "demo_nsclc_synthetic.csv")
    kept = int(((demo.histology == "adenocarcinoma") & (demo.sex == "M")).sum())  # counted from the file
    at = survival_page()
    at.multiselect(key=Keys.FILTER_COLUMNS).set_value(["histology", "sex"]).run()
    at.multiselect(key=Keys.filter_values("histology")).set_value(["adenocarcinoma"]).run()
    at.multiselect(key=Keys.filter_values("sex")).set_value(["M"]).run()
    no_exception(at)
    assert at.dataframe[0].value["n"].tolist() == [kept]
    assert f"{74 - kept} patient(s) outside the subgroup filter" in texts(at)
    at.switch_page(PAGES[2]).run()
    at.switch_page(PAGES[0]).run()
    no_exception(at)
    assert at.session_state[Keys.SETTINGS].filters == (Filter("histology", ("adenocarcinoma",)), Filter("sex", ("M",)))
    assert at.dataframe[0].value["n"].tolist() == [kept]
    at.multiselect(key=Keys.FILTER_COLUMNS).set_value(["sex"]).run()  # histology dropped: all histologies again
    assert at.dataframe[0].value["n"].tolist() == [int((demo.sex == "M").sum())]


def test_npc_demo_can_take_its_publications_endpoint_rules():
    at = open_app()
    at.selectbox(key=Keys.DEMO).set_value("Synthetic NPC re-irradiation (184 patients)").run()
    assert at.session_state[Keys.SETTINGS].rules.origin == "rt_start"
    at.button(key=Keys.PUBLISHED_RULES_BUTTON).click().run()
    no_exception(at)
    assert at.session_state[Keys.SETTINGS].rules == EndpointRules(origin="recurrence")
    assert at.radio(key=Keys.ORIGIN).value == "recurrence"  # the sidebar shows the new rule
    assert not [b for b in at.button if b.key == Keys.PUBLISHED_RULES_BUTTON]  # offered only while different
    at.switch_page(PAGES[0]).run()
    assert "Time origin: Diagnosis of the recurrence." in texts(at)
    demo = pd.read_csv(ROOT / "data" / "demo_npc_reirradiation_synthetic.csv")
    assert at.dataframe[0].value["Events"].tolist() == [int(demo.date_death.notna().sum())]


def test_prognostic_factors_reference_level_trend_and_threshold_follow():
    at = open_app()
    at.switch_page(PAGES[1]).run()
    at.multiselect(key=Keys.FACTORS).set_value(["cutoff:bed_gy", "histology", "stage_initial"]).run()
    at.selectbox(key=Keys.factor_reference("histology")).set_value("squamous").run()
    at.multiselect(key=Keys.factor_trend("stage_initial")).set_value(["I", "II", "III"]).run()
    no_exception(at)
    s = at.session_state[Keys.SETTINGS]
    assert (s.factors, s.references, s.trends) == (("cutoff:bed_gy", "histology", "stage_initial"),
                                                    (("histology", "squamous"),), (("stage_initial", ("I", "II", "III")),))
    os_table = at.dataframe[0].value  # the first endpoint's (OS) Cox table
    histology = os_table[os_table["Factor"].replace("", None).ffill() == "Histology"].set_index("Level")
    assert histology.loc["squamous", "HR (95% CI), univariate"] == "1 (reference)"
    assert histology.loc["adenocarcinoma", "HR (95% CI), univariate"] != "1 (reference)"
    stage = os_table[os_table["Factor"] == "Initial stage"]
    assert stage["Level"].tolist() == ["per step (I < II < III)"]
    at.number_input(key=Keys.cutoff_threshold("bed_gy")).set_value(80.0).run()  # the cutoff factor follows
    no_exception(at)
    assert at.dataframe[0].value[["Factor", "Level"]].iloc[:2].values.tolist() == [["BED", "<80 Gy"], ["", ">=80 Gy"]]
    at.button(key=Keys.RESET_FACTORS_BUTTON).click().run()
    no_exception(at)
    assert at.session_state[Keys.SETTINGS].factors is None
    assert at.dataframe[0].value[["Factor", "Level"]].iloc[:6].values.tolist() == [
        ["BED", "<80 Gy"], ["", ">=80 Gy"], ["DFI", "<12 months"], ["", ">=12 months"], ["TTR", ">24 months"],
        ["", "<=24 months"]]  # each cutoff's reference group first


def test_url_round_trip_restores_settings():
    from recur import load_cohort

    demo = load_cohort(ROOT / "data" / "demo_nsclc_synthetic.csv")
    wanted = Settings(cutoffs=(Cutoff("bed_gy", ">", 70.0), Cutoff("dfi_months", ">=", 12.0)),
                      rules=EndpointRules(origin="rt_start", lrfs_death_is_event=True), endpoint="lrfs",
                      group_by="BED >70 Gy", show_ci=True,
                      cohort_id=f"{demo.content_hash}|demo_nsclc_synthetic.csv")  # a link made on the demo
    at = survival_page(wanted.to_query())
    no_exception(at)
    assert at.session_state[Keys.SETTINGS] == wanted
    assert at.dataframe[0].value["Group"].tolist() == ["BED <=70 Gy", "BED >70 Gy"]
    at.checkbox(key=Keys.SHOW_CI).uncheck().run()
    restored = Settings.from_query({k: at.query_params[k] for k in at.query_params})
    assert restored == Settings(**{**wanted.__dict__, "show_ci": False})


def test_malformed_upload_shows_errors_naming_the_patient():
    at = open_app()
    bad = (b"patient_id,date_rt_start,date_last_followup,date_death,tox_pneumonitis\n"
           b"OK1,2015-01-05,2016-01-05,,1\nBAD7,2015-13-99,2016-01-05,,9\nOK2,2015-03-01,2015-12-01,2015-12-01,0\n")
    at.file_uploader(key=Keys.UPLOAD).set_value(("bad.csv", bad, "text/csv")).run()
    no_exception(at)
    report = next(d.value for d in at.dataframe if "message" in d.value.columns)
    assert set(report["column"]) >= {"date_rt_start", "tox_pneumonitis"}
    assert report["patients"].str.contains("BAD7").all()
    assert any("error(s)" in e.value for e in at.error)
    at.switch_page(PAGES[0]).run()
    no_exception(at)
    assert "1 patient(s) without usable data" in texts(at)


@pytest.mark.parametrize("page", PAGES)
def test_pages_explain_instead_of_crashing_when_a_group_is_empty(page):
    # a BED cutoff above every patient: one group only
    at = open_app({"cut": ["bed_gy>=500"], "by": "BED >=500 Gy"})
    at.switch_page(page).run()
    no_exception(at)
    if page == PAGES[0]:
        assert any("Only one group" in e.value for e in at.error)


@pytest.mark.parametrize("page", ["app.py"] + PAGES)
def test_a_filter_that_keeps_no_patient_says_so_on_every_page(page):
    at = open_app({"filter": ["histology:"]})
    at.switch_page(page).run()
    no_exception(at)
    assert [w.value for w in at.warning if "keeps no patient" in w.value] == [
        "The subgroup filter keeps no patient (Histology: no value chosen). Choose at least one value present "
        "in the cohort for each filter in the sidebar, or remove a filter."]
    assert not at.error, [e.value for e in at.error]


def test_a_cohort_with_precomputed_times_only_opens_every_page_with_explanations():
    at = open_app()
    minimal = b"patient_id,os_months,os_event,age\nA,5,1,60\nB,12,0,70\nC,20,1,55\nD,30,0,65\n"
    at.file_uploader(key=Keys.UPLOAD).set_value(("minimal.csv", minimal, "text/csv")).run()
    no_exception(at)
    assert at.session_state[Keys.SOURCE].name == "minimal.csv"
    for page in PAGES:
        at.switch_page(page).run()
        no_exception(at)
    at.switch_page(PAGES[2]).run()
    assert any("no failure dates" in e.value for e in at.error)
    at.switch_page(PAGES[3]).run()
    assert any("No toxicity columns" in i.value for i in at.info)


def test_unreadable_upload_says_why_and_keeps_the_previous_cohort_and_the_uploader():
    at = open_app()
    at.selectbox(key=Keys.DEMO).set_value("Synthetic NPC re-irradiation (184 patients)").run()
    at.file_uploader(key=Keys.UPLOAD).set_value(("scan.csv", b"\x00\x01\x02\x03" * 20, "text/csv")).run()
    no_exception(at)
    assert [rendered(e.value) for e in at.error] == [
        "scan.csv is not a text table (it holds binary data). Upload the cohort as CSV, XLSX or Parquet. "
        "The cohort already open (demo_npc_reirradiation_synthetic.csv) stays open."]
    assert at.session_state[Keys.SOURCE].name == "demo_npc_reirradiation_synthetic.csv"
    assert "demo_npc_reirradiation_synthetic.csv: 184 patients" in rendered(at.subheader[0].value)
    assert at.file_uploader(key=Keys.UPLOAD) is not None and at.sidebar.number_input
    at.switch_page(PAGES[0]).run()  # and every page still works on it
    no_exception(at)
    assert at.dataframe[0].value["n"].tolist() == [184]
