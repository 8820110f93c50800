"""Updates after enrolment: relationships, personal information with history, identity re-query."""

from __future__ import annotations

import uuid

import pytest

from desktop.domain.errors import Conflict, InvalidValue, NotFound, PermissionDenied
from desktop.domain.jalali import parse_jalali
from desktop.services.enrolment import enrol
from desktop.services.people import get_person
from desktop.services.records import add_relationship, requery_identity, update_personal_info
from desktop.services.reference import add_authority, add_registry_identities, add_workshops

from ..conftest import count_rows
from ..factories import questionnaire


@pytest.fixture
def enrolled(store, clerk, registered):
    person = registered()
    result = enrol(store, clerk, questionnaire(person["national_code"]))
    return person, result


def test_a_past_relationship_is_recorded_with_the_same_permanent_number(store, clerk, enrolled):
    person, result = enrolled
    out = add_relationship(store, clerk, person["national_code"],
                           {"kind": "self_employed", "start": "1390/01/01", "end": "1395/12/29", "orientation": "student"})
    assert out.insurance_number == result.numbers["permanent"] and out.ssn == result.ssn
    assert out.as_json() == {"relationship_id": str(out.relationship_id),
                             "insurance_number": out.insurance_number, "ssn": result.ssn}
    rels = get_person(store, clerk, national_code=person["national_code"]).as_json()["relationships"]
    assert [r["kind"] for r in rels] == ["self_employed", "voluntary"]
    assert rels[0]["end"] == "1395/12/29"


def test_overlapping_relationship_of_the_same_kind_is_refused_and_nothing_written(store, clerk, enrolled):
    person, _ = enrolled
    before = count_rows(store, "relationship"), count_rows(store, "audit_log"), count_rows(store, "outbox")
    with pytest.raises(Conflict):
        add_relationship(store, clerk, person["national_code"], {"kind": "voluntary", "start": "1403/01/01"})
    with pytest.raises(InvalidValue):
        add_relationship(store, clerk, person["national_code"], {"kind": "voluntary", "start": "1403/01/01", "end": "1402/01/01"})
    with pytest.raises(NotFound):
        add_relationship(store, clerk, "0012345679", {"kind": "voluntary", "start": "1390/01/01"})
    assert (count_rows(store, "relationship"), count_rows(store, "audit_log"), count_rows(store, "outbox")) == before


def test_personal_info_change_keeps_old_value_reason_and_user(store, clerk, enrolled):
    person, result = enrolled
    changed = update_personal_info(store, clerk, result.person_id, {"mobile": "۰۹۳۵۱۲۳۴۵۶۷", "address": "قم"}, "جابجایی")
    assert set(changed) == {"mobile", "address"}
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT field, old_value, new_value, reason FROM personal_info_change ORDER BY field").fetchall()
    assert rows == [("address", "تهران، خیابان انقلاب", "قم", "جابجایی"), ("mobile", "09121234567", "09351234567", "جابجایی")]
    assert update_personal_info(store, clerk, result.person_id, {"mobile": "09351234567"}, "تکرار") == []


def test_personal_info_needs_a_reason_and_valid_values(store, clerk, enrolled):
    _, result = enrolled
    with pytest.raises(InvalidValue):
        update_personal_info(store, clerk, result.person_id, {"mobile": "09351234567"}, "  ")
    with pytest.raises(InvalidValue):
        update_personal_info(store, clerk, result.person_id, {"postal_code": "12"}, "دلیل")
    assert count_rows(store, "personal_info_change") == 0


def test_health_fields_only_for_roles_that_need_them(store, users, enrolled):
    _, result = enrolled
    with pytest.raises(PermissionDenied):
        update_personal_info(store, users["admin"], result.person_id, {"blood_group": "A+"}, "دلیل")
    update_personal_info(store, users["clerk"], result.person_id, {"blood_group": "A+"}, "دلیل")
    nc = get_person(store, users["clerk"], ssn=result.ssn)
    assert nc.personal is not None and nc.personal.blood_group == "A+"
    assert nc.as_json()["personal"]["blood_group"] == "A+"
    hidden = get_person(store, users["letter_staff"], ssn=result.ssn)
    assert hidden.personal is not None and hidden.personal.blood_group is None
    assert "blood_group" not in hidden.as_json()["personal"]


def test_identity_correction_only_by_requery_keeps_benefit_birth_date(store, clerk, admin, enrolled):
    person, result = enrolled
    assert requery_identity(store, clerk, result.person_id) == []
    add_registry_identities(store, admin, {**person, "birth_date": "1366/01/01", "last_name": "رضائی‌فر"})
    changed = requery_identity(store, clerk, result.person_id)
    assert set(changed) == {"birth_date", "last_name"}
    record = get_person(store, clerk, ssn=result.ssn)
    assert record.birth_date == parse_jalali("1366/01/01")
    assert record.as_json()["birth_date"] == "1366/01/01"
    # A change after 1379/08/08: the original date is kept for benefits.
    assert record.as_json()["benefit_birth_date"] == person["birth_date"]
    assert count_rows(store, "identity_change") == 2


