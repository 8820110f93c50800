"""Issue 11 items 1-4 through the real screens: a clerk requests a correction from the person
file's individual account, a supervisor decides it from the queue (keyboard), the account
changes at once and the file marks the line corrected with a link to the ledger; reject too."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.domain.text import persian_digits
from desktop.services.account import account_of
from desktop.services.enrolment import enrol
from desktop.views.context import ViewContext
from desktop.views.corrections_screen import Screen
from desktop.views.main_window import MainWindow
from desktop.views.person_file import PersonFileDialog
from desktop.views.theme import apply_theme

from ..conftest import count_rows
from ..factories import questionnaire
from ..services.correction_kit import add_monthly_lines
from ..support.screenshots import save
from .helpers import type_text, wait_for_operations

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PERIODS = [(1403, 1, 31, 150_000_000), (1403, 2, 31, 150_000_000), (1403, 3, 31, 160_000_000)]


@pytest.fixture
def person(store, clerk, registered, workshop):
    ident = registered(first_name="مریم", last_name="کریمی", gender="female")
    pid = enrol(store, clerk, questionnaire(ident["national_code"], relationship={
        "kind": "mandatory", "start": "1400/01/01", "workshop_code": workshop})).person_id
    add_monthly_lines(store, pid, workshop, PERIODS, job="تکنسین")
    return ident["national_code"], pid


def shot(widget, name: str, tmp_path: Path) -> None:
    """For the README when BRANCH_DESK_UPDATE_SCREENSHOTS=1 (in the application's theme — which
    stays on the process's QApplication, so run this file alone then), else a plain grab beside
    the test: the other tests of this worker must see the untouched application."""
    if os.environ.get("BRANCH_DESK_UPDATE_SCREENSHOTS") == "1":
        apply_theme(QApplication.instance())
        save(widget, SHOTS / name)
    else:
        save(widget, tmp_path / name)


def clerk_requests(qtbot, store, clerk, pid, tmp_path: Path, *, month: int = 2, days: str = "۲۵") -> None:
    dialog = PersonFileDialog(ViewContext(store, clerk), pid)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_for_operations(qtbot)
    dialog.tabs.setCurrentIndex(5)  # حساب انفرادی
    row = next(r for r, x in enumerate(dialog.pfile.account_lines) if x.month == month)
    dialog.account_table.setCurrentCell(row, 0)
    picked = dialog.selected_line()
    assert picked is not None and picked.month == month, (row, dialog.account_table.rowCount(), [i.row() for i in dialog.account_table.selectedIndexes()], dialog.account_table.isEnabled(), dialog.account_table.selectionModel().selectedRows())
    form_dialog = dialog.correction_dialog(picked)
    qtbot.addWidget(form_dialog)
    form_dialog.show()
    form = form_dialog.form
    assert form.current["days"].text() == "۳۱" and form.new["days"].text() == "۳۱"
    form.new["days"].clear()
    type_text(form.new["days"], days)
    form.new["wage"].clear()
    type_text(form.new["wage"], "۱۴۲۰۰۰۰۰۰")
    form.submit.click()
    wait_for_operations(qtbot)
    assert "دلایل" in form.message.text() and count_rows(store, "correction_request") == 0  # reason required
    type_text(form.reasons, "لیست ماهانه کارگاه اشتباه ثبت شده است")
    scan = tmp_path / "form.png"
    scan.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    form.scan.setText(str(scan))
    qtbot.keyClick(form.scan.field.edit if hasattr(form.scan.field, "edit") else form.scan.field,
                   Qt.Key.Key_Return)  # Enter in the last field files the request
    wait_for_operations(qtbot)
    assert count_rows(store, "correction_request") == 1, form.message.text()
    assert "درخواست اصلاح ثبت شد" in dialog.note.text()
    dialog.close()


def activate(qtbot, window) -> None:
    window.activateWindow()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def supervisor_window(qtbot, store, supervisor) -> tuple[MainWindow, Screen]:
    window = MainWindow(ViewContext(store, supervisor))
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    window.activateWindow()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    wait_for_operations(qtbot)
    window.show_screen("corrections")
    wait_for_operations(qtbot)
    page = window.current_page()
    assert isinstance(page, Screen)
    return window, page


def test_clerk_requests_supervisor_approves_and_the_account_changes(qtbot, store, clerk, users, person,
                                                                     tmp_path):
    code, pid = person
    clerk_requests(qtbot, store, clerk, pid, tmp_path)
    window, page = supervisor_window(qtbot, store, users["supervisor"])
    qtbot.waitUntil(lambda: window.corrections_badge is not None and window.corrections_badge.count == 1)
    assert "(۱)" in window.nav.currentItem().text()
    assert page.tabs.currentIndex() == 1 and "(۱)" in page.tabs.tabText(1)
    page.queue_table.setFocus()
    page.queue_table.setCurrentCell(0, 0)
    wait_for_operations(qtbot)
    panel = page.queue_panel
    assert panel.detail is not None and not panel.detail.stale
    assert [(f, o, n) for f, o, n in panel.detail.view.changes] == [("days", 31, 25),
                                                                    ("wage", 150_000_000, 142_000_000)]
    assert "مریم کریمی" in panel.heading.text() and panel.open_form_button.isVisibleTo(panel)
    shot(window, "corrections-queue.png", tmp_path)
    activate(qtbot, window)
    page.queue_table.setFocus()
    qtbot.keyClick(page.queue_table, Qt.Key.Key_Return)  # Enter: to the reason field
    assert window.focusWidget() is panel.reason
    qtbot.keyClick(panel.reason, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert "دلیل تصمیم" in panel.message.text()  # no decision without a reason
    type_text(panel.reason, "با لیست کارگاه مطابقت دارد")
    qtbot.keyClick(panel.reason, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    wait_for_operations(qtbot)
    account = account_of(store, users["supervisor"], person_id=pid)
    assert account.lifetime.days == 93 - 6
    qtbot.waitUntil(lambda: window.corrections_badge.count == 0)
    qtbot.waitUntil(lambda: "(۰)" in page.tabs.tabText(1))
    assert "(" not in window.nav.item(window.screen_keys().index("corrections")).text()
    # The person file: the old line greyed as corrected, with a link to the ledger.
    dialog = PersonFileDialog(window.ctx, pid, window)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_for_operations(qtbot)
    lines = dialog.pfile.account_lines
    old = next(r for r, x in enumerate(lines) if not x.in_effect)
    link = dialog.account_table.cellWidget(old, 8)
    assert "اصلاح‌شده" in link.text()
    link.linkActivated.emit(link.text().split("'")[1])
    wait_for_operations(qtbot)
    assert window.current_page() is page and page.tabs.currentIndex() == page.tabs.count() - 1
    qtbot.waitUntil(lambda: page.all_panel.detail is not None)
    assert [s.step for s in page.all_panel.detail.steps] == ["request", "check", "approve", "apply"]
    page.verify()
    wait_for_operations(qtbot)
    assert "سالم" in page.verify_result.text() and "۴" in page.verify_result.text()


def test_clerk_requests_supervisor_rejects_and_nothing_changes(qtbot, store, clerk, users, person, tmp_path):
    _code, pid = person
    before = account_of(store, clerk, person_id=pid)
    clerk_requests(qtbot, store, clerk, pid, tmp_path, month=3, days="30")
    window, page = supervisor_window(qtbot, store, users["supervisor"])
    page.queue_table.setCurrentCell(0, 0)
    wait_for_operations(qtbot)
    type_text(page.queue_panel.reason, "لیست درست است")
    activate(qtbot, window)
    page.queue_panel.reason.setFocus()
    qtbot.keyClick(page.queue_panel.reason, Qt.Key.Key_N,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    wait_for_operations(qtbot)
    assert account_of(store, clerk, person_id=pid) == before
    qtbot.waitUntil(lambda: page.queue == ())
    assert page.requests[0].status == "rejected" and page.requests[0].decision_reason == "لیست درست است"


def test_the_clerks_screen_files_a_request_and_cannot_decide(qtbot, store, clerk, users, person, tmp_path):
    code, pid = person
    window = MainWindow(ViewContext(store, clerk))
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    wait_for_operations(qtbot)
    window.show_screen("corrections")
    page = window.current_page()
    assert isinstance(page, Screen) and page.tabs.count() == 2 and page.verify_button.isHidden()
    assert window.corrections_badge is None  # clerks decide nothing
    type_text(page.lookup, persian_digits(code))  # any digits
    qtbot.keyClick(page.lookup, Qt.Key.Key_Return)
    wait_for_operations(qtbot)
    assert page.account is not None and page.lines.rowCount() == 3
    page.lines.setCurrentCell(1, 0)
    form = page.form
    assert form.line is not None and form.line.month == 2
    form.new["wage"].clear()
    type_text(form.new["wage"], "۱۴۰۰۰۰۰۰۰")
    type_text(form.reasons, "دستمزد اشتباه")
    type_text(form.unit, "واحد درآمد")
    shot(window, "corrections-request.png", tmp_path)
    form.submit.click()
    wait_for_operations(qtbot)
    assert count_rows(store, "correction_request") == 1 and "ثبت شد" in page.filed_note.text()
    qtbot.waitUntil(lambda: len(page.requests) == 1)
    page.all_table.setCurrentCell(0, 0)
    wait_for_operations(qtbot)
    assert page.all_panel.detail is not None and page.all_panel.approve_button.isHidden()
