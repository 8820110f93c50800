"""The search screen on a real store: Persian typed through the input method, results from a
pool thread, lazy paging by the model, Enter opening the person file."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop.services.enrolment import enrol
from desktop.services.search import search_people
from desktop.views.context import ViewContext
from desktop.views.person_file import PersonFileDialog
from desktop.views.person_table_model import HEADERS, PersonTableModel
from desktop.views.search_screen import Screen

from ..factories import questionnaire
from .helpers import type_text, wait_for_operations


@pytest.fixture
def screen(qtbot, store, clerk, registered):
    for first, last in (("علی", "رضایی"), ("مریم", "کریمی"), ("زهرا", "رضایی")):
        enrol(store, clerk, questionnaire(registered(first_name=first, last_name=last)["national_code"]))
    widget = Screen(ViewContext(store, clerk))
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_typing_a_name_with_arabic_letters_shows_results(qtbot, screen):
    type_text(screen.query, "رضاي")  # Arabic yeh, as some keyboards type it
    qtbot.waitUntil(lambda: screen.model.rowCount() == 2, timeout=3000)
    cells = {screen.model.index(r, 0).data() for r in range(2)}
    assert cells == {"علی رضایی", "زهرا رضایی"}
    assert screen.model.index(0, 2).data()[0] in "۰۱۲۳۴۵۶۷۸۹"  # Persian digits on screen
    assert screen.model.index(0, 4).data() == "فعال"
    assert "۲" in screen.status.text()


def test_enter_opens_the_person_file(qtbot, screen):
    type_text(screen.query, "کریمی")
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=3000)
    screen.table.setFocus()
    qtbot.keyClick(screen.table, Qt.Key.Key_Return)
    assert len(screen.opened) == 1
    dialog = screen.opened[0]
    wait_for_operations(qtbot)
    assert isinstance(dialog, PersonFileDialog) and dialog.isVisible()
    assert "مریم کریمی" in dialog.windowTitle()
    dialog.close()


def test_only_the_newest_query_is_shown(qtbot, screen):
    type_text(screen.query, "مریم")
    screen.search_now()
    type_text(screen.query, " ناشناس")
    screen.search_now()
    qtbot.waitUntil(lambda: "پیدا نشد" in screen.status.text(), timeout=3000)
    qtbot.wait(200)  # the first answer may arrive now: it must not replace the second
    assert screen.model.rowCount() == 0


def test_model_fetches_lazily_page_by_page(qtbot, store, clerk, registered):
    for i in range(7):
        enrol(store, clerk, questionnaire(registered(first_name="سارا", last_name=f"نیک{'ی' * (i + 1)}")["national_code"]))
    calls = []

    def fetch(text, after):
        calls.append(after)
        return search_people(store, clerk, text, after=after, limit=3)

    model = PersonTableModel(lambda text, after, deliver: deliver(fetch(text, after)))
    model.show_page("سارا", fetch("سارا", None))
    assert model.rowCount() == 3 and model.canFetchMore()
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == 7 and len(calls) == 3
    assert model.columnCount() == len(HEADERS)


def test_down_arrow_moves_from_the_box_into_the_results(qtbot, screen):
    type_text(screen.query, "رضایی")
    qtbot.waitUntil(lambda: screen.model.rowCount() == 2, timeout=3000)
    screen.activateWindow()
    screen.query.setFocus()
    qtbot.keyClick(screen.query, Qt.Key.Key_Down)
    assert screen.table.hasFocus() or screen.table.currentIndex().row() == 0
    qtbot.keyClick(screen.table, Qt.Key.Key_Down)
    assert screen.table.currentIndex().row() == 1  # Down now moves the row, not the focus


def test_a_late_page_of_an_older_query_is_dropped(qtbot):
    from desktop.services.search import SearchPage

    pending = []
    model = PersonTableModel(lambda text, after, deliver: pending.append(deliver))
    model.show_page("الف", SearchPage([], 5))
    model.fetchMore()
    assert not model.canFetchMore()  # one page at a time
    model.show_page("ب", SearchPage([], None))  # the clerk typed on
    pending[0](SearchPage([], 9))
    assert not model.canFetchMore() and model.rowCount() == 0


def test_an_enrolment_elsewhere_refreshes_the_results(qtbot, screen, store, clerk, registered):
    type_text(screen.query, "رضایی")
    qtbot.waitUntil(lambda: screen.model.rowCount() == 2, timeout=3000)
    enrol(store, clerk, questionnaire(registered(first_name="حسن", last_name="رضایی")["national_code"]))
    qtbot.waitUntil(lambda: screen.model.rowCount() == 3, timeout=3000)
