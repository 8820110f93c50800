"""Jalali anniversaries: Iranian ages and court-order periods are counted in the Jalali calendar."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import jdatetime


def _clamped(year: int, month: int, day: int) -> jdatetime.date:
    """The day, or the month's last day when it is shorter (31 Shahrivar → 30 Mehr, 30 Esfand → 29)."""
    while True:
        try:
            return jdatetime.date(year, month, day)
        except ValueError:
            day -= 1


@lru_cache(maxsize=65536)  # pure; jdatetime is slow and long lists repeat birth dates
def jalali_add_years(day: dt.date, years: int) -> dt.date:
    j = jdatetime.date.fromgregorian(date=day)
    gregorian: dt.date = _clamped(j.year + years, j.month, j.day).togregorian()
    return gregorian


@lru_cache(maxsize=65536)
def jalali_add_months(day: dt.date, months: int) -> dt.date:
    j = jdatetime.date.fromgregorian(date=day)
    index = j.year * 12 + (j.month - 1) + months
    gregorian: dt.date = _clamped(index // 12, index % 12 + 1, j.day).togregorian()
    return gregorian


def birthday(birth: dt.date, years: int) -> dt.date:
    """The Jalali birthday on which a person completes `years` years."""
    return jalali_add_years(birth, years)


def over_age(birth: dt.date, years: int, on: dt.date) -> bool:
    """"Over N" = strictly older than N years: from the day after the N-th birthday."""
    return on > birthday(birth, years)


def under_age(birth: dt.date, years: int, on: dt.date) -> bool:
    """Not yet N: the day before the N-th birthday is the last such day."""
    return on < birthday(birth, years)
