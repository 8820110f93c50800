"""The enrolment screen driven from the keyboard: type, Enter, Tab — real store, real widgets."""

from __future__ import annotations

import time

import pytest
import shiboken6
from PySide6.QtCore import Qt, QThread, QTimer
from PySide6.QtWidgets import QApplication

from desktop.domain.text import persian_digits
from desktop.services.archive import papers_of
from desktop.services.enrolment import enrol
from desktop.services.people import get_person
from desktop.views import enrolment_screen, operations
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
from .helpers import type_text, wait_for_operations

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PDF = b"%PDF-1.4\n%scan\n"


@pytest.fixture
def screen(qtbot, store, clerk, monkeypatch):
    monkeypatch.setattr(enrolment_screen, "confirm", lambda *a: True)
    return make_screen(qtbot, store, clerk)


def make_screen(qtbot, store, actor, *, owned_by_test: bool = True) -> Screen:
    s = Screen(ViewContext(store, actor))
    # No real printer and no modal question in tests unless a test asks for them.
    s.slip_printing.printer_names = lambda: []
    s.slip_printing.offer_save = lambda: False
    if owned_by_test:
        qtbot.addWidget(s)
    s.resize(1200, 800)
    s.show()
    s.activateWindow()
    qtbot.waitExposed(s)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    wait_for_operations(qtbot)  # the drafts bar and the reference lists load in the background
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
    key(qtbot, Qt.Key.Key_Return)  # before the registry has answered: the flow moves on once it has
    wait_for_operations(qtbot)
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
    key(qtbot, Qt.Key.Key_Return, 5)  # past IBAN, education, marital, military
    assert focused() is screen.personal.named["dependants_count"].edit
    type_here("۲")
    key(qtbot, Qt.Key.Key_Return)
    type_here("دیابت")  # special disease: a clerk has person.health
    key(qtbot, Qt.Key.Key_Return, 2)  # past the blood group
    type_here("جراحی زانو ۱۴۰۰")
    key(qtbot, Qt.Key.Key_Return)
    assert focused() is screen.personal.named["acq.1.first_name"].edit
    type_here("رضا")
    key(qtbot, Qt.Key.Key_Return)
    type_here("احمدی")
    key(qtbot, Qt.Key.Key_Return, 3)  # no national code or address
    type_here("۰۹۳۵۱۲۳۴۵۶۷")
    qtbot.keyClick(focused(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert focused() is screen.personal.named["acq.2.first_name"].edit  # a second acquaintance
    type_here("مینا")
    key(qtbot, Qt.Key.Key_Return)
    type_here("کاظمی")
    key(qtbot, Qt.Key.Key_Return, 4)
    assert screen.flow.index() == PAPERS, screen.flow.status.text()
    qtbot.keyClick(focused(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # next step
    assert screen.flow.index() == PAPERS and "لازم" in screen.flow.status.text()
    type_here(str(tmp_path / "q.pdf"))
    key(qtbot, Qt.Key.Key_Return)
    type_here(str(tmp_path / "p.png"))
    key(qtbot, Qt.Key.Key_Return)
    assert screen.flow.index() == CONFIRM
    assert "زهرا کریمی" in screen.confirm_page.summary.text()

    key(qtbot, Qt.Key.Key_Return)
    wait_for_operations(qtbot)
    assert screen.flow.index() == DONE, screen.confirm_page.error.text()
    ssn = screen.result.ssn
    assert persian_digits(ssn) in screen.done.numbers.text()
    record = get_person(store, clerk, ssn=ssn).as_json()
    assert record["relationships"][0]["kind"] == "voluntary"
    assert record["personal"]["mobile"] == "09121234567"
    assert record["personal"]["dependants_count"] == 2
    assert record["personal"]["special_disease"] == "دیابت"
    assert record["personal"]["medical_history"] == "جراحی زانو ۱۴۰۰"
    assert [(a["first_name"], a["last_name"], a["mobile"]) for a in record["personal"]["acquaintances"]] == [
        ("رضا", "احمدی", "09351234567"), ("مینا", "کاظمی", None)]
    assert sorted(p["paper_kind"] for p in papers_of(store, clerk, screen.result.person_id)) == ["photo", "questionnaire"]

    key(qtbot, Qt.Key.Key_Return)  # print button has the focus
    wait_for_operations(qtbot)
    assert screen.slip_path is not None and screen.slip_path.stat().st_size > 1000
    assert "چاپگری" in screen.done.info.text()  # no printer here: said so


def test_already_enrolled_national_code_is_refused_with_its_ssn(qtbot, screen, store, clerk, registered):
    person = registered()
    ssn = enrol(store, clerk, questionnaire(person["national_code"])).ssn
    type_text(screen.number.number.edit, person["national_code"])
    key(qtbot, Qt.Key.Key_Return)
    wait_for_operations(qtbot)
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
    wait_for_operations(qtbot)
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
    key(qtbot, Qt.Key.Key_Return, len(screen.personal.enter.targets))  # every field left empty
    assert screen.flow.index() == PAPERS
    key(qtbot, Qt.Key.Key_Return, 2)  # employers bring no questionnaire
    assert screen.flow.index() == CONFIRM, screen.flow.status.text()
    assert "۱۲۳۴۵۶" in screen.confirm_page.summary.text()
    key(qtbot, Qt.Key.Key_Return)
    wait_for_operations(qtbot)
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
    key(qtbot, Qt.Key.Key_Return, 1 + len(screen.personal.enter.targets))
    assert screen.flow.index() == PAPERS
    assert screen.papers.named["residence_permit"].isVisibleTo(screen)
    for path in ("q.pdf", "p.jpg", "r.pdf"):
        type_here(str(tmp_path / path))
        key(qtbot, Qt.Key.Key_Return)
    key(qtbot, Qt.Key.Key_Return)  # no work permit
    assert screen.flow.index() == CONFIRM
    key(qtbot, Qt.Key.Key_Return)
    wait_for_operations(qtbot)
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
    wait_for_operations(qtbot)
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
    wait_for_operations(qtbot)
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
    wait_for_operations(qtbot)
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


def test_submit_keeps_the_event_loop_turning_and_enter_twice_enrols_once(
        qtbot, screen, store, clerk, registered, monkeypatch):
    """The enrolment runs on a worker thread (slowed here on that thread): a timer keeps ticking
    meanwhile, the button is disabled, and a second Enter does not enrol a second time."""
    person = registered()
    threads: list[object] = []

    def slow_enrol(*args, **kwargs):
        threads.append(QThread.currentThread())
        time.sleep(1.0)
        return enrol(*args, **kwargs)

    monkeypatch.setattr(enrolment_screen, "enrol", slow_enrol)
    number_and_identity(qtbot, screen, person["national_code"])
    key(qtbot, Qt.Key.Key_Down)  # voluntary
    key(qtbot, Qt.Key.Key_Return)
    type_here("1404/02/01")
    key(qtbot, Qt.Key.Key_Return)
    screen.flow.show_page(CONFIRM)  # papers are not the point here
    ticks: list[float] = []
    timer = QTimer(interval=10, timeout=lambda: ticks.append(time.monotonic()))
    timer.start()
    key(qtbot, Qt.Key.Key_Return)
    assert screen.submitting and not screen.confirm_page.submit_button.isEnabled()
    screen.submit()  # Enter again, however it arrives
    screen.confirm_page.submit_button.click()
    wait_for_operations(qtbot)
    timer.stop()
    assert screen.flow.index() == DONE, screen.confirm_page.error.text()
    assert len(threads) == 1 and threads[0] is not QApplication.instance().thread()
    assert len(ticks) > 40  # a GUI frozen for the second would have ticked once or twice
    assert count_rows(store, "person") == 1


def test_a_draft_is_never_lost_when_the_screen_closes_during_a_slow_save(
        qtbot, store, clerk, registered, monkeypatch):
    """A save is still under way when the clerk edits again and closes the screen: the newest
    form is what is kept, in one draft, written after the screen is gone."""
    from desktop.services.drafts import list_drafts, load_draft
    from desktop.views.enrolment import drafts_ui

    real = drafts_ui.save_draft

    def slow_save(*args, **kwargs):
        time.sleep(0.5)
        return real(*args, **kwargs)

    monkeypatch.setattr(drafts_ui, "save_draft", slow_save)
    first, second = registered(), registered()
    screen = make_screen(qtbot, store, clerk, owned_by_test=False)  # deleted below, by the test
    type_here(first["national_code"])
    qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # save, slowly
    screen.number.number.setText("")
    type_here(second["national_code"])
    screen.close()
    screen.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(screen))
    assert operations.running() > 0  # the screen is gone before the saves have landed
    wait_for_operations(qtbot)
    drafts = list_drafts(store, clerk, "enrolment")
    assert len(drafts) == 1
    assert load_draft(store, clerk, drafts[0].id)["pages"][0]["number"] == second["national_code"]


def test_drafts_bar_follows_the_change_channel(qtbot, screen, store, clerk):
    """A draft kept on another screen (another window of the same user) appears in this
    screen's bar without a reload; the form's own draft is never offered to itself."""
    from desktop.services.drafts import discard_draft, save_draft

    assert not screen.bar.isVisible()
    other = save_draft(store, clerk, "enrolment", {"step": 0, "pages": []}, title="دیگری")
    qtbot.waitUntil(lambda: screen.bar.isVisible() and screen.bar.drafts.count() == 1)
    type_text(screen.number.number.edit, "0012345679")
    screen.keeper.save_now()
    wait_for_operations(qtbot)
    assert screen.keeper.draft_id is not None
    assert [screen.bar.drafts.itemData(i) for i in range(screen.bar.drafts.count())] == [other]
    discard_draft(store, clerk, other)
    qtbot.waitUntil(lambda: not screen.bar.isVisible())


HEALTH_KEYS = ("special_disease", "blood_group", "medical_history")


@pytest.mark.parametrize("role, health", [("clerk", True), ("supervisor", True), ("admin", False),
                                          ("letter_staff", False)])
def test_personal_step_shows_health_fields_only_to_roles_with_person_health(qtbot, store, users, role, health):
    from desktop.views.enrolment.enrol_steps import PersonalStep

    page = PersonalStep(ViewContext(store, users[role]))
    qtbot.addWidget(page)
    assert all((k in page.named) is health for k in HEALTH_KEYS)
    for k in ("dependants_count", "acq.1.first_name", "acq.1.last_name", "acq.1.national_code",
              "acq.1.address", "acq.1.mobile"):
        assert k in page.named  # not health data: every role that enrols sees them


def test_acquaintance_needs_its_names_and_valid_numbers(qtbot, screen):
    page = screen.personal
    type_text(page.named["acq.1.mobile"].edit, "۰۹۳۵۱۲۳۴۵۶۷")
    assert "آشنای ۱" in page.problem()
    type_text(page.named["acq.1.first_name"].edit, "رضا")
    type_text(page.named["acq.1.last_name"].edit, "احمدی")
    assert page.problem() == ""
    type_text(page.named["acq.1.national_code"].edit, "0012345678")  # wrong check digit
    assert page.named["acq.1.national_code"].error() and page.problem()
    page.named["acq.1.national_code"].setText("")
    type_text(page.named["dependants_count"].edit, "۴۰")
    assert "۳۰" in page.problem()
    page.named["dependants_count"].setText("۳")
    assert page.personal()["acquaintances"] == [{"first_name": "رضا", "last_name": "احمدی", "mobile": "۰۹۳۵۱۲۳۴۵۶۷"}]
    assert page.personal()["dependants_count"] == "۳"


def test_acquaintances_survive_a_draft_and_a_fresh_start_drops_the_extra_ones(qtbot, screen):
    page = screen.personal
    page.add_acquaintance(focus=False)
    page.add_acquaintance(focus=False)
    type_text(page.named["acq.3.first_name"].edit, "مینا")
    type_text(page.named["acq.3.last_name"].edit, "کاظمی")
    values = page.values()
    page.reset()
    assert len(page.acquaintances) == 1 and "acq.2.first_name" not in page.named
    assert len(page.enter.targets) == len(page.named)
    page.restore(values)
    assert len(page.acquaintances) == 3
    assert page.acquaintance_list() == [{"first_name": "مینا", "last_name": "کاظمی"}]
    assert page.enter.targets[-1] is page.named["acq.3.mobile"].edit


def test_dependant_starting_as_main_insured_hands_in_the_questionnaire(qtbot, screen, store, clerk, registered,
                                                                        tmp_path):
    """SPEC §2: the short path for an SSN held only as a dependant: relationship, then the
    questionnaire (required; no personal-information form), recorded on the same SSN."""
    from desktop.services.dependants import add_dependant

    wife = registered(gender="female", first_name="مریم", last_name="صالحی", birth_date="1366/01/01")
    husband = registered(marriages=[{"spouse_national_code": wife["national_code"], "date": "1388/05/05"}])
    enrol(store, clerk, questionnaire(husband["national_code"]))
    ssn = add_dependant(store, clerk, husband["national_code"], wife["national_code"], "wife").ssn
    (tmp_path / "q.pdf").write_bytes(PDF)

    type_here(wife["national_code"])
    wait_for_operations(qtbot)
    assert "پرسشنامه" in screen.number.note.text() and persian_digits(ssn) in screen.number.note.text()
    key(qtbot, Qt.Key.Key_Return)
    wait_for_operations(qtbot)
    assert screen.flow.index() == IDENTITY, screen.flow.status.text()
    assert "پرسشنامه" in screen.identity.shown["known"].text()
    key(qtbot, Qt.Key.Key_Return)
    choose_kind(qtbot, screen, "employer_natural")  # not on this path
    key(qtbot, Qt.Key.Key_Return)
    type_here("1404/05/01")
    key(qtbot, Qt.Key.Key_Return)
    assert screen.flow.index() == RELATIONSHIP and "بیمه‌شده اصلی" in screen.flow.status.text()
    screen.relationship.kind.setCurrentIndex(screen.relationship.kind.findData("voluntary"))
    screen.relationship.start.setFocus()
    key(qtbot, Qt.Key.Key_Return)
    assert screen.flow.index() == PAPERS  # no personal-information form (SPEC §2)
    assert "پرسشنامه" in screen.papers.note.text()
    qtbot.keyClick(focused(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert screen.flow.index() == PAPERS and "لازم" in screen.flow.status.text()
    type_here(str(tmp_path / "q.pdf"))
    key(qtbot, Qt.Key.Key_Return, 2)  # the photo is on file already: not asked
    assert screen.flow.index() == CONFIRM, screen.flow.status.text()
    assert "personal" not in screen.request()
    key(qtbot, Qt.Key.Key_Return)
    wait_for_operations(qtbot)
    assert screen.flow.index() == DONE, screen.confirm_page.error.text()
    assert screen.result.ssn == ssn and screen.result.known_before
    kinds = [r.get("kind") or r["relation"] for r in get_person(store, clerk, ssn=ssn).as_json()["relationships"]]
    assert sorted(kinds) == ["voluntary", "wife"]
    assert [p["paper_kind"] for p in papers_of(store, clerk, screen.result.person_id)] == ["questionnaire"]


# --- printing the registration slip (issue 9 items 3 and 6) ------------------------------------

def _enrolled_done_page(qtbot, screen, registered) -> None:
    person = registered(first_name="زهرا", last_name="کریمی", gender="female")
    number_and_identity(qtbot, screen, person["national_code"])
    screen.request = lambda: questionnaire(person["national_code"])  # the form's steps are tested above
    screen.flow.show_page(CONFIRM)
    screen.submit()
    wait_for_operations(qtbot)
    assert screen.flow.index() == DONE, screen.confirm_page.error.text()
    assert focused() is screen.done.print_button


def _pdf_pages(path) -> int:
    import re
    import shutil
    import subprocess

    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    return len(re.findall(rb"/Type\s*/Page[^s]", path.read_bytes()))


def test_print_opens_the_print_dialog_and_prints_the_slip_pages(qtbot, screen, registered, tmp_path):
    """Ctrl+P: Qt's print dialog chooses the printer — here a PDF "printer", as the offscreen
    platform has no other — and the slip's pages are painted onto it."""
    from PySide6.QtPrintSupport import QPrinter

    _enrolled_done_page(qtbot, screen, registered)
    out = tmp_path / "printed.pdf"
    asked: list[str] = []

    def choose(title: str) -> QPrinter:
        asked.append(title)
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        return printer

    screen.slip_printing.printer_names = lambda: ["PDF"]
    screen.slip_printing.choose_printer = choose
    qtbot.keyClick(focused(), Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    wait_for_operations(qtbot)
    assert asked == ["چاپ برگه نام‌نویسی"]
    assert out.stat().st_size > 10_000 and _pdf_pages(out) >= 1
    assert "به چاپگر فرستاده شد" in screen.done.info.text()


def test_print_button_shows_qts_print_dialog(qtbot, screen, registered):
    from PySide6.QtPrintSupport import QPrintDialog

    _enrolled_done_page(qtbot, screen, registered)
    screen.slip_printing.printer_names = lambda: ["office"]
    seen: list[str] = []

    def cancel_it() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(50, cancel_it)
            return
        seen.append(f"{type(dialog).__name__}:{dialog.windowTitle()}")
        dialog.reject()

    QTimer.singleShot(50, cancel_it)
    screen.done.print_button.click()
    wait_for_operations(qtbot)
    assert seen == [f"{QPrintDialog.__name__}:چاپ برگه نام‌نویسی"]
    assert screen.done.info.text() == "چاپ انجام نشد (انصراف)."


def test_no_printer_is_said_in_persian_and_the_slip_may_be_saved_with_its_path_left_to_right(
        qtbot, screen, registered, tmp_path):
    _enrolled_done_page(qtbot, screen, registered)
    target = tmp_path / "برگه ها" / "slip.pdf"
    target.parent.mkdir()
    offered: list[str] = []
    screen.slip_printing.offer_save = lambda: offered.append(screen.done.info.text()) or True
    screen.slip_printing.choose_save_path = lambda name: str(target) if name.startswith("slip-") else ""
    screen.print_slip()
    wait_for_operations(qtbot)
    assert offered and "چاپگری" in offered[0]
    assert target.read_bytes().startswith(b"%PDF")
    assert screen.done.info.text() == f"ذخیره شد: \u2066{target}\u2069"  # one LTR run
