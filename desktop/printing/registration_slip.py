"""The registration slip (برگه نام‌نویسی) handed to a person at the counter once the SSN is
given: who they are, their numbers, their relationship, the branch and the Jalali date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4, A5
from reportlab.pdfgen.canvas import Canvas

from desktop.domain.jalali import format_jalali
from desktop.domain.text import persian_digits

from .persian import FONT_BOLD, draw_line, draw_paragraph, draw_rtl_table, ltr, register_fonts

ORGANISATION = "سازمان تامین اجتماعی"
TITLE = "برگه نام‌نویسی"
KEEP_NOTE = ("این برگه را نگه دارید. شماره تامین اجتماعی یکتا و همیشگی است و کلید همه سوابق بیمه‌ای شماست؛ "
             "در هر مراجعه به شعبه‌ها آن را همراه داشته باشید.")


@dataclass(frozen=True)
class SlipData:
    full_name: str
    father_name: str | None  # the registry may not hold it (printed as «—»)
    birth_date: dt.date | None
    id_title: str  # «کد ملی» or «شماره اختصاصی اتباع خارجی»
    id_number: str | None  # the national code, or a foreigner's id
    ssn: str
    relationship: str  # Persian title of the kind or relation
    start: dt.date | None
    branch_code: str
    branch_name: str
    issued_on: dt.date
    numbers: list[tuple[str, str]] = field(default_factory=list)  # (Persian title, value)
    workshop: str = ""
    clerk: str = ""


def _n(value: object) -> str:
    """An identifier: Persian digits in their own left-to-right run."""
    return ltr(persian_digits(value))


def _rows(slip: SlipData) -> list[list[str]]:
    rows = [
        ["نام و نام خانوادگی", slip.full_name],
        ["نام پدر", slip.father_name or "—"],
        ["تاریخ تولد", format_jalali(slip.birth_date, persian=True) or "—"],
        [slip.id_title, _n(slip.id_number)],
        ["شماره تامین اجتماعی", _n(slip.ssn)],
        *[[title, _n(value)] for title, value in slip.numbers],
        ["نوع ارتباط بیمه‌ای", slip.relationship],
        ["تاریخ شروع", format_jalali(slip.start, persian=True) or "—"],
    ]
    if slip.workshop:
        rows.append(["کارگاه", slip.workshop])
    rows.append(["شعبه", f"{slip.branch_name} (کد {_n(slip.branch_code)})"])
    return rows


def render_registration_slip(path: str | Path, slip: SlipData, *, page: str = "A5") -> Path:
    """Write the slip as a one-page PDF (A5 by default, A4 on request) and return its path."""
    register_fonts()
    path = Path(path)
    width, height = A5 if page == "A5" else A4
    margin = 34
    right, inner = width - margin, width - 2 * margin
    c = Canvas(str(path), pagesize=(width, height))
    c.setTitle(f"{TITLE} {slip.ssn}")
    c.setAuthor(ORGANISATION)
    c.setLineWidth(0.6)
    c.rect(margin - 10, margin - 10, width - 2 * margin + 20, height - 2 * margin + 20)

    y = height - margin - 14
    c.setFont(FONT_BOLD, 15)
    draw_line(c, ORGANISATION, right=width / 2 + text_half(ORGANISATION, 15), y=y, font=FONT_BOLD, size=15)
    y -= 24
    draw_line(c, TITLE, right=width / 2 + text_half(TITLE, 13), y=y, font=FONT_BOLD, size=13)
    y -= 22
    draw_line(c, f"تاریخ: {format_jalali(slip.issued_on, persian=True)}", right=right, y=y, size=10)
    draw_line(c, f"شعبه: {slip.branch_name}", right=margin + inner / 2, y=y, size=10)
    y -= 18

    # The SSN in large type: it is what the person must remember.
    c.setFillGray(0.94)
    c.roundRect(margin, y - 44, inner, 44, 6, stroke=0, fill=1)
    c.setFillGray(0)
    draw_line(c, "شماره تامین اجتماعی:", right=right - 10, y=y - 28, font=FONT_BOLD, size=12)
    draw_line(c, _n(slip.ssn), right=margin + 150, y=y - 30, font=FONT_BOLD, size=20)
    y -= 62

    y = draw_rtl_table(c, ["عنوان", "مقدار"], _rows(slip), right=right, top=y,
                       widths=[inner * 0.38, inner * 0.62], size=10)
    y -= 26
    y = draw_paragraph(c, KEEP_NOTE, right=right, top=y, width=inner, size=9.5)
    y -= 18
    draw_line(c, f"کارمند باجه: {slip.clerk}" if slip.clerk else "کارمند باجه:", right=right, y=y, size=10)
    draw_line(c, "مهر و امضای شعبه", right=margin + 120, y=y, size=10)
    c.showPage()
    c.save()
    return path


def text_half(text: str, size: float) -> float:
    """Half the drawn width of a centred title (drawn right-aligned at centre + half)."""
    from .persian import reshape, text_width

    return text_width(reshape(text), FONT_BOLD, size) / 2
