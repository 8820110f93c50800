"""Validation at the service boundary: shapes, text limits and plausible dates (domain, no store)."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop.domain.enrolment import (
    EnrolmentInput,
    RelationshipInput,
    parse_identity,
    parse_personal,
)
from desktop.domain.errors import InvalidValue
from desktop.domain.jalali import from_jalali, parse_jalali
from desktop.domain.limits import TEXT_LIMITS, latest_jalali_year
from desktop.domain.text import normalise_text

TODAY = from_jalali(1404, 6, 15)
IDENTITY = {"national_code": "0012345679", "first_name": "علی", "last_name": "رضایی", "birth_date": "1365/04/12",
            "gender": "male"}


def refused(call, field: str | None = None) -> InvalidValue:
    with pytest.raises(InvalidValue) as err:
        call()
    assert err.value.fa and err.value.en
    if field is not None:
        assert err.value.field == field, (err.value.field, err.value.en)
    return err.value


@pytest.mark.parametrize("text", ["2024/01/01", "1999/12/31", "۲۰۲۴/۰۱/۰۱"])
def test_a_gregorian_year_typed_as_jalali_gets_a_persian_hint(text):
    err = refused(lambda: parse_jalali(text, field="birth_date"), "birth_date")
    assert "میلادی" in err.fa and "Gregorian" in err.en


@pytest.mark.parametrize("text", ["1199/12/29", "1600/01/01", "0001/01/01", f"{latest_jalali_year() + 1}/01/01"])
def test_jalali_years_outside_the_sane_range_are_refused(text):
    refused(lambda: parse_jalali(text, field="date"), "date")


def test_the_range_ends_a_little_after_today():
    assert 1400 < latest_jalali_year(dt.date(2026, 1, 1)) <= 1500
    assert parse_jalali("1300/01/01") == from_jalali(1300, 1, 1)


def test_not_after_bounds_births_and_starts():
    assert parse_jalali("1404/06/15", not_after=TODAY) == TODAY
    refused(lambda: parse_jalali("1404/06/16", field="birth_date", not_after=TODAY), "birth_date")


def test_no_birth_death_or_marriage_in_the_future():
    refused(lambda: parse_identity({**IDENTITY, "birth_date": "1404/07/01"}, TODAY), "birth_date")
    refused(lambda: parse_identity({**IDENTITY, "death_date": "1404/07/01"}, TODAY), "death_date")
    refused(lambda: parse_identity({**IDENTITY, "death_date": "1360/01/01"}, TODAY), "death_date")
    marriage = {"spouse_national_code": "0012345679", "date": "1404/07/01"}
    refused(lambda: parse_identity({**IDENTITY, "marriages": [marriage]}, TODAY), "marriage.date")
    assert parse_identity(IDENTITY, TODAY).birth_date == from_jalali(1365, 4, 12)


def test_a_relationship_starts_at_most_tomorrow():
    tomorrow, later = "1404/06/16", "1404/06/17"
    assert RelationshipInput.parse({"kind": "voluntary", "start": tomorrow}, TODAY).start == from_jalali(1404, 6, 16)
    refused(lambda: RelationshipInput.parse({"kind": "voluntary", "start": later}, TODAY), "start")
    ends_later = RelationshipInput.parse({"kind": "short_term", "start": "1404/01/01", "end": "1405/01/01"}, TODAY)
    assert ends_later.end == from_jalali(1405, 1, 1)  # an end may lie ahead


@pytest.mark.parametrize("data, field", [
    ({**IDENTITY, "gender": []}, "gender"),
    ({**IDENTITY, "national_code": 12345679}, "national_code"),
    ({**IDENTITY, "first_name": ["x"]}, "first_name"),
    ({**IDENTITY, "marriages": ["x"]}, "marriages[]"),
    ({**IDENTITY, "marriages": "x"}, "marriages"),
    ({**IDENTITY, "marriages": [{"spouse_national_code": "0012345679", "date": "1390/01/01", "end_reason": ["x"]}]},
     "marriage.end_reason"),
    ({**IDENTITY, "marriages": [{"spouse_national_code": "0012345679", "date": "1390/01/01", "end_reason": "x"}]},
     "marriage.end_reason"),
    ({**IDENTITY, "birth_date": 13650412}, "birth_date"),
])
def test_identity_shapes_name_the_field(data, field):
    refused(lambda: parse_identity(data, TODAY), field)


@pytest.mark.parametrize("data, field", [
    ({"national_code": "0012345679", "relationship": "x"}, "relationship"),
    ({"national_code": "0012345679", "relationship": {"kind": ["voluntary"], "start": "1400/01/01"}}, "kind"),
    ({"national_code": "0012345679", "relationship": {"kind": "voluntary", "start": "1400/01/01"}, "personal": "x"},
     "personal"),
    ({"national_code": "0012345679", "relationship": {"kind": "voluntary", "start": "1400/01/01"},
      "personal": {"address": 5}}, "address"),
    ({"national_code": "0012345679", "relationship": {"kind": "employer_legal", "start": "1400/01/01"},
      "employer": ["x"]}, "employer"),
    ({"national_code": "0012345679", "relationship": {"kind": "employer_natural", "start": "1400/01/01"},
      "employer": {"pays_premium": "yes"}}, "pays_premium"),
])
def test_enrolment_shapes_name_the_field(data, field):
    refused(lambda: EnrolmentInput.parse(data, TODAY), field)


def test_personal_values_are_checked_by_type_and_count():
    assert parse_personal({"dependants_count": 3, "education": "diploma"}) == {"dependants_count": 3,
                                                                               "education": "diploma"}
    refused(lambda: parse_personal({"dependants_count": 10**30}), "dependants_count")
    refused(lambda: parse_personal({"dependants_count": True}), "dependants_count")
    refused(lambda: parse_personal({"education": ["diploma"]}), "education")


@pytest.mark.parametrize("text", ["a\x00b", "a\x07b", "\ud800", "a\u202eb"])
def test_control_characters_nul_and_lone_surrogates_are_refused(text):
    refused(lambda: normalise_text(text, field="name"), "name")


def test_text_lengths_come_from_one_table():
    limit = TEXT_LIMITS["name"]
    assert normalise_text("ب" * limit, field="name") == "ب" * limit
    refused(lambda: normalise_text("ب" * (limit + 1), field="name"), "name")
    refused(lambda: normalise_text("x" * 5_000_000, field="name"), "name")
    refused(lambda: normalise_text(["x"], field="name"), "name")
    assert normalise_text("a\tb\nc") == "a b\nc"  # tabs and line breaks are ordinary text
