"""The dependant screen: the engine answers as the clerk types; registration only when eligible."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
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
from .helpers import type_text

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
    assert "حسین محمدی" in screen.form.main_label.text()
    key(qtbot, Qt.Key.Key_Return)
    type_text(focused(), candidate)
    key(qtbot, Qt.Key.Key_Return)
    box = screen.form.relation
    assert focused() is box
    key(qtbot, Qt.Key.Key_Down, box.findData(relation) - box.currentIndex())
    assert box.currentData() == relation


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
    assert screen.form.verdict.eligible, screen.form.note.text()
    qtbot.keyClick(focused(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
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
    assert again.form.candidate.value() == older and again.form.relation.currentData() == "son"
    assert again.form.paper_list.count() == 1
    assert again.form.verdict is not None and again.form.verdict.eligible


def test_due_to_end_list_and_ending_a_link(qtbot, screen, store, clerk, registered, family):
    main, _, _ = family
    turning_20 = registered(first_name="نیما", last_name="محمدی", birth_date="1384/07/01",
                            father_national_code=main)
    add_dependant(store, clerk, main, turning_20["national_code"], "son")
    screen.tabs.setCurrentWidget(screen.due)
    screen.due.refresh()
    assert screen.due.model.rowCount() == 1
    assert "نیما محمدی" in screen.due.model.index(0, 0).data()
    screen.due.table.selectRow(0)
    assert screen.due.end_date.date() is not None
    screen.due.reason.setCurrentIndex(screen.due.reason.findData("employment"))
    screen.due.end_date.setText("1404/06/15")
    screen.due.end_selected()
    assert screen.due.message.text() == "" or screen.due.message.isHidden()
    son = get_person(store, clerk, national_code=turning_20["national_code"]).as_json()
    assert son["relationships"][0]["end"] == "1404/06/15"
    assert son["relationships"][0]["end_reason"] == "employment"
