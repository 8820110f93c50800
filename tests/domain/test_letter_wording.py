"""The letters' wording (SPEC §4.3–4.5): each state, honorifics, privacy, digest."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from desktop.domain.inquiry import AuthorityRef
from desktop.domain.jalali import format_jalali_long, parse_jalali
from desktop.domain.letters import (
    DEPENDANT_RELATIONSHIP,
    INQUIRY_TITLE,
    OPEN_END,
    TABLE_HEADERS,
    certificate_closing,
    honorific,
    judicial_details,
    letter_content,
    letter_digest,
    qr_payload,
    table_row,
)
from tests.support.samples import sample_letters

CONTROLS = re.compile("[\u202a-\u202e]")


def words(text: str) -> str:
    return CONTROLS.sub("", text)


def body_of(kind: str) -> str:
    answer, certificate = sample_letters()[kind]
    content = letter_content(answer, certificate)
    return words(" ".join([*content.paragraphs, *(f"{k}: {v}" for k, v in content.details),
                           *content.closing]))


def test_honorific_by_gender() -> None:
    assert honorific("male") == "آقای"
    assert honorific("female") == "خانم"
    assert honorific(None) == "آقای/خانم"


def test_long_date_in_persian_digits() -> None:
    assert format_jalali_long(parse_jalali("1403/05/20")) == "۲۰ مرداد ۱۴۰۳"
    assert format_jalali_long(parse_jalali("۱۴۰۲/۱۲/۲۹")) == "۲۹ اسفند ۱۴۰۲"


def test_not_found_names_the_code_and_the_period_when_given() -> None:
    assert body_of("not_found") == (
        "درخواست شما در تاریخ ۲۰ مرداد ۱۴۰۳ بررسی شد و هیچ‌گونه اطلاعاتی با شماره ملی "
        "۰۰۱۲۳۴۵۶۷۹ یافت نگردید.")
    assert "در دوره ۱۴۰۰/۰۱/۰۱ تا ۱۴۰۱/۱۲/۲۹ یافت نگردید" in body_of("not_found_period")


def test_not_active_shows_only_the_last_relationship() -> None:
    answer = replace(sample_letters()["in_period"][0], state="not_active", period=None)
    content = letter_content(answer)
    assert "فاقد ارتباط بیمه‌ای" in content.paragraphs[1]
    assert "به نام خانم زهرا احمدی‌نژاد" in words(content.paragraphs[1])
    assert content.table == [table_row(answer.relationships[-1])]


def test_in_period_lists_every_relationship_between_from_and_to() -> None:
    text = body_of("in_period")
    assert "در فاصله تاریخ ۱۳۹۷/۰۱/۰۱ تا تاریخ ۱۴۰۳/۰۵/۰۱ دارای ارتباط بیمه‌ای" in text
    assert "فاقد" not in text  # the seed's case-3 text repeated case 2 by mistake (SPEC §4.3)
    answer = sample_letters()["in_period"][0]
    assert len(letter_content(answer).table) == len(answer.relationships) == 3


def test_active_main_and_dependant() -> None:
    assert "در ردیف بیمه‌شدگان اصلی این سازمان قرار دارد." in body_of("active_main")
    assert "در ردیف بیمه‌شدگان تبعی این سازمان قرار دارد." in body_of("active_dependant")


def test_judicial_main_and_dependant_carry_contacts() -> None:
    main = body_of("judicial_main")
    assert "به دلیل اشتغال در «شرکت صنایع لاستیک البرز (سهامی خاص)» به نشانی تهران" in main
    assert "نشانی: تهران، خیابان ولیعصر" in main and "شماره تماس: ۰۲۱-۸۸۷۷۶۶۵۵" in main
    dependant = body_of("judicial_dependant")
    assert "نام و نام خانوادگی بیمه‌شده اصلی: محمد احمدی‌نژاد" in dependant
    assert "نسبت به بیمه‌شده اصلی: همسر (زن)" in dependant
    assert "شماره تماس بیمه‌شده اصلی: ۰۹۱۳-۱۲۳۴۵۶۷" in dependant


@pytest.mark.parametrize("state", ["not_found", "not_active", "in_period", "active"])
def test_funds_never_get_judicial_details(state: str) -> None:
    answer = replace(sample_letters()["judicial_main"][0], state=state,
                     authority=AuthorityRef("F1", "صندوق", "fund"))
    assert judicial_details(answer) is None
    content = letter_content(answer)
    text = words(" ".join([*content.paragraphs, *(v for _, v in content.details)]))
    assert "ولیعصر" not in text and "۸۸۷۷۶۶۵۵" not in text and not content.details


def test_judicial_details_only_for_an_active_person() -> None:
    answer = sample_letters()["judicial_main"][0]
    assert judicial_details(answer) is not None
    assert judicial_details(replace(answer, state="not_active")) is None


def test_certificate_title_and_closing() -> None:
    answer, certificate = sample_letters()["certificate"]
    content = letter_content(answer, certificate)
    assert content.title != INQUIRY_TITLE
    assert content.authority == answer.authority.name
    assert certificate_closing(certificate) == (
        "این گواهی بنابه درخواست مورخ ۱۹ مرداد ۱۴۰۳ خانم زهرا احمدی‌نژاد صادر گردیده است.")
    assert letter_content(answer).closing == []


def test_table_row_follows_the_headers() -> None:
    rel = sample_letters()["in_period"][0].relationships[2]
    row = [words(cell) for cell in table_row(rel)]
    assert len(row) == len(TABLE_HEADERS) == 7
    assert row == ["۱۴۰۳/۰۱/۰۵", OPEN_END, "بیمه مشاغل آزاد", "اصلی", "—", "۱۲۳۴۵۶۷۸", "۱۰۲۱"]
    # Codes alone (no Persian titles, as in older stored answers) are looked up in the vocabulary.
    bare = replace(rel, type_fa="", insured_type_fa="", relation_fa=None, relation="wife",
                   insured_type="dependant")
    assert table_row(bare)[2:5] == [
        DEPENDANT_RELATIONSHIP, "تبعی", "همسر (زن)"]


def test_digest_is_stable_and_follows_the_canonical_fields() -> None:
    answer = sample_letters()["active_main"][0]
    digest = letter_digest(answer)
    assert re.fullmatch("[0-9a-f]{16}", digest)
    assert letter_digest(replace(answer)) == digest
    assert letter_digest(replace(answer, state="not_active")) != digest
    assert letter_digest(replace(answer, person=None)) == digest  # only the canonical fields
    # The digest of a stored answer read back is the one printed on the letter.
    assert letter_digest(type(answer).from_json(answer.as_json())) == digest
    assert qr_payload(answer) == f"BDL1|{answer.tracking_code}|{digest}"


def test_addresses_from_the_store_are_worded_with_persian_digits():
    """Addresses are stored as typed (often Latin digits); a letter shows every digit in Persian."""
    from desktop.domain.letters import letter_content

    answer, _ = sample_letters()["judicial_main"]
    answer = replace(answer, judicial=replace(answer.judicial, address="همدان، کوچه گلستان، پلاک 21",
                                              workshop_address="بندرعباس، پلاک 23"))
    content = letter_content(answer)
    worded = " ".join(content.paragraphs) + " ".join(v for _, v in content.details)
    assert "۲۱" in worded and "۲۳" in worded
    assert not re.search("[0-9]", worded.replace("\u2066", "").replace("\u2069", ""))


def _judicial_main(**details: object):
    answer, _ = sample_letters()["judicial_main"]
    return replace(answer, judicial=replace(answer.judicial, **details))


def test_a_main_insured_without_a_workshop_is_not_said_to_work_anywhere() -> None:
    """Issue 9 item 11: a pensioner (voluntary, self-employed…) has no workshop."""
    content = letter_content(_judicial_main(workshop_name=None, workshop_address=None))
    sentence = words(content.paragraphs[1])
    assert "اشتغال" not in sentence and "—" not in sentence
    assert sentence.endswith(
        "در پایگاه سازمان موجود و نامبرده در حال حاضر در ردیف بیمه‌شدگان اصلی این سازمان "
        "قرار دارد.")
    # Their own address and phone are still what a judicial authority is told.
    assert [label for label, _ in content.details] == ["نشانی", "شماره تماس"]


def test_a_workshop_without_an_address_is_named_without_an_empty_address() -> None:
    sentence = words(letter_content(_judicial_main(workshop_address=None)).paragraphs[1])
    assert "به دلیل اشتغال در «شرکت صنایع لاستیک البرز (سهامی خاص)» در ردیف" in sentence
    assert "به نشانی" not in sentence


def test_a_dependant_row_does_not_repeat_its_relation() -> None:
    row = [words(c) for c in table_row(sample_letters()["in_period"][0].relationships[0])]
    kind, insured, relation = row[2:5]
    assert (kind, insured, relation) == (DEPENDANT_RELATIONSHIP, "تبعی", "همسر (زن)")
    main = [words(c) for c in table_row(sample_letters()["in_period"][0].relationships[1])]
    assert main[2:5] == ["بیمه‌شده اجباری (کارگاه)", "اصلی", "—"]
