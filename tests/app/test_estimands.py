"""AppTest: the competing-risks, landmark and RMST sections of the Survival
page, and the events-per-variable warning of the Prognostic factors page."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

import recur
from recur.analysis import prognostic_analysis
from recur.estimands import competing_status
from recur.format import fmt_p
from recur.ui.estimands import POST_BASELINE_WARNING
from recur.ui.state import Keys
from tests.app.test_pages import no_exception, rendered

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "demo_nsclc_synthetic.csv"


def page(path: str, query: dict) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update(query)
    at.run()
    at.switch_page(path).run()
    no_exception(at)
    return at


def test_lrfs_shows_cumulative_incidence_with_grays_p():
    at = page("pages/1_Survival.py", {"ep": "lrfs", "by": "BED >=78 Gy"})
    cohort = recur.load_cohort(DEMO)
    frame, _ = recur.analysis_frame(cohort, recur.Settings())
    frame["status"] = competing_status(frame, "lrfs")
    p = recur.gray_test(frame, "lrfs_months", "status", "BED >=78 Gy").query("cause == 1").p.iloc[0]
    assert f"**Gray's test** (failure) {fmt_p(p)}" in [m.value for m in at.markdown]
    assert any(c.value.startswith("Solid: cumulative incidence") for c in at.caption)
    cif_table = next(d.value for d in at.dataframe if "Deaths without failure" in d.value)
    died_first = frame["status"] == 2
    assert cif_table["Deaths without failure"].tolist() == [
        int((died_first & (frame["BED >=78 Gy"] == g)).sum()) for g in ("BED <78 Gy", "BED >=78 Gy")]
    # OS counts death as the event: no competing-risks section there
    at.selectbox(key=Keys.ENDPOINT).set_value("os").run()
    assert not any("Gray's test" in m.value for m in at.markdown)


def test_post_baseline_grouping_warns_and_the_landmark_changes_n():
    at = page("pages/1_Survival.py", {"by": "response"})
    assert POST_BASELINE_WARNING in [w.value for w in at.warning]
    before = at.dataframe[0].value.set_index("Group")["n"]
    at.toggle(key=Keys.LANDMARK_ON).set_value(True).run()
    no_exception(at)
    after = at.dataframe[0].value.set_index("Group")["n"]
    # by hand: patients with a response whose OS time ends by month 3 (died or last seen) leave the analysis
    data = recur.load_cohort(DEMO).data
    gone = data[data["response"].notna() & (data["os_months"] <= 3)]
    assert (before - after).to_dict() == {g: int((gone["response"] == g).sum()) for g in before.index}
    assert any(f"{len(gone)} patient(s) excluded" in i.value for i in at.info)
    assert at.session_state[Keys.SETTINGS].landmark_analysis
    at.number_input(key=Keys.LANDMARK_MONTHS).set_value(6.0).run()
    gone6 = data[data["response"].notna() & (data["os_months"] <= 6)]
    assert at.dataframe[0].value["n"].sum() == before.sum() - len(gone6) < after.sum()


def test_rmst_horizon_changes_the_table():
    at = page("pages/1_Survival.py", {"by": "BED >=78 Gy", "rmst": "12"})
    table = next(d.value for d in at.dataframe if any(c.startswith("RMST to 12 months") for c in d.value.columns))
    frame, _ = recur.analysis_frame(recur.load_cohort(DEMO), recur.Settings())
    expected = recur.rmst(frame, "os_months", "os_event", by="BED >=78 Gy", tau=12).groups
    assert table.iloc[:, 3].tolist() == [f"{r.rmst:.2f} ({r.lower:.2f} to {r.upper:.2f})"
                                         for r in expected.itertuples()]
    assert any(rendered(m.value).startswith("**Difference** BED >=78 Gy minus BED <78 Gy") for m in at.markdown)


def test_small_cohort_warns_about_events_per_variable():
    query = {"filter": ["sex:F"], "screen": "0.5"}
    at = page("pages/2_Prognostic_factors.py", query)
    settings = recur.Settings(filters=(recur.Filter("sex", ("F",)),), screen_p=0.5)
    table = prognostic_analysis(recur.load_cohort(DEMO, settings=settings), settings).table
    multi = table[table["model"] == "multivariable"]
    few = {ep: (int(rows["n_events"].max()), int(rows["coef"].notna().sum()))
           for ep, rows in multi.groupby("endpoint") if rows["n_events"].max() < 10 * rows["coef"].notna().sum()}
    assert few  # a few dozen women: some model has under 10 events per coefficient
    shown = [rendered(w.value) for w in at.warning if "multivariable Cox model for" in rendered(w.value)]
    assert sorted(shown) == sorted(
        f"The multivariable Cox model for {ep.upper()} has {e} events for {k} estimated coefficient(s) "
        f"({e / k:.1f} per coefficient, fewer than 10): its hazard ratios may be biased and unstable. Enter fewer "
        "factors (a stricter screening p) or read it as exploratory." for ep, (e, k) in few.items())
