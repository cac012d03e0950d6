"""The (Cohort, Settings) analyses that pages, exports and notebooks share."""

import pandas as pd
import pytest

import recur
from recur.analysis import prognostic_analysis, survival_analysis
from recur.format import survival_summary_display
from recur.settings import Settings


def small_cohort() -> recur.Cohort:
    rows = [{"patient_id": f"P{i}", "os_months": m, "os_event": e, "bed_gy": b}
            for i, (m, e, b) in enumerate([(5, 1, 70), (8, 0, 70), (12, 1, 72), (20, 0, 80), (30, 1, 84),
                                           (40, 0, 90), (3, 1, None)])]
    return recur.build_cohort(pd.DataFrame(rows).astype(str).replace("None", None))


def test_survival_analysis_counts_groups_and_flags_small_groups():
    c = small_cohort()
    res = survival_analysis(c, Settings(group_by="BED >=78 Gy", landmarks_months=(12.0,)))
    assert res.km.groups == ["BED <78 Gy", "BED >=78 Gy"]
    summary = survival_summary_display(res.km)
    assert summary["n"].tolist() == [3, 3] and summary["Events"].tolist() == [2, 1]
    assert res.n_missing_group == 1
    # BED <78 Gy: death at 5, censored at 8, death at 12 (last at risk): S(12) = (1 - 1/3)(1 - 1/1) = 0
    assert summary["1-year"].iloc[0] == "0.0%"
    assert len(res.notes) == 2 and "only 3 patients" in res.notes[0]
    assert res.logrank is not None and res.logrank.df == 1


def test_endpoint_that_cannot_be_built_is_a_clear_error():
    with pytest.raises(recur.RecurError, match="Progression-free survival cannot be computed"):
        survival_analysis(small_cohort(), Settings(endpoint="pfs"))


def test_prognostic_analysis_uses_the_cutoffs_that_apply(nsclc_cohort):
    res = prognostic_analysis(nsclc_cohort, Settings())
    uni = res.table[(res.table.model == "univariate") & (res.table.endpoint == "lrfs")]
    assert uni.term.tolist()[:3] == ["BED >=78 Gy", "DFI >=12 months", "TTR <=24 months"]
    frame, _ = recur.analysis_frame(nsclc_cohort, Settings())
    direct = recur.cox(frame, "lrfs_months", "lrfs_event", ["BED >=78 Gy"]).coefficients.hr.iloc[0]
    assert uni.hr.iloc[0] == pytest.approx(direct, rel=1e-12)
