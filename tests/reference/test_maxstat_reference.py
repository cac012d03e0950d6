"""The cutpoint scan against R maxstat 0.7.25 (``maxstat.test(Surv(time,
event) ~ x, smethod = "LogRank", minprop = 0.1, maxprop = 0.9)``) on lung and
veteran (shared/reference) and on the extra runs in ``maxstat/`` (HL above
N = 170 with R's gamma product in log space; simulated data with tied times
and x, N = 150 and 2000). Tolerances, and why:
- cutpoint, candidate cuts and group sizes: exact;
- statistics (M, every cut, HL's integer-score M): rel 1e-9 (the same
  arithmetic; the JSON holds 15 significant digits);
- Lau92 p: rel 1e-9 (a closed formula of M);
- HL p: rel 1e-9 where R gives a number (an exact computation on integers);
- permutation p: within 4 standard errors of R's condMC, SE = sqrt(2 p(1-p)/B)
  (two independent Monte-Carlo estimates with B = 9999 each; p floored at
  1/B, since R reports 0 where we report (1 + 0)/(1 + B));
- naive p: survdiff's chi-square at the cut, rel 1e-9.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recur.stats.maxstat import bootstrap_cutpoint, cutpoint_scan
from tests.conftest import reference, reference_data

EXTRA = json.loads((Path(__file__).parent / "maxstat" / "maxstat_reference.json").read_text())
EVENT = {"lung": "event", "veteran": "status"}
B = 9999


def _shared_cases():
    for ds in ("lung", "veteran"):
        for x, block in reference(ds)["maxstat"].items():
            yield pytest.param(ds, x, block, id=f"{ds}-{x}")


@functools.cache
def _scan(ds: str, x: str):
    if ds in EXTRA["simulated"]:
        return cutpoint_scan(pd.DataFrame(EXTRA["simulated"][ds]["data"]), "time", "event", "x")
    return cutpoint_scan(reference_data(ds), "time", EVENT[ds], x)


def _within_monte_carlo_error(ours: float, theirs: float) -> None:
    p = max(theirs, 1 / B)
    assert abs(ours - theirs) <= 4 * math.sqrt(2 * p * (1 - p) / B)


@pytest.mark.parametrize("ds,x,ref", list(_shared_cases()))
def test_scan_matches_maxstat(ds, x, ref):
    res = _scan(ds, x)
    lau = ref["pmethods"]["Lau92"]
    assert res.n == ref["n"] and res.n_events == ref["n_events"]
    assert res.cutpoint == lau["estimated_cutpoint"]
    assert (res.n_le, res.n_gt) == (lau["n_le_cutpoint"], lau["n_gt_cutpoint"])
    assert res.statistic == pytest.approx(lau["statistic_M"], rel=1e-9)
    assert list(res.scan.cut) == lau["scan"]["cuts"]
    np.testing.assert_allclose(res.scan.statistic, lau["scan"]["stats"], rtol=1e-9)
    naive = lau["unadjusted_logrank_at_cutpoint"]  # survdiff(Surv(time, event) ~ I(x <= cut))
    assert res.naive_chisq == pytest.approx(naive["chisq"], rel=1e-9)
    assert res.naive_p == pytest.approx(naive["p"], rel=1e-9)


@pytest.mark.parametrize("ds,x,ref", list(_shared_cases()))
def test_lausen92_and_permutation_p(ds, x, ref):
    res = _scan(ds, x)
    assert res.p_values["Lau92"] == pytest.approx(ref["pmethods"]["Lau92"]["p_value"], rel=1e-9)
    _within_monte_carlo_error(res.p_values["permutation"], ref["pmethods"]["condMC"]["p_value"])


@pytest.mark.parametrize("ds,x,ref", list(_shared_cases()))
def test_hothorn_lausen_p(ds, x, ref):
    res = _scan(ds, x)
    hl = ref["pmethods"]["HL"]
    assert res.hl_statistic == pytest.approx(hl["statistic_M"], rel=1e-9)  # integer scores (iscores = TRUE)
    if hl["p_value"] is not None:  # veteran, N = 137
        assert res.p_values["HL"] == pytest.approx(hl["p_value"], rel=1e-9)
    else:  # lung, N > 170: R's NaN; R's own pmaxstat with its gamma product in log space
        logspace = EXTRA["hl_logspace"]["lung_age" if x == "age" else "lung_meal_cal"]
        assert logspace["statistic_M"] == hl["statistic_M"]
        assert res.p_values["HL"] == pytest.approx(logspace["p_value_logspace"], rel=1e-9)


@pytest.mark.parametrize("name", list(EXTRA["simulated"]))
def test_simulated_tied_data(name):
    block = EXTRA["simulated"][name]
    res = _scan(name, "x")
    for method, ref in block["pmethods"].items():
        if method != "HL":
            assert res.cutpoint == ref["estimated_cutpoint"]
            assert res.statistic == pytest.approx(ref["statistic_M"], rel=1e-9)
            np.testing.assert_allclose(res.scan.cut, ref["cuts"], rtol=0)
            np.testing.assert_allclose(res.scan.statistic, ref["stats"], rtol=1e-9)
    assert res.p_values["Lau92"] == pytest.approx(block["pmethods"]["Lau92"]["p_value"], rel=1e-9)
    _within_monte_carlo_error(res.p_values["permutation"], block["pmethods"]["condMC"]["p_value"])
    if "HL" in block["pmethods"]:
        assert res.hl_statistic == pytest.approx(block["pmethods"]["HL"]["statistic_M"], rel=1e-9)
        assert res.p_values["HL"] == pytest.approx(block["pmethods"]["HL"]["p_value"], rel=1e-9)
    else:  # N = 2000: the exact distribution is too large; said so, not guessed
        assert res.p_values["HL"] is None
        assert any("Hothorn-Lausen" in note for note in res.notes)


def test_seeded_permutation_and_bootstrap_are_reproducible():
    df = reference_data("veteran")
    first = cutpoint_scan(df, "time", "status", "age", pmethods=("permutation",), n_perm=999, seed=7)
    again = cutpoint_scan(df, "time", "status", "age", pmethods=("permutation",), n_perm=999, seed=7)
    assert first.p_values == again.p_values
    _within_monte_carlo_error(first.p_values["permutation"], 0.422042204220422)  # condMC, B = 9999
    boots = bootstrap_cutpoint(df, "time", "status", "karno", n_boot=50, seed=3)
    np.testing.assert_array_equal(boots, bootstrap_cutpoint(df, "time", "status", "karno", n_boot=50, seed=3))
    # karno <= 40 is a strong split (Lau92 p = 0.0002): most resamples find it again
    values, counts = np.unique(boots, return_counts=True)
    assert values[np.argmax(counts)] == 40
