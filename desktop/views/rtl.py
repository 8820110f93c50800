"""One way to write Persian rich text and identifiers on screen (issue 9 items 2 and 5).

Qt's rich text lays an HTML table's columns left to right whatever `dir` says, and decides a
paragraph's direction from its first strong letter; so:
- a table is written with its columns reversed, so the first column (the labels, «تاریخ شروع»…)
  sits on the right as in the PDF letter;
- a code, passcode, national code, SSN or blood group is one left-to-right isolate (LRI … PDI),
  so «۴۲۸۶۶-۶۶۴۶۵» and «O+» read in written order in every place and never swap around Persian;
- a value label holding only digits is aligned to the right, beside its label.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import Qt

from desktop.domain.text import persian_digits

LRI, PDI = "\u2066", "\u2069"
# The letters module wraps identifiers in LRE…PDF for the PDF; on screen the same runs become
# isolates, which also keep the Persian text around them in place.
_TO_ISOLATES = {ord("\u202a"): LRI, ord("\u202d"): LRI, ord("\u202b"): "\u2067", ord("\u202e"): "\u2067",
                ord("\u202c"): PDI}

VALUE_ALIGNMENT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignAbsolute | Qt.AlignmentFlag.AlignVCenter


def ltr_run(text: object) -> str:
    """`text` as one left-to-right run inside Persian text (plain text; escape it for HTML)."""
    return f"{LRI}{text}{PDI}"


_BIDI_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def code_run(code: object) -> str:
    """A code, passcode, national code or SSN: Persian digits, one left-to-right run (whatever
    marks it came with), the same in every place."""
    return ltr_run(persian_digits(str(code).translate(_BIDI_MARKS)))


def isolated(text: str) -> str:
    """Letter text for the screen: its LTR embeddings as isolates (the order the PDF shows)."""
    return text.translate(_TO_ISOLATES)


def esc(text: object) -> str:
    return html.escape(isolated(str(text)))


def rtl_html(body: str) -> str:
    """A block of rich text that reads right to left from its first word."""
    return f"<div dir='rtl' align='right'>{body}</div>"


def rtl_table(rows: Sequence[Sequence[str]], header: Sequence[str] = (), *,
              attrs: str = "border='1' cellspacing='0' cellpadding='4'",
              cell_style: Sequence[str] = ()) -> str:
    """An HTML table whose first column is on the right: cells are already-escaped HTML,
    written in reverse so Qt's left-to-right table layout shows them right to left."""
    def cells(tag: str, row: Sequence[str]) -> str:
        styled = [(f"<{tag} align='right'" + (f" style='{cell_style[i]}'" if i < len(cell_style)
                                              and cell_style[i] else "") + f">{cell}</{tag}>")
                  for i, cell in enumerate(row)]
        return "<tr>" + "".join(reversed(styled)) + "</tr>"

    head = cells("th", header) if header else ""
    return f"<table {attrs} dir='rtl' align='right'>{head}{''.join(cells('td', r) for r in rows)}</table>"
