"""Checks that travel with every Cox model recur shows: a flag on terms whose
proportional-hazards test fails, and a warning when a multivariable model has
fewer than 10 events per estimated coefficient (Peduzzi et al. 1995, J Clin
Epidemiol 48:1503-1510).

The flag is a column of the screening table (``PH_P``, ``PH_VIOLATED``), so
any table or figure built from it can show the mark and the footnote."""

from __future__ import annotations

import pandas as pd

PH_P, PH_VIOLATED = "ph_p", "ph_violated"
PH_ALPHA = 0.05
MIN_EPV = 10
PH_MARK = " †"
PH_FOOTNOTE = ("† Proportional-hazards test (Schoenfeld residuals) p < 0.05: the hazard ratio changes over "
               "follow-up and the HR shown is an average. Read the restricted mean survival time (RMST) on the "
               "Survival page instead.")
PH_FIGURE_NOTE = "† PH test p < 0.05: an HR averaged over time; see RMST (Survival page)"  # < 80 characters


def flag_ph(table: pd.DataFrame, ph: pd.DataFrame) -> pd.DataFrame:
    """``table`` (endpoint, model, variable, ...) with the PH test p of each
    term's variable in its own model and a flag where p < 0.05; NaN / False
    where the test was not run or is undefined."""
    out = table.drop(columns=[PH_P, PH_VIOLATED], errors="ignore")
    if ph.empty:
        return out.assign(**{PH_P: float("nan"), PH_VIOLATED: False})
    tests = ph[ph["term"] != "GLOBAL"][["endpoint", "model", "term", "p"]]
    tests = tests.rename(columns={"term": "variable", "p": PH_P})
    out = out.merge(tests, on=["endpoint", "model", "variable"], how="left", validate="many_to_one")
    out[PH_VIOLATED] = (out[PH_P] < PH_ALPHA).to_numpy(dtype=bool)
    return out


def epv_warnings(table: pd.DataFrame) -> tuple[str, ...]:
    """One sentence per multivariable model with fewer than 10 events per
    estimated coefficient, naming the endpoint, the events and the coefficients."""
    out = []
    multi = table[table["model"] == "multivariable"]
    for endpoint, rows in multi.groupby("endpoint", sort=False):
        n_coef = int(rows["coef"].notna().sum())
        events = rows["n_events"].dropna()
        if not n_coef or events.empty:
            continue
        n_events = int(events.max())
        if n_events < MIN_EPV * n_coef:
            out.append(f"The multivariable Cox model for {str(endpoint).upper()} has {n_events} events for "
                       f"{n_coef} estimated coefficient(s) ({n_events / n_coef:.1f} per coefficient, fewer than "
                       f"{MIN_EPV}): its hazard ratios may be biased and unstable. Enter fewer factors (a stricter "
                       "screening p) or read it as exploratory.")
    return tuple(out)
