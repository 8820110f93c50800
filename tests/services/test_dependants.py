"""The dependant service on a real store: refusals write nothing, success gives SSN + central number."""

from __future__ import annotations

import uuid

import pytest

from desktop.domain.errors import PermissionDenied, Refused
from desktop.domain.jalali import from_jalali
from desktop.services.archive import add_paper, papers_of
from desktop.services.dependants import add_dependant, check_dependant, due_to_end, end_dependency
from desktop.services.enrolment import enrol
from desktop.services.people import get_person

from ..conftest import count_rows
from ..factories import questionnaire

TABLES = ("person", "relationship", "insurance_number", "archive_item", "archive_blob", "audit_log", "outbox")
PDF = b"%PDF-1.4 scanned paper"


def snapshot(store) -> dict[str, int]:
    return {t: count_rows(store, t) for t in TABLES}


@pytest.fixture
def family(store, admin, registered):
    """An enrolled father, his insured wife, and their registry children."""
    wife = registered(gender="female", first_name="مریم", birth_date="1366/01/01")
    father = registered(marriages=[{"spouse_national_code": wife["national_code"], "date": "1388/05/05"}])
    enrol(store, admin, questionnaire(father["national_code"]))
    enrol(store, admin, questionnaire(wife["national_code"]))
    parents = {"father_national_code": father["national_code"], "mother_national_code": wife["national_code"]}
    son = registered(gender="male", first_name="رضا", birth_date="1395/03/03", **parents)
    grown = registered(gender="female", first_name="سارا", birth_date="1380/02/02", **parents)
    return {"father": father["national_code"], "wife": wife["national_code"], "son": son["national_code"],
            "daughter": grown["national_code"]}


def test_refusal_writes_nothing_and_lists_the_papers(store, clerk, family):
    before = snapshot(store)
    with pytest.raises(Refused) as err:
        add_dependant(store, clerk, family["father"], family["daughter"], "daughter",
                      papers=[("photo", "p.jpg", b"\xff\xd8jpeg", "image/jpeg", {})])
    assert [r.rule for r in err.value.reasons] == ["commitment_form"]
    assert "تعهدنامه" in err.value.fa
    assert snapshot(store) == before


def test_success_gives_ssn_and_central_temporary_number_in_one_transaction(store, clerk, family):
    before = snapshot(store)
    result = add_dependant(store, clerk, family["father"], family["daughter"], "daughter",
                           papers=[("commitment_form", "form.pdf", PDF, "application/pdf", {})])
    assert len(result.ssn) == 10 and result.central_temporary.startswith("OO")
    assert result.start == from_jalali(1380, 2, 2) and result.end is None
    after = snapshot(store)
    # person, relationship, number, archive item and blob; audit+outbox for the paper and the link.
    assert {t: after[t] - before[t] for t in TABLES} == {
        "person": 1, "relationship": 1, "insurance_number": 1, "archive_item": 1, "archive_blob": 1,
        "audit_log": 2, "outbox": 2}
    record = get_person(store, clerk, national_code=family["father"]).as_json()
    assert [d["relation"] for d in record["dependants"]] == ["daughter"]
    assert {"ssn", "central_temporary"} <= {n["kind"] for n in get_person(
        store, clerk, national_code=family["daughter"]).as_json()["numbers"]}


def test_wife_from_marriage_date_and_enrolled_person_keeps_her_ssn(store, clerk, family):
    own_ssn = get_person(store, clerk, national_code=family["wife"]).as_json()["ssn"]
    result = add_dependant(store, clerk, family["father"], family["wife"], "wife")
    assert result.known_before and result.ssn == own_ssn
    assert result.start == from_jalali(1388, 5, 5)


def test_father_request_takes_the_medical_link_from_the_mother(store, clerk, family):
    mothers = add_dependant(store, clerk, family["wife"], family["son"], "son")
    assert mothers.medical_link
    fathers = add_dependant(store, clerk, family["father"], family["son"], "son")
    assert fathers.medical_link and fathers.ssn == mothers.ssn
    links = {r["main_insured_name"].split()[0]: r["medical_link"]
             for r in get_person(store, clerk, national_code=family["son"]).as_json()["relationships"]}
    assert links == {"علی": True, "مریم": False}
    # Ending the father's link hands medical services back to the mother's.
    ended = end_dependency(store, clerk, fathers.relationship_id, "other", from_jalali(1404, 6, 1))
    assert (ended.relationship_id, ended.end, ended.end_reason) == (
        fathers.relationship_id, from_jalali(1404, 6, 1), "other")
    assert ended.as_json() == {"relationship_id": str(fathers.relationship_id), "end": "1404/06/01",
                               "end_reason": "other"}
    links = {r["main_insured_name"].split()[0]: r["medical_link"]
             for r in get_person(store, clerk, national_code=family["son"]).as_json()["relationships"]}
    assert links == {"علی": False, "مریم": True}


