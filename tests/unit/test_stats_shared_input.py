"""One prepared input for Kaplan-Meier and the log-rank test (issue 9): the
shared path gives the numbers of R and of the separate calls, in either
order; the sort-free median search gives R's ``findq`` (transcribed here
with its sort) on awkward curves; the near-tie merge keeps the stable order.
No timing here."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recur.errors import RecurError
from recur.stats._prepare import prepare_survival, sort_merging_near_ties
from recur.stats.km import _find_quantile, kaplan_meier, kaplan_meier_from_input, km_step_function
from recur.stats.logrank import logrank, logrank_from_input
from tests.conftest import reference, reference_data

RANDOM = Path(__file__).parents[1] / "reference" / "random" / "random_reference.json"
TOL = float(np.sqrt(np.finfo(float).eps))


@pytest.mark.parametrize("ds,by,event", [("lung", "sex", "event"), ("veteran", "celltype", "status"),
                                         ("veteran", "trt", "status")])
@pytest.mark.parametrize("logrank_first", [False, True])
def test_shared_input_matches_survdiff_and_survfit(ds, by, event, logrank_first):
    # R (shared/reference): survdiff(Surv(time, status) ~ by); survfit(...) medians, conf.type "log-log"
    data = prepare_survival(reference_data(ds), "time", event, by)
    if logrank_first:
        lr = logrank_from_input(data, by)
        km = kaplan_meier_from_input(data)
    else:
        km = kaplan_meier_from_input(data)
        lr = logrank_from_input(data, by)
    ref = reference(ds)["logrank"][by]
    assert lr.chisq == pytest.approx(ref["chisq"], rel=1e-6)
    theirs = {g["group"].split("=", 1)[1]: g for g in ref["groups"]}
    for row in lr.groups.itertuples():
        assert (row.n, row.observed) == (theirs[row.group]["n"], theirs[row.group]["observed"])
        assert row.expected == pytest.approx(theirs[row.group]["expected"], rel=1e-9)
    for g in reference(ds)["kaplan_meier"][f"by_{by}"]["groups"]:
        med = km.medians.set_index("group").loc[g["group"].split("=", 1)[1]]
        r_med = g["median"]
        assert med["n"] == g["n"] and med["median"] == r_med["estimate"]
        for side in ("lower", "upper"):
            expected = r_med["ci95"]["log-log"][side]
            assert np.isnan(med[side]) if expected is None else med[side] == expected


def _random_sets():
    for s in json.loads(RANDOM.read_text())["sets"][:60]:
        yield pytest.param(pd.DataFrame({"time": s["time"], "event": s["event"], "g": s["g"]}),
                           id=f"{s['id']}-{s['kind']}")


@pytest.mark.parametrize("df", list(_random_sets()))
def test_shared_input_equals_separate_calls(df):
    # R's random suite data (ties, near-ties, a level never at risk): the shared path vs kaplan_meier / logrank
    data = prepare_survival(df, "time", "event", "g")
    km = kaplan_meier_from_input(data, at=[1, 5, 20])
    alone = kaplan_meier(df, "time", "event", by="g", at=[1, 5, 20])
    pd.testing.assert_frame_equal(km.curves, alone.curves, check_exact=True)
    pd.testing.assert_frame_equal(km.at_times, alone.at_times, check_exact=True)
    pd.testing.assert_frame_equal(km.medians, alone.medians, check_exact=True)
    try:
        separate = logrank(df, "time", "event", "g")
    except RecurError as exc:  # the same refusal from both paths
        with pytest.raises(RecurError, match=re.escape(str(exc))):
            logrank_from_input(data, "g")
        return
    shared = logrank_from_input(data, "g")
    assert (shared.chisq, shared.df) == (separate.chisq, separate.df)
    pd.testing.assert_frame_equal(shared.groups, separate.groups, check_exact=True)


@pytest.mark.parametrize("seed", range(6))
def test_count_table_curves_equal_one_sort_per_group(seed):
    # 20,000 patients, 4 groups: continuous, 0.1-month grid, or near ties that merge (rows reordered)
    rng = np.random.default_rng(seed)
    n = 20_000
    t = rng.exponential(20, n)
    if seed % 3 == 1:
        t = np.round(t, 1)
    elif seed % 3 == 2:
        t = np.round(t, 1) * (1 + rng.choice([0.0, 1e-12, 3e-9], n))
    df = pd.DataFrame({"time": t, "event": (rng.random(n) < 0.6).astype(int),
                       "g": rng.choice(list("wxyz"), n)})
    data = prepare_survival(df, "time", "event", "g")
    assert np.array_equal(data.order, np.argsort(data.time, kind="stable"))
    km = kaplan_meier_from_input(data)
    for g in "wxyz":
        mine = data.codes == data.levels.index(g)
        sf = km_step_function(data.time[mine], data.event[mine])
        curve = km.curves[km.curves.group == g]
        for column, values in (("time", sf.time), ("n_risk", sf.n_risk), ("n_event", sf.n_event),
                               ("n_censor", sf.n_censor), ("surv", sf.surv)):
            assert np.array_equal(curve[column].to_numpy(), values), column


def _findq_with_sort(x, y, p, tol):
    """R survival 3.5 findq (quantile.survfit), as written: drop duplicated
    levels, approx(y +- tol, 1:n, p, "constant", f = 1) on sorted nodes."""
    if np.all(np.isnan(y)) or np.nanmax(y) < p:
        return np.nan
    _, first = np.unique(y, return_index=True, equal_nan=True)
    keep = np.sort(first)
    xs, ys = x[keep], y[keep]

    def approx(nodes):
        ok = ~np.isnan(nodes)
        order = np.argsort(nodes[ok], kind="stable")
        srt, pos = nodes[ok][order], np.flatnonzero(ok)[order]
        if len(srt) == 0 or p < srt[0] or p > srt[-1]:
            return None
        return int(pos[np.searchsorted(srt, p, side="left")])

    i1, i2 = approx(ys + tol), approx(ys - tol)
    quant = np.nan if i1 is None or i2 is None else (xs[i1] + xs[i2]) / 2
    if not np.isnan(ys[-1]) and abs(p - ys[-1]) < tol:
        quant = (xs[i1] + x[-1]) / 2 if i1 is not None else np.nan
    return float(quant)


CURVES = {
    "monotone crossing": [0, 0.1, 0.3, 0.45, 0.55, 0.7],
    "flat exactly at 0.5": [0, 0.2, 0.5, 0.5, 0.5, 0.8],
    "ends on a flat at 0.5": [0, 0.2, 0.5, 0.5, 0.5, 0.5],
    "within tol of 0.5 at the end": [0, 0.3, 0.5 - TOL / 2, 0.5 - TOL / 2],
    "never reaches": [0, 0.1, 0.2, 0.4],
    "NaN tail (CI undefined)": [0, 0.2, 0.6, np.nan, np.nan],
    "NaN then a level": [0, 0.2, np.nan, 0.7, 0.9],
    "not monotone": [0, 0.3, 0.65, 0.55, 0.52, 0.9],
    "not monotone, revisits 0.5": [0, 0.5, 0.4, 0.5, 0.6, 0.5],
    "repeats below": [0, 0.6, 0.2, 0.6, 0.51, 0.51],
}


@pytest.mark.parametrize("name", list(CURVES))
def test_median_search_equals_r_findq(name):
    y = np.array(CURVES[name], dtype=float)
    x = np.cumsum(np.linspace(0.5, 3, len(y))) - 0.5
    expected = _findq_with_sort(x, y, 0.5, TOL)
    ours = _find_quantile(x, y, 0.5, TOL)
    assert (np.isnan(ours) and np.isnan(expected)) or ours == expected


@pytest.mark.parametrize("seed", range(40))
def test_median_search_equals_r_findq_on_random_steps(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 60))
    y = np.round(rng.random(n), 1)  # coarse levels: repeats, exact 0.5s, crossings
    if seed % 2:
        y = np.sort(y)
    y[rng.random(n) < 0.1] = np.nan
    y[0] = 0.0
    x = np.cumsum(rng.random(n))
    expected = _findq_with_sort(x, y, 0.5, TOL)
    ours = _find_quantile(x, y, 0.5, TOL)
    assert (np.isnan(ours) and np.isnan(expected)) or ours == expected


def test_near_tie_merge_keeps_row_order_within_merged_runs():
    # 1 + 1e-10 sorts after 1, but once merged with it the earlier row must come first
    t = np.array([1 + 1e-10, 3.0, 1.0, 2.0, 1 + 5e-11, 1.0, 2 + 1e-12, 2.0])
    merged, order = sort_merging_near_ties(t)
    assert merged.tolist() == [1.0, 3.0, 1.0, 2.0, 1.0, 1.0, 2.0, 2.0]
    assert order.tolist() == [0, 2, 4, 5, 3, 6, 7, 1]
