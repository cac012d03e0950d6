"""Checks that travel with every Cox model recur shows: a flag on terms whose
proportional-hazards test fails, and a warning when a multivariable model has
fewer than 10 events per estimated coefficient (Peduzzi et al. 1995, J Clin
Epidemiol 48:1503-1510).

The flag is a column of the screening table (``PH_P``, ``PH_VIOLATED``), so
any table or figure built from it can show the mark and the footnote."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recur.frames import with_columns

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
    terms = ph["term"].to_numpy() != "GLOBAL"
    keys = zip(*(ph[c].to_numpy()[terms] for c in ("endpoint", "model", "term")))
    p_of = dict(zip(keys, ph["p"].to_numpy(dtype=float)[terms]))
    if len(p_of) < terms.sum():
        raise ValueError("flag_ph: a term has two PH tests in one model")
    p = np.array([p_of.get(key, np.nan) for key in zip(*(out[c].to_numpy() for c in ("endpoint", "model", "variable")))],
                 dtype=float)
    return with_columns(out, {PH_P: p, PH_VIOLATED: p < PH_ALPHA})


def epv_warnings(table: pd.DataFrame) -> tuple[str, ...]:
    """One sentence per multivariable model with fewer than 10 events per
    estimated coefficient, naming the endpoint, the events and the coefficients."""
    out = []
    multi = table["model"].to_numpy() == "multivariable"
    endpoints = table["endpoint"].to_numpy()[multi]
    estimated = table["coef"].notna().to_numpy()[multi]
    events = table["n_events"].to_numpy(dtype=float, na_value=np.nan)[multi]
    for endpoint in dict.fromkeys(endpoints):
        mine = endpoints == endpoint
        n_coef = int(estimated[mine].sum())
        if not n_coef or np.isnan(events[mine]).all():
            continue
        n_events = int(np.nanmax(events[mine]))
        if n_events < MIN_EPV * n_coef:
            out.append(f"The multivariable Cox model for {str(endpoint).upper()} has {n_events} events for "
                       f"{n_coef} estimated coefficient(s) ({n_events / n_coef:.1f} per coefficient, fewer than "
                       f"{MIN_EPV}): its hazard ratios may be biased and unstable. Enter fewer factors (a stricter "
                       "screening p) or read it as exploratory.")
    return tuple(out)
