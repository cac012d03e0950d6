"""AppTest: the cutoff explorer on the NSCLC demo: the scan renders with its
adjusted p-values, "Apply this cutpoint" sets the sidebar cutoff (marked
data-derived), the Survival page shows the register mark, and editing the
cutoff by hand makes it pre-specified again."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from recur.settings import Settings
from recur.ui.cutoff_explorer import ExplorerKeys
from recur.ui.state import Keys
from tests.app.test_pages import PAGES, no_exception, open_app, rendered
from tests.conftest import DATA

EXPLORER = "pages/5_Cutoff_explorer.py"


def _candidate_cuts(column: str) -> list[float]:
    """By hand, as maxstat: distinct values whose count of x <= value lies in
    [max(1, floor(0.1 N)), floor(0.9 N)], among patients with the value and OS."""
    df = pd.read_csv(DATA / "demo_nsclc_synthetic.csv")
    x = np.sort(pd.to_numeric(df[column], errors="coerce").dropna().to_numpy())
    n = len(x)
    values, counts = np.unique(x, return_counts=True)
    below = np.cumsum(counts)
    return list(values[(below >= max(1, math.floor(0.1 * n))) & (below <= math.floor(0.9 * n))])


def _captions(at) -> str:
    return rendered("\n".join(c.value for c in at.caption))


def test_explorer_applies_its_cut_and_the_survival_page_shows_the_register_mark():
    at = open_app()
    at.switch_page(EXPLORER).run()
    no_exception(at)
    at.selectbox(key=ExplorerKeys.VARIABLE).set_value("age").run()
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    table = at.dataframe[0].value
    assert list(table["p-value"]) == ["naive (log-rank at this one cut)", "Lausen-Schumacher 1992",
                                      "Hothorn-Lausen 2003 bound", "permutation test"]
    assert all(v.startswith("p") for v in table["value"])  # every method computed at N = 74
    cuts = _candidate_cuts("age")
    explored = dict(Settings.from_query({k: at.query_params[k] for k in at.query_params}).explored)
    assert list(explored) == ["bed_gy", "age"] and explored["age"] == len(cuts)  # BED: the page's first scan
    total = f"{explored['bed_gy'] + len(cuts)} cutpoints on 2 variables explored this session"
    assert total in _captions(at)
    summary = rendered("\n".join(m.value for m in at.markdown))
    cut = next(c for c in cuts if f"Selected cut: {c:g} years" in summary)
    assert "too optimistic" in rendered(at.warning[0].value)

    at.button(key=ExplorerKeys.APPLY).click().run()
    no_exception(at)
    assert at.number_input(key=Keys.cutoff_threshold("age")).value == cut  # a new sidebar cutoff
    assert at.selectbox(key=Keys.cutoff_op("age")).value == ">"  # x > cut vs x <= cut, as maxstat
    assert "data-derived (cutoff explorer)" in _captions(at)  # the sidebar's mark

    at.switch_page(PAGES[0]).run()
    label = f"Age >{cut:g} years"
    at.selectbox(key=Keys.GROUP_BY).set_value(label).run()
    no_exception(at)
    assert f"{label}: data-derived (cutoff explorer; {total})." in _captions(at)

    at.number_input(key=Keys.cutoff_threshold("age")).set_value(65.0).run()  # typed in by hand
    assert "Age >65 years: pre-specified (typed in). Cutoff explorer:" in _captions(at)
