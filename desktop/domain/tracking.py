"""Tracking codes (کد پیگیری) and certificate passcodes (کد رمز).

A tracking code is the 4-digit branch code, the branch's serial (at least 8 digits) and a Damm
check digit. The branch prefix makes codes unique across all branches without asking
headquarters; the serial is advanced in the same transaction that records the answer; the
check digit catches a mistyped digit or two swapped neighbours when an authority types it back.
"""

from __future__ import annotations

import re
import secrets

from .checkdigits import damm_digit, damm_valid
from .errors import InvalidValue
from .text import normalise_identifier, persian_digits

SERIAL_WIDTH = 8
PASSCODE_DIGITS = 10
_CODE = re.compile(rf"^[0-9]{{4}}[0-9]{{{SERIAL_WIDTH + 1},}}$")


def make_tracking_code(branch_code: str, serial: int) -> str:
    if not re.fullmatch(r"[0-9]{4}", branch_code) or serial < 1:
        raise ValueError(f"bad branch code {branch_code!r} or serial {serial}")
    body = f"{branch_code}{serial:0{SERIAL_WIDTH}d}"
    return body + str(damm_digit(body))


def tracking_code(raw: str | None) -> str:
    """Validate a typed tracking code (any digits, spaces or dashes allowed)."""
    code = normalise_identifier(raw or "", field="tracking_code")
    if not code:
        raise InvalidValue("کد پیگیری لازم است.", "a tracking code is required", field="tracking_code")
    if not _CODE.match(code) or not damm_valid(code):
        raise InvalidValue(
            f"کد پیگیری «{persian_digits(code)}» معتبر نیست؛ رقم‌ها را دوباره بررسی کنید.",
            f"tracking code {code!r} is not valid (check digit)",
            field="tracking_code",
        )
    return code


def new_passcode() -> str:
    """A random single-purpose passcode of ten digits (typed back by an authority on any keyboard)."""
    return f"{secrets.randbelow(10**PASSCODE_DIGITS):0{PASSCODE_DIGITS}d}"


def format_passcode(code: str) -> str:
    """`12345-67890`: two groups are easier to read out and type."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def passcode(raw: str | None) -> str:
    code = normalise_identifier(raw or "", field="passcode")
    if not re.fullmatch(rf"[0-9]{{{PASSCODE_DIGITS}}}", code):
        raise InvalidValue(
            f"کد رمز باید {persian_digits(PASSCODE_DIGITS)} رقم باشد.",
            f"the passcode must be {PASSCODE_DIGITS} digits",
            field="passcode",
        )
    return code
