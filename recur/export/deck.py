"""A 16:9 slide deck (python-pptx) for a tumour board: a title slide with the
cohort, its size, the date and the settings in plain words; per endpoint the
Kaplan-Meier figure beside its summary; per endpoint the Cox models beside
their forest plots; failure patterns; toxicity and response. Large fonts
(titles 30 pt, tables 14-16 pt) for the back of a room.

The title slide's notes and the file's properties carry the settings JSON,
the cohort's name and content hash and the app version.

>>> pptx_bytes = deck(cohort, settings)  # doctest: +SKIP
"""

from __future__ import annotations

import io

import pandas as pd
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from recur.cohort import Cohort
from recur.export.contents import Item, ReportContents, report_contents
from recur.export.figures import DOUBLE_COLUMN_MM, render_figures
from recur.export.methods import settings_in_words
from recur.settings import Settings

SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)
MARGIN, TOP = Inches(0.35), Inches(1.15)
TITLE_PT, TEXT_PT, SMALL_PT = 30, 20, 12
SIDE_TABLE_MAX_COLUMNS = 5  # wider tables get a slide of their own
ROW_IN = 0.42  # inches per table row at 14-16 pt
HEADER_FILL = RGBColor(0xDD, 0xE6, 0xF0)
BLANK_LAYOUT = 6
CORE_PROPERTY_LIMIT = 255  # characters python-pptx allows in a file property (the JSON goes in the notes)


def deck(cohort: Cohort, settings: Settings) -> bytes:
    """The PPTX deck of ``cohort`` under ``settings`` (see ``deck_pptx``)."""
    return deck_pptx(report_contents(cohort, settings))


def deck_pptx(contents: ReportContents) -> bytes:
    """The deck of already built contents; its figures rendered in one batch."""
    items = [i for i in contents.items if i.deck]
    with_figure = [i for i in items if i.figure is not None]
    images = dict(zip((i.key for i in with_figure),
                      render_figures([(i.figure, "png", DOUBLE_COLUMN_MM) for i in with_figure])))
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    _title_slide(prs, contents)
    for item in items:
        _item_slides(prs, item, images.get(item.key))
    props = prs.core_properties
    props.title = f"recur: {contents.cohort_name}"[:CORE_PROPERTY_LIMIT]
    props.author = "recur"
    props.identifier = contents.content_hash
    props.version = contents.version
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


def _title_slide(prs, contents: ReportContents) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[BLANK_LAYOUT])
    _text(slide, contents.cohort_name, MARGIN, Inches(0.6), SLIDE_W - 2 * MARGIN, Inches(1.2), 40, bold=True)
    n = f"{contents.n_patients} patients" + (f" (of {contents.n_cohort})" if contents.n_patients != contents.n_cohort
                                             else "")
    _text(slide, f"{n} · {contents.created.isoformat()}", MARGIN, Inches(1.8), SLIDE_W - 2 * MARGIN, Inches(0.7),
          24)
    lines = settings_in_words(contents.settings, [s.endpoint for s in contents.survival])
    lines += [f"Not included: {reason}" for reason in contents.omitted]
    _text(slide, "\n".join(lines), MARGIN, Inches(2.8), SLIDE_W - 2 * MARGIN, Inches(3.6), 18)
    _text(slide, f"recur {contents.version} · cohort content hash {contents.content_hash} · settings (JSON) in "
          "this slide's notes", MARGIN, Inches(6.7), SLIDE_W - 2 * MARGIN, Inches(0.5), SMALL_PT)
    slide.notes_slide.notes_text_frame.text = (
        f"Cohort: {contents.cohort_name}\nContent hash: {contents.content_hash}\nrecur version: {contents.version}\n"
        f"Settings (JSON):\n{contents.settings.to_json()}")


def _item_slides(prs, item: Item, image: bytes | None) -> None:
    table = _slide_table(item)
    side = table is not None and image is not None and len(table.columns) <= SIDE_TABLE_MAX_COLUMNS
    slide = _slide(prs, item.title)
    if image is not None:
        width = SLIDE_W * 0.56 if side else SLIDE_W - 2 * MARGIN
        _picture(slide, image, MARGIN, TOP, width, SLIDE_H - TOP - Inches(0.25))
    if table is None:
        return
    if side:
        left = MARGIN + SLIDE_W * 0.56 + Inches(0.2)
        _tables(prs, slide, item.title, table, left, SLIDE_W - left - MARGIN)
    else:
        _tables(prs, slide if image is None else _slide(prs, f"{item.title}: table"), item.title, table, MARGIN,
                SLIDE_W - 2 * MARGIN)


def _slide_table(item: Item) -> pd.DataFrame | None:
    """The table as a slide shows it: a survival summary turned so groups are columns."""
    if item.table is None or item.table.empty:
        return None
    if item.section == "survival":
        turned = item.table.set_index("Group").T.astype(str)
        return turned.reset_index().rename(columns={"index": ""})
    return item.table


def _slide(prs, title: str):
    slide = prs.slides.add_slide(prs.slide_layouts[BLANK_LAYOUT])
    _text(slide, title, MARGIN, Inches(0.25), SLIDE_W - 2 * MARGIN, Inches(0.8), TITLE_PT, bold=True)
    return slide


def _text(slide, text: str, left, top, width, height, size: int, bold: bool = False) -> None:
    frame = slide.shapes.add_textbox(left, top, width, height).text_frame
    frame.word_wrap = True
    for i, line in enumerate(text.split("\n")):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.text = line
        para.font.size, para.font.bold = Pt(size), bold


def _picture(slide, png: bytes, left, top, max_width, max_height) -> None:
    """The image as large as fits the box, its aspect kept, centred in the box."""
    width_px, height_px = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")  # IHDR
    scale = min(max_width / width_px, max_height / height_px)
    width, height = Emu(int(width_px * scale)), Emu(int(height_px * scale))
    slide.shapes.add_picture(io.BytesIO(png), left + (max_width - width) // 2, top, width, height)


def _tables(prs, slide, title: str, table: pd.DataFrame, left, width) -> None:
    """The table in rows that fit the slide; the rest on continuation slides."""
    per_slide = int((SLIDE_H - TOP - Inches(0.3)) / Inches(ROW_IN)) - 1
    for start in range(0, len(table), per_slide):
        if start:
            slide = _slide(prs, f"{title} (continued)")
        _table(slide, table.iloc[start:start + per_slide], left, width)


def _table(slide, table: pd.DataFrame, left, width) -> None:
    size = Pt(16 if len(table.columns) <= 4 else 14)
    shape = slide.shapes.add_table(len(table) + 1, len(table.columns), left, TOP, width,
                                   Inches(ROW_IN * (len(table) + 1)))
    grid = shape.table
    for j, column in enumerate(table.columns):
        _cell(grid.cell(0, j), str(column), size, header=True)
    for i, row in enumerate(table.itertuples(index=False), start=1):
        for j, value in enumerate(row):
            _cell(grid.cell(i, j), "" if pd.isna(value) else str(value), size)


def _cell(cell, text: str, size, header: bool = False) -> None:
    cell.text = text
    para = cell.text_frame.paragraphs[0]
    para.font.size, para.font.bold = size, header
    para.font.color.rgb = RGBColor(0, 0, 0)
    cell.fill.solid()
    cell.fill.fore_color.rgb = HEADER_FILL if header else RGBColor(0xFF, 0xFF, 0xFF)
