"""Every letter kind renders as a real PDF whose text reads right; funds never see contacts."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from dataclasses import replace
from pathlib import Path

import pytest

from desktop.domain.letters import letter_digest, qr_payload
from desktop.domain.text import persian_digits
from desktop.printing.letters import render_batch, render_inquiry_pdf
from tests.support.samples import sample_letters

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")

SAMPLES = sample_letters()
ADDRESS_WORDS = ("نشانی", "تماس", "ولیعصر", "چهارباغ", "جاده مخصوص")


def _plain(text: str) -> str:
    """Presentation forms back to letters; bidi marks, ZWNJ, spaces and the punctuation whose
    place pdftotext's own reordering guesses (colons, brackets, commas) out."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub("[\u200c\u200e\u200f\u202a-\u202e\\s:()«»،.]", "", text)


def pdf_text(pdf: bytes, tmp_path: Path, name: str = "letter") -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True)
    return _plain(out.stdout)


def pages(pdf: bytes, tmp_path: Path) -> int:
    path = tmp_path / "pages.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


COMMON = ("سازمان تامین اجتماعی", "با سلام", "۲۰ مرداد ۱۴۰۳", "شعبه ۲۱ تهران")
EXPECTED = {
    "not_found": ["هیچگونه اطلاعاتی با شماره ملی ۰۰۱۲۳۴۵۶۷۹ یافت نگردید"],
    "not_found_period": ["در دوره ۱۴۰۰/۰۱/۰۱ تا ۱۴۰۱/۱۲/۲۹ یافت نگردید"],
    "not_active": ["به نام آقای علی لاریجانی", "فاقد ارتباط بیمهای", "۱۳۹۸/۰۱/۱۵", "۱۴۰۲/۱۲/۲۹",
                   "تاریخ شروع", "شماره بیمه"],
    "in_period": ["به نام خانم زهرا احمدینژاد", "در فاصله تاریخ ۱۳۹۷/۰۱/۰۱ تا",
                  "۱۳۹۶/۰۷/۰۱", "۱۴۰۳/۰۱/۰۵", "ادامه دارد"],
    "active_main": ["در ردیف بیمهشدگان اصلی این سازمان قرار دارد"],
    "active_dependant": ["در ردیف بیمهشدگان تبعی این سازمان قرار دارد"],
    "judicial_main": ["شرکت صنایع لاستیک البرز", "جاده مخصوص کرج", "خیابان ولیعصر",
                      "۰۲۱-۸۸۷۷۶۶۵۵", "اصلی"],
    "judicial_pensioner": ["به نام آقای حسن رضایی", "در حال حاضر در ردیف بیمهشدگان اصلی",
                           "بلوار زند", "۰۷۱-۳۲۳۴۵۶۷۸"],
    "judicial_dependant": ["محمد احمدینژاد", "نسبت به بیمهشده اصلی", "چهارباغ", "۰۹۱۳-۱۲۳۴۵۶۷"],
    "certificate": ["گواهی وضعیت ارتباط بیمهای",
                    "این گواهی بنابه درخواست مورخ ۱۹ مرداد ۱۴۰۳ خانم زهرا احمدینژاد صادر گردیده است"],
}


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_every_letter_kind_renders_with_its_wording(kind: str, tmp_path: Path) -> None:
    answer, certificate = SAMPLES[kind]
    pdf = render_inquiry_pdf(answer, certificate=certificate)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    assert persian_digits(answer.tracking_code) in text
    for phrase in (*COMMON, answer.authority.name, *EXPECTED[kind]):
        assert _plain(phrase) in text, phrase
    # Latin digits only in the invisible search line (the national and tracking codes).
    latin = set(re.findall("[0-9]+", text))
    assert latin <= {answer.national_code, answer.tracking_code}, "Latin digits leaked"


@pytest.mark.parametrize("kind", [k for k in SAMPLES if not k.startswith("judicial")])
def test_fund_letters_never_carry_an_address_or_phone(kind: str, tmp_path: Path) -> None:
    answer, certificate = SAMPLES[kind]
    # Defence in depth: the answer wrongly carries judicial details; the letter ignores them.
    answer = replace(answer, judicial=SAMPLES["judicial_main"][0].judicial)
    text = pdf_text(render_inquiry_pdf(answer, certificate=certificate), tmp_path)
    for word in ADDRESS_WORDS:
        assert _plain(word) not in text, word
    assert "۸۸۷۷۶۶۵۵" not in text


