"""The cutoff register (Cutoff.source, Settings.explored, register_note,
apply_cutpoint) and the parts of the cutpoint scan R does not report: the
Peto HR per cut, dropped rows, the split-sample check and the scan figure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recur.cutoffs import apply_cutpoint, pvalue_table, record_exploration, register_note, scan_warning
from recur.errors import RecurError
from recur.figures.cutpoints import build_cutpoint_scan_figure
from recur.settings import DATA_DERIVED, PRE_SPECIFIED, Cutoff, Settings
from recur.stats.logrank import logrank
from recur.stats.maxstat import HR, cutpoint_scan, split_sample_check
from tests.conftest import reference_data


def test_peto_hr_is_exp_of_logrank_o_minus_e_over_v_without_ties():
    rng = np.random.default_rng(5)
    n = 60
    df = pd.DataFrame({"t": rng.permutation(np.arange(1, n + 1)) * 1.5, "e": rng.integers(0, 2, n),
                       "x": rng.permutation(n)})
    res = cutpoint_scan(df, "t", "e", "x", pmethods=())
    row = res.scan.iloc[7]
    lr = logrank(df.assign(g=np.where(df.x > row.cut, "high", "low")), "t", "e", "g").groups.set_index("group")
    o_minus_e = lr.observed["high"] - lr.expected["high"]  # survdiff; no ties: the score sum exactly
    # z = (O - E) / sqrt(V) and log HR = (O - E) / V, so O - E = z^2 / log HR
    assert row.z**2 / np.log(row[HR]) == pytest.approx(o_minus_e, rel=1e-9)


def test_rows_missing_the_variable_are_counted_and_an_empty_range_is_explained():
    lung = reference_data("lung")
    res = cutpoint_scan(lung, "time", "event", "meal.cal", pmethods=())
    assert (res.n, res.n_dropped) == (181, 47)  # R: lung_meal, meal.cal non-missing
    nine_equal = pd.DataFrame({"t": np.arange(1, 11), "e": 1, "x": [0] * 9 + [1]})  # only cut: 9 of 10 below
    with pytest.raises(RecurError, match="'x' has no cutpoint between its 20th and 80th percentiles"):
        cutpoint_scan(nine_equal, "t", "e", "x", minprop=0.2, maxprop=0.8)


def test_split_sample_check_is_seeded_and_uses_halves():
    vet = reference_data("veteran")
    first = split_sample_check(vet, "time", "status", "karno", seed=4)
    assert first == split_sample_check(vet, "time", "status", "karno", seed=4)
    assert (first.n_train, first.n_test) == (68, 69)
    assert first.test_p < 0.01  # karno's effect is strong: it holds in the other half


def test_applied_cutpoint_keeps_maxstat_partition_and_marks_it():
    s = Settings(group_by="BED >=78 Gy")
    applied = apply_cutpoint(s, "bed_gy", 75.0)
    bed = applied.cutoffs[0]
    assert (bed.op, bed.threshold, bed.source) == (">", 75.0, DATA_DERIVED)  # BED > 75 vs <= 75
    assert applied.group_by == "BED >75 Gy"  # the grouping follows its cutoff
    ttr = apply_cutpoint(s, "ttr_months", 20.0).cutoffs[2]
    assert (ttr.op, ttr.label, ttr.reference_label) == ("<=", "TTR <=20 months", "TTR >20 months")
    added = apply_cutpoint(s, "age", 66.0)
    assert added.cutoffs[-1] == Cutoff("age", ">", 66.0, DATA_DERIVED) and len(added.cutoffs) == 4


def test_register_notes_and_their_round_trip():
    s = record_exploration(record_exploration(Settings(group_by="BED >=78 Gy"), "bed_gy", 10), "age", 23)
    s = record_exploration(s, "bed_gy", 8)  # fewer cuts on a variable already explored: the count stays
    assert register_note(s) == ("BED >=78 Gy: pre-specified (clinical default). Cutoff explorer: 33 cutpoints on "
                                "2 variables explored this session.")
    assert register_note(Settings(group_by="sex")) == ""
    derived = apply_cutpoint(s, "bed_gy", 75.0)
    assert register_note(derived) == ("BED >75 Gy: data-derived (cutoff explorer; 33 cutpoints on 2 variables "
                                      "explored this session).")
    typed = Settings(cutoffs=(Cutoff("bed_gy", ">=", 70),), group_by="BED >=70 Gy")
    assert register_note(typed) == "BED >=70 Gy: pre-specified (typed in)."
    assert Settings.from_json(derived.to_json()) == derived
    assert Settings.from_query(derived.to_query()) == derived
    assert "bed_gy>75@data" in derived.to_query()["cut"]
    old = '{"cutoffs": [{"variable": "bed_gy", "op": ">=", "threshold": 78}]}'  # saved before the register
    assert Settings.from_json(old).cutoffs[0].source == PRE_SPECIFIED
    with pytest.raises(RecurError, match="source"):
        Cutoff("bed_gy", ">=", 78, "guessed")


def test_scan_figure_marks_cuts_and_escapes_labels():
    vet = reference_data("veteran")
    res = cutpoint_scan(vet, "time", "status", "karno", pmethods=())
    fig = build_cutpoint_scan_figure(res, x_label="<b>karno</b>", sidebar=(60.0, "sidebar: <i>x</i>"),
                                     default=None)
    assert list(fig.data[0].x) == [30, 40, 50, 60, 70, 75]  # R: maxstat scan cuts
    lines = {(s.x0, s.line.dash) for s in fig.layout.shapes if s.x0 == s.x1}
    assert {(40.0, "solid"), (60.0, "dash")} <= lines  # selected cut, sidebar cutoff
    assert fig.layout.xaxis3.title.text == "&lt;b&gt;karno&lt;/b&gt;"
    assert "sidebar: &lt;i&gt;x&lt;/i&gt;" in {t.name for t in fig.data}


def test_pvalue_table_puts_naive_next_to_adjusted_and_says_what_did_not_run():
    vet = reference_data("veteran")
    res = cutpoint_scan(vet, "time", "status", "age", pmethods=("Lau92",))
    table = pvalue_table(res)
    # R: survdiff p 0.0727 at age <= 58; Lau92 0.608
    assert list(table["value"]) == ["p = 0.073", "p = 0.61", "not run", "not run"]
    assert "0.073" in scan_warning(res) and "p = 0.61 by Lausen-Schumacher" in scan_warning(res)
