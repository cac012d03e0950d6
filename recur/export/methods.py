"""The methods paragraph of the report, written from the settings actually
used: estimators and their options, the dose formulas with alpha/beta, the
endpoint definitions and time origin, cutoffs and subgroup, toxicity grading
and the software versions. Plain text; the report escapes it.

>>> "log-log" in methods_paragraph(Settings(), ("os",), has_toxicity=False)  # doctest: +SKIP
True
"""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version
from typing import Sequence

import recur
from recur.cutoffs import exploration_text, register_mark
from recur.format import fmt_number
from recur.settings import DATA_DERIVED, EndpointRules, Settings
from recur.variables import ENDPOINT_NAMES, ORIGIN_LABELS, variable_label

CI_TRANSFORMS = {"log-log": "the log-log transformation", "log": "the log transformation",
                 "plain": "no transformation (plain Greenwood intervals)"}
SOFTWARE = ("numpy", "pandas", "scipy", "plotly")


def endpoint_events(endpoint: str, rules: EndpointRules) -> str:
    """What counts as an event, e.g. 'progression at any site or death'."""
    failure = {"pfs": "progression at any site (the earliest of progression, local, regional or distant failure)",
               "lrfs": "local or regional failure (the earlier)", "fflp": "local (in-field) failure",
               "dmfs": "distant failure"}
    if endpoint == "os":
        return "death from any cause"
    counts_death = {"pfs": rules.pfs_death_is_event, "lrfs": rules.lrfs_death_is_event,
                    "dmfs": rules.dmfs_death_is_event}.get(endpoint, False)
    return failure[endpoint] + (" or death from any cause" if counts_death else "; deaths without it censored")


def origin_words(rules: EndpointRules) -> str:
    """The time origin inside a sentence: 'first day of salvage RT'."""
    label = ORIGIN_LABELS[rules.origin]
    return label[0].lower() + label[1:]


def software_versions() -> str:
    """'recur 0.1.0, Python 3.11.7, numpy 2.4.6, ...'."""
    parts = [f"recur {recur.__version__}", f"Python {platform.python_version()}"]
    for package in SOFTWARE:
        try:
            parts.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            parts.append(f"{package} (version unknown)")
    return ", ".join(parts)


def methods_paragraph(settings: Settings, endpoints: Sequence[str], *, has_toxicity: bool,
                      has_cox: bool = True) -> str:
    """The methods as one paragraph of sentences, for ``settings`` and the endpoints analysed."""
    m, rules, ab = settings.methods, settings.rules, settings.alpha_beta
    level = f"{100 * m.conf_level:g}%"
    origin = origin_words(rules)
    text = [
        f"Times were measured in months (days / 30.4375) from the {origin} to the event or, without it, to the "
        "last follow-up (censored)."]
    if endpoints:
        text.append("Endpoints: " + "; ".join(f"{ENDPOINT_NAMES[ep].lower()} ({ep.upper()}), event = "
                                              f"{endpoint_events(ep, rules)}" for ep in endpoints) + ".")
    text.append(f"Biologically effective dose was BED = D (1 + d / (α/β)) and the equivalent dose in 2-Gy "
                f"fractions EQD2 = BED / (1 + 2 / (α/β)), with total dose D, dose per fraction d and "
                f"α/β = {fmt_number(ab)} Gy (unless a patient's own α/β was recorded).")
    if settings.cutoffs:
        text.append("Dichotomised factors: " + ", ".join(f"{c.label} versus {c.reference_label} (cutoff "
                                                          f"{register_mark(c)})" for c in settings.cutoffs) + ".")
    if any(c.source == DATA_DERIVED for c in settings.cutoffs) or settings.explored:
        text.append("A data-derived cutoff was chosen after looking at the outcome data (maximally selected "
                    "log-rank statistic), so its unadjusted p-value is too small; "
                    + (exploration_text(settings) if settings.explored else "cutpoints were explored")
                    + ". Lausen-Schumacher-adjusted p-values are given with the cutpoint scan.")
    if settings.filters:
        text.append("Analyses were restricted to patients with " + " and ".join(
            f"{variable_label(f.column)[0]} {' or '.join(f.values) or '(no value chosen)'}"
            for f in settings.filters) + ".")
    text.append(f"Survival was estimated by the Kaplan-Meier method with Greenwood's variance and pointwise "
                f"{level} confidence intervals on {CI_TRANSFORMS[m.km_conf_type]}; medians and their intervals "
                f"as R's quantile.survfit; median follow-up by the reverse Kaplan-Meier method.")
    if settings.group_by:
        text.append(f"Groups ({settings.group_by}) were compared with the log-rank test.")
    if has_cox:
        text.append(f"Hazard ratios with Wald {level} confidence intervals came from Cox proportional-hazards "
                    f"models ({m.cox_ties.capitalize()} method for tied times); each factor was first tested "
                    f"alone (univariate), and factors with a univariate p < {settings.screen_p:g} entered a "
                    "multivariable model per endpoint. A categorical factor's reference level is its most "
                    "frequent level unless chosen otherwise; proportional hazards were checked with the "
                    "Schoenfeld score test (R cox.zph, Kaplan-Meier time transform).")
    if has_toxicity:
        text.append("Toxicity is reported as the worst Common Terminology Criteria for Adverse Events (CTCAE) "
                    "grade per patient and adverse event, acute and late split at 90 days after the end of "
                    "radiotherapy; grade 3 or higher is counted among patients assessed.")
    text.append(f"Analyses were run with {software_versions()}; the numbers match R's survival package "
                "(survfit, survdiff, coxph).")
    return " ".join(text)


def settings_in_words(settings: Settings, endpoints: Sequence[str]) -> list[str]:
    """The analysis settings as short lines for a title slide."""
    m, rules = settings.methods, settings.rules
    origin = origin_words(rules)
    deaths = [ep.upper() for ep in ("pfs", "lrfs", "dmfs") if ep in endpoints
              and "or death" in endpoint_events(ep, rules)]
    return [
        f"Endpoints: {', '.join(ep.upper() for ep in endpoints) or 'none'}; time from the {origin}"
        + (f"; death counts as an event for {', '.join(deaths)}" if deaths else ""),
        "Cutoffs: " + (", ".join(f"{c.label} ({register_mark(c)})" for c in settings.cutoffs) or "none")
        + (f"; {exploration_text(settings)}" if settings.explored else "")
        + (f"; curves grouped by {settings.group_by}" if settings.group_by else "; curves not grouped"),
        "Patients: " + ("; ".join(f"{variable_label(f.column)[0]} = {' or '.join(f.values) or 'none'}"
                                  for f in settings.filters) or "all"),
        f"Kaplan-Meier with {100 * m.conf_level:g}% {m.km_conf_type} CIs; Cox with {m.cox_ties.capitalize()} ties, "
        f"multivariable entry at univariate p < {settings.screen_p:g}",
        f"BED and EQD2 with α/β = {fmt_number(settings.alpha_beta)} Gy",
    ]
