"""Enrolment (SPEC §2) on a real store: numbers, refusals with nothing written, audit + outbox."""

from __future__ import annotations

import pytest

from desktop.domain.errors import Conflict, InvalidValue, NotFound, PermissionDenied
from desktop.services.enrolment import enrol
from desktop.services.people import get_person

from ..conftest import count_rows
from ..factories import questionnaire

MUTATION_TABLES = ("person", "relationship", "insurance_number", "personal_info", "audit_log", "outbox")


def snapshot(store) -> dict[str, int]:
    return {t: count_rows(store, t) for t in MUTATION_TABLES}


def test_new_person_gets_ssn_permanent_number_audit_and_outbox(store, clerk, registered, workshop):
    person = registered()
    data = questionnaire(person["national_code"], relationship={"kind": "mandatory", "start": "1403/01/01",
                                                                "workshop_code": workshop})
    before = snapshot(store)
    result = enrol(store, clerk, data)
    assert len(result.ssn) == 10 and result.numbers["permanent"].startswith("00")
    after = snapshot(store)
    assert {t: after[t] - before[t] for t in MUTATION_TABLES} == {
        "person": 1, "relationship": 1, "insurance_number": 1, "personal_info": 1, "audit_log": 1, "outbox": 1}
    record = get_person(store, clerk, national_code=person["national_code"]).as_json()
    assert record["ssn"] == result.ssn
    assert record["relationships"][0]["workshop_code"] == workshop


def test_second_enrolment_is_refused_with_the_existing_ssn_and_writes_nothing(store, clerk, registered):
    person = registered()
    first = enrol(store, clerk, questionnaire(person["national_code"]))
    before = snapshot(store)
    with pytest.raises(Conflict) as err:
        enrol(store, clerk, questionnaire(person["national_code"]))
    assert err.value.existing == first.ssn
    assert snapshot(store) == before


def test_incomplete_identity_gets_a_central_temporary_number(store, clerk, registered):
    person = registered(birth_certificate_number=None, place_of_issue=None)
    result = enrol(store, clerk, questionnaire(person["national_code"]))
    assert result.numbers["central_temporary"].startswith("OO")
    assert "permanent" not in result.numbers


@pytest.mark.parametrize("bad, exc", [
    ({"relationship": {"kind": "mandatory", "start": "1402/01/01"}}, InvalidValue),
    ({"relationship": {"kind": "wife", "start": "1402/01/01"}}, InvalidValue),
    ({"relationship": {"kind": "voluntary", "start": "1404/12/30"}}, InvalidValue),
    ({"relationship": {"kind": "mandatory", "start": "1402/01/01", "workshop_code": "9999999999"}}, NotFound),
    ({"personal": {"iban": "IR000000000000000000000000"}}, InvalidValue),
    ({"personal": {"mobile": "0912"}}, InvalidValue),
])
def test_bad_questionnaires_are_refused_and_nothing_is_written(store, clerk, registered, bad, exc):
    person = registered()
    before = snapshot(store)
    with pytest.raises(exc):
        enrol(store, clerk, questionnaire(person["national_code"], **bad))
    assert snapshot(store) == before


def test_unknown_identity_and_dead_person_are_refused(store, clerk, registered):
    with pytest.raises(NotFound):
        enrol(store, clerk, questionnaire("0012345679"))
    dead = registered(death_date="1400/01/01")
    with pytest.raises(InvalidValue):
        enrol(store, clerk, questionnaire(dead["national_code"]))
    assert count_rows(store, "person") == 0


def test_letter_staff_may_not_enrol(store, users, registered):
    person = registered()
    with pytest.raises(PermissionDenied):
        enrol(store, users["letter_staff"], questionnaire(person["national_code"]))
    assert count_rows(store, "person") == 0


