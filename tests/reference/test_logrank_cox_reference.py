"""Log-rank (survdiff), Cox (coxph, Efron and Breslow) and cox.zph against
R survival 3.5.3. Tolerances: chi-square and p rel 1e-6; Cox coef, se, HR
CI, p rel 1e-5 (R stops Newton-Raphson at a relative log-likelihood change
of 1e-9, so its coefficients themselves carry ~1e-7 relative error);
log-likelihoods abs 1e-6; cox.zph chi-square rel 1e-6 (we reach ~1e-10)."""

from __future__ import annotations

import pytest

from recur.stats.cox import cox, ph_test
from recur.stats.logrank import logrank
from tests.conftest import reference, reference_data

EVENT = {"lung": "event", "veteran": "status"}
REFERENCE_LEVEL = {"celltype": "squamous"}


def _logrank_cases():
    for ds in ("lung", "veteran"):
        for name, block in reference(ds)["logrank"].items():
            yield pytest.param(ds, name.split("_peto")[0], block, id=f"{ds}-{name}")
        for name, block in reference(ds).get("dichotomized", {}).items():
            yield pytest.param(ds, name, block["logrank"], id=f"{ds}-{name}")


def _frame(ds: str, column: str):
    df = reference_data(ds)
    if "_ge" in column and column not in df:
        var, _, k = column.rpartition("_ge")
        df[column] = (df[var] >= float(k)).astype(int)  # R_prep: as.integer(x >= k)
    return df


@pytest.mark.parametrize("ds,by,ref", list(_logrank_cases()))
def test_logrank_matches_survdiff(ds, by, ref):
    # R: survdiff(Surv(time, status) ~ by, rho = 0 or 1)
    res = logrank(_frame(ds, by), "time", EVENT[ds], by, rho=ref["rho"])
    assert res.chisq == pytest.approx(ref["chisq"], rel=1e-6)
    assert res.p == pytest.approx(ref["p"], rel=1e-6)
    assert res.df == ref["df"]
    ours_by_group = {r.group: r for r in res.groups.itertuples()}
    assert len(ours_by_group) == len(ref["groups"])
    for theirs in ref["groups"]:
        ours = ours_by_group[theirs["group"].split("=", 1)[1]]
        assert ours.n == theirs["n"]
        assert ours.observed == pytest.approx(theirs["observed"], rel=1e-9)
        assert ours.expected == pytest.approx(theirs["expected"], rel=1e-9)


def _cox_cases():
    for ds in ("lung", "veteran"):
        ref = reference(ds)
        models = dict(ref["cox"])
        models.update({name: block["cox"] for name, block in ref.get("dichotomized", {}).items()})
        for model, block in models.items():
            covs = block["formula"].split("~")[1].strip().split(" + ")
            for ties in ("efron", "breslow"):
                yield pytest.param(ds, covs, block[ties], ties, id=f"{ds}-{model}-{ties}")


def _r_term(row) -> str:
    """Our term -> R's coefficient name (celltype=smallcell -> celltypesmallcell)."""
    return row.variable + row.level if row.level else row.variable


@pytest.mark.parametrize("ds,covs,ref,ties", list(_cox_cases()))
def test_cox_matches_coxph(ds, covs, ref, ties):
    # R: coxph(Surv(time, status) ~ covs, ties = ties)   (the R_call in the JSON)
    res = cox(_frame(ds, covs[0]), "time", EVENT[ds], covs, ties=ties, reference=REFERENCE_LEVEL)
    assert (res.n, res.n_events, res.n_dropped) == (ref["n"], ref["nevent"], ref["n_dropped_missing"])
    assert res.loglik_null == pytest.approx(ref["loglik_null"], abs=1e-6)
    assert res.loglik == pytest.approx(ref["loglik_final"], abs=1e-6)
    assert res.iterations == ref["iterations"] and res.converged
    ours = {_r_term(r): r for r in res.coefficients.itertuples()}
    assert set(ours) == {c["term"] for c in ref["coefficients"]}
    for c in ref["coefficients"]:
        r = ours[c["term"]]
        assert r.note == ""
        for mine, key in ((r.coef, "coef"), (r.se, "se"), (r.hr, "hr"), (r.lower, "hr_lower95"),
                          (r.upper, "hr_upper95"), (r.z, "z"), (r.p, "p")):
            assert mine == pytest.approx(c[key], rel=1e-5), key
    for mine, key in ((res.lr_test, "likelihood_ratio_test"), (res.wald_test, "wald_test"),
                      (res.score_test, "score_logrank_test")):
        assert mine.statistic == pytest.approx(ref[key]["statistic"], rel=1e-5)
        assert mine.p == pytest.approx(ref[key]["p"], rel=1e-5)
        assert mine.df == ref[key]["df"]


@pytest.mark.parametrize("ds,covs,ref,ties", [c for c in _cox_cases() if "cox_zph" in c.values[2]])
@pytest.mark.parametrize("transform", ["km", "rank", "identity"])
@pytest.mark.parametrize("reuse_fit", [False, True])
def test_ph_test_matches_cox_zph(ds, covs, ref, ties, transform, reuse_fit):
    # R: cox.zph(fit, transform = transform)   (survival 3.x score test; a factor is one term)
    df = _frame(ds, covs[0])
    model = cox(df, "time", EVENT[ds], covs, ties=ties, reference=REFERENCE_LEVEL) if reuse_fit else None
    table = ph_test(df, "time", EVENT[ds], covs, ties=ties, transform=transform, reference=REFERENCE_LEVEL,
                    model=model)
    expected = ref["cox_zph"][transform]["rows"]
    assert list(table["term"]) == [r["term"] for r in expected]
    for ours, theirs in zip(table.itertuples(), expected):
        assert ours.chisq == pytest.approx(theirs["chisq"], rel=1e-6)
        assert ours.df == theirs["df"]
        assert ours.p == pytest.approx(theirs["p"], rel=1e-6)
