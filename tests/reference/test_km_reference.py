"""Kaplan-Meier, medians and reverse-KM follow-up against R survival 3.5.3
(shared/reference: lung.json, veteran.json). Tolerances: estimates and CIs
abs 1e-6 (R writes 15 significant digits); medians, CI limits and numbers at
risk exact (they are observed times and counts)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from recur.stats.km import kaplan_meier, median_followup
from tests.conftest import reference, reference_data

EVENT = {"lung": "event", "veteran": "status"}
CONF_TYPES = ["log", "log-log", "plain"]


def _fits():
    for ds in ("lung", "veteran"):
        ref = reference(ds)
        fits = dict(ref["kaplan_meier"])
        for name, block in ref.get("dichotomized", {}).items():
            fits[f"dichotomized.{name}"] = block["kaplan_meier"]
        for fit_name, fit in fits.items():
            for ct in CONF_TYPES:
                yield pytest.param(ds, fit_name, fit, ct, id=f"{ds}-{fit_name}-{ct}")


def _by(ds: str, fit_name: str):
    if fit_name == "overall":
        return None, reference_data(ds)
    df = reference_data(ds)
    if fit_name.startswith("dichotomized."):
        var, _, k = fit_name.split(".", 1)[1].rpartition("_ge")
        col = fit_name.split(".", 1)[1]
        df[col] = (df[var] >= float(k)).astype(int)  # R_prep: as.integer(x >= k)
        return col, df
    return fit_name.removeprefix("by_"), df


def _close(ours: float, theirs, tol: float = 1e-6) -> bool:
    if theirs is None:
        return ours is None or math.isnan(ours)
    return abs(ours - theirs) <= tol


@pytest.mark.parametrize("ds,fit_name,fit,conf_type", list(_fits()))
def test_landmarks_and_medians_match_survfit(ds, fit_name, fit, conf_type):
    # R: summary(survfit(Surv(time, status) ~ by, conf.type = ...), times = ..., extend = TRUE)
    by, df = _by(ds, fit_name)
    km = kaplan_meier(df, "time", EVENT[ds], by=by, at=fit["landmark_times"], conf_type=conf_type)
    for g in fit["groups"]:
        label = "All patients" if g["group"] == "overall" else g["group"].split("=", 1)[1]
        med = km.medians[km.medians["group"] == label].iloc[0]
        assert med["n"] == g["n"] and med["n_events"] == g["n_events"]
        ref_med = g["median"]
        assert _close(med["median"], ref_med["estimate"], 0)
        assert _close(med["lower"], ref_med["ci95"][conf_type]["lower"], 0)
        assert _close(med["upper"], ref_med["ci95"][conf_type]["upper"], 0)
        ours = km.at_times[km.at_times["group"] == label].reset_index(drop=True)
        for i, lm in enumerate(g["landmarks"]):
            row = ours.iloc[i]
            assert row["time"] == lm["time"]
            assert row["n_risk"] == lm["n_risk"]
            assert row["n_event_interval"] == lm["n_event_interval"]
            assert _close(row["surv"], lm["surv"])
            assert _close(row["std_err"], lm["std_err"])
            assert _close(row["lower"], lm["ci95"][conf_type]["lower"])
            assert _close(row["upper"], lm["ci95"][conf_type]["upper"])


@pytest.mark.parametrize("ds", ["lung", "veteran"])
@pytest.mark.parametrize("conf_type", CONF_TYPES)
def test_full_step_function_matches_survfit(ds, conf_type):
    # R: survfit(Surv(time, status) ~ 1, conf.type = ...): $time, $n.risk, ..., $lower, $upper
    sf = reference(ds)["kaplan_meier"]["overall"]["step_function"]
    km = kaplan_meier(reference_data(ds), "time", EVENT[ds], conf_type=conf_type)
    c = km.curves
    np.testing.assert_array_equal(c["time"], sf["time"])
    np.testing.assert_array_equal(c["n_risk"], sf["n_risk"])
    np.testing.assert_array_equal(c["n_event"], sf["n_event"])
    np.testing.assert_array_equal(c["n_censor"], sf["n_censor"])
    np.testing.assert_allclose(c["surv"], sf["surv"], rtol=0, atol=1e-12)
    se = np.array([np.nan if v is None else v for v in sf["std_err_surv"]], dtype=float)
    np.testing.assert_allclose(c["std_err"], se, rtol=1e-9, atol=1e-12, equal_nan=True)
    for ours, key in ((c["lower"], f"lower95_{conf_type}"), (c["upper"], f"upper95_{conf_type}")):
        theirs = np.array([np.nan if v is None else v for v in sf[key]], dtype=float)
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9, equal_nan=True)


@pytest.mark.parametrize("conf_type", ["log", "log-log"])
def test_reverse_km_median_followup(conf_type):
    # R: survfit(Surv(time, 1 - event) ~ 1, data = lung, conf.type = ...)
    ref = reference("lung")["reverse_km_median_followup"][conf_type]
    med, lo, hi = median_followup(reference_data("lung"), "time", "event", conf_type)
    assert (med, lo, hi) == (ref["median_followup"], ref["lower95"], ref["upper95"])


def test_reverse_km_not_reached_when_few_censored():
    # veteran: 9 of 137 censored, R returns NA (reverse KM never reaches 0.5)
    assert reference("veteran")["reverse_km_median_followup"]["log"]["median_followup"] is None
    med, _, _ = median_followup(reference_data("veteran"), "time", "status", "log")
    assert math.isnan(med)
