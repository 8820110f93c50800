"""The Persian normaliser of DESIGN.md and Jalali parsing on jdatetime."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.domain.errors import InvalidValue
from desktop.domain.jalali import format_jalali, format_jalali_long, parse_jalali
from desktop.domain.text import (
    ZWNJ,
    ascii_digits,
    normalise_identifier,
    normalise_text,
    persian_digits,
    search_key,
)


def test_arabic_letters_become_persian_and_spaces_fold():
    assert normalise_text("  علي   كريمي ") == "علی کریمی"
    assert normalise_text("موسى") == "موسی"


def test_zwnj_inside_words_is_kept_and_stray_ones_dropped():
    word = f"می{ZWNJ}شود"
    assert normalise_text(word) == word
    assert normalise_text(f"{ZWNJ}کار {ZWNJ}") == "کار"


@pytest.mark.parametrize("control", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"])
def test_bidi_controls_are_refused(control):
    with pytest.raises(InvalidValue) as err:
        normalise_text(f"0012{control}345679")
    assert "bidi" in err.value.fa


def test_digits():
    assert ascii_digits("۱۲۳٤٥٦") == "123456"
    assert persian_digits("1403/05/20") == "۱۴۰۳/۰۵/۲۰"
    assert normalise_identifier(" ۰۰۱-۲۳۴ ۵۶۷۹ ") == "0012345679"
    assert search_key(f"رضايي علي{ZWNJ}اکبر") == "رضایی علی اکبر"


def test_jalali_parse_accepts_any_digits_and_only_real_days():
    assert parse_jalali("1403/05/20") == dt.date(2024, 8, 10)
    assert parse_jalali("۱۴۰۳/۰۵/۲۰") == dt.date(2024, 8, 10)
    assert parse_jalali("١٤٠٣-٥-٢٠") == dt.date(2024, 8, 10)
    assert format_jalali(parse_jalali("1403/12/30")) == "1403/12/30"  # 1403 is a leap year
    for bad in ("1404/12/30", "1403/13/01", "1403/00/10", "1403/5", "20/05/1403", "abc"):
        with pytest.raises(InvalidValue):
            parse_jalali(bad)


def test_formatting():
    day = dt.date(2024, 8, 10)
    assert format_jalali(day) == "1403/05/20"
    assert format_jalali(day, persian=True) == "۱۴۰۳/۰۵/۲۰"
    assert format_jalali_long(day) == "۲۰ مرداد ۱۴۰۳"
