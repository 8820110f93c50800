"""Validators of SPEC §1: each returns the normalised value or raises InvalidValue (Persian + English)."""

from __future__ import annotations

import re
from collections.abc import Callable

from .checkdigits import damm_digit, damm_valid, iban_valid, national_code_check
from .errors import InvalidValue
from .text import normalise_identifier, persian_digits

_DIGITS = re.compile(r"^[0-9]+$")  # never \d: it matches Persian digits too


def _digits(value: str, n: int) -> bool:
    return len(value) == n and bool(_DIGITS.match(value))


def _bad(fa: str, en: str, field: str) -> InvalidValue:
    return InvalidValue(fa, en, field=field)


def national_code(raw: str | None) -> str:
    """10 digits (8–9 are left-padded), not ten equal digits, SPEC §1.1 check digit."""
    return checked_national_code(normalise_identifier(raw, field="national_code"))


def checked_national_code(value: str) -> str:
    """`national_code` of a value already normalised (ASCII digits): HQ screens thousands of
    codes per push batch, and normalising text that is already plain digits changes nothing
    but cost most of the check."""
    if value and _DIGITS.match(value) and 8 <= len(value) <= 9:
        value = value.zfill(10)
    if not _digits(value, 10):
        raise _bad("کد ملی باید ۱۰ رقم باشد.", "national code must be 10 digits", "national_code")
    if len(set(value)) == 1:
        raise _bad("کد ملی با ده رقم یکسان معتبر نیست.", "national code of ten equal digits is invalid", "national_code")
    if national_code_check(value[:9]) != int(value[9]):
        raise _bad(
            f"کد ملی {persian_digits(value)} معتبر نیست (رقم کنترل نادرست است).",
            f"national code {value} fails its check digit",
            "national_code",
        )
    return value


def foreign_id(raw: str | None) -> str:
    value = normalise_identifier(raw, field="foreign_id")
    if not _digits(value, 12):
        raise _bad("شماره اختصاصی اتباع خارجی باید ۱۲ رقم باشد.", "foreign national id must be 12 digits", "foreign_id")
    return value


def ssn_from_serial(serial: int) -> str:
    """A 9-digit serial + its Damm check digit."""
    if not 1 <= serial <= 999_999_999:
        raise ValueError(f"SSN serial out of range: {serial}")
    body = f"{serial:09d}"
    return body + str(damm_digit(body))


def ssn(raw: str | None) -> str:
    return checked_ssn(normalise_identifier(raw, field="ssn"))


def checked_ssn(value: str) -> str:
    """`ssn` of a value already normalised (see checked_national_code)."""
    if not _digits(value, 10):
        raise _bad("شماره تامین اجتماعی باید ۱۰ رقم باشد.", "SSN must be 10 digits", "ssn")
    if not damm_valid(value) or value[:9] == "000000000":
        raise _bad(
            f"شماره تامین اجتماعی {persian_digits(value)} معتبر نیست (رقم کنترل نادرست است).",
            f"SSN {value} fails its check digit",
            "ssn",
        )
    return value


def permanent_number(raw: str | None) -> str:
    value = normalise_identifier(raw, field="permanent_number")
    if not (_digits(value, 10) and value.startswith("00")):
        raise _bad(
            "شماره بیمه دائم باید ۱۰ رقم و با ۰۰ آغاز شود.",
            "permanent insurance number must be 10 digits starting 00",
            "permanent_number",
        )
    return value


def branch_temporary_number(raw: str | None, prefix: str | None = None) -> str:
    value = normalise_identifier(raw, field="branch_temporary_number").upper()
    ok = len(value) == 10 and bool(re.match(r"^[A-Z]{2}[0-9]{8}$", value)) and not value.startswith("OO")
    if not ok:
        raise _bad(
            "شماره موقت شعبه باید دو حرف لاتین و ۸ رقم باشد.",
            "branch temporary number must be 2 Latin letters + 8 digits",
            "branch_temporary_number",
        )
    if prefix is not None and value[:2] != prefix:
        raise _bad(
            f"شماره موقت {value} متعلق به این شعبه نیست (پیشوند شعبه {prefix}).",
            f"branch temporary number {value} is not of this branch ({prefix})",
            "branch_temporary_number",
        )
    return value


def central_temporary_number(raw: str | None) -> str:
    value = normalise_identifier(raw, field="central_temporary_number").upper()
    if not (len(value) == 10 and value.startswith("OO") and _DIGITS.match(value[2:])):
        raise _bad(
            "شماره موقت متمرکز باید با OO آغاز شود و ۸ رقم داشته باشد.",
            "central temporary number must be OO + 8 digits",
            "central_temporary_number",
        )
    return value


def workshop_code(raw: str | None) -> str:
    value = normalise_identifier(raw, field="workshop_code")
    if not _digits(value, 10):
        raise _bad("کد کارگاه باید ۱۰ رقم باشد.", "workshop code must be 10 digits", "workshop_code")
    return value


def branch_code(raw: str | None) -> str:
    value = normalise_identifier(raw, field="branch_code")
    if not _digits(value, 4):
        raise _bad("کد شعبه باید ۴ رقم باشد.", "branch code must be 4 digits", "branch_code")
    return value


def iban(raw: str | None) -> str:
    value = normalise_identifier(raw, field="iban").upper()
    if not (len(value) == 26 and value.startswith("IR") and _DIGITS.match(value[2:])):
        raise _bad("شماره شبا باید IR و ۲۴ رقم باشد.", "IBAN (Sheba) must be IR + 24 digits", "iban")
    if not iban_valid(value):
        raise _bad("شماره شبا معتبر نیست (رقم کنترل نادرست است).", "IBAN fails its mod-97 check", "iban")
    return value


def mobile(raw: str | None) -> str:
    value = normalise_identifier(raw, field="mobile")
    if value.startswith("+98"):
        value = "0" + value[3:]
    if not (_digits(value, 11) and value.startswith("09")):
        raise _bad("شماره همراه باید ۱۱ رقم و با ۰۹ آغاز شود.", "mobile must be 09 + 9 digits", "mobile")
    return value


def phone(raw: str | None) -> str:
    value = normalise_identifier(raw, field="phone")
    if not (_DIGITS.match(value or "x") and 8 <= len(value) <= 11):
        raise _bad("شماره تلفن باید ۸ تا ۱۱ رقم باشد.", "phone must be 8 to 11 digits", "phone")
    return value


def postal_code(raw: str | None) -> str:
    value = normalise_identifier(raw, field="postal_code")
    if not _digits(value, 10):
        raise _bad("کد پستی باید ۱۰ رقم باشد.", "postal code must be 10 digits", "postal_code")
    return value


def problem(validator: Callable[[str], str], raw: str) -> str | None:
    """The Persian message for a bad value, or None: what a form shows beside its field."""
    try:
        validator(raw)
    except InvalidValue as exc:
        return exc.fa
    return None
