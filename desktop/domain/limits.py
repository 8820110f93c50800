"""Every limit on what a user may type or a file may hold, in one place.

The limits are generous for real use and exist so that a 5 MB name, a NUL byte, an impossible
year or a day count beyond the calendar is refused at the boundary (bilingual, exit 2) instead
of reaching SQLite, ReportLab or `datetime` arithmetic.
"""

from __future__ import annotations

import datetime as dt

from .errors import InvalidValue

# Free text, by the `field` name the parsers pass; anything not listed gets DEFAULT_TEXT.
TEXT_LIMITS: dict[str, int] = {
    "first_name": 100,
    "last_name": 100,
    "father_name": 100,
    "place_of_issue": 100,
    "legal_name": 200,
    "name": 200,  # workshop and authority names, branch names
    "branch_name": 200,
    "full_name": 200,
    "address": 500,
    "workshop_address": 500,
    "special_disease": 500,
    "medical_history": 2000,
    "reason": 1000,
    "note": 1000,
    "source": 200,
    "code": 20,  # an authority's code
    "authority": 20,
}
DEFAULT_TEXT = 2000

# Jalali years a user may type: the organisation's oldest records to a little after today.
JALALI_MIN_YEAR = 1200
JALALI_MAX_YEAR = 1500
YEARS_AHEAD = 30  # ends, validity dates and planned coverage may lie ahead; not further
# A year in this range typed as Jalali is almost surely Gregorian (2024/01/01 → AD 2645).
GREGORIAN_LOOKING = range(1700, 2400)

# Relationships may start at most this many days ahead (a contract signed for tomorrow).
RELATIONSHIP_START_AHEAD_DAYS = 1

DUE_WITHIN_MAX_DAYS = 3660  # `dependant due --within`: ten years is already every link
SEED_MAX = 2**32 - 1
JSON_INPUT_MAX_BYTES = 50 * 1024 * 1024  # a bulk registry file; beyond this it is not input
JSON_MAX_DEPTH = 32  # the deepest real input (enrolment → relationship → value) is 3
LIST_MAX_ITEMS = 100_000  # identities or workshops in one file
PAPER_MAX_BYTES = 20 * 1024 * 1024
PATH_MAX_BYTES = 4096
NAME_MAX_BYTES = 255


def text_limit(field: str | None) -> int:
    return TEXT_LIMITS.get(field or "", DEFAULT_TEXT)


def check_length(text: str, field: str | None) -> str:
    limit = text_limit(field)
    if len(text) > limit:
        raise InvalidValue(
            f"متن «{field or 'ورودی'}» بیش از حد بلند است (بیشینه {limit} نویسه).",
            f"{field or 'text'} is too long ({len(text)} characters; at most {limit})",
            field=field,
        )
    return text


def check_range(value: int, low: int, high: int, field: str, fa_name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidValue(
            f"«{fa_name}» باید عددی از {low} تا {high} باشد.",
            f"{field} must be an integer from {low} to {high}",
            field=field,
        )
    return value


def latest_jalali_year(today: dt.date | None = None) -> int:
    """The last Jalali year a typed date may fall in (today's year + YEARS_AHEAD, ≤ 1500)."""
    # Gregorian → Jalali year without importing jdatetime here: the Jalali year starts in March.
    today = today or dt.date.today()
    jalali_year = today.year - 621 - (1 if (today.month, today.day) < (3, 21) else 0)
    return min(JALALI_MAX_YEAR, jalali_year + YEARS_AHEAD)
