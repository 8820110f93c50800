"""Persian shaping for ReportLab: line order, mirroring, ZWNJ, the لا ligature, digits."""

from __future__ import annotations

import unicodedata

from reportlab.pdfbase import pdfmetrics

from desktop.domain.text import persian_digits
from desktop.printing.persian import (
    FONT,
    FONT_BOLD,
    MIRROR_ALIAS,
    ltr,
    register_fonts,
    reshape,
    shape_lines,
    text_width,
    visual,
)

WORDS = ["یک", "دو", "سه", "چهار", "پنج", "شش", "هفت", "هشت", "نه", "ده", "یازده", "دوازده", "سیزده", "چهارده", "پانزده"]


def _logical_words(visual_line: str) -> list[str]:
    """Undo the drawing order of one line: words right to left, forms back to letters."""
    return [unicodedata.normalize("NFKC", w[::-1]) for w in reversed(visual_line.split(" "))]


def test_multi_line_paragraph_keeps_line_order_and_fits_the_width() -> None:
    width = 90.0
    lines = shape_lines(" ".join(WORDS), FONT, 11, width)
    assert len(lines) >= 3
    # Reading each line right to left, top line first, gives the words in their order.
    assert [w for line in lines for w in _logical_words(line)] == WORDS
    for line in lines:
        assert text_width(line, FONT, 11) <= width


def test_explicit_newlines_start_new_paragraphs() -> None:
    lines = shape_lines("سطر اول\nسطر دوم", FONT, 11, 500)
    assert [_logical_words(x) for x in lines] == [["سطر", "اول"], ["سطر", "دوم"]]


def test_brackets_are_mirrored_for_right_to_left() -> None:
    (line,) = shape_lines("همسر (زن) و [فرزند]", FONT, 11, 500)
    # Drawn left to right, each pair opens on its left: the text's «]» draws as the glyph «[»
    # through its alias (which copies back as «]»), and so on.
    shows = {alias: shown for ch, alias in MIRROR_ALIAS.items()
             for shown in [{"(": ")", ")": "(", "[": "]", "]": "["}.get(ch, ch)]}
    drawn = "".join(shows.get(c, c) for c in line)
    assert drawn.index("[") < drawn.index("]") < drawn.index("(") < drawn.index(")")
    assert drawn.startswith("[") and line[0] == MIRROR_ALIAS["]"]
    register_fonts()
    glyphs = pdfmetrics.getFont(FONT).face.charToGlyph
    assert glyphs[ord(MIRROR_ALIAS["]"])] == glyphs[ord("[")]


def test_zwnj_words_stay_whole_and_unjoined_across_the_zwnj() -> None:
    reshaped = reshape("می\u200cشود")
    assert "\u200c" in reshaped
    yeh, sheen = reshaped.split("\u200c")[0][-1], reshaped.split("\u200c")[1][0]
    assert unicodedata.name(yeh).endswith("FINAL FORM")  # می ends the join
    assert unicodedata.name(sheen).endswith("INITIAL FORM")  # شود starts a new one
    # A width too small for both words wraps between them, never inside «بیمه‌شده».
    lines = shape_lines("می\u200cشود بیمه\u200cشده", FONT, 11, 10)
    assert len(lines) == 2
    assert all(" " not in line for line in lines)
    # ZWNJ is kept (a zero-width glyph) so the word copies as written.
    assert _logical_words(lines[1]) == ["بیمه\u200cشده"]


def test_lam_alef_ligature_is_formed() -> None:
    assert "\ufefb" in reshape("لاله")  # isolated لا
    assert "\ufefc" in reshape("سلام")  # final لا
    assert "ل" not in reshape("سلام")


def test_persian_digits_and_dates_keep_their_order() -> None:
    (line,) = shape_lines(f"تاریخ {persian_digits('1403/05/20')} است", FONT, 11, 500)
    assert "۱۴۰۳/۰۵/۲۰" in line
    (line,) = shape_lines(f"کد ملی {persian_digits('0012345679')}", FONT, 11, 500)
    assert "۰۰۱۲۳۴۵۶۷۹" in line


def test_identifiers_with_separators_keep_digit_order_inside_ltr() -> None:
    phone = persian_digits("021-88776655")
    assert phone in visual(reshape(f"شماره تماس: {ltr(phone)}"))
    # Without the embedding the bidi algorithm would swap the groups.
    assert phone not in visual(reshape(f"شماره تماس: {phone}"))


def test_every_shaped_glyph_exists_in_both_faces() -> None:
    register_fonts()
    alphabet = "ا ب پ ت ث ج چ ح خ د ذ ر ز ژ س ش ص ض ط ظ ع غ ف ق ک گ ل م ن و ه ی آ ئ ء"
    text = " ".join(c * 3 for c in alphabet.split()) + " لا ۰۱۲۳۴۵۶۷۸۹ «» ، ؛ ؟ ( ) : —"
    for face in (FONT, FONT_BOLD):
        glyphs = pdfmetrics.getFont(face).face.charToGlyph
        missing = {c for line in shape_lines(text, face, 11, 400) for c in line
                   if ord(c) not in glyphs}
        assert not missing, [hex(ord(c)) for c in missing]
