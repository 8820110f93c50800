"""Persian text on ReportLab pages (DESIGN.md, "Letters (ReportLab)").

ReportLab draws glyphs left to right and knows nothing of Arabic joining or bidi, so:
reshape the logical text (contextual forms, the لا ligature) → wrap by measured width →
reorder each line on its own with the bidi algorithm (brackets mirrored) → draw right-aligned.
Reordering a whole paragraph before wrapping would reverse line order.

Text that copies and searches as Persian (issue 9 item 12). A PDF reader (poppler's pdftotext,
pdf.js, Acrobat) turns the drawn glyphs back into text through the font's ToUnicode map and then
puts right-to-left runs back into logical order by position. So:
- the ToUnicode map sends each contextual form to its ordinary letter (ﺳ → س), the لا ligature
  to its two letters, and a mirrored bracket to the bracket the text holds (`_LogicalFont`);
- ZWNJ is kept in the drawn string as its zero-width glyph, so «می‌شود» copies with it;
- each word is shown on its own, in reading order (right to left), at the x a single
  right-aligned string would give it: `pdftotext -raw` (content order) reads words in order and
  the page looks exactly as before.
A `/Span <</ActualText …>> BDC` per line was tried first: poppler 22.12 honours ActualText but
spreads the replacement string left to right over the span and then reverses it as an RTL run,
so a logical-order ActualText came out letter-reversed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from arabic_reshaper import ArabicReshaper
from bidi.algorithm import (
    MIRRORED,
    explicit_embed_and_overrides,
    get_embedding_levels,
    get_empty_storage,
    mirrored,
    reorder_resolved_levels,
    resolve_implicit_levels,
    resolve_neutral_types,
    resolve_weak_types,
)
from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import SUBSETN, TTFont

from desktop.bundled import FONTS, require
from desktop.domain.text import persian_digits

if TYPE_CHECKING:  # annotations only: ReportLab ships no types, so these name what is passed
    from reportlab.pdfbase.pdfdoc import PDFDocument
    from reportlab.pdfgen.canvas import Canvas

__all__ = [
    "FONT", "FONT_BOLD", "register_fonts", "reshape", "visual", "ltr", "shape_lines",
    "text_width", "draw_line", "draw_search_line", "draw_centred", "draw_paragraph",
    "draw_rtl_table", "persian_digits",
]

FONT = "Vazirmatn"
FONT_BOLD = "Vazirmatn-Bold"
FONTS_DIR = FONTS
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

# Brackets the bidi algorithm mirrors in right-to-left text. Each gets a private-use code point
# that draws the mirrored glyph but maps back (ToUnicode) to the bracket the text really holds:
# readers reverse RTL runs without mirroring, so «(کد ۱۰۲۱)» would otherwise copy as «)کد ۱۰۲۱(».
_BRACKETS = "()[]{}<>«»‹›"
MIRROR_ALIAS = {ch: chr(0xF500 + i) for i, ch in enumerate(_BRACKETS)}
_ALIAS_TEXT = {ord(alias): ch for ch, alias in MIRROR_ALIAS.items()}
# ZWNJ is a boundary-neutral the bidi algorithm drops (rule X9); ARABIC LETTER MARK is a strong
# Arabic letter it keeps in place, so ZWNJ rides through reordering as ALM and is put back.
_ZWNJ, _ALM = "\u200c", "\u061c"


@lru_cache(maxsize=4096)
def _unicode_hex(code: int) -> str:
    return _text_of(code).encode("utf-16-be").hex().upper()


def _text_of(code: int) -> str:
    """What a drawn code point reads as when copied."""
    if code in _ALIAS_TEXT:
        return _ALIAS_TEXT[code]
    if 0xFB50 <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFF:  # Arabic presentation forms
        letters = unicodedata.normalize("NFKC", chr(code))
        # A ligature (لا) is drawn in visual order like the rest of the line; readers reverse
        # the run it sits in, so its letters are given in visual order too.
        return letters[::-1]
    return chr(code)


def _to_unicode_cmap(name: str, subset: list[int]) -> str:
    """ReportLab's ToUnicode CMap for one font subset, with `_text_of` as the mapping."""
    pairs = [f"<{i:02X}> <{_unicode_hex(code)}>" for i, code in enumerate(subset)]
    return "\n".join([
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap", "/CIDSystemInfo",
        f"<< /Registry ({name})", f"/Ordering ({name})", "/Supplement 0", ">> def",
        f"/CMapName /{name} def", "/CMapType 2 def", "1 begincodespacerange",
        f"<00> <{len(subset) - 1:02X}>", "endcodespacerange", f"{len(subset)} beginbfchar",
        *pairs, "endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end",
        "end"])


