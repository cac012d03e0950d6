"""AppTest: crafted links, hostile names and values, stale choices after a new
upload, and two sessions with colliding content. Every page must render with
no exception, the sidebar and uploader usable, and user text shown literally."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from recur.safe_text import WORD_JOINER
from recur.ui.state import Keys

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["app.py", "pages/1_Survival.py", "pages/2_Prognostic_factors.py", "pages/3_Failure_patterns.py",
         "pages/4_Toxicity_and_response.py", "pages/5_Cutoff_explorer.py", "pages/6_Trial_report.py",
         "pages/7_Study_planner.py", "pages/8_Export.py"]
EVIL = "http://evil.example"
# a Markdown link or autolink that would render: unescaped [..](..), <http..>, or a bare http:// / www.
LIVE_LINK = re.compile(r"(?<!\\)\]\((?!\\)|(?<!\\)<a\b|(?<![\\/])https?://|(?<!\\)www\.")


def open_page(page: str, query: dict | None = None) -> AppTest:
    """A session as new whose first run is ``page`` with ``query`` (a link to
    that page opened in a new tab). AppTest must run the entry point before it
    can switch page, so that run's Settings, source and notices are cleared
    again (its widgets keep default values, which the links here also give)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if page == "app.py":
        at.query_params.update(query or {})
        return at.run()
    at.run()
    for key in [k for k in list(at.session_state) if k.startswith("recur.")]:
        del at.session_state[key]
    at.query_params.clear()
    at.query_params.update(query or {})
    return at.switch_page(page).run()


def shown(markdown: str) -> str:
    """What Markdown shows for escaped text (escapes resolved, invisible word joiners dropped)."""
    return re.sub(r"\\(.)", r"\1", markdown).replace(WORD_JOINER, "")


def markdown_sources(at: AppTest) -> list[str]:
    """Every Markdown source the page sends: text elements and widget labels."""
    out = [e.value for kind in ("markdown", "caption", "error", "warning", "info", "success", "subheader", "title")
           for e in at.get(kind)]
    for kind in ("selectbox", "multiselect", "number_input", "checkbox", "radio", "button", "text_input"):
        out += [w.label for w in at.get(kind)]
    return out


