"""The competing-risks status built from a cohort, and the analyses of
(Cohort, Settings) for cumulative incidence, RMST and landmark KM."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import recur
from recur.analysis import survival_analysis
from recur.errors import RecurError
from recur.estimands import competing_analysis, competing_status, death_is_censored, rmst_analysis


def test_status_counts_death_without_failure_from_the_dates(nsclc_cohort):
    data = nsclc_cohort.data
    status = competing_status(data, "lrfs")
    failed = data[["date_local_failure", "date_regional_failure"]].notna().any(axis=1)
    # death censors LRFS here, so "died without a locoregional failure" = competing event
    expected = np.select([failed, data["date_death"].notna()], [1, 2], 0)
    usable = data["lrfs_months"].notna()
    assert (status[usable].to_numpy() == expected[usable]).all()
    assert (status == 2).sum() == (~failed & data["date_death"].notna() & usable).sum() > 0


def test_status_from_precomputed_times():
    frame = pd.DataFrame({"dmfs_months": [5.0, 8.0, 8.0, 3.0, np.nan], "dmfs_event": [1, 0, 0, 0, 0],
                          "os_months": [9.0, 8.0, 12.0, 3.0, 4.0], "os_event": [1, 1, 1, 0, 1]})
    assert competing_status(frame, "dmfs").tolist()[:4] == [1, 2, 0, 0]  # died later than censored -> 0
    assert np.isnan(competing_status(frame, "dmfs").iloc[4])
    with pytest.raises(RecurError, match="overall-survival"):
        competing_status(frame.drop(columns="os_event"), "dmfs")


def test_competing_analysis_matches_the_core_functions(nsclc_cohort):
    settings = recur.Settings(rules=recur.EndpointRules(), endpoint="lrfs", group_by="BED >=78 Gy")
    assert death_is_censored(settings) and not death_is_censored(settings, "os")
    res = competing_analysis(nsclc_cohort, settings)
    frame, _ = recur.analysis_frame(nsclc_cohort, settings)
    frame["s"] = competing_status(frame, "lrfs")
    direct = recur.gray_test(frame, "lrfs_months", "s", "BED >=78 Gy")
    assert res.gray_p == direct.loc[0, "p"] < 0.05
    # the CIF of the failure never exceeds 1 - KM (death censored), which overstates it
    for g in res.cif.groups:
        cif = res.cif.curves[(res.cif.curves.group == g) & (res.cif.curves.cause == 1)]
        km = res.km.curves[res.km.curves.group == g]
        one_minus = 1 - km.set_index("time")["surv"].reindex(cif.time[1:], method="ffill")
        assert (cif.cif.iloc[1:].to_numpy() <= one_minus.to_numpy() + 1e-12).all()
    with pytest.raises(RecurError, match="counts death as an event"):
        competing_analysis(nsclc_cohort, settings.__class__(endpoint="os"))


def test_rmst_and_landmark_analyses(nsclc_cohort):
    settings = recur.Settings(group_by="BED >=78 Gy", rmst_months=18.0)
    res = rmst_analysis(nsclc_cohort, settings)
    frame, _ = recur.analysis_frame(nsclc_cohort, settings)
    assert res.tau == 18.0 and res.groups.equals(recur.rmst(frame, "os_months", "os_event", "BED >=78 Gy", 18).groups)
    plain = survival_analysis(nsclc_cohort, recur.Settings(group_by="response"))
    lm = survival_analysis(nsclc_cohort, recur.Settings(group_by="response", landmark_analysis=True))
    os_ok = frame["os_months"].notna()
    gone = int((os_ok & (frame["os_months"] <= 3)).sum())  # died or censored by month 3
    assert plain.landmark is None and lm.landmark.n_excluded == gone + int((~os_ok).sum()) > 0
    assert lm.km.medians["n"].sum() == plain.km.medians["n"].sum() - gone
    # a baseline grouping is never landmarked
    assert survival_analysis(nsclc_cohort, recur.Settings(group_by="sex", landmark_analysis=True)).landmark is None


def test_cif_figure_draws_steps_next_to_one_minus_km(nsclc_cohort):
    from recur.figures.cif import build_cif_figure
    from recur.safe_text import html_text

    settings = recur.Settings(endpoint="lrfs", group_by="BED >=78 Gy")
    res = competing_analysis(nsclc_cohort, settings)
    fig = build_cif_figure(res, title="x")
    assert [t.name for t in fig.data] == [html_text(n) for n in (  # names shown as plain text
        "BED <78 Gy (n=35)", "BED <78 Gy: 1 - KM (death censored)", "BED >=78 Gy (n=39)",
        "BED >=78 Gy: 1 - KM (death censored)")]
    assert {t.line.shape for t in fig.data} == {"hv"}
    assert fig.data[0].y[-1] == pytest.approx(res.cif.curves.query("group == 'BED <78 Gy' and cause == 1").cif.iloc[-1])
    assert fig.data[1].y[-1] == pytest.approx(1 - res.km.curves.query("group == 'BED <78 Gy'").surv.iloc[-1])
    assert [a.text for a in fig.layout.annotations] == [f"Gray's test p = {res.gray_p:.3f}"]


def test_cif_and_rmst_follow_the_landmark(nsclc_cohort):
    settings = recur.Settings(endpoint="lrfs", group_by="response", landmark_analysis=True, landmark_months=3.0)
    res = competing_analysis(nsclc_cohort, settings)
    frame, _ = recur.analysis_frame(nsclc_cohort, settings)
    frame["s"] = competing_status(frame, "lrfs")
    later = frame[frame["lrfs_months"] > 3].assign(lrfs_months=lambda d: d["lrfs_months"] - 3)
    direct = recur.cumulative_incidence(later, "lrfs_months", "s", by="response")
    assert res.landmark.n_excluded == len(frame) - len(later)
    pd.testing.assert_frame_equal(res.cif.curves, direct.curves)
    assert (res.cif.counts["n_competing"] > 0).any()  # deaths still recognised after the clock reset
    rm = rmst_analysis(nsclc_cohort, recur.Settings(group_by="response", landmark_analysis=True))
    os_later = frame[frame["os_months"] > 3].assign(os_months=lambda d: d["os_months"] - 3)
    assert rm.groups.equals(recur.rmst(os_later, "os_months", "os_event", "response", 24).groups)
