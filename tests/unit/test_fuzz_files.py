"""Seeded fuzz: a few hundred malformed, hostile and mutated files across CSV,
XLSX and Parquet, each loaded and run through every page analysis. Nothing
but ``RecurError`` may escape, and no patient may be lost: every file row is
a patient or a listed dropped row."""

from __future__ import annotations

import traceback
from dataclasses import replace

import pytest

import recur
from recur import tables
from recur.analysis import prognostic_analysis, survival_analysis
from recur.cohort import cutoff_group_sizes
from recur.cox_table import cox_table
from recur.errors import RecurError
from recur.figures import (build_failure_pattern_figure, build_forest_figure, build_km_figure,
                           build_response_figure, build_sites_figure, build_toxicity_figure)
from recur.format import (cox_table_display, failure_pattern_display, model_sizes_caption, response_display,
                          survival_summary_display, table_one_display, toxicity_display)
from tests.unit.fuzz_corpus import corpus

N_FILES = 200


def run_pages(cohort: recur.Cohort, settings: recur.Settings) -> int:
    """Every analysis the five pages run, as they run it; returns how many answered.
    (Figures, slow to build, are built for the first view of each grouping.)"""
    answered = 0
    frame, _ = recur.analysis_frame(cohort, settings)
    cutoff_group_sizes(cohort, settings)
    table_one_display(tables.table_one(frame))
    for by in [None] + [c.label for c in settings.cutoffs if c.label in frame] + cohort.categorical_columns()[:3]:
        for ep in cohort.endpoints:
            try:
                result = survival_analysis(cohort, replace(settings, endpoint=ep, group_by=by or ""))
            except RecurError:
                continue
            if ep == cohort.endpoints[0] and by in (None, settings.cutoffs[0].label):
                build_km_figure(result.km, result.logrank, title=result.title, hazard_ratios=result.hazard_ratios)
            survival_summary_display(result.km)
            answered += 1
        ever, first = (tables.failure_pattern_table(frame, view, by) for view in ("ever", "first"))
        if not ever.empty:
            failure_pattern_display(ever, first)
            if by is None:
                build_failure_pattern_figure(ever)
                build_failure_pattern_figure(first)
        response_display(tables.response_table(frame, by))
        tox_by = tables.toxicity_table(frame, by)
        if not tox_by.empty:
            toxicity_display(tox_by)
    tox = tables.toxicity_table(frame)
    if not tox.empty:  # as the page: an empty table is explained, not drawn
        toxicity_display(tox)
        build_toxicity_figure(tox)
    build_response_figure(tables.response_table(frame))
    sites = tables.distant_sites_table(frame)
    if not sites.empty:
        build_sites_figure(sites, len(frame))
    try:
        screen = prognostic_analysis(cohort, settings)
    except RecurError:
        return answered
    for model in ("univariate", "multivariable"):
        if not cox_table_display(screen.table, model).empty:  # as the page
            model_sizes_caption(screen.table, model)
        for ep in cohort.endpoints[:1]:
            rows = cox_table(screen, frame, ep).model_rows(model)
            if not rows.empty:
                build_forest_figure(rows, title=ep)
    return answered + 1


@pytest.fixture(scope="module")
def files():
    return corpus(N_FILES)


def test_corpus_is_seeded_and_varied(files):
    again = corpus(8)  # the same files again (XLSX bytes carry a save time, so compare their names only)
    assert [n for n, _ in again] == [n for n, _ in files[:8]]
    assert [r for n, r in again if not n.endswith("xlsx")] == [r for n, r in files[:8] if not n.endswith("xlsx")]
    kinds = {name.rsplit(".", 1)[1] for name, _ in files}
    assert kinds == {"csv", "xlsx", "parquet"}


def test_every_file_loads_or_is_refused_in_words_and_no_patient_is_lost(files):
    loaded = refused = answered = 0
    escaped = []  # (file, exception): every one is a bug, listed together
    for name, raw in files:
        try:
            cohort = recur.load_cohort(raw, name=name)
        except RecurError as exc:
            assert str(exc) and len(str(exc)) < 600, name
            refused += 1
            continue
        except Exception as exc:  # noqa: BLE001 - the test's point: nothing else may escape
            escaped.append((name, "load", repr(exc)[:300]))
            continue
        loaded += 1
        assert len(cohort.data) + len(cohort.dropped_rows) == cohort.file_rows, name
        assert cohort.data["patient_id"].is_unique or any(p.rule == "duplicate_id" for p in cohort.problems), name
        try:
            answered += run_pages(cohort, recur.Settings())
        except Exception as exc:  # noqa: BLE001
            escaped.append((name, "pages", f"{exc.__class__.__name__}: {str(exc)[:200]} at "
                            f"{traceback.extract_tb(exc.__traceback__)[-1].filename.split('/')[-1]}:"
                            f"{traceback.extract_tb(exc.__traceback__)[-1].lineno}"))
    assert not escaped, "\n".join(map(str, escaped))
    # The corpus must exercise both paths, and most mutated files are still cohorts.
    assert loaded > N_FILES * 0.6 and refused > 5 and answered > loaded
