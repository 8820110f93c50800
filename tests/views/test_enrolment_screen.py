"""The enrolment screen driven from the keyboard: type, Enter, Tab — real store, real widgets."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.domain.text import persian_digits
from desktop.services.archive import papers_of
from desktop.services.enrolment import enrol
from desktop.services.people import get_person
from desktop.views import enrolment_screen
from desktop.views.context import ViewContext
from desktop.views.enrolment_screen import (
    CONFIRM,
    DONE,
    IDENTITY,
    PAPERS,
    PERSONAL,
    RELATIONSHIP,
    Screen,
)

from ..conftest import count_rows
from ..factories import questionnaire
from .helpers import type_text

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PDF = b"%PDF-1.4\n%scan\n"


@pytest.fixture
def screen(qtbot, store, clerk, monkeypatch):
    monkeypatch.setattr(enrolment_screen, "confirm", lambda *a: True)
    return make_screen(qtbot, store, clerk)


def make_screen(qtbot, store, actor) -> Screen:
    s = Screen(ViewContext(store, actor))
    s.open_slip = lambda path: None  # no PDF viewer in tests
    qtbot.addWidget(s)
    s.resize(1200, 800)
    s.show()
    s.activateWindow()
    qtbot.waitExposed(s)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    return s


def focused():
    widget = QApplication.focusWidget()
    assert widget is not None, "keyboard focus was lost"
    return widget


def key(qtbot, k, times=1):
    for _ in range(times):
        qtbot.keyClick(focused(), k)


def type_here(text: str) -> None:
    type_text(focused(), text)


def number_and_identity(qtbot, screen, number: str) -> None:
    assert focused() is screen.number.number.edit
    type_here(number)
    key(qtbot, Qt.Key.Key_Return)
    assert screen.flow.index() == IDENTITY, screen.flow.status.text()
    key(qtbot, Qt.Key.Key_Return)  # «original documents seen» stays ticked
    assert screen.flow.index() == RELATIONSHIP


def choose_kind(qtbot, screen, code: str) -> None:
    assert focused() is screen.relationship.kind
    target = screen.relationship.kind.findData(code)
    key(qtbot, Qt.Key.Key_Down, target - screen.relationship.kind.currentIndex())
    assert screen.relationship.kind.currentData() == code


def test_new_person_enrolled_with_the_keyboard_alone(qtbot, screen, store, clerk, registered, tmp_path):
    person = registered(first_name="زهرا", last_name="کریمی", gender="female")
    (tmp_path / "q.pdf").write_bytes(PDF)
    (tmp_path / "p.png").write_bytes(PNG)

    number_and_identity(qtbot, screen, persian_digits(person["national_code"]))
    assert "زهرا کریمی" in screen.identity.shown["full_name"].text()
    choose_kind(qtbot, screen, "voluntary")
    key(qtbot, Qt.Key.Key_Return)
    assert focused() is screen.relationship.start.edit
    type_here("۱۴۰۴/۰۱/۰۱")
    key(qtbot, Qt.Key.Key_Return)
    assert screen.flow.index() == PERSONAL

    type_here("تهران، خیابان آزادی")
    key(qtbot, Qt.Key.Key_Tab)
    key(qtbot, Qt.Key.Key_Tab)  # no postal code
    key(qtbot, Qt.Key.Key_Tab)  # no phone
    type_here("0912123")
    assert "۱۱ رقم" in screen.personal.named["mobile"].error() or screen.personal.named["mobile"].error()
    type_here("4567")
    assert screen.personal.named["mobile"].error() == ""
    key(qtbot, Qt.Key.Key_Return, 6)  # past IBAN, education, marital, military, blood group
    assert screen.flow.index() == PAPERS
    qtbot.keyClick(focused(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # next step
    assert screen.flow.index() == PAPERS and "لازم" in screen.flow.status.text()
    type_here(str(tmp_path / "q.pdf"))
    key(qtbot, Qt.Key.Key_Return)
    type_here(str(tmp_path / "p.png"))
    key(qtbot, Qt.Key.Key_Return)
    assert screen.flow.index() == CONFIRM
    assert "زهرا کریمی" in screen.confirm_page.summary.text()

    key(qtbot, Qt.Key.Key_Return)
    assert screen.flow.index() == DONE, screen.confirm_page.error.text()
    ssn = screen.result.ssn
    assert persian_digits(ssn) in screen.done.numbers.text()
    record = get_person(store, clerk, ssn=ssn).as_json()
    assert record["relationships"][0]["kind"] == "voluntary"
    assert record["personal"]["mobile"] == "09121234567"
    assert sorted(p["paper_kind"] for p in papers_of(store, clerk, screen.result.person_id)) == ["photo", "questionnaire"]

    key(qtbot, Qt.Key.Key_Return)  # print button has the focus
    assert screen.slip_path is not None and screen.slip_path.stat().st_size > 1000


def test_already_enrolled_national_code_is_refused_with_its_ssn(qtbot, screen, store, clerk, registered):
    person = registered()
    ssn = enrol(store, clerk, questionnaire(person["national_code"])).ssn
    type_text(screen.number.number.edit, person["national_code"])
    key(qtbot, Qt.Key.Key_Return)
    assert screen.flow.index() == 0
    assert persian_digits(ssn) in screen.flow.status.text()
    assert screen.number.open_file.isVisibleTo(screen)


def test_refusal_at_submit_when_enrolled_meanwhile(qtbot, screen, store, clerk, registered):
    person = registered()
    number_and_identity(qtbot, screen, person["national_code"])
    key(qtbot, Qt.Key.Key_Down)  # voluntary
    key(qtbot, Qt.Key.Key_Return)
    type_here("1404/02/01")
    key(qtbot, Qt.Key.Key_Return)
    screen.flow.show_page(CONFIRM)  # papers are not the point here
    ssn = enrol(store, clerk, questionnaire(person["national_code"])).ssn  # another counter was faster
    before = count_rows(store, "person"), count_rows(store, "audit_log")
    key(qtbot, Qt.Key.Key_Return)
    assert screen.flow.index() == CONFIRM
    assert persian_digits(ssn) in screen.confirm_page.error.text()
    assert screen.confirm_page.open_file.isVisibleTo(screen)
    assert (count_rows(store, "person"), count_rows(store, "audit_log")) == before


def test_legal_employer(qtbot, screen, store, clerk, registered):
    person = registered(first_name="رضا", last_name="نوری")
    number_and_identity(qtbot, screen, person["national_code"])
    choose_kind(qtbot, screen, "employer_legal")
    key(qtbot, Qt.Key.Key_Return)
    type_here("۱۴۰۴/۰۳/۰۱")
    key(qtbot, Qt.Key.Key_Return)
    assert focused() is screen.relationship.legal_name.edit
    type_here("شركت نمونه سازان")  # Arabic kāf: normalised by the service
    key(qtbot, Qt.Key.Key_Return)
    type_here("۱۲۳۴۵۶")
    key(qtbot, Qt.Key.Key_Return)
    assert screen.flow.index() == PERSONAL
    key(qtbot, Qt.Key.Key_Return, 9)
    assert screen.flow.index() == PAPERS
    key(qtbot, Qt.Key.Key_Return, 2)  # employers bring no questionnaire
    assert screen.flow.index() == CONFIRM, screen.flow.status.text()
    assert "۱۲۳۴۵۶" in screen.confirm_page.summary.text()
    key(qtbot, Qt.Key.Key_Return)
    assert screen.flow.index() == DONE, screen.confirm_page.error.text()
    record = get_person(store, clerk, ssn=screen.result.ssn).as_json()
    assert record["relationships"][0]["kind"] == "employer_legal"
    with store.engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT legal_name, registration_number FROM employer").one()
    assert row == ("شرکت نمونه سازان", "123456")


def test_foreign_national(qtbot, screen, store, clerk, registered, tmp_path):
    person = registered(national_code=None, foreign_id="123456789012", first_name="احمد", last_name="کابلی")
    (tmp_path / "q.pdf").write_bytes(PDF)
    (tmp_path / "p.jpg").write_bytes(b"\xff\xd8\xff" + b"\0" * 32)
    (tmp_path / "r.pdf").write_bytes(PDF + b"permit")
    number_and_identity(qtbot, screen, "۱۲۳۴۵۶۷۸۹۰۱۲")
    assert screen.number.kind_label.text() == "شماره اختصاصی اتباع خارجی"
    key(qtbot, Qt.Key.Key_Down)  # voluntary
    key(qtbot, Qt.Key.Key_Return)
    type_here("1404/01/15")
    key(qtbot, Qt.Key.Key_Return, 10)
    assert screen.flow.index() == PAPERS
    assert screen.papers.named["residence_permit"].isVisibleTo(screen)
    for path in ("q.pdf", "p.jpg", "r.pdf"):
        type_here(str(tmp_path / path))
        key(qtbot, Qt.Key.Key_Return)
    key(qtbot, Qt.Key.Key_Return)  # no work permit
    assert screen.flow.index() == CONFIRM
    key(qtbot, Qt.Key.Key_Return)
    assert screen.flow.index() == DONE, screen.confirm_page.error.text()
    record = get_person(store, clerk, foreign_id=person["foreign_id"]).as_json()
    assert record["ssn"] == screen.result.ssn
    kinds = {p["paper_kind"] for p in papers_of(store, clerk, screen.result.person_id)}
    assert kinds == {"questionnaire", "photo", "residence_permit"}


def test_unknown_to_registry_and_bad_check_digit_stop_at_the_first_step(qtbot, screen, store):
    type_text(screen.number.number.edit, "0012345678")
    assert "معتبر نیست" in screen.number.number.error()
    key(qtbot, Qt.Key.Key_Return)
    assert screen.flow.index() == 0
    screen.number.number.setText("")
    type_text(screen.number.number.edit, "0012345679")
    assert "ثبت احوال" in screen.number.note.text()
    key(qtbot, Qt.Key.Key_Return)
    assert screen.flow.index() == 0
    assert count_rows(store, "person") == 0


def test_draft_survives_closing_the_screen(qtbot, screen, store, clerk, registered, monkeypatch):
    person = registered()
    number_and_identity(qtbot, screen, person["national_code"])
    choose_kind(qtbot, screen, "self_employed")
    key(qtbot, Qt.Key.Key_Return)
    type_here("1404/04/01")
    screen.close()  # closed by mistake, half-filled

    again = make_screen(qtbot, store, clerk)
    assert again.bar.isVisible()
    assert persian_digits(person["national_code"]) in again.bar.drafts.currentText()
    assert focused() is again.bar.resume_button
    key(qtbot, Qt.Key.Key_Return)  # resume
    assert again.number.keyed() == {"national_code": person["national_code"]}
    assert again.relationship.kind.currentData() == "self_employed"
    assert again.relationship.start.text() == "1404/04/01"
    assert again.flow.index() == RELATIONSHIP
    assert not again.bar.isVisible()


def test_person_already_known_takes_the_short_path(qtbot, screen, store, clerk, registered):
    from desktop.services.enrolment import new_person
    from desktop.services.enrolment_lookup import identity_preview

    person = registered(first_name="لیلا", last_name="حسینی", gender="female")
    ident = store.registry.lookup(national_code=person["national_code"])
    with store.sessions() as s, s.begin():
        s.add(new_person(store, ident))  # known from older records, never given an SSN
    assert identity_preview(store, clerk, national_code=person["national_code"]).known
    number_and_identity(qtbot, screen, person["national_code"])
    key(qtbot, Qt.Key.Key_Down)  # voluntary
    key(qtbot, Qt.Key.Key_Return)
    type_here("1404/05/01")
    key(qtbot, Qt.Key.Key_Return)
    assert screen.flow.index() == CONFIRM  # no personal information, no papers (SPEC §2)
    key(qtbot, Qt.Key.Key_Return)
    assert screen.flow.index() == DONE, screen.confirm_page.error.text()
    assert screen.result.known_before
    assert count_rows(store, "person") == 1


def test_autosave_without_closing_survives_a_crash(qtbot, screen, store, clerk, registered):
    from desktop.services.drafts import list_drafts, load_draft

    person = registered()
    type_text(screen.number.number.edit, person["national_code"])
    qtbot.waitUntil(lambda: screen.keeper.draft_id is not None, timeout=5000)  # debounced autosave
    drafts = list_drafts(store, clerk, "enrolment")
    assert len(drafts) == 1
    assert load_draft(store, clerk, drafts[0].id)["pages"][0]["number"] == person["national_code"]
