"""A person's dossier as one printable PDF: a Persian cover page listing every paper with its
identifier and SHA-256, then each paper — images scaled to an A4 page (every frame of a TIFF),
PDFs' own pages appended as they are. A paper that cannot be read gets a page that says so
instead of failing the whole export."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PIL import Image, ImageSequence, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from desktop.domain.jalali import format_jalali
from desktop.domain.text import persian_digits

from .persian import (
    FONT,
    FONT_BOLD,
    draw_centred,
    draw_line,
    draw_paragraph,
    draw_rtl_table,
    ltr,
    register_fonts,
)

ORGANISATION = "سازمان تامین اجتماعی"
MARGIN = 36.0
Image.MAX_IMAGE_PIXELS = 200_000_000  # a 600-dpi A3 scan is ~70 Mpx; beyond this is a bomb


@dataclass(frozen=True)
class CoverPerson:
    full_name: str
    national_code: str
    ssn: str
    branch_name: str
    branch_code: str
    scope: str  # Persian: «همه فصل‌ها» or the chapter's title
    exported_by: str
    exported_on: dt.date


@dataclass(frozen=True)
class ExportPaper:
    identifier: str
    title: str  # Persian: the kind's name
    chapter: str  # Persian: chapter › section
    version: int
    scanned_on: str  # Jalali YYYY/MM/DD
    sha256: str
    media_type: str
    data: bytes


def _n(value: object) -> str:
    return ltr(persian_digits(value))


def _code_cell(paper: ExportPaper) -> str:
    """The identifier, then the hash in two halves: 64 hex digits do not fit a column's width."""
    half = len(paper.sha256) // 2
    return "\n".join(ltr(part) for part in (paper.identifier, paper.sha256[:half], paper.sha256[half:]))


def _cover(person: CoverPerson, papers: Sequence[ExportPaper]) -> bytes:
    register_fonts()
    buffer = io.BytesIO()
    width, height = A4
    right, inner = width - MARGIN, width - 2 * MARGIN
    c = Canvas(buffer, pagesize=A4)
    c.setTitle(f"پرونده اسناد {person.full_name}")
    c.setAuthor(ORGANISATION)
    y = height - MARGIN - 10
    draw_centred(c, ORGANISATION, x=width / 2, y=y, font=FONT_BOLD, size=14)
    y -= 24
    draw_centred(c, "پرونده اسناد بایگانی الکترونیک", x=width / 2, y=y, font=FONT_BOLD, size=13)
    y -= 30
    facts = [["نام و نام خانوادگی", person.full_name], ["کد ملی", _n(person.national_code or "—")],
             ["شماره تامین اجتماعی", _n(person.ssn or "—")], ["شعبه", f"{person.branch_name} (کد {_n(person.branch_code)})"],
             ["بخش چاپ‌شده", person.scope], ["تعداد مدرک", persian_digits(len(papers))],
             ["تاریخ چاپ", format_jalali(person.exported_on, persian=True)],
             ["چاپ‌کننده", person.exported_by]]
    y = draw_rtl_table(c, ["عنوان", "مقدار"], facts, right=right, top=y,
                       widths=[inner * 0.3, inner * 0.7], size=10)
    y -= 26
    draw_line(c, "فهرست مدارک (شناسه و چکیده SHA-256 هر مدرک برای بررسی درستی آن):", right=right, y=y,
              font=FONT_BOLD, size=10)
    y -= 12

    def new_page() -> float:
        c.showPage()
        return float(height) - MARGIN

    rows = [[persian_digits(n), p.title, p.chapter, persian_digits(p.version),
             persian_digits(p.scanned_on), _code_cell(p)]
            for n, p in enumerate(papers, 1)]
    draw_rtl_table(c, ["ردیف", "مدرک", "فصل و بخش", "نسخه", "تاریخ", "شناسه / چکیده"], rows, right=right,
                   top=y, widths=[24, 92, 86, 28, 48, inner - 278], size=7, padding=3,
                   bottom=MARGIN, new_page=new_page)
    c.showPage()
    c.save()
    return buffer.getvalue()


def _caption(c: Canvas, paper: ExportPaper, page_width: float, page_height: float) -> None:
    text = f"{paper.title} — نسخه {persian_digits(paper.version)} — {ltr(paper.identifier)}"
    draw_line(c, text, right=page_width - MARGIN, y=page_height - MARGIN + 14, font=FONT, size=8)


def _image_pages(paper: ExportPaper) -> bytes:
    """Every frame of the image on its own A4 page (turned to landscape for a wide scan)."""
    register_fonts()
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=A4)
    with Image.open(io.BytesIO(paper.data)) as image:
        for frame in ImageSequence.Iterator(image):
            picture = frame.convert("RGB")
            size = landscape(A4) if picture.width > picture.height else A4
            c.setPageSize(size)
            box_w, box_h = size[0] - 2 * MARGIN, size[1] - 2 * MARGIN - 10
            scale = min(box_w / picture.width, box_h / picture.height)
            w, h = picture.width * scale, picture.height * scale
            c.drawImage(ImageReader(picture), (size[0] - w) / 2, MARGIN + (box_h - h) / 2, w, h)
            _caption(c, paper, *size)
            c.showPage()
    c.save()
    return buffer.getvalue()


def _unreadable_page(paper: ExportPaper, why: str) -> bytes:
    register_fonts()
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=A4)
    _caption(c, paper, *A4)
    draw_paragraph(c, f"این مدرک ({paper.title}) خوانده نشد و در این چاپ نیامده است: {why}. "
                   "فایل اصلی آن در آرشیو شعبه است.", right=A4[0] - MARGIN, top=A4[1] / 2,
                   width=A4[0] - 2 * MARGIN, size=11)
    c.showPage()
    c.save()
    return buffer.getvalue()


def _append(writer: PdfWriter, paper: ExportPaper) -> None:
    first = len(writer.pages)
    try:
        if paper.media_type == "application/pdf":
            reader = PdfReader(io.BytesIO(paper.data))
            if reader.is_encrypted:
                reader.decrypt("")  # an owner-password-only scan opens with the empty password
            writer.append(reader, import_outline=False)
        else:
            writer.append(PdfReader(io.BytesIO(_image_pages(paper))))
    except (PyPdfError, UnidentifiedImageError, OSError, ValueError, NotImplementedError):
        for page in range(len(writer.pages) - 1, first - 1, -1):  # drop what a bad paper left half-added
            writer.remove_page(page)
        reason = "PDF آن خراب یا رمزدار است" if paper.media_type == "application/pdf" else "تصویر آن خراب است"
        writer.append(PdfReader(io.BytesIO(_unreadable_page(paper, reason))))
    if len(writer.pages) > first:
        writer.add_outline_item(title=f"{paper.title} ({paper.identifier})", page_number=first)


def render_dossier(person: CoverPerson, papers: Sequence[ExportPaper],
                   progress: Callable[[int, int], None] | None = None) -> tuple[bytes, int]:
    """The cover, then every paper in order; returns (PDF bytes, page count)."""
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(_cover(person, papers))))
    writer.add_outline_item(title="فهرست مدارک", page_number=0)
    for n, paper in enumerate(papers, 1):
        _append(writer, paper)
        if progress is not None:
            progress(n, len(papers))
    writer.add_metadata({"/Title": f"پرونده اسناد {person.full_name}", "/Author": ORGANISATION})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(writer.pages)