def test_birth_date_change_before_1379_08_08_moves_the_benefit_date_too(store, clerk, admin, enrolled):
    person, result = enrolled
    add_registry_identities(store, admin, {**person, "birth_date": "1366/01/01", "birth_date_changed_on": "1378/01/01"})
    requery_identity(store, clerk, result.person_id)
    assert get_person(store, clerk, ssn=result.ssn).as_json()["benefit_birth_date"] == "1366/01/01"


def test_birth_date_after_1379_08_08_from_an_annulled_certificate_counts_for_benefits(store, clerk, admin, enrolled):
    """SPEC §5.1's exception: the registry says it annulled the earlier birth certificate."""
    person, result = enrolled
    add_registry_identities(store, admin, {**person, "birth_date": "1366/01/01", "birth_date_changed_on": "1402/05/01",
                                           "earlier_certificate_annulled": True})
    assert requery_identity(store, clerk, result.person_id) == ["birth_date"]
    record = get_person(store, clerk, ssn=result.ssn).as_json()
    assert record["birth_date"] == record["benefit_birth_date"] == "1366/01/01"
    assert count_rows(store, "identity_change") == 1


def test_birth_date_after_1379_08_08_without_annulment_keeps_the_benefit_date(store, clerk, admin, enrolled):
    person, result = enrolled
    add_registry_identities(store, admin, {**person, "birth_date": "1366/01/01", "birth_date_changed_on": "1402/05/01",
                                           "earlier_certificate_annulled": False})
    requery_identity(store, clerk, result.person_id)
    record = get_person(store, clerk, ssn=result.ssn).as_json()
    assert record["birth_date"] == "1366/01/01"
    assert record["benefit_birth_date"] == person["birth_date"]


def test_annulment_flag_must_be_true_or_false(store, admin, registered):
    person = registered()
    with pytest.raises(InvalidValue):
        add_registry_identities(store, admin, {**person, "earlier_certificate_annulled": "yes"})


def test_main_insured_with_temporary_number_needs_committee_approval(store, clerk, admin, registered):
    person = registered(birth_certificate_number=None, place_of_issue=None)
    result = enrol(store, clerk, questionnaire(person["national_code"]))
    add_registry_identities(store, admin, {**person, "first_name": "محمد"})
    with pytest.raises(InvalidValue) as err:
        requery_identity(store, clerk, result.person_id)
    assert "کمیته" in err.value.fa
    assert requery_identity(store, clerk, result.person_id, committee_approval="۱۲۳/الف") == ["first_name"]


def test_reference_data_validation(store, admin, clerk):
    with pytest.raises(InvalidValue):
        add_workshops(store, admin, [{"code": "1234567890", "name": "الف"}, {"code": "12", "name": "ب"}])
    assert count_rows(store, "workshop") == 0  # the valid first item was not kept either
    with pytest.raises(PermissionDenied):
        add_workshops(store, clerk, {"code": "1234567890", "name": "الف"})
    with pytest.raises(InvalidValue):
        add_authority(store, admin, "X1", "مرجع", "court")
    add_authority(store, admin, "J1", "دادگستری", "judicial")
    with pytest.raises(Conflict):
        add_authority(store, admin, "J1", "دادگستری", "judicial")


def test_unknown_person_id_is_not_found(store, clerk):
    with pytest.raises(NotFound):
        update_personal_info(store, clerk, uuid.uuid4(), {"mobile": "09121234567"}, "دلیل")


def test_from_the_person_file_a_relationship_is_added_by_person_id_even_for_a_foreign_national(
        store, users, registered):
    from desktop.services.records import add_relationship_for

    clerk = users["clerk"]
    person = registered(national_code=None, foreign_id="123456789012")
    data = {"foreign_id": person["foreign_id"], "relationship": {"kind": "voluntary", "start": "1402/01/01"}}
    papers = [("questionnaire", "q.pdf", b"%PDF-1.4 q", "application/pdf"),
              ("photo", "p.jpg", b"\xff\xd8\xff photo", "image/jpeg"),
              ("residence_permit", "r.pdf", b"%PDF-1.4 r", "application/pdf")]
    result = enrol(store, clerk, data, papers)
    before = count_rows(store, "relationship"), count_rows(store, "audit_log"), count_rows(store, "outbox")
    out = add_relationship_for(store, clerk, result.person_id, {"kind": "driver", "start": "1395/01/01",
                                                                "end": "1399/12/30"})
    assert out.ssn == result.ssn
    after = count_rows(store, "relationship"), count_rows(store, "audit_log"), count_rows(store, "outbox")
    assert after == tuple(n + 1 for n in before)  # the row, its audit row and its outbox row together
    with pytest.raises(NotFound):
        add_relationship_for(store, clerk, uuid.uuid4(), {"kind": "driver", "start": "1395/01/01"})
    with pytest.raises(PermissionDenied):
        add_relationship_for(store, users["letter_staff"], result.person_id,
                             {"kind": "voluntary", "start": "1390/01/01", "end": "1391/01/01"})
    assert (count_rows(store, "relationship"), count_rows(store, "audit_log"), count_rows(store, "outbox")) == after

