"""What leaves the app: every table and figure of the pages for one (Cohort,
Settings), built once by ``report_contents`` through the same functions the
pages call, so the workbook, the deck, the report and the figure archive all
carry the numbers shown on screen.

>>> contents = report_contents(cohort, settings)  # doctest: +SKIP
>>> [sheet for sheet, _ in contents.tables]  # doctest: +SKIP
['Table 1', 'OS survival', ..., 'Toxicity', 'Response']
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace

import pandas as pd
import plotly.graph_objects as go

import recur
from recur import tables
from recur.analysis import SurvivalAnalysis, prognostic_analysis, survival_analysis
from recur.cohort import Cohort, analysis_frame
from recur.cutoffs import marked_title, register_note
from recur.cox_table import MODELS, cox_table
from recur.errors import RecurError
from recur.figures import (build_failure_pattern_figure, build_forest_figure, build_km_figure,
                           build_response_figure, build_sites_figure, build_toxicity_figure)
from recur.format import (cox_table_display, failure_pattern_display, response_display, survival_summary_display,
                          table_one_display, table_one_footnote, toxicity_display)
from recur.screen import ScreenResult
from recur.settings import Settings
from recur.variables import ENDPOINT_NAMES

Section = str  # "cohort", "survival", "cox", "failure", "toxicity", "response"


@dataclass(frozen=True)
class Item:
    """One result as it leaves the app: a heading with its table and/or figure.

    ``key``: ASCII file stem of the figure; ``sheet``: workbook sheet name (""
    when the table is a slide-sized view of a table already in the workbook);
    ``deck``: whether the slide deck shows it."""

    key: str
    title: str
    section: Section
    sheet: str = ""
    table: pd.DataFrame | None = None
    figure: go.Figure | None = None
    note: str = ""
    deck: bool = True


@dataclass(frozen=True)
class ReportContents:
    """All exportable results of one view, with what identifies it."""

    cohort_name: str
    n_patients: int  # in the analysis (after the subgroup filter)
    n_cohort: int  # in the cohort
    content_hash: str
    settings: Settings
    created: datetime.date
    items: tuple[Item, ...]
    survival: tuple[SurvivalAnalysis, ...]  # one per endpoint the cohort has and could be analysed
    screen: ScreenResult | None
    omitted: tuple[str, ...]  # results that could not be made, each with its reason

    @property
    def tables(self) -> list[tuple[str, pd.DataFrame]]:
        """(sheet name, on-screen table) for the workbook, in page order."""
        return [(i.sheet, i.table) for i in self.items if i.sheet and i.table is not None]

    @property
    def figures(self) -> list[tuple[str, go.Figure]]:
        """(file stem, figure) of every figure, in page order."""
        return [(i.key, i.figure) for i in self.items if i.figure is not None]

    @property
    def version(self) -> str:
        return recur.__version__


def report_contents(cohort: Cohort, settings: Settings) -> ReportContents:
    """Every table and figure the pages show for ``cohort`` and ``settings``:
    Table 1, per endpoint the Kaplan-Meier figure and summary, the Cox
    screen with forest plots, failure patterns, toxicity and response. A part
    that cannot be computed (a RecurError) is listed in ``omitted`` with its
    reason instead of stopping the export."""
    frame, _ = analysis_frame(cohort, settings)
    by = settings.group_by if settings.group_by in frame else None
    items: list[Item] = []
    omitted: list[str] = []
    if not frame.empty:
        t1 = tables.table_one(frame, tables.default_variables(frame, cohort.kinds), by=by, kinds=cohort.kinds)
        items.append(Item("table_1", "Table 1: patient characteristics", "cohort", "Table 1",
                          table_one_display(t1), note=table_one_footnote(t1, by), deck=False))
    survival = []
    for ep in cohort.endpoints:
        try:
            result = survival_analysis(cohort, replace(settings, endpoint=ep))
        except RecurError as exc:
            omitted.append(f"{ENDPOINT_NAMES[ep]}: {exc}")
            continue
        survival.append(result)
        fig = build_km_figure(result.km, result.logrank, title=marked_title(result.title, settings), show_ci=settings.show_ci,
                              extended_table=settings.extended_risk_table)
        items.append(Item(f"km_{ep}", result.title, "survival", f"{ep.upper()} survival",
                          survival_summary_display(result.km), fig,
                          note=" ".join([*result.notes, register_note(settings)]).strip()))
    screen = _cox_items(cohort, settings, frame, items, omitted)
    _failure_items(frame, by, items)
    _toxicity_items(frame, by, items)
    return ReportContents(cohort.source_name, len(frame), len(cohort.data), cohort.content_hash, settings,
                          datetime.date.today(), tuple(items), tuple(survival), screen, tuple(omitted))


def _cox_items(cohort: Cohort, settings: Settings, frame: pd.DataFrame, items: list[Item],
               omitted: list[str]) -> ScreenResult | None:
    """As the Prognostic factors page: per endpoint the Cox table (univariate
    and multivariable side by side) and its forest plots; then the compact
    all-endpoints grids (workbook only)."""
    try:
        screen = prognostic_analysis(cohort, settings)
    except RecurError as exc:
        omitted.append(f"Cox models: {exc}")
        return None
    for ep in cohort.endpoints:
        table = cox_table(screen, frame, ep)
        if table.display.empty:
            continue
        items.append(Item(f"cox_{ep}", table.title, "cox", f"Cox {ep.upper()}", table.display,
                          note=" ".join(table.footnotes)))
        for model in MODELS:
            rows = table.model_rows(model)
            if not rows.empty:
                title = f"{ENDPOINT_NAMES[ep]}: {model}"
                items.append(Item(f"forest_{ep}_{model}", f"{title} Cox model", "cox",
                                  figure=build_forest_figure(rows, title=title)))
    for model in MODELS:
        grid = cox_table_display(screen.table, model)
        if not grid.empty:
            items.append(Item(f"cox_{model}", f"{model.capitalize()} Cox models, all endpoints", "cox",
                              f"Cox {model} overview", grid, deck=False))
    return screen


def _failure_items(frame: pd.DataFrame, by: str | None, items: list[Item]) -> None:
    """The Failure patterns page: both views, their table and the distant sites."""
    ever = tables.failure_pattern_table(frame, "ever", by)
    if ever.empty:
        return
    first = tables.failure_pattern_table(frame, "first", by)
    items.append(Item("failure_pattern_ever", "Failure pattern over the whole follow-up", "failure",
                      "Failure patterns", failure_pattern_display(ever, first),
                      build_failure_pattern_figure(ever, title="Failure pattern over the whole follow-up")))
    items.append(Item("failure_pattern_first", "Failure pattern at first failure", "failure",
                      figure=build_failure_pattern_figure(first, title="Failure pattern at first failure (sites "
                                                                       "within 28 days count together)")))
    sites = tables.distant_sites_table(frame)
    if not sites.empty:
        items.append(Item("distant_sites", "Patients with each distant site", "failure",
                          figure=build_sites_figure(sites, len(frame), title="Patients with each distant site")))


def _toxicity_items(frame: pd.DataFrame, by: str | None, items: list[Item]) -> None:
    """The Toxicity and response page."""
    tox = tables.toxicity_table(frame, by)
    if not tox.empty:
        items.append(Item("toxicity", "Toxicity (worst CTCAE grade)", "toxicity", "Toxicity",
                          toxicity_display(tox), build_toxicity_figure(tox, title="Toxicity (worst CTCAE grade)")))
    resp = tables.response_table(frame, by)
    if resp["evaluable"].sum() > 0:
        items.append(Item("response", "Response", "response", "Response", response_display(resp),
                          build_response_figure(resp, title="Response"),
                          note="ORR = (CR + PR) / evaluable patients (NE excluded), exact Clopper-Pearson 95% CI."))
