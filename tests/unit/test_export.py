"""Every export is produced and read back: print figures (PNG size and DPI,
SVG and PDF parse, at their millimetre widths), the XLSX workbook (its sheets
hold the very tables the pages show), the PPTX deck (python-pptx opens it and
finds its slides, pictures and text) and the HTML report (self-contained, the
numbers of ``recur.kaplan_meier``, user text escaped). Static export needs
Chromium: without it these tests fail, they never skip."""

from __future__ import annotations

import html
import io
import os
import re
import struct
import zipfile
from dataclasses import replace
from xml.etree import ElementTree

import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Inches

import recur
from recur import tables
from recur.analysis import prognostic_analysis, survival_analysis
from recur.cox_table import cox_table
from recur.errors import RecurError
from recur.export import deck_pptx, report_contents, report_html, workbook
from recur.export import figures
from recur.export.figures import figures_zip, render_figures, set_png_dpi
from recur.export.methods import methods_paragraph
from recur.export.results_text import survival_paragraph
from recur.export.workbook import workbook_bytes
from recur.figures.style import publication_style
from recur.format import cox_table_display, survival_summary_display, table_one_display, toxicity_display
from recur.settings import Cutoff, EndpointRules, Methods, Settings

GROUPED = Settings(group_by="BED >=78 Gy")
MM_PER_POINT = 25.4 / 72


@pytest.fixture(scope="module")
def contents(nsclc_cohort):
    return report_contents(nsclc_cohort, GROUPED)


