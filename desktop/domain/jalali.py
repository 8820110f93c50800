"""Jalali dates at the edges; Gregorian `date` everywhere inside (jdatetime is the truth)."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

import jdatetime

from .errors import InvalidValue
from .limits import GREGORIAN_LOOKING, JALALI_MIN_YEAR, latest_jalali_year
from .text import ascii_digits, normalise_text, persian_digits

_JALALI = re.compile(r"^([0-9]{4})[/\-]([0-9]{1,2})[/\-]([0-9]{1,2})$")
# Benefits keep the original birth date when a registry change came after this day (SPEC §5.1).
BIRTH_DATE_FREEZE = jdatetime.date(1379, 8, 8).togregorian()

MONTHS_FA = (
    "فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
    "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند",
)


def parse_jalali(text: str | None, *, field: str | None = None, not_after: dt.date | None = None) -> dt.date:
    """`1403/05/20` in any digits → Gregorian date. Only real, plausible calendar days pass:
    years from 1200 to a little after today (limits.py), never a Gregorian year typed as
    Jalali, and not after `not_after` when the caller gives one (a birth, a start)."""
    raw = ascii_digits(normalise_text(text or "", field=field)).replace(" ", "")
    m = _JALALI.match(raw)
    if not m:
        raise InvalidValue(
            f"تاریخ «{text}» به شکل سال/ماه/روز شمسی نیست (مثلاً ۱۴۰۳/۰۵/۲۰).",
            f"date {text!r} is not a Jalali YYYY/MM/DD",
            field=field,
        )
    y, mo, d = (int(g) for g in m.groups())
    _check_year(y, raw, field)
    try:
        day: dt.date = jdatetime.date(y, mo, d).togregorian()
    except ValueError:
        raise InvalidValue(
            f"تاریخ {persian_digits(raw)} در تقویم شمسی وجود ندارد.",
            f"{raw} is not a day of the Jalali calendar",
            field=field,
        ) from None
    if not_after is not None and day > not_after:
        raise InvalidValue(
            f"تاریخ {persian_digits(raw)} ({field or 'تاریخ'}) نمی‌تواند دیرتر از "
            f"{format_jalali(not_after, persian=True)} باشد.",
            f"{field or 'date'} {raw} is after {format_jalali(not_after)}",
            field=field,
        )
    return day


def _check_year(year: int, raw: str, field: str | None) -> None:
    if year in GREGORIAN_LOOKING:
        raise InvalidValue(
            f"سال {persian_digits(year)} میلادی به نظر می‌رسد؛ تاریخ را به شمسی وارد کنید "
            f"(مثلاً ۱۴۰۳/۰۱/۰۱ به جای ۲۰۲۴/۰۳/۲۰).",
            f"{raw}: {year} looks like a Gregorian year; type the Jalali date",
            field=field,
        )
    latest = latest_jalali_year()
    if not JALALI_MIN_YEAR <= year <= latest:
        raise InvalidValue(
            f"سال {persian_digits(year)} پذیرفتنی نیست (باید از {persian_digits(JALALI_MIN_YEAR)} "
            f"تا {persian_digits(latest)} باشد).",
            f"{raw}: the year must be from {JALALI_MIN_YEAR} to {latest}",
            field=field,
        )


@lru_cache(maxsize=65536)  # pure, and jdatetime is slow: long lists repeat their days
def format_jalali(day: dt.date | None, *, persian: bool = False) -> str:
    """Gregorian date → `1403/05/20` (Latin digits for JSON, Persian for people)."""
    if day is None:
        return ""
    text = jdatetime.date.fromgregorian(date=day).strftime("%Y/%m/%d")
    return persian_digits(text) if persian else text


def format_jalali_long(day: dt.date) -> str:
    """`۲۰ مرداد ۱۴۰۳` for letters."""
    j = jdatetime.date.fromgregorian(date=day)
    return persian_digits(f"{j.day} {MONTHS_FA[j.month - 1]} {j.year}")


def jalali_ymd(day: dt.date) -> tuple[int, int, int]:
    j = jdatetime.date.fromgregorian(date=day)
    return j.year, j.month, j.day


def from_jalali(year: int, month: int, day: int) -> dt.date:
    gregorian: dt.date = jdatetime.date(year, month, day).togregorian()
    return gregorian


def parse_optional(text: str | None, *, field: str | None = None,
                   not_after: dt.date | None = None) -> dt.date | None:
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    return parse_jalali(text, field=field, not_after=not_after)
