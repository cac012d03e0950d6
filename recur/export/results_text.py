"""Results sentences with the real numbers, from the same results the pages
show ("The 2-year overall survival was 84.2% (95% CI 70.1-92.0%)."). Plain
text, one paragraph per endpoint; numbers formatted by ``recur.format``.
"""

from __future__ import annotations

import pandas as pd

from recur.analysis import SurvivalAnalysis
from recur.format import (fmt_hr, fmt_median_text, fmt_p, fmt_percent_ci_text, landmark_label, term_label)
from recur.screen import ScreenResult
from recur.variables import ENDPOINT_NAMES

SIGNIFICANT = 0.05  # a multivariable term is named in the text below this p


def survival_paragraph(result: SurvivalAnalysis, conf_level: float = 0.95) -> str:
    """Patients, events, median and landmark rates per group, and the log-rank p."""
    name = result.title.lower()
    km = result.km
    sentences = []
    for g in km.groups:
        med = km.medians[km.medians["group"] == g].iloc[0]
        rates = km.at_times[(km.at_times["group"] == g) & ~km.at_times["beyond_last_observed"]] \
            if not km.at_times.empty else pd.DataFrame()
        counts = f"{int(med['n'])} patients, {_events(int(med['n_events']))}"
        median = fmt_median_text(med["median"], med["lower"], med["upper"], conf_level)
        sentences.append(f"In {g} ({counts}), the median {name} was {median}." if result.group_by else
                         f"The median {name} ({counts}) was {median}.")
        sentences += [f"The {landmark_label(r.time)} {name}{' in ' + g if result.group_by else ''} was "
                      f"{fmt_percent_ci_text(r.surv, r.lower, r.upper, conf_level)}." for r in rates.itertuples()]
    if result.logrank is not None:
        sentences.append(f"Log-rank test: {fmt_p(result.logrank.p)}.")
    return " ".join(sentences)


def followup_sentence(result: SurvivalAnalysis, conf_level: float = 0.95) -> str:
    """'Median follow-up (reverse Kaplan-Meier) was 25.3 months (95% CI 20.1-30.0).'"""
    median, lower, upper = result.followup
    return f"Median follow-up (reverse Kaplan-Meier) was {fmt_median_text(median, lower, upper, conf_level)}."


def cox_paragraph(screen: ScreenResult, conf_level: float = 0.95) -> str:
    """Per endpoint: the multivariable model's size and its terms with p < 0.05."""
    level = f"{100 * conf_level:g}% CI "
    sentences = []
    for ep in dict.fromkeys(screen.table["endpoint"]):
        rows = screen.table[(screen.table["endpoint"] == ep) & (screen.table["model"] == "multivariable")]
        name = ENDPOINT_NAMES[ep].lower()
        if rows.empty:
            sentences.append(f"For {name}, no factor reached univariate p < {screen.threshold:g}, so no "
                             "multivariable model was fitted.")
            continue
        named = [f"{term_label(r.variable, r.level, r.term)}{' versus ' + r.reference if r.reference else ''} "
                 f"(HR {fmt_hr(r.hr, r.lower, r.upper).replace('(', '(' + level, 1)}; {fmt_p(r.p)})"
                 for r in rows.itertuples() if r.p == r.p and r.p < SIGNIFICANT]
        size = f" ({rows['n'].max()} patients, {_events(rows['n_events'].max())})" if rows["n"].notna().any() else ""
        head = f"In the multivariable model for {name}{size}"
        sentences.append(f"{head}, " + ("; ".join(named) + f" had p < {SIGNIFICANT:g}." if named else
                                        f"no factor had p < {SIGNIFICANT:g}."))
    return " ".join(sentences)


def _events(n: int) -> str:
    return f"{n} event" + ("" if n == 1 else "s")