def test_judicial_details_need_an_active_person(tmp_path: Path) -> None:
    court = SAMPLES["judicial_main"][0]
    answer = replace(SAMPLES["not_active"][0], authority=court.authority, judicial=court.judicial)
    text = pdf_text(render_inquiry_pdf(answer), tmp_path)
    assert "ولیعصر" not in text and "۸۸۷۷۶۶۵۵" not in text


def test_table_reads_right_to_left(tmp_path: Path) -> None:
    path = tmp_path / "table.pdf"
    path.write_bytes(render_inquiry_pdf(SAMPLES["not_active"][0]))
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    x = {}
    for m in re.finditer(r'<word xMin="([\d.]+)"[^>]*>([^<]+)</word>', html):
        x.setdefault(_plain(m.group(2)), float(m.group(1)))
    # The first column (start date) is at the right, the last (branch) at the left.
    start = x[persian_digits("1398/01/15")]
    end = x[persian_digits("1402/12/29")]
    number = x[persian_digits("12345678")]
    assert start > end > number


def test_a_long_period_table_continues_on_a_second_page(tmp_path: Path) -> None:
    answer = SAMPLES["in_period"][0]
    answer = replace(answer, relationships=answer.relationships * 20)
    pdf = render_inquiry_pdf(answer)
    assert pages(pdf, tmp_path) >= 2
    text = pdf_text(pdf, tmp_path)
    assert text.count(_plain("تاریخ شروع")) >= 2  # the header row repeats on the new page
    assert text.count("۱۳۹۶/۰۷/۰۱") == 20


def test_batch_of_fifty_reports_progress_and_prints_every_letter(tmp_path: Path) -> None:
    kinds = list(SAMPLES)
    letters = []
    for i in range(50):
        answer, certificate = SAMPLES[kinds[i % len(kinds)]]
        letters.append((replace(answer, tracking_code=f"10210000{i:05d}"), certificate))
    seen: list[tuple[int, int]] = []
    pdf = render_batch(letters, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(i, 50) for i in range(1, 51)]
    assert pages(pdf, tmp_path) == 50
    text = pdf_text(pdf, tmp_path)
    assert all(persian_digits(a.tracking_code) in text for a, _ in letters)
    certificates = sum(c is not None for _, c in letters)
    assert text.count(_plain("این گواهی بنابه درخواست")) == certificates > 0


def test_batch_stops_when_cancelled_and_can_return_one_pdf_each() -> None:
    letters = [(SAMPLES["active_main"][0], None)] * 10
    done: list[int] = []
    out = render_batch(letters, progress=lambda d, t: done.append(d),
                       cancelled=lambda: len(done) >= 3, separate=True)
    assert isinstance(out, list) and len(out) == 3
    assert all(pdf.startswith(b"%PDF") for pdf in out)


def test_qr_payload_carries_tracking_code_and_digest() -> None:
    answer = SAMPLES["active_main"][0]
    assert qr_payload(answer) == f"BDL1|{answer.tracking_code}|{letter_digest(answer)}"
    assert qr_payload(replace(answer, digest="0123456789abcdef")).endswith("|0123456789abcdef")


@pytest.mark.skipif(shutil.which("zbarimg") is None or shutil.which("pdftoppm") is None,
                    reason="needs zbar-tools and poppler-utils")
def test_the_printed_qr_code_reads_back(tmp_path: Path) -> None:
    answer, certificate = SAMPLES["certificate"]
    (tmp_path / "c.pdf").write_bytes(render_inquiry_pdf(answer, certificate=certificate))
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-singlefile", str(tmp_path / "c.pdf"),
                    str(tmp_path / "c")], check=True)
    read = subprocess.run(["zbarimg", "-q", "--raw", str(tmp_path / "c.png")],
                          capture_output=True, text=True).stdout.strip()
    assert read == qr_payload(answer)


def test_a_pensioners_judicial_letter_names_no_workshop(tmp_path: Path) -> None:
    """Issue 9 item 11, on the printed letter."""
    answer, _ = SAMPLES["judicial_pensioner"]
    text = pdf_text(render_inquiry_pdf(answer), tmp_path)
    assert _plain("اشتغال") not in text and _plain("به نشانی") not in text
    assert _plain("در حال حاضر در ردیف بیمه‌شدگان اصلی این سازمان قرار دارد") in text


def test_a_dependant_row_prints_its_relation_once(tmp_path: Path) -> None:
    text = pdf_text(render_inquiry_pdf(SAMPLES["in_period"][0]), tmp_path)
    assert text.count(_plain("همسر (زن)")) == 1
    assert _plain("تحت تکفل") in text
