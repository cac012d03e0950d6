"""Analyses of (Cohort, Settings): the one code path that pages, exports and
notebooks share. Each returns a frozen result built from the pure statistics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Hashable

import pandas as pd

from recur.cohort import Cohort, analysis_frame
from recur.cox_table import CoxTable, cox_table
from recur.errors import RecurError
from recur.factors import default_factors, default_reference, factor_column, factor_label, is_cutoff_factor
from recur.screen import FittedModel, ScreenResult, fit_model, screen_cox
from recur.settings import Settings
from recur.stats.cox import cox
from recur.stats._prepare import prepare_survival
from recur.stats.km import KMResult, kaplan_meier_from_input, median_followup
from recur.stats.landmark import LandmarkResult, landmark
from recur.stats.logrank import LogrankResult, logrank_from_input
from recur.variables import ENDPOINT_NAMES, event_column, time_column


SMALL_GROUP = 10  # patients; below this a KM curve and a log-rank p say little


@dataclass(frozen=True)
class SurvivalAnalysis:
    """Kaplan-Meier (+ log-rank when grouped) for the Settings' endpoint and grouping."""

    endpoint: str
    group_by: str
    km: KMResult
    logrank: LogrankResult | None
    n_excluded_endpoint: int
    n_missing_group: int
    n_filtered: int
    followup: tuple[float, float, float]
    notes: tuple[str, ...] = ()  # caveats to show with the result
    landmark: LandmarkResult | None = None  # set when a post-baseline grouping is analysed from a landmark
    # Cox on the grouping, every group against the first (the cutoff's reference group): recur.cox's
    # coefficient table; None without a grouping or when no hazard ratio could be fitted.
    hazard_ratios: pd.DataFrame | None = None

    @property
    def title(self) -> str:
        return ENDPOINT_NAMES[self.endpoint]


def grouping_column(frame: pd.DataFrame, settings: Settings) -> str | None:
    """The column to group by: a cutoff label or a categorical column; None for none."""
    if not settings.group_by:
        return None
    if settings.group_by not in frame:
        raise RecurError(f"Grouping '{settings.group_by}' is not available in this cohort; choose another.")
    return settings.group_by


def landmarked(cohort: Cohort, settings: Settings, frame: pd.DataFrame, time: str, event: str,
               by: str | None) -> tuple[pd.DataFrame, LandmarkResult | None]:
    """The frame from the landmark on (clock restarted there) when the Settings
    ask for it and the grouping is post-baseline; else the frame unchanged."""
    if not (settings.landmark_analysis and by and cohort.is_post_baseline(by)):
        return frame, None
    lm = landmark(frame, time, event, settings.landmark_months)
    return lm.data, lm


def survival_analysis(cohort: Cohort, settings: Settings, *, hazard_ratios: bool = True) -> SurvivalAnalysis:
    """KM curves, medians, landmark rates and log-rank for the current view;
    with ``hazard_ratios``, also the grouping's Cox hazard ratios (a page that
    does not show them skips the fit: 0.2 s at 1e5 patients).

    Raises ``RecurError`` when the endpoint cannot be built or no patient remains.
    """
    ep = settings.endpoint
    if ep not in cohort.endpoints:
        raise RecurError(f"{ENDPOINT_NAMES[ep]} cannot be computed from this file: it needs the dates "
                         "described in the data dictionary or precomputed times.")
    t, e = time_column(ep), event_column(ep)
    frame, n_filtered = analysis_frame(cohort, settings, columns=[t, e, settings.group_by])
    by = grouping_column(frame, settings)
    frame, lm = landmarked(cohort, settings, frame, t, e, by)
    usable = frame[t].notna() & frame[e].notna()
    n_missing_group = int((usable & frame[by].isna()).sum()) if by else 0
    if not usable.any():
        raise RecurError(f"No patient in the current selection has {ENDPOINT_NAMES[ep].lower()} data.")
    if by and not (usable & frame[by].notna()).any():
        raise RecurError(f"No patient with {ENDPOINT_NAMES[ep].lower()} data has a value of '{by}'; choose "
                         "another grouping.")
    m = settings.methods
    data = prepare_survival(frame, t, e, by)  # one sort and one count table for the curves and the test
    km = kaplan_meier_from_input(data, at=settings.landmarks_months, conf_type=m.km_conf_type,
                                 conf_level=m.conf_level)
    lr, hrs, test_note = None, None, ()
    if by and len(km.groups) >= 2:
        try:
            lr = logrank_from_input(data, by)
        except RecurError as exc:  # the curves stand without the test (e.g. zero variance)
            test_note = (str(exc),)
        try:
            hrs = _hazard_ratios(frame, t, e, by, km.groups[0], m) if hazard_ratios else None
        except RecurError as exc:
            test_note += (f"No hazard ratio: {exc}",)
    elif by:
        raise RecurError(f"Only one group of '{by}' has patients in the current selection; the curves "
                         "cannot be compared. Change the cutoff or the filter.")
    follow = median_followup(frame, t, e, m.km_conf_type) if frame[e].sum() < usable.sum() else (
        float("nan"),) * 3
    notes = test_note + tuple(f"Group '{r.group}' has only {r.n} patients ({r.n_events} events): its estimates are unstable."
                  for r in km.medians.itertuples() if r.n < SMALL_GROUP)
    return SurvivalAnalysis(ep, by or "", km, lr, int((~usable).sum()), n_missing_group, n_filtered,
                            follow, notes, landmark=lm, hazard_ratios=hrs)


