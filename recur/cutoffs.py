"""The cutoff explorer on a cohort, and the cutoff register: which cutoffs
were fixed before looking at the data and which were chosen from it.

maxstat's split is x <= cut vs x > cut. A cutoff applied from the explorer
keeps that partition in recur's ``Cutoff`` terms: ``variable > cut`` named
(reference ``<= cut``), or ``variable <= cut`` when the variable's cutoff was
already written with ``<=`` / ``<`` (as TTR <= 24 months). It is marked
data-derived; editing it by hand in the sidebar marks it pre-specified again.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

import numpy as np
import pandas as pd

from recur.cohort import Cohort, analysis_frame
from recur.errors import RecurError
from recur.format import fmt_number, fmt_p
from recur.settings import DATA_DERIVED, DEFAULT_CUTOFFS, Cutoff, Settings
from recur.stats.maxstat import PMETHODS, SEED, CutpointScan, PMethod, bootstrap_cutpoint, cutpoint_scan
from recur.variables import ENDPOINT_NAMES, event_column, time_column

PMETHOD_LABELS = {"Lau92": "Lausen-Schumacher 1992", "HL": "Hothorn-Lausen 2003 bound",
                  "permutation": "permutation test"}


def _endpoint_frame(cohort: Cohort, settings: Settings) -> tuple[pd.DataFrame, str, str]:
    ep = settings.endpoint
    if ep not in cohort.endpoints:
        raise RecurError(f"{ENDPOINT_NAMES[ep]} cannot be computed from this file; choose another endpoint.")
    frame, _ = analysis_frame(cohort, settings)
    return frame, time_column(ep), event_column(ep)


def scan_cohort(cohort: Cohort, settings: Settings, variable: str, minprop: float = 0.1, maxprop: float = 0.9,
                pmethods: Sequence[PMethod] = PMETHODS, n_perm: int = 9999, seed: int = SEED) -> CutpointScan:
    """``cutpoint_scan`` of ``variable`` for the Settings' endpoint on the filtered patients."""
    frame, t, e = _endpoint_frame(cohort, settings)
    return cutpoint_scan(frame, t, e, variable, minprop, maxprop, pmethods, n_perm=n_perm, seed=seed)


def bootstrap_cohort(cohort: Cohort, settings: Settings, variable: str, minprop: float = 0.1,
                     maxprop: float = 0.9, n_boot: int = 200, seed: int = SEED) -> np.ndarray:
    """``bootstrap_cutpoint`` for the Settings' endpoint on the filtered patients."""
    frame, t, e = _endpoint_frame(cohort, settings)
    return bootstrap_cutpoint(frame, t, e, variable, minprop, maxprop, n_boot=n_boot, seed=seed)


def derived_cutoff(settings: Settings, variable: str, cut: float) -> Cutoff:
    """The data-derived Cutoff splitting ``variable`` at x <= cut vs x > cut."""
    current = next((c for c in settings.cutoffs if c.variable == variable), None)
    op = "<=" if current is not None and current.op in ("<=", "<") else ">"
    return Cutoff(variable, op, cut, DATA_DERIVED)


def apply_cutpoint(settings: Settings, variable: str, cut: float) -> Settings:
    """Settings with the cutoff on ``variable`` replaced (or added) by the
    data-derived cut; a grouping by the old cutoff follows the new one."""
    new = derived_cutoff(settings, variable, cut)
    old = next((c for c in settings.cutoffs if c.variable == variable), None)
    cutoffs = tuple(new if c is old else c for c in settings.cutoffs) if old else settings.cutoffs + (new,)
    group_by = new.label if old is not None and settings.group_by == old.label else settings.group_by
    return replace(settings, cutoffs=cutoffs, group_by=group_by)


def record_exploration(settings: Settings, variable: str, n_cuts: int) -> Settings:
    """Settings counting this scan: per variable, the most cutpoints scanned on it."""
    seen = dict(settings.explored)
    if seen.get(variable, -1) >= n_cuts:
        return settings
    seen[variable] = n_cuts
    return replace(settings, explored=tuple(seen.items()))


