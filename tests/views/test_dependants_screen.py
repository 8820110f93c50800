"""The dependant screen: the engine answers as the clerk types; registration only when eligible."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from desktop.domain.text import persian_digits
from desktop.services.dependants import add_dependant
from desktop.services.enrolment import enrol
from desktop.services.people import get_person
from desktop.views import dependants_screen
from desktop.views.context import ViewContext
from desktop.views.dependants_screen import Screen

from ..conftest import count_rows
from ..factories import questionnaire
from .helpers import type_text, wait_for_operations

PDF = b"%PDF-1.4\n%university\n"


@pytest.fixture
def family(store, clerk, registered):
    """An enrolled father and two sons in the registry: one 14, one 24 years old."""
    father = registered(first_name="حسین", last_name="محمدی", gender="male")
    enrol(store, clerk, questionnaire(father["national_code"]))
    young = registered(first_name="امیر", last_name="محمدی", birth_date="1390/02/01",
                       father_national_code=father["national_code"])
    older = registered(first_name="سینا", last_name="محمدی", birth_date="1380/02/01",
                       father_national_code=father["national_code"])
    return father["national_code"], young["national_code"], older["national_code"]


def make_screen(qtbot, store, actor) -> Screen:
    s = Screen(ViewContext(store, actor))
    qtbot.addWidget(s)
    s.resize(1300, 850)
    s.show()
    s.activateWindow()
    qtbot.waitExposed(s)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    wait_for_operations(qtbot)  # the drafts bar and the reference lists load in the background
    return s


@pytest.fixture
def screen(qtbot, store, clerk, monkeypatch):
    monkeypatch.setattr(dependants_screen, "confirm", lambda *a: True)
    return make_screen(qtbot, store, clerk)


def focused():
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def key(qtbot, k, times=1):
    for _ in range(times):
        qtbot.keyClick(focused(), k)


def fill_request(qtbot, screen, main: str, candidate: str, relation: str) -> None:
    assert focused() is screen.form.main.edit
    type_text(focused(), persian_digits(main))
    wait_for_operations(qtbot)
    assert "حسین محمدی" in screen.form.main_label.text()
    key(qtbot, Qt.Key.Key_Return)
    type_text(focused(), candidate)
    key(qtbot, Qt.Key.Key_Return)
    box = screen.form.relation
    assert focused() is box
    key(qtbot, Qt.Key.Key_Down, box.findData(relation) - box.currentIndex())
    assert box.currentData() == relation
    wait_for_operations(qtbot)  # the engine's answer to the request as it now stands


def test_eligible_son_registered_from_the_keyboard(qtbot, screen, store, clerk, family):
    main, young, _ = family
    fill_request(qtbot, screen, main, young, "son")
    assert "امیر محمدی" in screen.form.candidate_label.text()
    assert screen.form.verdict is not None and screen.form.verdict.eligible
    assert "✔ واجد شرایط" in screen.form.note.text()
    assert screen.register_button.isEnabled()
    key(qtbot, Qt.Key.Key_Return, 5)  # request date, other fund, paper kind, file: nothing → register
    assert focused() is screen.register_button
    key(qtbot, Qt.Key.Key_Return)
    assert not screen.register_button.isEnabled()  # while it runs: Enter again cannot register twice
    key(qtbot, Qt.Key.Key_Return)
    wait_for_operations(qtbot)
    assert screen.result is not None, screen.message.text()
    assert screen.result.central_temporary.startswith("OO")
    assert persian_digits(screen.result.ssn) in screen.outcome.text()
    dependants = get_person(store, clerk, national_code=main).as_json()["dependants"]
    assert [d["relation"] for d in dependants] == ["son"]


def test_son_over_20_without_certificate_is_refused_with_reasons_and_nothing_written(
        qtbot, screen, store, family):
    main, _, older = family
    before = [count_rows(store, t) for t in ("person", "relationship", "audit_log", "outbox", "archive_item")]
    fill_request(qtbot, screen, main, older, "son")
    verdict = screen.form.verdict
    assert verdict is not None and not verdict.eligible
    text = screen.form.note.text()
    assert "واجد شرایط نیست" in text
    for reason in verdict.reasons:
        assert reason.fa in text or reason.fa.replace("«", "&laquo;") in text
    assert "university_enrolment" in verdict.papers_needed
    assert "گواهی اشتغال به تحصیل دانشگاه" in text
    assert not screen.register_button.isEnabled()
    qtbot.keyClick(focused(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert screen.result is None and screen.message.text()
    after = [count_rows(store, t) for t in ("person", "relationship", "audit_log", "outbox", "archive_item")]
    assert after == before


def test_a_dated_paper_makes_the_student_son_eligible(qtbot, screen, store, clerk, family, tmp_path):
    main, _, older = family
    (tmp_path / "uni.pdf").write_bytes(PDF)
    fill_request(qtbot, screen, main, older, "son")
    assert not screen.form.verdict.eligible
    screen.form.paper_kind.setFocus()
    box = screen.form.paper_kind
    key(qtbot, Qt.Key.Key_Down, box.findData("university_enrolment") - box.currentIndex())
    key(qtbot, Qt.Key.Key_Return)
    type_text(focused(), str(tmp_path / "uni.pdf"))
    key(qtbot, Qt.Key.Key_Return)
    assert focused() is screen.form.paper_date.edit
    type_text(focused(), "1404/06/01")
    key(qtbot, Qt.Key.Key_Return)
    type_text(focused(), "1405/06/31")
    key(qtbot, Qt.Key.Key_Return)  # Enter past the last field adds the paper
    assert len(screen.form.papers) == 1 and screen.form.paper_list.count() == 1
    wait_for_operations(qtbot)
    assert screen.form.verdict.eligible, screen.form.note.text()
    qtbot.keyClick(focused(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait_for_operations(qtbot)
    assert screen.result is not None and len(screen.result.papers) == 1


def test_dependant_draft_survives_closing(qtbot, screen, store, clerk, family, tmp_path):
    main, _, older = family
    (tmp_path / "uni.pdf").write_bytes(PDF)
    fill_request(qtbot, screen, main, older, "son")
    screen.form.papers.append({"kind": "university_enrolment", "path": str(tmp_path / "uni.pdf"),
                               "date": "1404/06/01", "until": "1405/06/31"})
    screen.form.changed.emit()
    screen.close()
    again = make_screen(qtbot, store, clerk)
    assert again.bar.isVisible() and focused() is again.bar.resume_button
    key(qtbot, Qt.Key.Key_Return)
    wait_for_operations(qtbot)
    assert again.form.candidate.value() == older and again.form.relation.currentData() == "son"
    assert again.form.paper_list.count() == 1
    assert again.form.verdict is not None and again.form.verdict.eligible


def test_due_to_end_list_and_ending_a_link(qtbot, screen, store, clerk, registered, family):
    main, _, _ = family
    turning_20 = registered(first_name="نیما", last_name="محمدی", birth_date="1384/07/01",
                            father_national_code=main)
    add_dependant(store, clerk, main, turning_20["national_code"], "son")
    screen.tabs.setCurrentWidget(screen.due)  # listed when first shown
    wait_for_operations(qtbot)
    assert screen.due.model.rowCount() == 1
    assert "نیما محمدی" in screen.due.model.index(0, 0).data()
    screen.due.table.selectRow(0)
    assert screen.due.end_date.date() is not None
    screen.due.reason.setCurrentIndex(screen.due.reason.findData("employment"))
    screen.due.end_date.setText("1404/06/15")
    screen.due.end_selected()
    wait_for_operations(qtbot)
    assert screen.due.message.text() == "" or screen.due.message.isHidden()
    assert "نیما محمدی" in screen.due.info.text()
    son = get_person(store, clerk, national_code=turning_20["national_code"]).as_json()
    assert son["relationships"][0]["end"] == "1404/06/15"
    assert son["relationships"][0]["end_reason"] == "employment"


def test_a_dependant_registered_elsewhere_refreshes_an_open_due_list_without_polling(
        qtbot, store, clerk, registered, family, monkeypatch):
    """One counter watches the links due to end; another registers a son turning 20 next month.
    The watching list refreshes from the change channel alone: no timer, no reload call."""
    monkeypatch.setattr(dependants_screen, "confirm", lambda *a: True)
    main, _, _ = family
    turning_20 = registered(first_name="نیما", last_name="محمدی", birth_date="1384/07/01",
                            father_national_code=main)
    watching = make_screen(qtbot, store, clerk)
    watching.tabs.setCurrentWidget(watching.due)
    wait_for_operations(qtbot)
    assert watching.due.model.rowCount() == 0
    assert not watching.due.findChildren(QTimer)  # nothing that could poll
    listings: list[int] = []
    monkeypatch.setattr(watching.due, "refresh", _counting(watching.due.refresh, listings))

    counter = make_screen(qtbot, store, clerk)
    fill_request(qtbot, counter, main, turning_20["national_code"], "son")
    assert counter.register_button.isEnabled(), counter.form.note.text()
    counter.register_button.click()
    qtbot.waitUntil(lambda: watching.due.model.rowCount() == 1, timeout=10_000)
    wait_for_operations(qtbot)
    assert "نیما محمدی" in watching.due.model.index(0, 0).data()
    assert counter.result is not None and listings  # the change channel asked for the listing


def _counting(fn, calls: list[int]):
    def wrapper(*args, **kwargs):
        calls.append(1)
        return fn(*args, **kwargs)
    return wrapper


def test_only_the_newest_verdict_is_shown(qtbot, screen, store, family, monkeypatch):
    """The clerk corrects the candidate while the engine is still judging the first one: the
    late answer about the first candidate is dropped, not shown over the newer one."""
    from desktop.views.enrolment import dependant_form

    main, young, older = family
    real = dependant_form.check_dependant

    def slow_for_older(store_, actor, main_code, candidate, relation, **kw):
        if candidate == older:
            time.sleep(0.8)  # on the worker thread
        return real(store_, actor, main_code, candidate, relation, **kw)

    monkeypatch.setattr(dependant_form, "check_dependant", slow_for_older)
    fill_request_no_wait(qtbot, screen, main, older, "son")
    screen.form.candidate.setText("")
    type_text(screen.form.candidate.edit, young)
    wait_for_operations(qtbot)
    assert screen.form.verdict is not None and screen.form.verdict.eligible
    assert "✔ واجد شرایط" in screen.form.note.text()
    assert screen.register_button.isEnabled()


def fill_request_no_wait(qtbot, screen, main: str, candidate: str, relation: str) -> None:
    box = screen.form.relation
    box.setCurrentIndex(box.findData(relation))
    type_text(screen.form.main.edit, main)
    type_text(screen.form.candidate.edit, candidate)


def test_paper_date_rows_scroll_instead_of_growing_the_window(qtbot, screen):
    """Issue 9 item 8: the request form scrolls; the screen never asks for more than 800 px."""
    box = screen.form.paper_kind
    box.setCurrentIndex(box.findData("university_enrolment"))  # its date rows appear
    for n in range(12):  # and a long list of papers
        screen.form.paper_list.addItem(f"مدرک {n}")
    qtbot.wait(50)
    assert screen.form.paper_date.isVisibleTo(screen)
    assert screen.minimumSizeHint().height() < 800
    assert screen.form_scroll.widget() is screen.form
