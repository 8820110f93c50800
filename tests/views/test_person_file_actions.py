"""Issue 9 item 7: from the person file the clerk adds a relationship, scans a paper, and asks for
a correction — each only for the roles the service allows, errors under their field in Persian,
and the open file refreshed from the change channel."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop.services.person_file import load_person_file
from desktop.views.context import ViewContext
from desktop.views.corrections_screen import Screen as CorrectionsScreen
from desktop.views.main_window import MainWindow
from desktop.views.person_file import PersonFileDialog

from ..conftest import count_rows
from .helpers import type_text, wait_for_operations
from .test_person_file import open_file, person  # noqa: F401 - the enrolled person with history

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # the archive checks kind, size and type, not pixels


@pytest.mark.parametrize(("role", "relationship", "scan", "correction"), [
    ("clerk", True, True, True),
    ("supervisor", True, True, True),
    ("letter_staff", False, False, False),
    ("admin", True, True, False),
])
def test_each_action_only_for_the_roles_allowed(qtbot, store, users, person, role, relationship, scan,  # noqa: F811
                                                 correction):
    dialog = open_file(qtbot, store, users[role], person)
    shown = [not b.isHidden() for b in (dialog.add_relationship_button, dialog.add_scan_button,
                                        dialog.request_correction_button)]
    assert shown == [relationship, scan, correction]
    assert all(b.isEnabled() for b in (dialog.add_relationship_button, dialog.add_scan_button,
                                       dialog.request_correction_button))


def _relationship_dialog(qtbot, dialog):
    add = dialog.relationship_dialog()
    qtbot.addWidget(add)
    add.show()
    return add


def test_add_relationship_puts_each_refusal_under_its_field_then_records(qtbot, store, clerk, person,  # noqa: F811
                                                                         workshop):
    dialog = open_file(qtbot, store, clerk, person)
    before = (count_rows(store, "relationship"), count_rows(store, "audit_log"))
    add = _relationship_dialog(qtbot, dialog)
    add.kind.setCurrentIndex(add.kind.findData("mandatory"))
    assert not add.rows["workshop_code"].isHidden() and add.rows["orientation"].isHidden()
    add.accept()  # no workshop, no start
    assert add.error_of("workshop_code") == "«کد کارگاه» لازم است."
    type_text(add.workshop.edit, "9999999999")
    add.accept()  # still no start
    assert add.error_of("start") == "تاریخ شروع ارتباط را وارد کنید."
    type_text(add.start.edit, "1395/01/01")
    add.accept()
    wait_for_operations(qtbot)
    assert "کارگاهی با کد" in add.error_of("workshop_code")  # the service's refusal, on its field
    assert add.focusWidget() is add.workshop.edit
    add.workshop.setText(workshop)
    wait_for_operations(qtbot)
    assert add.workshop_label.text() == "کارخانه نمونه"  # the workshop named as its code is typed
    add.accept()
    wait_for_operations(qtbot)
    assert "هم‌پوشانی" in add.error_of("start")  # overlaps the 1390–1396 relationship there
    add.start.setText("1397/01/01")
    add.end.setText("1396/01/01")
    add.accept()
    wait_for_operations(qtbot)
    assert add.error_of("end") == "تاریخ پایان پیش از تاریخ شروع است."
    assert add.isVisible() and (count_rows(store, "relationship"), count_rows(store, "audit_log")) == before
    add.kind.setCurrentIndex(add.kind.findData("driver"))
    assert add.rows["workshop_code"].isHidden()
    add.start.setText("۱۴۰۲/۰۱/۰۱")
    add.end.setText("")
    qtbot.keyClick(add.end.edit, Qt.Key.Key_Return)  # Enter in the last field records
    wait_for_operations(qtbot)
    assert not add.isVisible() and "ارتباط «بیمه رانندگان» ثبت شد" in dialog.note.text()
    qtbot.waitUntil(lambda: len(dialog.pfile.relationships) == 3 + 1)  # reloaded from the channel
    assert any(r.type_code == "driver" and r.end is None for r in dialog.pfile.relationships)
    assert count_rows(store, "relationship") == before[0] + 1


def test_add_scan_archives_the_file_and_the_list_refreshes(qtbot, store, clerk, person, tmp_path: Path):  # noqa: F811
    dialog = open_file(qtbot, store, clerk, person)
    archived = len(dialog.pfile.archive)
    scan = dialog.scan_dialog()
    qtbot.addWidget(scan)
    scan.show()
    scan.accept()
    assert scan.error_of("file") == "فایل اسکن را برگزینید."
    text = tmp_path / "note.txt"
    text.write_text("x")
    scan.file.setText(str(text))
    assert "PDF" in scan.error_of("file")  # refused as typed
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    scan.file.setText(str(empty))
    scan.accept()
    wait_for_operations(qtbot)
    assert "خالی" in scan.error_of("file") and count_rows(store, "archive_item") == archived
    good = tmp_path / "marriage.png"
    good.write_bytes(PNG)
    scan.paper_kind.setCurrentIndex(scan.paper_kind.findData("marriage_certificate"))
    scan.file.setText(str(good))
    scan.accept()
    wait_for_operations(qtbot)
    assert not scan.isVisible() and "صفحه دوم عقدنامه" in dialog.note.text()
    qtbot.waitUntil(lambda: len(dialog.pfile.archive) == archived + 1)  # from the change channel
    assert load_person_file(store, clerk, person).archive[-1].filename == "marriage.png"
    archive_tab = dialog.tabs.widget(6)
    assert any(archive_tab.item(r, 5) is not None and archive_tab.item(r, 5).text() == "marriage.png"
               for r in range(archive_tab.rowCount()))


def test_request_correction_opens_the_corrections_screen_for_this_person(qtbot, store, clerk, person):  # noqa: F811
    window = MainWindow(ViewContext(store, clerk))
    qtbot.addWidget(window)
    window.show()
    wait_for_operations(qtbot)
    dialog = PersonFileDialog(window.ctx, person, window)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_for_operations(qtbot)
    qtbot.mouseClick(dialog.request_correction_button, Qt.MouseButton.LeftButton)
    assert window.screen_keys()[window.nav.currentRow()] == "corrections"
    page = window.current_page()
    assert isinstance(page, CorrectionsScreen)
    wait_for_operations(qtbot)
    assert page.account is not None and page.account.person_id == person
    assert dialog.tabs.currentIndex() == 5 and "حساب انفرادی" in dialog.note.text()
    assert count_rows(store, "correction_request") == 0  # nothing is filed until the form is sent