def exploration_text(settings: Settings) -> str:
    """'57 cutpoints on 1 variable explored this session' ('' when none)."""
    if not settings.explored:
        return ""
    cuts = sum(n for _, n in settings.explored)
    k = len(settings.explored)
    return f"{cuts} cutpoint{'s' * (cuts != 1)} on {k} variable{'s' * (k != 1)} explored this session"


def register_mark(cut: Cutoff) -> str:
    """'data-derived, from the cutoff explorer', or 'pre-specified, clinical default' / '..., typed in'."""
    if cut.source == DATA_DERIVED:
        return "data-derived, from the cutoff explorer"
    return f"pre-specified, {'clinical default' if cut in DEFAULT_CUTOFFS else 'typed in'}"


def register_note(settings: Settings, cutoff: Cutoff | None = None) -> str:
    """The register mark of ``cutoff`` (default: the one the grouping uses; ''
    when the grouping is not a cutoff), e.g. 'BED >77.5 Gy: data-derived
    (cutoff explorer; 57 cutpoints on 1 variable explored this session).'"""
    cut = cutoff or settings.cutoff_by_label(settings.group_by)
    if cut is None:
        return ""
    explored = exploration_text(settings)
    if cut.source == DATA_DERIVED:
        return f"{cut.label}: data-derived (cutoff explorer{'; ' + explored if explored else ''})."
    origin = "clinical default" if cut in DEFAULT_CUTOFFS else "typed in"
    return f"{cut.label}: pre-specified ({origin}).{' Cutoff explorer: ' + explored + '.' if explored else ''}"


def register_lines(settings: Settings) -> list[str]:
    """The whole register for an export: each cutoff with its mark, then what
    the explorer scanned this session."""
    lines = [f"{cut.label}: {register_mark(cut)}" for cut in settings.cutoffs]
    explored = exploration_text(settings)
    return lines + ([f"Cutoff explorer: {explored}"] if explored else [])


def marked_title(title: str, settings: Settings) -> str:
    """A figure title that says when its grouping is a data-derived cutoff."""
    cut = settings.cutoff_by_label(settings.group_by)
    return f"{title} (grouped by a data-derived cutoff)" if cut is not None and cut.source == DATA_DERIVED else title


def scan_warning(result: CutpointScan) -> str:
    """One plain-language sentence on why the naive p misleads."""
    lau = result.p_values.get("Lau92")
    adjusted = f" ({fmt_p(lau)} by Lausen-Schumacher)" if lau is not None else ""
    return (f"The cut was picked as the best of {len(result.scan)} tried, so its naive {fmt_p(result.naive_p)} "
            f"is too optimistic: judge it by the adjusted p-values{adjusted}, and confirm a data-derived cutoff "
            "in other patients before relying on it.")


def pvalue_table(result: CutpointScan) -> pd.DataFrame:
    """Naive and adjusted p-values side by side, with what each method is."""
    rows = [("naive (log-rank at this one cut)", fmt_p(result.naive_p), "not adjusted for the search")]
    notes = {"Lau92": "asymptotic approximation", "HL": "exact bound, integer log-rank scores",
             "permutation": f"{result.n_perm:,} permutations, seed {result.seed}" if result.n_perm else
             "not asked for (it takes seconds on large cohorts)"}
    for method in PMETHODS:
        p = result.p_values.get(method)
        value = "not run" if method not in result.p_values else "not computed" if p is None else fmt_p(p)
        rows.append((PMETHOD_LABELS[method], value, notes[method]))
    return pd.DataFrame(rows, columns=["p-value", "value", "method"])


def scan_summary(result: CutpointScan, unit: str = "") -> str:
    """'Selected cut: <= 70 (182 vs 46 patients), M = 2.014'."""
    u = f" {unit}" if unit else ""
    return (f"Selected cut: {fmt_number(result.cutpoint)}{u} (x <= cut: {result.n_le} patients, x > cut: "
            f"{result.n_gt}); maximal standardised log-rank statistic M = {result.statistic:.3f}.")
