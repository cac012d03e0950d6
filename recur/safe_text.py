r"""User-supplied text (file names, column names, category levels, IDs, URL
values) shown as plain text: one helper per renderer, and one length cut.

- ``plain``: for Streamlit Markdown (headings, captions, alerts, widget
  labels): every ASCII punctuation character is backslash-escaped, which
  CommonMark renders as the literal character, so no link, image, emphasis,
  HTML, ``:material/..:`` icon or ``$...$`` formula can form; and an invisible
  word joiner (U+2060) goes after ``http``/``https``/``www`` and before ``@``,
  because GitHub-flavoured autolinks (``http://x``, ``www.x``, ``a@b.c``) are
  found in the text after escapes are resolved.
- ``html_text``: for Plotly text (names, legends, ticks, titles, annotations),
  which renders a subset of HTML: ``&``, ``<`` and ``>`` become entities.
- ``clip``: a long value is cut with an ellipsis, so a 10-million-character
  cell is never echoed whole.

Examples: ``plain("[x](http://e.example)")`` is ``\[x\]\(http\:\/\/e\.example\)``;
``html_text('<a href="http://e">x</a>')`` is ``&lt;a href="http://e"&gt;x&lt;/a&gt;``.
"""

from __future__ import annotations

import re
import string

TEXT_LIMIT = 80  # characters of one user value in a message, label or legend
MESSAGE_LIMIT = 400  # characters of a whole message that quotes user values (an error from the reader)
ELLIPSIS = "…"

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\u2028\u2029]+")
_AUTOLINK = re.compile(r"(?i)(?<=https)(?=:)|(?<=http)(?=:)|(?<=www)(?=\.)|(?=@)")
WORD_JOINER = "\u2060"


def clip(text: object, limit: int = TEXT_LIMIT) -> str:
    """``text`` as one line of at most ``limit`` characters (an ellipsis marks a cut)."""
    s = _LINE_BREAKS.sub(" ", str(text))
    return s if len(s) <= limit else s[: limit - 1] + ELLIPSIS


def plain(text: object, limit: int = TEXT_LIMIT) -> str:
    """``text`` clipped and escaped so Streamlit's Markdown shows it literally."""
    return _PUNCTUATION.sub(r"\\\1", _AUTOLINK.sub(WORD_JOINER, clip(text, limit)))


def html_text(text: object, limit: int = TEXT_LIMIT) -> str:
    """``text`` clipped and escaped so Plotly shows it literally (no tags, no links)."""
    return clip(text, limit).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