class _LogicalFont(TTFont):
    """A TrueType font whose copied text is ordinary, logical Persian (see the module doc)."""

    def __init__(self, name: str, path: str) -> None:
        super().__init__(name, path)
        face = self.face
        for ch, alias in MIRROR_ALIAS.items():
            shown = ord(MIRRORED.get(ch, ch))
            if shown in face.charToGlyph:
                face.charToGlyph[ord(alias)] = face.charToGlyph[shown]
                face.charWidths[ord(alias)] = face.charWidths[shown]

    def addObjects(self, doc: PDFDocument) -> None:
        subsets = [list(subset) for subset in self.state[doc].subsets]
        super().addObjects(doc)
        # Same names ReportLab gives the subsets' ToUnicode streams (TTFont.addObjects).
        for n, subset in enumerate(subsets):
            name = b"".join((SUBSETN(n), b"+", self.face.name, self.face.subfontNameX))
            base = name.decode("pdfdoc")
            doc.idToObject["toUnicodeCMap:" + base].content = _to_unicode_cmap(base, subset)

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
        path = require(FONTS_DIR / file)  # a missing font: ResourceMissing (exit 8), not a traceback
        pdfmetrics.registerFont(_LogicalFont(name, str(path)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD)
    _registered = True


def ltr(text: object) -> str:
    """An identifier kept in its own left-to-right order inside Persian text."""
    return f"{_LRE}{text}{_PDF}"


@lru_cache(maxsize=8192)
def reshape(text: str) -> str:
    """Logical text → logical text in contextual presentation forms (ZWNJ still breaks joins)."""
    shaped: str = _RESHAPER.reshape(text)
    return shaped


@lru_cache(maxsize=8192)
def visual(reshaped_line: str) -> str:
    """One reshaped line → the left-to-right glyph order to draw: the Unicode bidi algorithm
    (python-bidi's steps, paragraph level RTL) with two changes for copying: ZWNJ is kept, and
    a mirrored bracket is drawn as its MIRROR_ALIAS so it copies as the bracket in the text."""
    storage = get_empty_storage()
    storage["base_level"], storage["base_dir"] = 1, "R"
    get_embedding_levels(reshaped_line.replace(_ZWNJ, _ALM), storage)
    explicit_embed_and_overrides(storage)
    resolve_weak_types(storage)
    resolve_neutral_types(storage, False)
    resolve_implicit_levels(storage, False)
    reorder_resolved_levels(storage, False)
    out = []
    for char in storage["chars"]:
        ch = char["ch"]
        if ch == _ALM:
            ch = _ZWNJ
        elif char["level"] % 2 and mirrored(ch):  # rule L4, right-to-left level
            ch = MIRROR_ALIAS.get(ch) or MIRRORED.get(ch, ch)
        out.append(ch)
    return "".join(out)


@lru_cache(maxsize=8192)
def _words(line: str, font: str, size: float) -> tuple[tuple[float, float, str], ...]:
    """A visual line's words in reading order (right to left): (offset from the line's left
    end, the line's width, the word). Offsets add up the same glyph widths stringWidth does, so
    the words land exactly where the whole line would."""
    space = pdfmetrics.stringWidth(" ", font, size)
    placed: list[tuple[float, str]] = []
    x = 0.0
    for word in line.split(" "):
        if word:
            placed.append((x, word))
            x += pdfmetrics.stringWidth(word, font, size)
        x += space
    width = x - space
    return tuple((offset, width, word) for offset, word in reversed(placed))


def _show(canvas: Canvas, line: str, *, x: float, y: float, font: str, size: float,
          anchor: str = "right", invisible: bool = False) -> None:
    """Draw one visual line anchored at x (its right end, centre or left end), word by word
    in reading order."""
    words = _words(line, font, float(size))
    if not words:
        return
    width = words[0][1]
    left = x - width if anchor == "right" else x - width / 2 if anchor == "centre" else x
    text = canvas.beginText()
    text.setFont(font, size)
    if invisible:
        # The render mode is graphics state and outlives the text object: keep it inside q/Q
        # or every later line on the page would be invisible too.
        canvas.saveState()
        text.setTextRenderMode(3)
    place = text._code.append  # noqa: SLF001 - see below
    for offset, _, word in words:
        # setTextOrigin's number formatting (ReportLab's pure-Python fp_str) was a sixth of a
        # letter's time once every word had its own origin; this writes the same Tm operator.
        place(f"1 0 0 1 {left + offset:.4f} {y:.4f} Tm")
        text.textOut(word)
    canvas.drawText(text)
    if invisible:
        canvas.restoreState()


def text_width(text: str, font: str, size: float) -> float:
    width: float = pdfmetrics.stringWidth(text, font, size)
    return width


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


def draw_line(canvas: Canvas, text: str, *, right: float, y: float, font: str = FONT,
              size: float = 11) -> None:
    """One logical line, right-aligned at `right` (no wrapping)."""
    register_fonts()
    canvas.setFont(font, size)
    _show(canvas, visual(reshape(text)), x=right, y=y, font=font, size=size)


def draw_search_line(canvas: Canvas, text: str, *, x: float, y: float, font: str = FONT,
                     size: float = 8) -> None:
    """Invisible text (render mode 3) a reader finds and copies but nobody sees: the forms of
    an identifier the page does not print (Latin digits), placed from `x` rightwards."""
    register_fonts()
    _show(canvas, visual(reshape(text)), x=x, y=y, font=font, size=size, anchor="left",
          invisible=True)


def draw_centred(canvas: Canvas, text: str, *, x: float, y: float, font: str = FONT,
                 size: float = 11) -> None:
    """One logical line centred on `x` (no wrapping)."""
    register_fonts()
    canvas.setFont(font, size)
    _show(canvas, visual(reshape(text)), x=x, y=y, font=font, size=size, anchor="centre")


def draw_paragraph(canvas: Canvas, text: str, *, right: float, top: float, width: float,
                   font: str = FONT, size: float = 11, leading: float | None = None) -> float:
    """Draw a wrapped right-aligned paragraph whose first baseline is `top`; returns the next
    free baseline below it."""
    leading = leading or size * 1.7
    canvas.setFont(font, size)
    y = top
    for line in _shape_lines(text, font, float(size), float(width)):
        _show(canvas, line, x=right, y=y, font=font, size=size)
        y -= leading
    return y


def _shape_row(cells: Sequence[object], widths: Sequence[float], face: str, size: float,
               padding: float) -> tuple[list[tuple[str, ...]], float]:
    shaped = [_shape_lines(str(c), face, float(size), float(w - 2 * padding))
              for c, w in zip(cells, widths, strict=True)]
    return shaped, max(len(s) for s in shaped) * size * 1.6 + 2 * padding


def _draw_row(canvas: Canvas, shaped: Sequence[tuple[str, ...]], widths: Sequence[float], *, right: float, y: float, height: float, face: str,
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
            _show(canvas, line, x=x_right - w / 2, y=baseline, font=face, size=size,
                  anchor="centre")
            baseline -= size * 1.6
        x_right -= w


def draw_rtl_table(canvas: Canvas, headers: list[str], rows: list[list[str]], *, right: float,
                   top: float, widths: list[float], font: str = FONT, bold: str = FONT_BOLD,
                   size: float = 9, padding: float = 4, bottom: float | None = None,
                   new_page: Callable[[], float] | None = None) -> float:
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