def test_check_writes_nothing_and_due_lists_the_20th_birthday(store, clerk, registered, family):
    son19 = registered(gender="male", birth_date="1384/07/01", father_national_code=family["father"])
    before = snapshot(store)
    verdict = check_dependant(store, clerk, family["father"], son19["national_code"], "son")
    assert verdict.eligible and verdict.end == from_jalali(1404, 6, 31)
    assert snapshot(store) == before
    add_dependant(store, clerk, family["father"], son19["national_code"], "son")
    due = due_to_end(store, clerk, 30)
    assert [(d["relation"], d["end"], d["end_reason"]) for d in due] == [("son", "1404/06/31", "age_20")]
    assert due_to_end(store, clerk, 10) == []


def test_archive_rescan_is_a_new_version_never_a_replacement(store, clerk, family):
    person_id = get_person(store, clerk, national_code=family["father"]).as_json()["person_id"]
    first = add_paper(store, clerk, uuid.UUID(person_id), "photo", "a.png", b"\x89PNG one", "image/png")
    second = add_paper(store, clerk, uuid.UUID(person_id), "photo", "a.png", b"\x89PNG two", "image/png")
    assert (first.version, second.version, second.previous_id) == (1, 2, first.id)
    assert first.identifier != second.identifier and (first.chapter, first.section) == ("enrolment", "photo")
    assert [p["version"] for p in papers_of(store, clerk, uuid.UUID(person_id))] == [1, 2]


def test_letter_staff_may_not_add_dependants(store, users, family):
    before = snapshot(store)
    with pytest.raises(PermissionDenied):
        add_dependant(store, users["letter_staff"], family["father"], family["son"], "son")
    assert snapshot(store) == before


def test_ending_can_only_shorten_a_link(store, clerk, registered, family):
    """A son's link that ends at his 20th birthday cannot be 'ended' years later (review finding)."""
    from desktop.domain.errors import InvalidValue

    son19 = registered(gender="male", birth_date="1384/07/01", father_national_code=family["father"])
    link = add_dependant(store, clerk, family["father"], son19["national_code"], "son")
    before = snapshot(store)
    with pytest.raises(InvalidValue) as err:
        end_dependency(store, clerk, link.relationship_id, "other", from_jalali(1410, 1, 1))
    assert "دیرتر" in err.value.fa
    assert snapshot(store) == before
    end_dependency(store, clerk, link.relationship_id, "other", from_jalali(1404, 6, 10))
    rels = get_person(store, clerk, national_code=son19["national_code"]).as_json()["relationships"]
    assert [(r["end"], r["end_reason"]) for r in rels] == [("1404/06/10", "other")]


def test_a_future_end_keeps_the_fathers_medical_link_until_then(store, clerk, family):
    add_dependant(store, clerk, family["wife"], family["son"], "son")
    fathers = add_dependant(store, clerk, family["father"], family["son"], "son")
    end_dependency(store, clerk, fathers.relationship_id, "other", from_jalali(1405, 1, 1))  # today: 1404/06/15
    links = {r["main_insured_name"].split()[0]: r["medical_link"]
             for r in get_person(store, clerk, national_code=family["son"]).as_json()["relationships"]}
    assert links == {"علی": True, "مریم": False}


def test_health_fields_at_enrolment_need_person_health(store, users, registered):
    """Enrolment may not write what a later update of the same fields would be refused (review finding)."""
    person = registered()
    data = questionnaire(person["national_code"], personal={"special_disease": "دیابت", "blood_group": "O+"})
    before = snapshot(store)
    with pytest.raises(PermissionDenied):
        enrol(store, users["admin"], data)
    assert snapshot(store) == before
    enrol(store, users["clerk"], data)
