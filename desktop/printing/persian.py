"""Persian text on ReportLab pages (DESIGN.md, "Letters (ReportLab)").

ReportLab draws glyphs left to right and knows nothing of Arabic joining or bidi, so:
reshape the logical text (contextual forms, the لا ligature) → wrap by measured width →
reorder each line on its own with the pure-Python bidi algorithm (it mirrors brackets) →
draw right-aligned. Reordering a whole paragraph before wrapping would reverse line order.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from arabic_reshaper import ArabicReshaper
from bidi.algorithm import get_display
from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from desktop.domain.text import persian_digits

__all__ = [
    "FONT", "FONT_BOLD", "register_fonts", "reshape", "visual", "ltr", "shape_lines",
    "text_width", "draw_line", "draw_centred", "draw_paragraph", "draw_rtl_table", "persian_digits",
]

FONT = "Vazirmatn"
FONT_BOLD = "Vazirmatn-Bold"
FONTS_DIR = Path(__file__).resolve().parents[1] / "resources" / "fonts"
_FILES = {FONT: "Vazirmatn-Regular.ttf", FONT_BOLD: "Vazirmatn-Bold.ttf"}

# Only the لا family of ligatures: the font has those glyphs, and a Persian reader expects
# them; the word/sentence ligatures (e.g. «الله», «صلی») would change how names print.
_LAM_ALEF = (
    "ARABIC LIGATURE LAM WITH ALEF",
    "ARABIC LIGATURE LAM WITH ALEF WITH HAMZA ABOVE",
    "ARABIC LIGATURE LAM WITH ALEF WITH HAMZA BELOW",
    "ARABIC LIGATURE LAM WITH ALEF WITH MADDA ABOVE",
)


def _reshaper() -> ArabicReshaper:
    from arabic_reshaper.reshaper_config import default_config

    config: dict[str, object] = {key: False for key in default_config if key.startswith("ARABIC LIGATURE")}
    config.update({key: True for key in _LAM_ALEF})
    config.update(
        language="Arabic",  # covers Persian letters (پ چ ژ گ ک ی)
        delete_harakat=False,  # keep diacritics a name may carry
        delete_tatweel=False,
        support_zwj=True,
        support_ligatures=True,
    )
    return ArabicReshaper(configuration=config)


_RESHAPER = _reshaper()
_registered = False

# Left-to-right embedding for identifiers (phone numbers with dashes, codes mixing letters and
# digits): inside it the digits keep their written order whatever surrounds them.
_LRE, _PDF = "\u202a", "\u202c"


def register_fonts() -> None:
    """Register Vazirmatn Regular and Bold with ReportLab once per process."""
    global _registered
    if _registered:
        return
    # Binary (deflated) streams instead of ASCII85 on top: ReportLab's pure-Python ASCII85
    # encoder was half the time of a 1,000-letter batch, and every reader takes binary PDF.
    rl_config.useA85 = 0
    for name, file in _FILES.items():
        path = FONTS_DIR / file
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: run scripts/fetch_font.py")
        pdfmetrics.registerFont(TTFont(name, str(path)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD)
    _registered = True


def ltr(text: object) -> str:
    """An identifier kept in its own left-to-right order inside Persian text."""
    return f"{_LRE}{text}{_PDF}"


@lru_cache(maxsize=8192)
def reshape(text: str) -> str:
    """Logical text → logical text in contextual presentation forms (ZWNJ still breaks joins)."""
    return _RESHAPER.reshape(text)


@lru_cache(maxsize=8192)
def visual(reshaped_line: str) -> str:
    """One reshaped line → the left-to-right glyph order to draw (brackets mirrored)."""
    return get_display(reshaped_line, base_dir="R")


def text_width(text: str, font: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, font, size)


def _wrap(reshaped: str, font: str, size: float, width: float) -> list[str]:
    """Greedy wrap on spaces only: a ZWNJ word («می‌شود») never splits."""
    words = reshaped.split(" ")
    space = pdfmetrics.stringWidth(" ", font, size)
    lines: list[str] = []
    current: list[str] = []
    used = 0.0
    for word in words:
        w = pdfmetrics.stringWidth(word, font, size)
        if current and used + space + w > width:
            lines.append(" ".join(current))
            current, used = [word], w
        else:
            used = used + space + w if current else w
            current.append(word)
    lines.append(" ".join(current))
    return lines


@lru_cache(maxsize=4096)
def _shape_lines(text: str, font: str, size: float, width: float) -> tuple[str, ...]:
    register_fonts()
    out: list[str] = []
    for paragraph in text.split("\n"):
        for line in _wrap(reshape(paragraph), font, size, width):
            out.append(visual(line))
    return tuple(out)


def shape_lines(text: str, font: str, size: float, width: float) -> list[str]:
    """Logical Persian text → visual lines, top to bottom, each to be drawn right-aligned.

    `\\n` starts a new paragraph. Lines are wrapped to `width` points as measured in `font`.
    """
    return list(_shape_lines(text, font, float(size), float(width)))


def draw_line(canvas, text: str, *, right: float, y: float, font: str = FONT,
              size: float = 11) -> None:
    """One logical line, right-aligned at `right` (no wrapping)."""
    register_fonts()
    canvas.setFont(font, size)
    canvas.drawRightString(right, y, visual(reshape(text)))


def draw_centred(canvas, text: str, *, x: float, y: float, font: str = FONT,
                 size: float = 11) -> None:
    """One logical line centred on `x` (no wrapping)."""
    register_fonts()
    canvas.setFont(font, size)
    canvas.drawCentredString(x, y, visual(reshape(text)))


def draw_paragraph(canvas, text: str, *, right: float, top: float, width: float,
                   font: str = FONT, size: float = 11, leading: float | None = None) -> float:
    """Draw a wrapped right-aligned paragraph whose first baseline is `top`; returns the next
    free baseline below it."""
    leading = leading or size * 1.7
    canvas.setFont(font, size)
    y = top
    for line in _shape_lines(text, font, float(size), float(width)):
        canvas.drawRightString(right, y, line)
        y -= leading
    return y


def _shape_row(cells, widths, face: str, size: float, padding: float):
    shaped = [_shape_lines(str(c), face, float(size), float(w - 2 * padding))
              for c, w in zip(cells, widths, strict=True)]
    return shaped, max(len(s) for s in shaped) * size * 1.6 + 2 * padding


def _draw_row(canvas, shaped, widths, *, right: float, y: float, height: float, face: str,
              size: float, padding: float, shade: bool) -> None:
    if shade:
        canvas.setFillGray(0.92)
        canvas.rect(right - sum(widths), y - height, sum(widths), height, stroke=0, fill=1)
        canvas.setFillGray(0)
    canvas.setFont(face, size)
    x_right = right
    for lines, w in zip(shaped, widths, strict=True):  # logical order = right to left
        canvas.rect(x_right - w, y - height, w, height, stroke=1, fill=0)
        baseline = y - padding - size
        for line in lines:
            canvas.drawCentredString(x_right - w / 2, baseline, line)
            baseline -= size * 1.6
        x_right -= w


def draw_rtl_table(canvas, headers: list[str], rows: list[list[str]], *, right: float,
                   top: float, widths: list[float], font: str = FONT, bold: str = FONT_BOLD,
                   size: float = 9, padding: float = 4, bottom: float | None = None,
                   new_page=None) -> float:
    """A ruled table read right to left: `headers`, each row and `widths` are in logical
    order (first column at the right). Cells wrap inside their column and are centred.

    When a row would cross `bottom`, `new_page()` is called (it starts a page and returns the
    new top) and the header row is repeated. Returns the y of the table's bottom edge."""
    register_fonts()
    head, head_height = _shape_row(headers, widths, bold, size, padding)
    style = dict(right=right, size=size, padding=padding)
    _draw_row(canvas, head, widths, y=top, height=head_height, face=bold, shade=True, **style)
    y = top - head_height
    for cells in rows:
        shaped, height = _shape_row(cells, widths, font, size, padding)
        if bottom is not None and new_page is not None and y - height < bottom:
            y = new_page()
            _draw_row(canvas, head, widths, y=y, height=head_height, face=bold, shade=True,
                      **style)
            y -= head_height
        _draw_row(canvas, shaped, widths, y=y, height=height, face=font, shade=False, **style)
        y -= height
    return y
