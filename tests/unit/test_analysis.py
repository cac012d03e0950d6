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


def test_chosen_factors_with_reference_level_and_ordered_trend(nsclc_cohort):
    s = Settings(factors=("cutoff:bed_gy", "histology", "stage_initial"), references=(("histology", "squamous"),),
                 trends=(("stage_initial", ("I", "II", "III")),))
    res = prognostic_analysis(nsclc_cohort, s)
    uni = res.table[(res.table.model == "univariate") & (res.table.endpoint == "os")].set_index("term")
    # histology: three terms against squamous; stage: one trend term per step I -> II -> III
    assert set(uni.loc[uni.variable == "histology", "reference"]) == {"squamous"}
    assert len(uni[uni.variable == "histology"]) == 3 and len(uni[uni.variable == "stage_initial"]) == 1
    frame, _ = recur.analysis_frame(nsclc_cohort, s)
    trend = recur.cox(frame, "os_months", "os_event", ["stage_initial"],
                      ordered={"stage_initial": ["I", "II", "III"]}).coefficients.iloc[0]
    got = uni[uni.variable == "stage_initial"].iloc[0]
    assert got.hr == pytest.approx(trend.hr, rel=1e-12) and got.n == 67  # 7 patients miss the initial stage


def test_a_cutoff_factor_follows_its_threshold_and_a_stale_factor_is_named(nsclc_cohort):
    s = Settings(cutoffs=(recur.Cutoff("bed_gy", ">=", 80),), factors=("cutoff:bed_gy",))
    res = prognostic_analysis(nsclc_cohort, s)
    assert set(res.table.term) == {"BED >=80 Gy"}
    with pytest.raises(recur.RecurError, match="gtv_cc"):
        prognostic_analysis(nsclc_cohort, Settings(factors=("cutoff:bed_gy", "cutoff:gtv_cc")))
    with pytest.raises(recur.RecurError, match="choose at least one factor"):
        prognostic_analysis(nsclc_cohort, Settings(factors=()))


def test_factor_options_offer_cutoffs_and_columns_but_not_outcomes(nsclc_cohort):
    from recur.factors import factor_label, factor_options

    options = factor_options(nsclc_cohort, Settings())
    assert options[:3] == ["cutoff:bed_gy", "cutoff:dfi_months", "cutoff:ttr_months"]
    assert {"age", "histology", "egfr", "response"} <= set(options)
    assert not {"failure_pattern", "failure_pattern_first", "distant_sites", "os_months", "patient_id"} & set(options)
    assert factor_label(Settings(), "cutoff:dfi_months") == "DFI >=12 months"


def test_cohort_levels_are_text_in_order_without_missing(nsclc_cohort):
    # counted from the demo file: four histologies, EGFR with 'unknown' as a level, not as missing
    assert nsclc_cohort.levels("histology") == ["LELC", "adenocarcinoma", "other", "squamous"]
    assert nsclc_cohort.levels("egfr") == ["mutant", "unknown", "wild-type"]
    assert nsclc_cohort.levels("stage_initial") == ["I", "II", "III"]  # 7 missing stages are not a level
