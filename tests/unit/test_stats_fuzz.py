"""No numpy / scipy exception (or warning: pytest.ini makes them errors)
reaches a caller of cox, ph_test, kaplan_meier, logrank or screen_cox, on
any finite input of size >= 1: each either answers, puts a note on what it
cannot estimate, or raises RecurError with words."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recur.errors import RecurError
from recur.screen import screen_cox
from recur.stats.cox import cox, ph_test
from recur.stats.km import kaplan_meier
from recur.stats.logrank import logrank


def _tiny(seed: int) -> pd.DataFrame:
    """1-8 patients: times with ties, near-ties and zeros; 1-3 groups; x constant, tiny or huge."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 9))
    time = rng.choice([0.0, 1.0, 1.0 + 1e-12, 2.0, 2.0, 3.0, 1e6], n)
    scale = rng.choice([0.0, 1e-9, 1.0, 1e9])
    return pd.DataFrame({"os_months": time, "os_event": rng.integers(0, 2, n),
                         "g": rng.choice(["a", "b", "c"][: int(rng.integers(1, 4))], n),
                         "x": rng.normal(size=n) * scale + rng.choice([0.0, 5.0])})


@pytest.mark.parametrize("seed", range(80))
def test_tiny_inputs_answer_note_or_explain(seed):
    df = _tiny(seed)
    for ties in ("efron", "breslow"):
        for covs in (["g", "x"], ["x"], ["g"]):
            res = cox(df, "os_months", "os_event", covs, ties=ties)
            table = res.coefficients
            assert ((table.note != "") | table.coef.notna()).all()  # a number or a reason, per term
            try:
                ph = ph_test(df, "os_months", "os_event", covs, ties=ties)
                assert ((ph.note != "") | ph.chisq.notna()).all()
            except RecurError as exc:
                assert str(exc)
    kaplan_meier(df, "os_months", "os_event", by="g", at=[0.5, 1, 2, 10], conf_type="log-log")
    try:
        logrank(df, "os_months", "os_event", "g")
    except RecurError as exc:
        assert "log-rank" in str(exc)
    screen = screen_cox(df, ["g", "x"], ["os"])
    uni = screen.table[screen.table.model == "univariate"]
    assert set(uni.variable) == {"g", "x"}
    assert ((uni.note != "") | uni.coef.notna()).all()
