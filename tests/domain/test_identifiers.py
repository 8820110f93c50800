"""Every validator of SPEC §1, with the property that the SSN check digit catches every single-digit
error and every adjacent swap."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.domain import identifiers as ids
from desktop.domain.checkdigits import iban_check_digits
from desktop.domain.errors import InvalidValue
from desktop.domain.text import persian_digits

from ..factories import national_code_from

serials = st.integers(min_value=1, max_value=999_999_999)


@given(serials)
def test_every_single_digit_change_of_a_valid_ssn_is_invalid(serial):
    ssn = ids.ssn_from_serial(serial)
    assert ids.ssn(ssn) == ssn
    for pos in range(10):
        for digit in "0123456789":
            if digit != ssn[pos]:
                changed = ssn[:pos] + digit + ssn[pos + 1:]
                with pytest.raises(InvalidValue):
                    ids.ssn(changed)


@given(serials)
def test_every_adjacent_swap_of_a_valid_ssn_is_invalid(serial):
    ssn = ids.ssn_from_serial(serial)
    for pos in range(9):
        if ssn[pos] != ssn[pos + 1]:
            swapped = ssn[:pos] + ssn[pos + 1] + ssn[pos] + ssn[pos + 2:]
            with pytest.raises(InvalidValue):
                ids.ssn(swapped)


@given(st.integers(min_value=1, max_value=999_999_998))
def test_national_codes_round_trip_from_persian_digits(body):
    code = national_code_from(body)
    if len(set(code)) == 1:
        return
    assert ids.national_code(persian_digits(code)) == code
    assert ids.national_code("٠" * 0 + code.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))) == code


def test_national_code_rules():
    assert ids.national_code("0012345679") == "0012345679"
    assert ids.national_code("12345679") == "0012345679"  # 8 digits are left-padded
    assert ids.national_code("012345679") == "0012345679"
    for bad in ("0012345670", "1111111111", "0000000000", "123", "00123456790", "۰۰۱۲۳۴۵۶۷x"):
        with pytest.raises(InvalidValue) as err:
            ids.national_code(bad)
        assert "کد ملی" in err.value.fa


@pytest.mark.parametrize("validator, good, bad", [
    (ids.foreign_id, ["123456789012", "۱۲۳۴۵۶۷۸۹۰۱۲"], ["12345678901", "1234567890123", "12345678901a"]),
    (ids.permanent_number, ["0012345678"], ["0112345678", "001234567", "00123456789"]),
    (ids.central_temporary_number, ["OO12345678", "oo12345678"], ["0012345678", "OO1234567", "OA12345678"]),
    (ids.workshop_code, ["1234567890"], ["123456789", "12345678901"]),
    (ids.branch_code, ["1021", "۱۰۲۱"], ["102", "10211", "10a1"]),
    (ids.mobile, ["09121234567", "+989121234567", "۰۹۱۲۱۲۳۴۵۶۷"], ["9121234567", "08121234567", "0912123456"]),
    (ids.postal_code, ["1234567890"], ["123456789"]),
])
def test_simple_validators(validator, good, bad):
    for value in good:
        validator(value)
    for value in bad:
        with pytest.raises(InvalidValue):
            validator(value)


def test_branch_temporary_numbers_are_two_latin_capitals_and_eight_digits_of_this_branch():
    assert ids.branch_temporary_number("AB12345678") == "AB12345678"
    assert ids.branch_temporary_number("ab12345678", prefix="AB") == "AB12345678"
    for bad in ("A123456789", "AB1234567", "OO12345678", "آب12345678"):
        with pytest.raises(InvalidValue):
            ids.branch_temporary_number(bad)
    with pytest.raises(InvalidValue):
        ids.branch_temporary_number("CD12345678", prefix="AB")


def test_iban_mod97():
    bban = "017" + "0000000123456789012"[:21]
    iban = "IR" + iban_check_digits("IR", bban) + bban
    assert ids.iban(iban) == iban
    assert ids.iban(iban.lower()) == iban
    wrong = iban[:-1] + str((int(iban[-1]) + 1) % 10)
    with pytest.raises(InvalidValue):
        ids.iban(wrong)
    with pytest.raises(InvalidValue):
        ids.iban("IR12")


def test_problem_gives_the_persian_message_or_none():
    assert ids.problem(ids.national_code, "0012345679") is None
    assert "۱۰ رقم" in ids.problem(ids.national_code, "12")


# The check-digit functions take a fast path for ASCII digits (HQ screens tens of thousands per
# push); on every input they must answer exactly as the plain definitions below, errors included.
def _damm_by_definition(digits: str) -> int:
    from desktop.domain.checkdigits import _DAMM
    interim = 0
    for ch in digits:
        interim = _DAMM[interim][ord(ch) - 48]
    return interim


def _national_code_check_by_definition(first_nine: str) -> int:
    s = sum(int(d) * (10 - i) for i, d in enumerate(first_nine))
    r = s % 11
    return r if r < 2 else 11 - r


def _outcome(function, value):
    try:
        return "ok", function(value)
    except Exception as exc:  # the same kind of failure is part of "the same answer"
        return "error", type(exc)


@given(st.one_of(st.text(alphabet="0123456789", max_size=12),
                 st.text(alphabet="0123456789۰۱۲۳۴۵۶۷۸۹٠١٢/:a ", max_size=12)))
def test_check_digits_answer_as_their_definitions(value):
    from desktop.domain.checkdigits import damm_digit, national_code_check
    assert _outcome(damm_digit, value) == _outcome(_damm_by_definition, value)
    assert _outcome(national_code_check, value) == _outcome(_national_code_check_by_definition, value)
