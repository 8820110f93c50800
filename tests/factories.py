"""Test data builders: valid national codes, registry identities, enrolment questionnaires."""

from __future__ import annotations

import itertools
from typing import Any

from desktop.domain.checkdigits import national_code_check

_serial = itertools.count(1_000_000)


def national_code_from(body: int) -> str:
    nine = f"{body:09d}"
    return nine + str(national_code_check(nine))


def new_national_code() -> str:
    while True:
        code = national_code_from(next(_serial) * 7919 % 999_999_999)
        if len(set(code)) > 1:
            return code


def identity(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "national_code": new_national_code(), "first_name": "علی", "last_name": "رضایی",
        "father_name": "حسن", "birth_date": "1365/04/12", "gender": "male",
        "birth_certificate_number": "1234", "place_of_issue": "تهران",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def questionnaire(national_code: str, **over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "national_code": national_code,
        "relationship": {"kind": "voluntary", "start": "1402/01/01"},
        "personal": {"address": "تهران، خیابان انقلاب", "mobile": "09121234567"},
    }
    data.update(over)
    return data