def png_chunks(png: bytes) -> dict[bytes, bytes]:
    """Chunk type -> data of a PNG, read by hand (the PNG spec's layout)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = {}, 8
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos:pos + 4])
        chunks[png[pos + 4:pos + 8]] = png[pos + 8:pos + 8 + length]
        pos += 12 + length
    return chunks


# ---------------------------------------------------------------- figures

def test_png_is_300_dpi_at_journal_column_widths(contents):
    km = dict(contents.figures)["km_os"]
    single, double = render_figures([(km, "png", 85), (km, "png", 180)])
    for png, width_px in ((single, 1004), (double, 2126)):  # 85 mm / 25.4 * 300 = 1003.9; 180 mm -> 2125.98
        chunks = png_chunks(png)
        width, height = struct.unpack(">II", chunks[b"IHDR"][:8])
        assert width == width_px
        assert height == round(km.layout.height * width_px / (85 * 5 if width_px == 1004 else 180 * 5))
        assert struct.unpack(">IIB", chunks[b"pHYs"]) == (11811, 11811, 1)  # 300 / 0.0254 px per metre


def tiny_figure() -> go.Figure:
    return go.Figure(go.Bar(x=["a", "b"], y=[1, 2]))


def test_set_png_dpi_replaces_an_existing_phys_chunk():
    once = set_png_dpi(render_figures([(tiny_figure(), "png", 85)])[0], 72)
    again = set_png_dpi(once, 600)
    assert struct.unpack(">IIB", png_chunks(again)[b"pHYs"]) == (23622, 23622, 1)  # 600 / 0.0254
    assert again.count(b"pHYs") == 1


def test_svg_and_pdf_parse_at_their_print_width(contents):
    forest = dict(contents.figures)["forest_os_univariate"]
    svg, pdf = render_figures([(forest, "svg", 85), (forest, "pdf", 180)])
    root = ElementTree.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("width") == "85mm"
    assert root.get("viewBox").split()[2] == "425"  # the layout drawn at 5 px per mm
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    box = [float(v) for v in re.search(rb"MediaBox\s*\[([^\]]*)\]", pdf).group(1).split()]
    assert (box[2] - box[0]) * MM_PER_POINT == pytest.approx(180, abs=0.5)


def test_the_printed_km_figure_keeps_its_risk_table_and_p_value(contents):
    km = dict(contents.figures)["km_os"]
    printed = publication_style(km, width_mm=85)
    at_risk = [t for t in printed.data if t.name and t.name.endswith("at risk")]
    assert [t.name for t in at_risk] == ["BED &lt;78 Gy at risk", "BED &gt;=78 Gy at risk"]  # Plotly-escaped
    assert [t.text[0] for t in at_risk] == ["35", "39"]  # everyone at risk at time 0
    lr = contents.survival[0].logrank
    assert [a.text for a in printed.layout.annotations if a.text.startswith("Log-rank")] == [
        f"Log-rank p = {lr.p:.2f}"]
    assert (printed.layout.paper_bgcolor, printed.layout.plot_bgcolor) == ("#FFFFFF", "#FFFFFF")
    assert printed.layout.width == 425 and printed.layout.font.color == "#000000"


def test_figure_archive_holds_each_format_at_both_widths(contents):
    archive = zipfile.ZipFile(io.BytesIO(figures_zip(contents.figures[:1])))
    assert sorted(archive.namelist()) == sorted(f"km_os_{w}mm.{f}" for w in (85, 180) for f in ("png", "svg", "pdf"))
    assert struct.unpack(">I", png_chunks(archive.read("km_os_180mm.png"))[b"IHDR"][:4])[0] == 2126


def test_static_export_without_chromium_says_how_to_get_it(monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    with pytest.raises(RecurError, match="needs Chromium.*apt-get install chromium"):
        render_figures([(tiny_figure(), "png", 85)])


def _fake_browser(tmp_path, body: str) -> str:
    script = tmp_path / "chromium"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(0o755)
    return str(script)


def test_static_export_with_a_browser_that_never_answers_ends_with_a_message_and_kills_it(monkeypatch, tmp_path):
    pid_file = tmp_path / "pid"  # the browser starts, then never opens its DevTools pipe
    monkeypatch.setenv("BROWSER_PATH", _fake_browser(tmp_path, f"echo $$ > {pid_file}\nexec sleep 600"))
    monkeypatch.setattr(figures, "START_SECONDS", 2)
    monkeypatch.setattr(figures, "SECONDS_PER_FIGURE", 1)
    monkeypatch.setattr(figures, "CLOSE_SECONDS", 1)
    with pytest.raises(RecurError, match="stopped after 3 s: Chromium did not finish"):
        render_figures([(tiny_figure(), "png", 85)])
    with pytest.raises(ProcessLookupError):  # killed and reaped, not left running
        os.kill(int(pid_file.read_text()), 0)


def test_static_export_with_a_browser_that_cannot_start_says_so(monkeypatch, tmp_path):
    monkeypatch.setenv("BROWSER_PATH", _fake_browser(tmp_path, "exit 1"))
    with pytest.raises(RecurError, match="could not start Chromium .*chromium --headless --version"):
        render_figures([(tiny_figure(), "png", 85)])


# ---------------------------------------------------------------- workbook

def sheets(xlsx: bytes) -> dict[str, pd.DataFrame]:
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    out = {}
    for ws in book.worksheets:
        rows = list(ws.values)
        out[ws.title] = pd.DataFrame(rows[1:], columns=rows[0])
    return out


def as_cells(frame: pd.DataFrame) -> list[list]:
    """Rows as a spreadsheet holds them: an empty text is a blank cell."""
    return [[None if (isinstance(v, str) and v == "") or (not isinstance(v, str) and pd.isna(v)) else v
             for v in row] for row in frame.itertuples(index=False)]


def test_workbook_sheets_hold_the_tables_the_pages_show(nsclc_cohort, contents):
    book = sheets(workbook(contents))
    endpoints = ["OS", "PFS", "LRFS", "FFLP", "DMFS"]
    assert list(book) == (["Table 1"] + [f"{ep} survival" for ep in endpoints] + [f"Cox {ep}" for ep in endpoints]
                          + ["Cox univariate overview", "Cox multivariable overview", "Failure patterns", "Toxicity",
                             "Response", "About"])
    frame, _ = recur.analysis_frame(nsclc_cohort, GROUPED)
    screen = prognostic_analysis(nsclc_cohort, GROUPED)
    on_screen = {  # as app.py and pages/1, 2 and 4 compute them
        "Table 1": table_one_display(tables.table_one(frame, tables.default_variables(frame, nsclc_cohort.kinds),
                                                      by="BED >=78 Gy", kinds=nsclc_cohort.kinds)),
        "OS survival": survival_summary_display(survival_analysis(nsclc_cohort, GROUPED).km),
        "DMFS survival": survival_summary_display(
            survival_analysis(nsclc_cohort, replace(GROUPED, endpoint="dmfs")).km),
        "Cox OS": cox_table(screen, frame, "os").display,
        "Cox DMFS": cox_table(screen, frame, "dmfs").display,
        "Cox univariate overview": cox_table_display(screen.table, "univariate"),
        "Cox multivariable overview": cox_table_display(screen.table, "multivariable"),
        "Toxicity": toxicity_display(tables.toxicity_table(frame, "BED >=78 Gy")),
    }
    for name, table in on_screen.items():
        assert list(book[name].columns) == list(table.columns), name
        assert as_cells(book[name]) == as_cells(table), name
    assert book["OS survival"]["n"].tolist() == [35, 39]  # numbers stay numbers
    for name, table in contents.tables:
        assert as_cells(book[name]) == as_cells(table), name
    about = dict(book["About"].itertuples(index=False))
    assert Settings.from_json(about["Settings (JSON)"]) == GROUPED
    assert (about["Content hash"], about["recur version"]) == (nsclc_cohort.content_hash, recur.__version__)


def test_workbook_keeps_formula_like_text_as_text():
    hostile = pd.DataFrame({"=cmd|' /C calc'!A0": ['=HYPERLINK("x","y")', "@SUM(A1)", "-", "-2.5"], "n": [1, 2, 3, 4]})
    ws = openpyxl.load_workbook(io.BytesIO(workbook_bytes([("Sheet [1]", hostile)]))).worksheets[0]
    assert ws.title == "Sheet -1-"  # Excel forbids [ ] in sheet names
    cells = [ws.cell(r, 1) for r in range(1, 6)]
    assert [c.value for c in cells] == ["=cmd|' /C calc'!A0", '=HYPERLINK("x","y")', "@SUM(A1)", "-", "-2.5"]
    assert all(c.data_type == "s" for c in cells)  # stored as text, never as a formula
    assert [c.quotePrefix for c in cells] == [True, True, True, True, False]  # Excel keeps them text when edited


# ---------------------------------------------------------------- deck

@pytest.fixture(scope="module")
def deck_file(contents):
    return Presentation(io.BytesIO(deck_pptx(contents)))


def slide_texts(slide) -> str:
    parts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
    for shape in slide.shapes:
        if shape.has_table:
            parts += [c.text for row in shape.table.rows for c in row.cells]
    return "\n".join(parts)


def test_deck_is_16_9_with_title_survival_cox_failure_and_toxicity_slides(deck_file, contents):
    assert (deck_file.slide_width, deck_file.slide_height) == (Inches(13.333), Inches(7.5))
    slides = list(deck_file.slides)
    title = slide_texts(slides[0])
    assert "demo_nsclc_synthetic.csv" in title and "74 patients" in title
    assert "curves grouped by BED >=78 Gy" in title and contents.content_hash in title
    notes = slides[0].notes_slide.notes_text_frame.text
    assert Settings.from_json(notes.split("Settings (JSON):\n")[1]) == GROUPED
    headings = [slide_texts(s).split("\n")[0] for s in slides[1:]]
    assert headings[:5] == ["Overall survival", "Progression-free survival", "Locoregional recurrence-free survival",
                            "Freedom from local progression", "Distant metastasis-free survival"]
    assert "Overall survival: univariate Cox model" in headings
    assert "Failure pattern over the whole follow-up" in headings
    assert "Toxicity (worst CTCAE grade)" in headings
    pictures = [s for slide in slides for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert len(pictures) == sum(1 for i in contents.items if i.deck and i.figure is not None)
    os_slide = slide_texts(slides[1])
    summary = survival_summary_display(contents.survival[0].km)
    assert summary.loc[1, "2-year"] in os_slide and summary.loc[0, "Median, months (95% CI)"] in os_slide
    assert deck_file.core_properties.identifier == contents.content_hash
    assert deck_file.core_properties.version == recur.__version__


# ---------------------------------------------------------------- report

@pytest.fixture(scope="module")
def report_text(contents):
    return report_html(contents)


def test_report_is_self_contained(report_text, contents):
    assert "http:" not in report_text and "https:" not in report_text  # base64 never holds ':'
    assert not re.search(r"""(src|href)\s*=\s*['"](?!data:)""", report_text)
    assert report_text.count("src='data:image/png;base64,") == len(contents.figures)
    assert "<script" not in report_text


def test_report_carries_the_kaplan_meier_numbers(report_text, nsclc_cohort):
    frame, _ = recur.analysis_frame(nsclc_cohort, GROUPED)
    km = recur.kaplan_meier(frame, "os_months", "os_event", by="BED >=78 Gy", at=[24])
    r = km.at_times[km.at_times.group == "BED >=78 Gy"].iloc[0]
    expected = (f"The 2-year overall survival in BED &gt;=78 Gy was {100 * r.surv:.1f}% "
                f"(95% CI {100 * r.lower:.1f}-{100 * r.upper:.1f}%).")
    assert expected in report_text
    assert f"{100 * r.surv:.1f}" == "89.4"  # the demo's value as the Survival page shows it


def test_report_records_settings_cohort_and_version(report_text, nsclc_cohort):
    saved = re.search(r"<pre id='settings-json'>(.*?)</pre>", report_text, re.S).group(1)
    assert Settings.from_json(html.unescape(saved)) == GROUPED
    assert nsclc_cohort.content_hash in report_text and f"recur {recur.__version__}" in report_text
    assert "Efron method for tied times" in report_text and "log-log transformation" in report_text


def test_report_escapes_user_text(contents):
    hostile = "<img src=x onerror=alert(1)>"
    tables_only = replace(contents, cohort_name=f"{hostile}.csv", omitted=(hostile,), items=tuple(
        replace(i, table=i.table.assign(Group=hostile) if "Group" in i.table else i.table)
        for i in contents.items if i.figure is None and i.table is not None))
    text = report_html(tables_only)
    assert hostile not in text
    assert html.escape(hostile) in text


# ---------------------------------------------------------------- text

def test_results_sentence_has_the_landmark_rate_with_its_interval(nsclc_cohort):
    result = survival_analysis(nsclc_cohort, Settings())
    km = recur.kaplan_meier(recur.analysis_frame(nsclc_cohort, Settings())[0], "os_months", "os_event", at=[24])
    r = km.at_times.iloc[0]
    text = survival_paragraph(result)
    assert (f"The 2-year overall survival was {100 * r.surv:.1f}% (95% CI {100 * r.lower:.1f}-"
            f"{100 * r.upper:.1f}%).") in text
    assert "The median overall survival (74 patients, 16 events) was" in text


def test_methods_follow_the_settings():
    default = methods_paragraph(Settings(), ["os", "pfs"], has_toxicity=True)
    assert "log-log transformation" in default and "Efron" in default and "α/β = 10 Gy" in default
    assert "first day of salvage RT" in default and "or death from any cause" in default  # PFS counts deaths
    assert "CTCAE" in default and f"recur {recur.__version__}" in default
    other = methods_paragraph(Settings(methods=Methods("log", "breslow", 0.9), alpha_beta=3, screen_p=0.1,
                                       rules=EndpointRules(origin="recurrence", pfs_death_is_event=False)),
                              ["pfs"], has_toxicity=False)
    assert "90% confidence intervals on the log transformation" in other and "Breslow" in other
    assert "α/β = 3 Gy" in other and "univariate p < 0.1 " in other
    assert "diagnosis of the recurrence" in other and "deaths without it censored" in other
    assert "CTCAE" not in other


def test_recur_export_is_reachable_from_recur():
    assert recur.export.deck.__module__ == "recur.export.deck" and recur.__version__ == "0.1.0"


def test_results_that_cannot_be_made_are_listed_not_dropped(nsclc_cohort):
    everyone = Settings(cutoffs=(Cutoff("bed_gy", ">=", 0),), group_by="BED >=0 Gy")  # one group: no curves to compare
    contents = report_contents(nsclc_cohort, everyone)
    assert contents.survival == ()
    assert len(contents.omitted) == len(nsclc_cohort.endpoints)
    assert contents.omitted[0].startswith("Overall survival: Only one group of 'BED >=0 Gy' has patients")
    about = list(sheets(workbook(contents))["About"].itertuples(index=False))
    assert [v for k, v in about if k == "Not included"] == list(contents.omitted)
    assert "Table 1" in [sheet for sheet, _ in contents.tables]  # the rest is still exported


def test_the_cutoff_register_travels_with_the_exports(nsclc_cohort):
    from recur.cutoffs import apply_cutpoint, record_exploration

    derived = record_exploration(apply_cutpoint(Settings(), "bed_gy", 77.5), "bed_gy", 33)
    label = "BED >77.5 Gy"
    settings = replace(derived, group_by=label, endpoint="os")
    made = report_contents(nsclc_cohort, settings)
    km = next(i for i in made.items if i.key == "km_os")
    assert km.figure.layout.title.text.endswith("(grouped by a data-derived cutoff)")
    assert f"{label}: data-derived (cutoff explorer; 33 cutpoints on 1 variable explored this session)." in km.note
    about = openpyxl.load_workbook(io.BytesIO(workbook(made)))["About"]
    rows = [(r[0].value, r[1].value) for r in about.iter_rows(min_row=1)]
    assert ("Cutoff register", f"{label}: data-derived, from the cutoff explorer") in rows
    assert ("Cutoff register", "DFI >=12 months: pre-specified, clinical default") in rows
    assert ("Cutoff register", "Cutoff explorer: 33 cutpoints on 1 variable explored this session") in rows
    text = methods_paragraph(settings, ["os"], has_toxicity=False)
    assert f"{label} versus BED <=77.5 Gy (cutoff data-derived, from the cutoff explorer)" in text
    assert "33 cutpoints on 1 variable explored this session" in text
