"""A self-contained HTML report: methods and results text written from the
settings and numbers used, every figure (PNG at 300 dpi, as a data: URI) and
every on-screen table, and what reproduces it (settings JSON, cohort name and
content hash, app version). No external asset, script or font: the file
opens offline and carries no http(s) URL. All user text is escaped.
"""

from __future__ import annotations

import base64
import html

import pandas as pd

from recur.cohort import Cohort
from recur.export.contents import ReportContents, report_contents
from recur.export.figures import DOUBLE_COLUMN_MM, render_figures
from recur.export.methods import methods_paragraph
from recur.export.results_text import cox_paragraph, followup_sentence, survival_paragraph
from recur.settings import Settings

STYLE = """
body { font-family: Arial, Helvetica, sans-serif; color: #111; max-width: 190mm; margin: 2em auto; padding: 0 1em;
       line-height: 1.45; }
h1 { font-size: 1.6em; } h2 { font-size: 1.3em; margin-top: 1.6em; border-bottom: 1px solid #999; }
h3 { font-size: 1.1em; margin-top: 1.4em; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.9em; }
th, td { border: 1px solid #bbb; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }
th { background: #dde6f0; }
img { width: 100%; height: auto; }
.meta, .note { color: #444; font-size: 0.9em; }
pre { white-space: pre-wrap; word-break: break-all; background: #f4f4f4; padding: 0.6em; font-size: 0.8em; }
"""


def report(cohort: Cohort, settings: Settings) -> str:
    """The HTML report of ``cohort`` under ``settings`` (see ``report_html``)."""
    return report_html(report_contents(cohort, settings))


def report_html(contents: ReportContents) -> str:
    """The report of already built contents; figures rendered in one batch."""
    shown = [i for i in contents.items if i.figure is not None]
    images = dict(zip((i.key for i in shown), render_figures([(i.figure, "png", DOUBLE_COLUMN_MM) for i in shown])))
    esc = html.escape
    level = contents.settings.methods.conf_level
    methods = methods_paragraph(contents.settings, [s.endpoint for s in contents.survival],
                                has_toxicity=any(i.section == "toxicity" for i in contents.items),
                                has_cox=contents.screen is not None)
    parts = [f"<h1>recur report: {esc(contents.cohort_name)}</h1>",
             f"<p class='meta'>{contents.n_patients} patients analysed (of {contents.n_cohort} in the cohort) · "
             f"made on {contents.created.isoformat()} · recur {esc(contents.version)} · cohort content hash "
             f"{esc(contents.content_hash)}</p>",
             "<h2>Methods</h2>",
             f"<p>{esc(methods)}</p>",
             "<h2>Results</h2>"]
    if contents.survival:
        parts.append(f"<p>{esc(followup_sentence(contents.survival[0], level))}</p>")
    parts += [f"<p>{esc(survival_paragraph(s, level))}</p>" for s in contents.survival]
    if contents.screen is not None:
        parts.append(f"<p>{esc(cox_paragraph(contents.screen, level))}</p>")
    parts.append("<h2>Figures and tables</h2>")
    for item in contents.items:
        parts.append(f"<h3>{esc(item.title)}</h3>")
        if item.figure is not None:
            data = base64.b64encode(images[item.key]).decode("ascii")
            parts.append(f"<img alt='{esc(item.title, quote=True)}' src='data:image/png;base64,{data}'>")
        if item.sheet and item.table is not None:
            parts.append(_table(item.table))
        if item.note:
            parts.append(f"<p class='note'>{esc(item.note)}</p>")
    if contents.omitted:
        parts.append("<h2>Not included</h2><ul>" + "".join(f"<li>{esc(o)}</li>" for o in contents.omitted)
                     + "</ul>")
    parts += ["<h2>Reproducibility</h2>",
              f"<p>Cohort {esc(contents.cohort_name)}, content hash {esc(contents.content_hash)}; recur "
              f"{esc(contents.version)}. Upload these settings on the Export page to restore this view:</p>",
              f"<pre id='settings-json'>{esc(contents.settings.to_json())}</pre>"]
    return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>recur report: {esc(contents.cohort_name)}</title><style>{STYLE}</style></head>\n<body>\n"
            + "\n".join(parts) + "\n</body></html>\n")


def _table(frame: pd.DataFrame) -> str:
    """A table as escaped HTML, empty cells blank."""
    return frame.to_html(index=False, escape=True, na_rep="", border=0)
