"""Whole numbers in text from outside (cursors, page markers, payload fields)."""

from __future__ import annotations

BIGINT_DIGITS = 18  # every 18-digit number fits PostgreSQL's bigint


def is_whole(text: str, max_digits: int = BIGINT_DIGITS) -> bool:
    """ASCII digits only, and few enough for the column they go to: `str.isdigit()` also accepts
    "¹" (which int() refuses: a 500, found by the API fuzzer) and "١" (which int() reads), and a
    long run of digits overflows PostgreSQL's bigint."""
    return 0 < len(text) <= max_digits and text.isascii() and text.isdigit()
