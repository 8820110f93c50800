"""Letter text copies and searches as Persian (issue 9 item 12), checked with poppler's
pdftotext in its reading-order mode and in `-raw` (content-stream order) on every letter kind."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from desktop.domain.letters import EMPTY, ORGANISATION, SALUTATION, letter_content
from desktop.domain.text import persian_digits
from desktop.printing.letters import render_inquiry_pdf
from desktop.printing.persian import reshape, visual
from tests.support.samples import sample_letters

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")

SAMPLES = sample_letters()
MODES = {"layout": [], "raw": ["-raw"]}
PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")
# pdftotext wraps right-to-left runs in RLE/LRE…PDF; the words themselves are what is searched.
EMBEDDINGS = re.compile("[\u202a-\u202e]")


def extract(pdf: bytes, tmp_path: Path, mode: str) -> str:
    """pdftotext's text with its embedding marks out and runs of white space (a `-raw` line
    break between two words of a line included) made one space. ZWNJ is kept: it is part of
    a word as written («احمدی‌نژاد»)."""
    path = tmp_path / f"letter-{mode}.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", *MODES[mode], str(path), "-"], check=True,
                         capture_output=True, text=True).stdout
    return " ".join(EMBEDDINGS.sub("", out).split())


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("kind", list(SAMPLES))
def test_letter_text_is_ordinary_persian_in_reading_order(kind: str, mode: str,
                                                           tmp_path: Path) -> None:
    answer, certificate = SAMPLES[kind]
    text = extract(render_inquiry_pdf(answer, certificate=certificate), tmp_path, mode)
    assert not PRESENTATION_FORMS.search(text), "contextual glyph forms instead of letters"
    found = [ORGANISATION, SALUTATION, persian_digits(answer.national_code),
             answer.national_code, persian_digits(answer.tracking_code), answer.tracking_code]
    if answer.person is not None:
        name = (f"به نام {'آقای' if answer.person.gender == 'male' else 'خانم'} "
                f"{answer.person.name}")
        # -raw breaks a word at its zero-width ZWNJ into pieces it then reads left to right
        # (poppler 22.12), so there only the words before such a word are checked; the
        # layout mode reads «احمدی‌نژاد» whole.
        found.append(name.split("\u200c")[0].rsplit(" ", 1)[0] if mode == "raw" else name)
    for phrase in found:
        assert phrase in text, phrase
    # Reading order: the letterhead, then the salutation, then the body.
    assert text.index(ORGANISATION) < text.index(SALUTATION) < text.index(
        persian_digits(answer.national_code))


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_authority_and_title_read_as_written(kind: str, tmp_path: Path) -> None:
    answer, certificate = SAMPLES[kind]
    content = letter_content(answer, certificate)
    text = extract(render_inquiry_pdf(answer, certificate=certificate), tmp_path, "layout")
    assert content.title in text
    # Brackets come back as the text holds them, not mirrored: «(مجتمع قضایی شهید بهشتی)».
    assert answer.authority.name in text


def test_dependant_relation_and_zwnj_words_copy_as_written(tmp_path: Path) -> None:
    text = extract(render_inquiry_pdf(SAMPLES["in_period"][0]), tmp_path, "layout")
    for phrase in ("همسر (زن)", "بیمه‌شده اجباری (کارگاه)", "نوع بیمه‌شده", "ادامه دارد",
                   "دارای ارتباط بیمه‌ای به شرح ذیل بوده است"):
        assert phrase in text, phrase


def test_lam_alef_ligature_copies_as_its_two_letters(tmp_path: Path) -> None:
    answer = SAMPLES["not_active"][0]  # «علی لاریجانی», «سلام», «اطلاعات»
    for mode in MODES:
        text = extract(render_inquiry_pdf(answer), tmp_path, mode)
        assert "لاریجانی" in text and "سلام" in text


def test_the_page_draws_the_same_glyphs_as_before() -> None:
    """Copying changed, not the look: brackets still print mirrored in RTL text (the alias
    draws the mirrored glyph) and ZWNJ is a zero-width glyph."""
    line = visual(reshape("شعبه ۲۱ تهران (کد ۱۰۲۱)"))
    assert line[0] != "(" and line[-1] != ")"  # drawn as aliases of the mirrored glyphs
    assert "\u200c" in visual(reshape("احمدی‌نژاد"))


def test_latin_digits_are_only_in_the_invisible_search_line(tmp_path: Path) -> None:
    answer, certificate = SAMPLES["certificate"]
    text = extract(render_inquiry_pdf(answer, certificate=certificate), tmp_path, "layout")
    latin = re.findall("[0-9]+", text)
    assert sorted(latin) == sorted([answer.national_code, answer.tracking_code])
    assert EMPTY not in answer.national_code


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")
def test_the_body_is_still_drawn_after_the_invisible_search_line(tmp_path: Path) -> None:
    """The search line's invisible render mode must not leak to the text drawn after it."""
    answer, _ = SAMPLES["not_found"]
    (tmp_path / "l.pdf").write_bytes(render_inquiry_pdf(answer))
    subprocess.run(["pdftoppm", "-gray", "-r", "30", "-singlefile", str(tmp_path / "l.pdf"),
                    str(tmp_path / "l")], check=True)
    raw = (tmp_path / "l.pgm").read_bytes()
    width, height = map(int, raw.split(b"\n")[1].split())
    pixels = raw[-width * height:]
    body = pixels[width * height // 5: width * height // 3]  # below the letterhead's rule
    assert sum(p < 200 for p in body) > 100, "the letter's body is not drawn"