def assert_usable(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert at.sidebar.number_input, "the sidebar must stay"
    assert not [s for s in markdown_sources(at) if LIVE_LINK.search(s)], [s for s in markdown_sources(at)
                                                                          if LIVE_LINK.search(s)]


CRAFTED = [
    ({"lm": "abc"}, "lm=abc"), ({"level": "abc"}, "level=abc"), ({"ref": "histology"}, "ref=histology"),
    ({"map": "x"}, "map=x"), ({"cut": ["bed_gy>=78", "bed_gy>=60"]}, "cut=bed_gy>=78&cut=bed_gy>=60"),
]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("query, key", CRAFTED)
def test_crafted_links_give_the_view_and_one_notice(page, query, key):
    at = open_page(page, query)
    assert_usable(at)
    notices = [shown(w.value) for w in at.warning if "link" in w.value]
    assert len(notices) == 1 and notices[0].startswith(f"The link's setting '{key}' cannot be used")
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("page", PAGES)
def test_a_filter_on_a_column_the_cohort_lacks_is_dropped_with_a_notice(page):
    at = open_page(page, {"filter": "no_such_col:a", "ep": "pfs"})
    assert_usable(at)
    assert [w.value for w in at.warning if "no\\_such\\_col" in w.value] == [
        "The subgroup filter on \\'no\\_such\\_col\\' was removed\\: this cohort has no such column\\."]
    assert at.session_state[Keys.SETTINGS].filters == () and at.session_state[Keys.SETTINGS].endpoint == "pfs"
    assert not at.error


HOSTILE_TEXT = f"[click]({EVIL})<a href=\"{EVIL}\">x</a>"


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("query", [{"ep": HOSTILE_TEXT}, {"ab": HOSTILE_TEXT}, {"cut": HOSTILE_TEXT},
                                   {"screen": HOSTILE_TEXT}, {"by": HOSTILE_TEXT}, {HOSTILE_TEXT: "1"},
                                   {"filter": f"{HOSTILE_TEXT}:{HOSTILE_TEXT}"}], ids=lambda q: next(iter(q))[:6])
def test_query_values_are_never_reflected_as_links(page, query):
    at = open_page(page, query)
    assert_usable(at)
    # named in one notice (the link's, or the cohort's for a grouping or filter on no such column), as text
    assert len([w for w in at.warning if "[click](http" in shown(w.value)]) == 1


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    return at.file_uploader(key=Keys.UPLOAD).set_value((name, data, "text/csv")).run()


def test_stale_filter_cutoff_and_factor_choices_do_not_block_a_new_upload():
    at = open_page("pages/2_Prognostic_factors.py")
    at.multiselect(key=Keys.FACTORS).set_value(["cutoff:bed_gy", "histology", "stage_initial"]).run()
    at.selectbox(key=Keys.factor_reference("histology")).set_value("squamous").run()
    at.multiselect(key=Keys.FILTER_COLUMNS).set_value(["histology"]).run()
    at.multiselect(key=Keys.filter_values("histology")).set_value(["adenocarcinoma"]).run()
    at.switch_page("pages/1_Survival.py").run()
    at.selectbox(key=Keys.GROUP_BY).set_value("histology").run()
    at.switch_page("app.py").run()
    minimal = b"patient_id,os_months,os_event,age\nA,5,1,60\nB,12,0,70\nC,20,1,55\nD,30,0,65\n"
    _upload(at, "minimal.csv", minimal)
    assert_usable(at)
    warnings = " ".join(shown(w.value) for w in at.warning)
    assert "The subgroup filter on 'histology' was removed" in warnings
    assert "The grouping 'histology' was removed" in warnings
    assert "removed from the Cox screen" in warnings
    s = at.session_state[Keys.SETTINGS]
    assert (s.filters, s.group_by, s.references) == ((), "", ())
    for page in PAGES[1:]:
        at.switch_page(page).run()
        assert_usable(at)
    at.switch_page("pages/1_Survival.py").run()
    assert at.dataframe[0].value["n"].tolist() == [4]


HOSTILE = ("patient_id,os_months,os_event,histology,[x](http://evil.example)\n"
           "=HYPERLINK(\"http://evil.example\"),5,1,<a href=\"http://evil.example\">x</a>,1\n"
           "B,12,0,[y](http://evil.example),2\nC,20,1,squamous,3\nD,30,0,squamous,4\n").encode()


def test_hostile_names_and_values_render_as_plain_text_on_every_page():
    at = open_page("app.py")
    _upload(at, "[click](http://evil.example).csv", HOSTILE)
    assert_usable(at)
    assert at.subheader[0].value == "\\[click\\]\\(http\u2060\\:\\/\\/evil\\.example\\)\\.csv: 4 patients"
    at.multiselect(key=Keys.FILTER_COLUMNS).set_value(["histology"]).run()
    at.switch_page("pages/1_Survival.py").run()
    at.selectbox(key=Keys.GROUP_BY).set_value("histology").run()
    assert_usable(at)
    assert set(at.dataframe[0].value["Group"]) == {'<a href="http://evil.example">x</a>', "[y](http://evil.example)",
                                                   "squamous"}  # tables show the values as they are
    for page in PAGES:
        at.switch_page(page).run()
        assert_usable(at)


def test_a_long_value_is_never_echoed_whole():
    at = open_page("app.py", {"ep": "x" * 100_000})
    assert_usable(at)
    assert max(len(s) for s in markdown_sources(at)) < 1000


def _survival_table(at: AppTest) -> pd.DataFrame:
    at.switch_page("pages/1_Survival.py").run()
    assert_usable(at)
    return at.dataframe[0].value


def test_two_sessions_with_the_same_bytes_under_different_names_see_their_own_name():
    data = b"patient_id,os_months,os_event\nA,5,1\nB,12,0\nC,20,1\n"
    first, second = open_page("app.py"), open_page("app.py")
    _upload(first, "alice.csv", data)
    _upload(second, "bob.csv", data)
    first.run()
    assert "alice\\.csv: 3 patients" in first.subheader[0].value
    assert "bob\\.csv: 3 patients" in second.subheader[0].value
    assert any("Cohort: alice\\.csv" in c.value for c in first.sidebar.caption)


def test_two_sessions_whose_files_differ_only_by_none_versus_empty_get_their_own_results():
    # pandas' astype(str) hashes a missing value and the text "None" alike; the source key does not.
    empty = b"patient_id,os_months,os_event\nA,5,1\nB,12,\nC,20,1\nD,7,0\n"
    none = b"patient_id,os_months,os_event\nA,5,1\nB,12,None\nC,20,1\nD,7,0\n"
    first, second = open_page("app.py"), open_page("app.py")
    _upload(first, "cohort.csv", empty)
    _upload(second, "cohort.csv", none)
    one, two = _survival_table(first), _survival_table(second)
    # B has no event status in the first file; in the second, "None" is an invalid value (a data error)
    assert first.session_state[Keys.SOURCE].raw == empty and second.session_state[Keys.SOURCE].raw == none
    assert one["n"].tolist() == [3] and two["n"].tolist() == [3]
    assert any("data error" in w.value for w in second.warning) != any("data error" in w.value for w in first.warning)


def _truncated_xlsx() -> bytes:
    import io
    buf = io.BytesIO()
    pd.DataFrame({"patient_id": ["A"], "os_months": [5], "os_event": [1]}).to_excel(buf, index=False)
    return buf.getvalue()[:200]


def test_after_a_truncated_xlsx_the_session_keeps_its_cohort_uploader_and_sidebar():
    at = open_page("app.py")
    at.file_uploader(key=Keys.UPLOAD).set_value(("cut.xlsx", _truncated_xlsx(), "application/octet-stream")).run()
    at.switch_page("pages/1_Survival.py").run()  # the next run, whatever the upload run did
    assert_usable(at)
    assert at.session_state[Keys.SOURCE].is_demo and at.dataframe[0].value["n"].tolist() == [74]
    at.switch_page("app.py").run()
    assert_usable(at)
    assert at.file_uploader(key=Keys.UPLOAD) is not None


def test_a_truncated_xlsx_is_explained_on_the_upload_run_itself():
    at = open_page("app.py")
    at.file_uploader(key=Keys.UPLOAD).set_value(("cut.xlsx", _truncated_xlsx(), "application/octet-stream")).run()
    assert_usable(at)
    assert any("cut.xlsx" in shown(e.value) for e in at.error)
