"""The person file service: everything about one person, health data only for allowed roles."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

import pytest

from desktop.domain.enrolment import HEALTH_FIELDS
from desktop.domain.errors import NotFound, PermissionDenied
from desktop.domain.jalali import format_jalali
from desktop.services.archive import add_paper
from desktop.services.enrolment import enrol
from desktop.services.inquiry import answer_inquiry
from desktop.services.person_file import (
    AccountMonth,
    AccountTotal,
    AccountYearRow,
    ArchivePaper,
    CorrectionRow,
    FileRelationship,
    InquiryRow,
    PersonalChangeRow,
    load_person_file,
)
from desktop.services.records import add_relationship, update_personal_info
from desktop.services.reference import add_authority

from ..factories import questionnaire


@pytest.fixture
def enrolled(store, clerk, registered, workshop):
    ident = registered(first_name="مریم", last_name="کریمی", gender="female")
    data = questionnaire(ident["national_code"], personal={
        "address": "تهران، خیابان انقلاب", "mobile": "09121234567",
        "special_disease": "دیابت", "blood_group": "O+", "medical_history": "جراحی ۱۳۹۸"})
    result = enrol(store, clerk, data)
    add_relationship(store, clerk, ident["national_code"],
                     {"kind": "mandatory", "start": "1395/01/01", "end": "1399/12/29", "workshop_code": workshop})
    update_personal_info(store, clerk, result.person_id, {"blood_group": "A+"}, "آزمایش جدید")
    update_personal_info(store, clerk, result.person_id, {"mobile": "09351234567"}, "شماره تازه")
    return ident, result


def test_clerk_sees_everything_with_history(store, clerk, enrolled):
    ident, result = enrolled
    pfile = load_person_file(store, clerk, result.person_id)
    assert pfile.person.national_code == ident["national_code"] and pfile.full_name == "مریم کریمی"
    assert pfile.personal is not None and pfile.health_visible
    assert pfile.personal.blood_group == "A+" and pfile.personal.special_disease == "دیابت"
    fields = {c.field: c for c in pfile.personal_changes}
    assert all(isinstance(c, PersonalChangeRow) for c in pfile.personal_changes)
    assert fields["blood_group"].old == "O+" and fields["blood_group"].reason == "آزمایش جدید"
    assert fields["mobile"].old == "09121234567" and fields["mobile"].at.count("/") == 2  # Jalali text
    assert {n.kind for n in pfile.numbers} >= {"ssn", "permanent"}


@pytest.mark.parametrize("role", ["letter_staff", "admin"])
def test_roles_without_person_health_never_receive_health_data(store, users, enrolled, role):
    _, result = enrolled
    pfile = load_person_file(store, users[role], result.person_id)
    assert not pfile.health_visible and pfile.personal is not None
    assert all(getattr(pfile.personal, name) is None for name in HEALTH_FIELDS)
    assert HEALTH_FIELDS.isdisjoint(pfile.personal.as_json())
    assert pfile.personal.mobile == "09351234567"  # the rest is still there
    assert [c.field for c in pfile.personal_changes] == ["mobile"]
    # Nowhere in the file, however deep (rows, the record, its history): not even the old value.
    assert "O+" not in repr(pfile) and "A+" not in repr(pfile) and "دیابت" not in repr(pfile)
    assert "جراحی" not in repr(pfile)


def test_health_edit_is_refused_to_a_role_without_person_health(store, admin, enrolled):
    _, result = enrolled
    with pytest.raises(PermissionDenied):
        update_personal_info(store, admin, result.person_id, {"special_disease": "هیچ"}, "دلیل")


def test_relationships_for_the_timeline(store, clerk, enrolled):
    _, result = enrolled
    rels = load_person_file(store, clerk, result.person_id).relationships
    assert all(isinstance(r, FileRelationship) for r in rels)
    assert [(r.type_code, r.active) for r in rels] == [("mandatory", False), ("voluntary", True)]
    ended, open_ended = rels
    assert isinstance(ended.end, dt.date) and open_ended.end is None  # dates for the timeline
    assert format_jalali(ended.start) == "1395/01/01" and ended.record.workshop_name == "کارخانه نمونه"
    assert ended.title and ended.category == "main" and ended.category_title


def test_account_archive_corrections_and_inquiries_are_real_queries(store, clerk, enrolled):
    _, result = enrolled
    pid = result.person_id.hex
    doc, line = uuid.uuid4().hex, uuid.uuid4().hex
    with store.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO insurance_document (id, kind, year, month, branch_code, created_at) "
            "VALUES (?, 'voluntary', 1403, 2, '1021', '2024-05-01 00:00:00')", (doc,))
        conn.exec_driver_sql(
            "INSERT INTO document_line (id, document_id, person_id, insurance_number, days, wage, rate, job) "
            "VALUES (?, ?, ?, '0010210001', 31, 120000000, 270, 'کارمند')", (line, doc, pid))
        conn.exec_driver_sql("INSERT INTO account_year (person_id, year, days, wage_total, average_wage) "
                             "VALUES (?, 1403, 31, 120000000, 120000000)", (pid,))
    pfile = load_person_file(store, clerk, result.person_id)
    assert [(m.year, m.month, m.days) for m in pfile.account_months] == [(1403, 2, 31)]
    assert pfile.account_months[0] == AccountMonth(1403, 2, 31, 120000000, 270, "کارمند", None, "1021")
    assert pfile.account_years == (AccountYearRow(1403, 31, 120000000, 120000000),)
    assert pfile.account_lifetime is None
    assert pfile.archive == () and pfile.corrections == () and pfile.inquiries == ()


def test_papers_corrections_and_inquiries_as_typed_rows(store, admin, clerk, enrolled):
    ident, result = enrolled
    pid = result.person_id
    add_paper(store, clerk, pid, "photo", "a.png", b"\x89PNG one", "image/png")
    add_authority(store, admin, "F1", "صندوق بازنشستگی کشوری", "fund")
    answer_inquiry(store, admin, "F1", ident["national_code"], "1395/01/01", "1396/01/01")
    doc, line = uuid.uuid4().hex, uuid.uuid4().hex
    with store.engine.begin() as conn:  # no service writes corrections yet: the rows as the ledger will
        conn.exec_driver_sql(
            "INSERT INTO insurance_document (id, kind, year, month, branch_code, created_at) "
            "VALUES (?, 'voluntary', 1403, 2, '1021', '2024-05-01 00:00:00')", (doc,))
        conn.exec_driver_sql(
            "INSERT INTO document_line (id, document_id, person_id, insurance_number, days, wage, rate, job) "
            "VALUES (?, ?, ?, '0010210001', 31, 120000000, 270, 'کارمند')", (line, doc, pid.hex))
        for n, (components, at) in enumerate((('{"wage": 130000000, "days": 30}', "2024-06-01"),
                                               ("not json", "2024-06-02"))):
            conn.exec_driver_sql(
                "INSERT INTO correction_request (id, document_line_id, requesting_unit, components, reasons, "
                "status, created_at) VALUES (?, ?, 'اداره درآمد', ?, 'اشتباه', 'requested', ?)",
                (f"{n:032x}", line, components, f"{at} 10:00:00"))
        conn.exec_driver_sql("INSERT INTO account_lifetime (person_id, days, wage_total, months) "
                             "VALUES (?, 31, 120000000, 1)", (pid.hex,))
    pfile = load_person_file(store, clerk, pid)
    (paper,) = pfile.archive
    assert isinstance(paper, ArchivePaper) and paper.paper_kind == "photo" and paper.filename == "a.png"
    assert paper.version == 1 and paper.scanned_at.count("/") == 2
    (inquiry,) = pfile.inquiries
    assert isinstance(inquiry, InquiryRow) and inquiry.authority == "صندوق بازنشستگی کشوری"
    assert (inquiry.from_date, inquiry.to_date, inquiry.certificate) == ("1395/01/01", "1396/01/01", False)
    assert all(isinstance(c, CorrectionRow) for c in pfile.corrections)
    newest, oldest = pfile.corrections
    assert newest.components == "not json"  # kept as stored text, not dropped
    assert oldest.components == (("wage", 130000000), ("days", 30)) and oldest.period == "1403/02"
    assert format_jalali(dt.date(2024, 6, 1)) == oldest.created_at
    assert pfile.account_lifetime == AccountTotal(days=31, wage_total=120000000, months=1)


def test_unknown_person_and_unknown_role(store, clerk, enrolled):
    from desktop.services.actor import Actor

    with pytest.raises(NotFound):
        load_person_file(store, clerk, uuid.uuid4())
    with pytest.raises(PermissionDenied):
        load_person_file(store, Actor(uuid.uuid4(), "x", "visitor"), enrolled[1].person_id)


def test_the_file_and_its_rows_are_frozen(store, clerk, enrolled):
    pfile = load_person_file(store, clerk, enrolled[1].person_id)
    with pytest.raises(dataclasses.FrozenInstanceError):
        pfile.health_visible = True  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        pfile.personal_changes[0].old = "O+"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        pfile.relationships[0].active = True  # type: ignore[misc]
