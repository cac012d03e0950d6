"""Randomised parity with R survival 3.5.3 on 300 small seeded data sets
(random/make_reference.R writes the data and R's answers to
random/random_reference.json; R is never needed here): n 6-45, heavy ties,
near-ties (1e-11 .. 1e-6 relative), a 3-level factor g and a numeric x on
scales 1e-3 .. 1e3, some with a level without events, a level never at risk,
x collinear with g, or separated data.

Tolerances: Cox coef and se rel 1e-5 (R stops at a relative log-likelihood
change of 1e-9), and abs 1e-12 for coefficients R reports as zero to machine
precision (|coef| < 1e-12, where relative error is noise); in fits R ran
out of iterations on, coef rel 1e-5 or abs 1e-6 * se (a coefficient near
zero there is noise of that size) and se rel 1e-5; log-likelihood
abs 1e-6; score and Wald tests rel 1e-5; KM estimates and CI limits abs 1e-9
(R writes 15 significant digits); numbers at risk exact; medians and their
limits rel 1e-12 (they are observed times or midpoints of two); log-rank
chi-square rel 1e-6 (abs 1e-9 near 0)."""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from recur.stats.cox import cox
from recur.stats.km import kaplan_meier
from recur.stats.logrank import logrank

REFERENCE = Path(__file__).parent / "random" / "random_reference.json"
R_TERM = {"gb": "g=b", "gc": "g=c", "x": "x"}


@cache
def _sets() -> tuple[dict, ...]:
    return tuple(json.loads(REFERENCE.read_text())["sets"])


def _frame(s: dict) -> pd.DataFrame:
    return pd.DataFrame({k: s[k] for k in ("time", "event", "g", "x")})


def _as_list(v) -> list:
    return [] if v is None else [v] if not isinstance(v, list) else v


def _flagged_infinite(warnings: list[str]) -> set[int]:
    """Positions R names in 'Loglik converged before variable 1,2 ; ...'."""
    out: set[int] = set()
    for w in warnings:
        if w.startswith("Loglik converged before variable"):
            out |= {int(v) - 1 for v in w.split("variable")[1].split(";")[0].split(",")}
    return out


def _close(ours: float, theirs, rel: float, abs_: float = 0.0) -> bool:
    if theirs is None:
        return math.isnan(ours)
    return abs(ours - theirs) <= max(rel * abs(theirs), abs_)


def test_the_suite_covers_the_hard_cases():
    kinds = pd.Series([s["kind"] for s in _sets()]).value_counts()
    assert len(_sets()) == 300 and set(kinds.index) == {"plain", "no_events_level", "never_at_risk",
                                                       "collinear", "separated"}
    warned = sum(bool(_as_list(s["cox"]["efron"].get("warnings"))) for s in _sets())
    with_na = sum(None in s["cox"]["efron"].get("coef", []) for s in _sets())
    assert warned > 50 and with_na > 20  # the hard cases really are hard for R too


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_cox_matches_coxph_or_says_why_not(ties):
    # R: coxph(Surv(time, event) ~ g + x, ties = ties) on each data set
    compared = compared_unconverged = 0
    for s in _sets():
        ref = s["cox"][ties]
        res = cox(_frame(s), "time", "event", ["g", "x"], ties=ties)
        ours = res.coefficients.set_index("term")
        where = f"set {s['id']} ({s['kind']})"
        if "error" in ref:  # R stops ('infinite argument in coxph.wtest' after not converging)
            assert (ours.note != "").all() and not res.converged, where
            continue
        warnings = _as_list(ref["warnings"])
        infinite = _flagged_infinite(warnings)
        not_converged = any(w.startswith("Ran out of iterations") for w in warnings)
        diverging = "one or more coefficients may be infinite" in warnings
        assert res.converged == (not not_converged) and res.iterations == ref["iter"], where
        assert res.lr_test.df == ref["df"], where
        for i, term in enumerate(ref["terms"]):
            row = ours.loc[R_TERM[term]]
            coef, se = ref["coef"][i], ref["se"][i]
            if coef is None:  # R: NA (aliased or no information)
                assert math.isnan(row.coef) and row.note, where
            elif i in infinite or diverging:  # R warns the estimate may be infinite: a reason, no number
                assert row.note and math.isnan(row.coef), where
            elif not_converged:  # R warns, its numbers still printed: ours too, with the note
                assert row.note, where
                if row.note.startswith("did not converge"):
                    assert _close(row.coef, coef, 1e-5, 1e-6 * se) and _close(row.se, se, 1e-5), where
                    compared_unconverged += 1
            elif "no events in group" in row.note:
                # The one place we differ on purpose: a level without events has no finite MLE;
                # R's flag misses a few of them, its estimate is then noise (|z| < 1e-3).
                assert abs(coef / se) < 1e-3, where
            else:
                assert row.note == "", where
                assert _close(row.coef, coef, 1e-5, 1e-12 if abs(coef) < 1e-12 else 0), where
                assert _close(row.se, se, 1e-5), where
                compared += 1
        if not not_converged:
            assert res.loglik == pytest.approx(ref["loglik"][1], abs=1e-6), where
            assert res.loglik_null == pytest.approx(ref["loglik"][0], abs=1e-6), where
            assert res.score_test.statistic == pytest.approx(ref["score"], rel=1e-5, abs=1e-9), where
            if not infinite:
                assert res.wald_test.statistic == pytest.approx(ref["wald"], rel=1e-5, abs=1e-9), where
    assert compared > 600  # most terms are ordinary estimates, compared digit for digit
    assert compared_unconverged > 10


@pytest.mark.parametrize("conf_type", ["log", "log-log"])
def test_km_landmarks_and_medians_match_survfit(conf_type):
    # R: summary(survfit(Surv(time, event) ~ 1, conf.type = ct), times = c(min / 2, median, max),
    #    extend = TRUE); quantile(fit, 0.5); quantile(survfit(Surv(time, event) ~ g, ...), 0.5)
    for s in _sets():
        ref = s["km"][conf_type]
        where = f"set {s['id']}"
        km = kaplan_meier(_frame(s), "time", "event", at=ref["times"], conf_type=conf_type)
        at = km.at_times
        assert at["n_risk"].tolist() == ref["n_risk"], where
        for col, key in (("surv", "surv"), ("std_err", "std_err"), ("lower", "lower"), ("upper", "upper")):
            for mine, theirs in zip(at[col], _as_list(ref[key])):
                assert _close(mine, theirs, 0, 1e-9), (where, col)
        med = km.medians.iloc[0]
        for mine, theirs in zip((med["median"], med["lower"], med["upper"]), ref["median"]):
            assert _close(mine, theirs, 1e-12), (where, "median")
        by_group = kaplan_meier(_frame(s), "time", "event", by="g", conf_type=conf_type).medians
        for g in _as_list(ref["group_medians"]):
            row = by_group[by_group["group"] == g["group"]].iloc[0]
            for mine, theirs in zip((row["median"], row["lower"], row["upper"]), g["median"]):
                assert _close(mine, theirs, 1e-12), (where, g["group"])


def test_logrank_matches_survdiff():
    # R: survdiff(Surv(time, event) ~ g)
    for s in _sets():
        if not s.get("logrank"):
            continue
        res = logrank(_frame(s), "time", "event", "g")
        assert res.df == s["logrank"]["df"]
        assert res.chisq == pytest.approx(s["logrank"]["chisq"], rel=1e-6, abs=1e-9), f"set {s['id']}"
