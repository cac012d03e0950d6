"""What a page rerun may take from the caches instead of computing again
gives the same results: the Cox screen's models reused across a new cutoff
threshold, and the Survival page's analysis without the hazard ratios it
does not show; and the caches' size estimate of a frame is pandas' own."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

import recur
from recur.analysis import prognostic_analysis, survival_analysis
from recur.cohort import analysis_frame
from recur.factors import default_factors, is_cutoff_factor
from recur.settings import Cutoff
from recur.ui.cache import estimate_bytes


def _with_bed(settings: recur.Settings, threshold: float) -> recur.Settings:
    cutoffs = tuple(Cutoff("bed_gy", ">=", threshold) if c.variable == "bed_gy" else c for c in settings.cutoffs)
    return replace(settings, cutoffs=cutoffs)


def test_cox_screen_with_reused_models_equals_a_fresh_screen_and_refits_only_the_new_cutoffs(nsclc_cohort):
    store: dict = {}
    fits: list = []

    def memo(key, fit):
        if key not in store:
            fits.append(key)
            store[key] = fit()
        return store[key]

    first = recur.Settings(screen_p=0.9)  # a lenient screen: every endpoint gets a multivariable model
    prognostic_analysis(nsclc_cohort, first, memo=memo)
    n_first = len(fits)
    second = _with_bed(first, 70.0)
    reused = prognostic_analysis(nsclc_cohort, second, memo=memo)
    fresh = prognostic_analysis(nsclc_cohort, second)
    pd.testing.assert_frame_equal(reused.table, fresh.table)
    pd.testing.assert_frame_equal(reused.ph, fresh.ph)
    assert reused.warnings == fresh.warnings
    new = fits[n_first:]
    # The new threshold refits each endpoint's univariate model of the BED cutoff and its multivariable
    # model (which holds that cutoff): two models per endpoint, every other model (and every default
    # reference level) comes from the store.
    bed_label = second.cutoffs[0].label
    assert sorted((k[0], k[1]) for k in new) == sorted((ep, kind) for ep in nsclc_cohort.endpoints
                                                       for kind in ("univariate", "multivariable"))
    assert all(any(d[0][0] == bed_label for d in k[4]) for k in new)
    models = [k for k in fits[:n_first] if k[0] in nsclc_cohort.endpoints]
    assert len(models) == len(nsclc_cohort.endpoints) * (len(fresh.table.variable.unique()) + 1)
    references = [k for k in fits[:n_first] if k[0] == "default reference"]
    frame, _ = analysis_frame(nsclc_cohort, first)
    categorical = [f for f in default_factors(nsclc_cohort, first, frame)
                   if not is_cutoff_factor(f) and not pd.api.types.is_numeric_dtype(frame[f])]
    assert len(categorical) >= 2 and sorted(k[2][0] for k in references) == sorted(categorical)


def test_survival_analysis_without_hazard_ratios_differs_only_by_them(nsclc_cohort):
    settings = recur.Settings(group_by="BED >=78 Gy")
    full = survival_analysis(nsclc_cohort, settings)
    lean = survival_analysis(nsclc_cohort, settings, hazard_ratios=False)
    assert full.hazard_ratios is not None and lean.hazard_ratios is None
    pd.testing.assert_frame_equal(full.km.curves, lean.km.curves)
    pd.testing.assert_frame_equal(full.km.medians, lean.km.medians)
    assert (full.logrank.chisq, full.notes, full.followup) == (lean.logrank.chisq, lean.notes, lean.followup)


def test_cache_size_estimate_measures_a_long_frame_and_sizes_a_short_one_from_its_types(nsclc_cohort):
    data = pd.concat([nsclc_cohort.data] * 14, ignore_index=True)  # 1,036 rows: measured
    for frame in (data, data.iloc[::1], data.set_index("patient_id")):
        assert estimate_bytes(frame) == int(frame.memory_usage(index=True, deep=True).sum())
    mixed = pd.DataFrame({"n": pd.array([1, None, 3], dtype="Int64"), "level": pd.Categorical(["a", "b", "a"]),
                          "text": ["x", "yy", None], "hr": [0.5, 1.0, 2.0], "flag": [True, False, True]})
    assert estimate_bytes(mixed) == 3 * (8 + 64 + 64 + 64 + 8 + 1)  # index, three non-numpy cells, float, bool
    assert estimate_bytes(mixed["hr"]) == 3 * (8 + 8) and estimate_bytes(mixed["text"]) == 3 * (8 + 64)
