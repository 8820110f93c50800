"""The branch's statistics as a printable A4 page (SPEC §7): per group a right-to-left table of
the figures with a bar beside each, Persian labels and Persian digits.

Plain values in (the service composes them); ReportLab and the project's Persian text helpers
draw them. Bars grow from the right edge leftwards, as the page is read.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from desktop.domain.text import persian_digits

from .persian import FONT_BOLD, draw_centred, draw_line, draw_rtl_table, register_fonts

MARGIN = 18 * mm
BAR_COLOUR = (0.16, 0.42, 0.67)


@dataclass(frozen=True)
class FigureGroup:
    """One table of the report: a title and (label, count) rows in reading order."""

    title: str
    rows: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class StatisticsReport:
    organisation: str
    branch: str  # «شعبه ۱۰۲۱ — …»
    period: str  # Persian, e.g. «از ۱۴۰۵/۰۱/۰۱ تا ۱۴۰۵/۱۲/۲۹»
    printed_on: str  # Persian date
    groups: tuple[FigureGroup, ...]


def render_statistics_pdf(report: StatisticsReport) -> bytes:
    register_fonts()
    out = io.BytesIO()
    width, height = A4
    c = Canvas(out, pagesize=A4, pageCompression=1)
    c.setTitle("آمار شعبه")
    right = width - MARGIN
    y = height - MARGIN
    draw_centred(c, report.organisation, x=width / 2, y=y, font=FONT_BOLD, size=13)
    y -= 20
    draw_centred(c, f"آمار شعبه — {report.branch}", x=width / 2, y=y, font=FONT_BOLD, size=12)
    y -= 18
    draw_centred(c, f"بازه: {report.period}", x=width / 2, y=y, size=10)
    y -= 14
    draw_centred(c, f"تاریخ چاپ: {report.printed_on}", x=width / 2, y=y, size=9)
    y -= 26

    def new_page() -> float:
        c.showPage()
        top: float = height - MARGIN
        return top

    label_w, count_w = 60 * mm, 25 * mm
    bar_w = width - 2 * MARGIN - label_w - count_w
    for group in report.groups:
        needed = 24 + 18 * (len(group.rows) + 1)
        if y - needed < MARGIN:
            y = new_page()
        draw_line(c, group.title, right=right, y=y, font=FONT_BOLD, size=11)
        y -= 8
        top = y
        rows = [[label, persian_digits(count), ""] for label, count in group.rows]
        bottom = draw_rtl_table(c, ["عنوان", "تعداد", ""], rows, right=right, top=top,
                                widths=[label_w, count_w, bar_w], size=9, padding=3)
        _bars(c, group, right=right - label_w - count_w, top=top, bottom=bottom, width=bar_w)
        y = bottom - 22
    c.showPage()
    c.save()
    return out.getvalue()


def _bars(c: Canvas, group: FigureGroup, *, right: float, top: float, bottom: float, width: float) -> None:
    """In the last column, one bar per row, its length proportional to the group's largest."""
    if not group.rows:
        return
    row_h = (top - bottom) / (len(group.rows) + 1)  # rows are equal height (one line each)
    largest = max((n for _label, n in group.rows), default=0) or 1
    c.setFillColorRGB(*BAR_COLOUR)
    for i, (_label, n) in enumerate(group.rows, start=1):
        length = (width - 8) * n / largest
        if length > 0:
            y = top - row_h * (i + 1) + row_h * 0.25
            c.rect(right - 4 - length, y, length, row_h * 0.5, stroke=0, fill=1)
    c.setFillColorRGB(0, 0, 0)