def _hazard_ratios(frame: pd.DataFrame, time: str, event: str, by: str, first: str, methods) -> pd.DataFrame:
    """Cox hazard ratios of each group against the first group of the curves (``first``, as text)."""
    usable = frame[time].notna() & frame[event].notna()
    reference = next(v for v in frame.loc[usable, by].dropna().unique() if str(v) == first)
    return cox(frame, time, event, [by], ties=methods.cox_ties, reference={by: reference},
               conf_level=methods.conf_level).coefficients


Memo = Callable[[Hashable, Callable[[], Any]], Any]  # (key, compute) -> the value, e.g. from a cache


def prognostic_analysis(cohort: Cohort, settings: Settings, *, memo: Memo | None = None,
                        frame: pd.DataFrame | None = None) -> ScreenResult:
    """Univariate and multivariable Cox across the cohort's endpoints, on the
    Settings' factors (default: the cutoffs and common clinical factors) with
    their reference levels and ordered trends.

    ``memo(key, fit)``: where each model may come from instead of a new fit
    (the app's cache), ``key`` naming all it depends on besides the cohort:
    a new cutoff threshold refits only the models holding that cutoff.
    ``frame``: ``analysis_frame(cohort, settings)[0]`` when the caller holds it."""
    if frame is None:
        frame, _ = analysis_frame(cohort, settings)
    chosen = settings.factors if settings.factors is not None else default_factors(cohort, settings, frame)
    columns = [factor_column(settings, f) for f in chosen]
    missing = [factor_label(settings, f) for f, c in zip(chosen, columns) if c is None or c not in frame]
    if missing:
        raise RecurError(f"Factor(s) {', '.join(missing)} are not in this cohort or no longer have a cutoff; "
                         "remove them from the factor list.")
    if not columns:
        raise RecurError("No prognostic factor to test: choose at least one factor, or add a cutoff or a column "
                         "with at least two groups.")
    trends = {col: list(levels) for col, levels in settings.trends if col in columns}
    def remembered(key: Hashable, compute: Callable[[], Any]) -> Any:
        return compute() if memo is None else memo(key, compute)

    defaults = {col: remembered(default_reference_key(settings, col), lambda col=col: default_reference(frame[col]))
                for f, col in zip(chosen, columns)
                if not is_cutoff_factor(f) and col not in trends and not pd.api.types.is_numeric_dtype(frame[col])}
    references = {**{col: ref for col, ref in defaults.items() if ref is not None},
                  **{col: level for col, level in settings.references if col in columns and col not in trends}}
    ties = settings.methods.cox_ties

    def model(endpoint: str, kind: str, factors: tuple[str, ...]) -> FittedModel:
        definitions = tuple((_column_source(settings, col), references.get(col), tuple(trends.get(col, ())))
                            for col in factors)
        return remembered((endpoint, kind, ties, settings.filters, definitions),
                          lambda: fit_model(frame, endpoint, kind, factors, ties, references, trends))

    return screen_cox(frame, columns, list(cohort.endpoints), threshold=settings.screen_p, ties=ties,
                      reference=references, ordered=trends, model=model)


def default_reference_key(settings: Settings, column: str) -> tuple:
    """The ``memo`` key of a column's default reference level: it depends on
    the rows the filters keep and on what the column holds."""
    return "default reference", settings.filters, _column_source(settings, column)


def _column_source(settings: Settings, column: str) -> tuple:
    """What a column of the analysis frame holds, the cohort and the filters
    apart: a cutoff's group column its variable, operator and threshold."""
    cut = settings.cutoff_by_label(column)
    return column, (cut.variable, cut.op, cut.threshold) if cut else None


def prognostic_tables(cohort: Cohort, settings: Settings) -> dict[str, CoxTable]:
    """Per endpoint, the merged univariate / multivariable Cox table of
    ``prognostic_analysis`` (``recur.cox_table``): what the page shows and exports."""
    frame, _ = analysis_frame(cohort, settings)
    screen = prognostic_analysis(cohort, settings)
    return {ep: cox_table(screen, frame, ep) for ep in cohort.endpoints}
