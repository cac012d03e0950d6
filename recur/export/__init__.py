"""Everything that leaves the app, from the same code path as the pages:
figures for print (PNG 300 dpi / SVG / PDF), all tables as one XLSX workbook,
a 16:9 slide deck and a self-contained HTML report, each recording the
settings, the cohort's name and content hash and the app version.

>>> import recur, recur.export
>>> cohort = recur.load_cohort("data/demo_nsclc_synthetic.csv")
>>> pptx = recur.export.deck(cohort, recur.Settings(group_by="BED >=78 Gy"))  # doctest: +SKIP
>>> html = recur.export.report(cohort, recur.Settings())  # doctest: +SKIP
"""

from __future__ import annotations

from recur.cohort import Cohort
from recur.export.contents import Item, ReportContents, report_contents
from recur.export.deck import deck, deck_pptx
from recur.export.figures import DOUBLE_COLUMN_MM, SINGLE_COLUMN_MM, figures_zip, render_figures
from recur.export.report import report, report_html
from recur.export.workbook import workbook
from recur.settings import Settings


def tables_xlsx(cohort: Cohort, settings: Settings) -> bytes:
    """Every on-screen table of ``cohort`` under ``settings`` as one XLSX workbook."""
    return workbook(report_contents(cohort, settings))


def figures_archive(cohort: Cohort, settings: Settings) -> bytes:
    """Every figure as PNG (300 dpi), SVG and PDF at 85 and 180 mm, in one zip."""
    return figures_zip(report_contents(cohort, settings).figures)


__all__ = ["report_contents", "ReportContents", "Item", "deck", "deck_pptx", "report", "report_html", "workbook",
           "tables_xlsx", "figures_archive", "figures_zip", "render_figures", "SINGLE_COLUMN_MM",
           "DOUBLE_COLUMN_MM"]
