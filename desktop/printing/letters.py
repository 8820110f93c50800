"""A4 inquiry letters and certificates as PDF (SPEC §4.3–4.5; DESIGN.md "Letters (ReportLab)").

The wording comes from desktop.domain.letters; this module only lays it out right to left.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from desktop.domain.inquiry import InquiryAnswer, Requester
from desktop.domain.letters import (
    DATE_LABEL,
    ORGANISATION,
    SALUTATION,
    TABLE_HEADERS,
    TRACKING_LABEL,
    LetterContent,
    letter_content,
    qr_payload,
)

from .persian import (
    FONT,
    FONT_BOLD,
    draw_centred,
    draw_line,
    draw_paragraph,
    draw_rtl_table,
    draw_search_line,
    register_fonts,
)
from .qr import draw_qr

__all__ = ["Letter", "render_inquiry_pdf", "render_batch", "draw_letter"]

# Typed here because ReportLab ships no types (A4 is its (width, height) in points).
PAGE_W: float
PAGE_H: float
PAGE_W, PAGE_H = A4
MARGIN = 50
RIGHT = PAGE_W - MARGIN
WIDTH = PAGE_W - 2 * MARGIN
BOTTOM = 90
QR_SIZE = 78
# start, end, type, insured type, relation, insurance number, branch — sums to WIDTH.
COLUMNS = (60, 60, 104, 58, 64, 84, 65)


Letter = tuple[InquiryAnswer, Requester | None]  # an answer, and its certificate's requester


def render_inquiry_pdf(answer: InquiryAnswer, *, certificate: Requester | None = None) -> bytes:
    """One letter (or certificate, when `certificate` is given) as PDF bytes."""
    buffer = io.BytesIO()
    canvas = _canvas(buffer, answer.tracking_code)
    draw_letter(canvas, answer, certificate=certificate)
    canvas.save()
    return buffer.getvalue()


def render_batch(letters: Iterable[Letter], progress: Callable[[int, int], None] | None = None,
                 cancelled: Callable[[], bool] | None = None, *, separate: bool = False,
                 ) -> bytes | list[bytes]:
    """Many letters: one PDF with a letter per page(s), or one PDF each with `separate=True`.

    `progress(done, total)` is called after each letter; when `cancelled()` turns true the
    batch stops and returns the letters finished so far. A letter with a requester prints as
    that certificate.
    """
    letters = list(letters)
    total = len(letters)
    if separate:
        out: list[bytes] = []
        for done, (answer, certificate) in enumerate(letters, 1):
            if cancelled is not None and cancelled():
                break
            out.append(render_inquiry_pdf(answer, certificate=certificate))
            if progress is not None:
                progress(done, total)
        return out
    buffer = io.BytesIO()
    canvas = _canvas(buffer, letters[0][0].tracking_code if letters else "")
    for done, (answer, certificate) in enumerate(letters, 1):
        if cancelled is not None and cancelled():
            break
        draw_letter(canvas, answer, certificate=certificate)
        if progress is not None:
            progress(done, total)
    canvas.save()
    return buffer.getvalue()


def _canvas(buffer: io.BytesIO, tracking_code: str) -> Canvas:
    register_fonts()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"استعلام {tracking_code}")
    canvas.setAuthor(ORGANISATION)
    canvas.setCreator("Branch Desk")
    return canvas


def draw_letter(canvas: Canvas, answer: InquiryAnswer, *,
                certificate: Requester | None = None) -> None:
    """Draw one letter on the canvas and finish its page(s)."""
    content = letter_content(answer, certificate)
    payload = qr_payload(answer)
    y = _letterhead(canvas, content, payload)
    _search_line(canvas, answer)
    y = _opening(canvas, content, y)
    for paragraph in content.paragraphs:
        y = _ensure_room(canvas, content, y, 40)
        y = draw_paragraph(canvas, paragraph, right=RIGHT, top=y, width=WIDTH, size=11) - 4
    if content.table:
        y = _ensure_room(canvas, content, y, 60)
        y = draw_rtl_table(canvas, list(TABLE_HEADERS), content.table, right=RIGHT, top=y + 8,
                           widths=list(COLUMNS), size=9, bottom=BOTTOM,
                           new_page=lambda: _continue(canvas, content)) - 22
    for label, value in content.details:
        y = _ensure_room(canvas, content, y, 30)
        y = draw_paragraph(canvas, f"{label}: {value}", right=RIGHT - 12, top=y,
                           width=WIDTH - 12, size=11)
    for line in content.closing:
        y = _ensure_room(canvas, content, y, 40)
        y = draw_paragraph(canvas, line, right=RIGHT, top=y - 8, width=WIDTH, size=11)
    y = _ensure_room(canvas, content, y, 30)
    draw_line(canvas, f"{TRACKING_LABEL}: {content.tracking_code}", right=RIGHT, y=y - 10,
              font=FONT_BOLD, size=11)
    _footer(canvas, content)
    canvas.showPage()


def _letterhead(canvas: Canvas, content: LetterContent, payload: str) -> float:
    top = PAGE_H - MARGIN
    draw_line(canvas, ORGANISATION, right=RIGHT, y=top - 14, font=FONT_BOLD, size=16)
    if content.branch:
        draw_line(canvas, content.branch, right=RIGHT, y=top - 36, size=11)
    draw_qr(canvas, payload, x=MARGIN, y=top - QR_SIZE, size=QR_SIZE)
    info_right = MARGIN + QR_SIZE + 170
    draw_line(canvas, f"{DATE_LABEL}: {content.date}", right=info_right, y=top - 22, size=10)
    draw_line(canvas, f"{TRACKING_LABEL}: {content.tracking_code}", right=info_right,
              y=top - 42, size=10)
    rule = top - QR_SIZE - 10
    canvas.setLineWidth(0.8)
    canvas.line(MARGIN, rule, RIGHT, rule)
    canvas.setLineWidth(0.5)
    return rule - 30


def search_text(answer: InquiryAnswer) -> str:
    """The identifiers as people and systems type them (Latin digits, as the QR code carries
    them), for a PDF search or an archive's full-text index. The visible letter prints them in
    Persian digits and copies as printed; this line is invisible text under the footer."""
    parts = [f"شماره ملی {answer.national_code}"] if answer.national_code else []
    if answer.tracking_code:
        parts.append(f"{TRACKING_LABEL} {answer.tracking_code}")
    return " ".join(parts)


def _search_line(canvas: Canvas, answer: InquiryAnswer) -> None:
    text = search_text(answer)
    if text:
        draw_search_line(canvas, text, x=MARGIN, y=36, size=8)


def _opening(canvas: Canvas, content: LetterContent, y: float) -> float:
    draw_centred(canvas, content.title, x=PAGE_W / 2, y=y, font=FONT_BOLD, size=14)
    y -= 36
    draw_line(canvas, content.authority, right=RIGHT, y=y, font=FONT_BOLD, size=12)
    y -= 26
    draw_line(canvas, SALUTATION, right=RIGHT, y=y, size=11)
    return y - 26


def _footer(canvas: Canvas, content: LetterContent) -> None:
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, 62, RIGHT, 62)
    draw_line(canvas, f"{ORGANISATION} — {TRACKING_LABEL} {content.tracking_code}",
              right=RIGHT, y=48, font=FONT, size=8)


def _continue(canvas: Canvas, content: LetterContent) -> float:
    """Finish this page and start the next with a short header; returns the new top."""
    _footer(canvas, content)
    canvas.showPage()
    canvas.setLineWidth(0.5)
    top = PAGE_H - MARGIN
    draw_line(canvas, f"{content.title} — {TRACKING_LABEL}: {content.tracking_code} (ادامه)",
              right=RIGHT, y=top - 12, font=FONT_BOLD, size=10)
    return top - 30


def _ensure_room(canvas: Canvas, content: LetterContent, y: float, needed: float) -> float:
    return _continue(canvas, content) if y - needed < BOTTOM else y