FULL_PERSONAL = {
    "address": "تهران، خیابان انقلاب", "mobile": "09121234567", "dependants_count": 3,
    "acquaintances": [
        {"first_name": "رضا", "last_name": "احمدی", "national_code": "0012345679",
         "address": "کرج، میدان آزادگان", "mobile": "09351234567"},
        {"first_name": "مینا", "last_name": "کاظمی"},
    ],
}
HEALTH = {"special_disease": "دیابت نوع ۱", "blood_group": "O+", "medical_history": "جراحی قلب ۱۳۹۸"}


def test_personal_information_takes_acquaintances_dependants_count_and_health(store, clerk, registered):
    person = registered()
    result = enrol(store, clerk, questionnaire(person["national_code"], personal={**FULL_PERSONAL, **HEALTH}))
    personal = get_person(store, clerk, ssn=result.ssn).as_json()["personal"]
    assert personal["dependants_count"] == 3
    assert {k: personal[k] for k in HEALTH} == HEALTH
    assert [(a["first_name"], a["national_code"], a["mobile"]) for a in personal["acquaintances"]] == [
        ("رضا", "0012345679", "09351234567"), ("مینا", None, None)]
    assert count_rows(store, "acquaintance") == 2


@pytest.mark.parametrize("role, health_allowed", [("clerk", True), ("supervisor", True), ("admin", False)])
def test_health_fields_at_enrolment_follow_the_role(store, users, registered, role, health_allowed):
    """person.health decides, in the service: a role without it is refused and nothing is
    written; without health values the same role enrols (letter staff may not enrol at all)."""
    person = registered()
    data = questionnaire(person["national_code"], personal={**FULL_PERSONAL, **HEALTH})
    if health_allowed:
        assert enrol(store, users[role], data).ssn
        return
    before = snapshot(store)
    with pytest.raises(PermissionDenied):
        enrol(store, users[role], data)
    assert snapshot(store) == before and count_rows(store, "acquaintance") == 0
    for key in HEALTH:  # each field alone is health data
        with pytest.raises(PermissionDenied):
            enrol(store, users[role], questionnaire(person["national_code"], personal={key: HEALTH[key]}))
    result = enrol(store, users[role], questionnaire(person["national_code"], personal=FULL_PERSONAL))
    personal = get_person(store, users[role], ssn=result.ssn).as_json()["personal"]
    assert len(personal["acquaintances"]) == 2 and HEALTH.keys().isdisjoint(personal)


def test_letter_staff_may_not_enrol_even_without_health_fields(store, users, registered):
    person = registered()
    with pytest.raises(PermissionDenied):
        enrol(store, users["letter_staff"], questionnaire(person["national_code"], personal=FULL_PERSONAL))


@pytest.mark.parametrize("acquaintances, field", [
    ([{"first_name": "رضا"}], "acquaintances.last_name"),
    ([{"first_name": "رضا", "last_name": "احمدی", "national_code": "0012345678"}], "national_code"),
    ([{"first_name": "رضا", "last_name": "احمدی", "mobile": "0912"}], "mobile"),
    ([{"first_name": "رضا", "last_name": "احمدی", "age": "40"}], "acquaintances"),
    ({"first_name": "رضا"}, "acquaintances"),
    ([{"first_name": "رضا", "last_name": "احمدی"}] * 11, "acquaintances"),
])
def test_bad_acquaintances_are_refused_bilingually_and_nothing_written(store, clerk, registered, acquaintances, field):
    person = registered()
    before = snapshot(store)
    with pytest.raises(InvalidValue) as err:
        enrol(store, clerk, questionnaire(person["national_code"], personal={"acquaintances": acquaintances}))
    assert err.value.fa and err.value.en and err.value.field == field
    assert snapshot(store) == before and count_rows(store, "acquaintance") == 0


QUESTIONNAIRE = ("questionnaire", "q.pdf", b"%PDF-1.4\n%questionnaire\n", "application/pdf")
PHOTO = ("photo", "p.jpg", b"\xff\xd8\xffjpeg", "image/jpeg")


