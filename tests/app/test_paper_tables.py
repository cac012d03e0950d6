"""AppTest: the Prognostic page's per-endpoint Cox table has one row per
factor level (counted from the demo file), the Toxicity page splits by the
grouping, and presentation mode folds the controls and enlarges the figure."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

import recur
from recur.cox_table import DISPLAY_COLUMNS
from recur.ui.presentation import KM_HEIGHT
from recur.ui.state import Keys

ROOT = Path(__file__).resolve().parents[2]
DEMO = pd.read_csv(ROOT / "data" / "demo_nsclc_synthetic.csv")


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_prognostic_page_shows_one_row_per_level_with_hand_counted_n():
    at = open_page("pages/2_Prognostic_factors.py")
    table = at.dataframe[0].value  # OS, the first tab
    assert list(table.columns) == DISPLAY_COLUMNS
    # default factors: the BED, DFI and TTR cutoffs (2 levels each), sex, ECOG (numeric: one row),
    # histology, EGFR, concurrent chemotherapy (their levels in the file)
    levels = sum(DEMO[c].nunique() for c in ("sex", "histology", "egfr", "concurrent_chemo"))
    assert table.shape == (3 * 2 + 1 + levels, len(DISPLAY_COLUMNS))
    sex = table[table["Factor"].replace("", None).ffill() == "Sex"].set_index("Level")
    assert sex.loc["F", "n"] == (DEMO.sex == "F").sum() and sex.loc["M", "n"] == (DEMO.sex == "M").sum()
    assert sex.loc["M", "HR (95% CI), univariate"] == "1 (reference)"  # the most frequent level
    assert (table["HR (95% CI), univariate"] == "1 (reference)").sum() == 3 + 4  # one per categorical factor
    assert table.loc[table["Factor"] == "ECOG", "Level"].tolist() == ["per point"]
    # the endpoint control (shared with the Survival page) shows one endpoint's table at a time
    at.selectbox(key=Keys.ENDPOINT).set_value("pfs").run()
    assert not at.exception
    pfs = at.dataframe[0].value
    sex = pfs[pfs["Factor"].replace("", None).ffill() == "Sex"].set_index("Level")
    cohort = recur.load_cohort(ROOT / "data" / "demo_nsclc_synthetic.csv")
    events = cohort.data.groupby("sex")["pfs_event"].sum()  # counted straight from the derived endpoint
    assert (sex.loc["F", "Events"], sex.loc["M", "Events"]) == (events["F"], events["M"])
    assert [b.label for b in at.get("download_button")][0] == "Download the PFS Cox table (CSV)"


def test_toxicity_page_splits_by_the_grouping_with_hand_counted_grades():
    at = open_page("pages/4_Toxicity_and_response.py")
    at.selectbox(key=Keys.GROUP_BY).set_value("BED >=78 Gy").run()
    assert not at.exception
    tox = at.dataframe[0].value
    assert tox.columns[:4].tolist() == ["Adverse event", "Phase", "Group", "Assessed"]
    assert tox["Group"].tolist()[:3] == ["All patients", "BED <78 Gy", "BED >=78 Gy"]
    bed = DEMO.rt_dose_gy * (1 + DEMO.rt_dose_gy / DEMO.rt_fractions / 10)
    high = DEMO[bed >= 78 - 1e-9]
    row = tox[(tox["Adverse event"] == "esophagitis") & (tox["Group"] == "BED >=78 Gy")].iloc[0]
    severe = int((high.tox_esophagitis >= 3).sum())
    assert row["Assessed"] == high.tox_esophagitis.notna().sum()
    assert row["Grade >=3"] == f"{severe} ({100 * severe / row['Assessed']:.1f}%)"


def _figure(at: AppTest, index: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def test_presentation_mode_folds_controls_and_enlarges_the_km_figure():
    at = open_page("pages/1_Survival.py")
    assert [t.value for t in at.title] == ["Survival"]
    normal = _figure(at)
    at.toggle(key=Keys.PRESENTATION).set_value(True).run()
    assert not at.exception
    assert not at.title  # the figure carries its own title
    assert [e.label for e in at.expander] == ["Page controls"]
    assert at.selectbox(key=Keys.ENDPOINT).value == "os"  # still there, folded
    shown = _figure(at)
    assert shown["layout"]["height"] == KM_HEIGHT
    assert shown["layout"]["font"]["size"] == round(normal["layout"]["font"]["size"] * 1.3)
    at.selectbox(key=Keys.ENDPOINT).set_value("pfs").run()  # a folded control still works
    assert at.session_state[Keys.SETTINGS].endpoint == "pfs"
    at.toggle(key=Keys.PRESENTATION).set_value(False).run()
    assert [t.value for t in at.title] == ["Survival"] and _figure(at)["layout"]["height"] != KM_HEIGHT