@pytest.fixture
def dependant_wife(store, clerk, registered):
    """A wife who holds an SSN only as her husband's dependant."""
    from desktop.services.dependants import add_dependant

    wife = registered(gender="female", first_name="مریم", birth_date="1366/01/01")
    husband = registered(marriages=[{"spouse_national_code": wife["national_code"], "date": "1388/05/05"}])
    enrol(store, clerk, questionnaire(husband["national_code"]))
    ssn = add_dependant(store, clerk, husband["national_code"], wife["national_code"], "wife").ssn
    return wife["national_code"], ssn


def test_dependant_starting_as_main_insured_must_hand_in_the_questionnaire(store, clerk, dependant_wife):
    """SPEC §2: an SSN held only as a dependant; a main-insured relationship now needs the
    enrolment questionnaire (and no personal-information form); the SSN stays."""
    national_code, ssn = dependant_wife
    data = {"national_code": national_code, "relationship": {"kind": "voluntary", "start": "1403/01/01"}}
    before = snapshot(store) | {"archive_item": count_rows(store, "archive_item")}
    for papers in ((), (PHOTO,)):
        with pytest.raises(InvalidValue) as err:
            enrol(store, clerk, data, papers)
        assert err.value.field == "questionnaire" and "پرسشنامه" in err.value.fa and err.value.en
        assert snapshot(store) | {"archive_item": count_rows(store, "archive_item")} == before
    result = enrol(store, clerk, data, [QUESTIONNAIRE])
    assert result.ssn == ssn and result.known_before
    assert result.numbers["permanent"].startswith("00")
    record = get_person(store, clerk, national_code=national_code).as_json()
    assert record["ssn"] == ssn and count_rows(store, "person") == 2
    assert sorted(r.get("kind") or r["relation"] for r in record["relationships"]) == ["voluntary", "wife"]
    assert count_rows(store, "archive_item") == before["archive_item"] + 1
    with pytest.raises(Conflict):  # a main insured now: a second enrolment is refused as ever
        enrol(store, clerk, data, [QUESTIONNAIRE])


def test_employer_starting_as_main_insured_must_hand_in_the_questionnaire(store, clerk, registered):
    person = registered()
    ssn = enrol(store, clerk, questionnaire(person["national_code"], relationship={
        "kind": "employer_natural", "start": "1400/01/01"})).ssn
    data = questionnaire(person["national_code"], relationship={"kind": "self_employed", "start": "1403/01/01"})
    with pytest.raises(InvalidValue):
        enrol(store, clerk, data)
    assert enrol(store, clerk, data, [QUESTIONNAIRE]).ssn == ssn


def test_dependant_enrolling_as_employer_is_still_refused_with_the_ssn(store, clerk, dependant_wife):
    national_code, ssn = dependant_wife
    with pytest.raises(Conflict) as err:
        enrol(store, clerk, {"national_code": national_code,
                             "relationship": {"kind": "employer_natural", "start": "1403/01/01"}}, [QUESTIONNAIRE])
    assert err.value.existing == ssn


def test_relationship_add_asks_the_questionnaire_of_a_dependant_becoming_main_insured(store, clerk, dependant_wife):
    from desktop.services.records import add_relationship

    national_code, ssn = dependant_wife
    rel = {"kind": "voluntary", "start": "1403/01/01"}
    before = snapshot(store)
    with pytest.raises(InvalidValue) as err:
        add_relationship(store, clerk, national_code, rel)
    assert err.value.field == "questionnaire" and snapshot(store) == before
    added = add_relationship(store, clerk, national_code, rel, [QUESTIONNAIRE])
    assert added.ssn == ssn and added.insurance_number.startswith("00")
    # The next main relationship needs no second questionnaire.
    add_relationship(store, clerk, national_code, {"kind": "voluntary", "start": "1390/01/01", "end": "1391/01/01"})
