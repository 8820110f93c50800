"""Issue 9 item 9 on the admin screen: authorities are corrected, deactivated (asked first, the
safe answer the default) and reactivated from their list, and Tab leaves both tables."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.services.authorities import list_authorities
from desktop.services.reference import add_authority
from desktop.views.admin_screen import Screen as AdminScreen
from desktop.views.context import ViewContext
from desktop.views.inquiry_parts import AuthorityCombo

from ..conftest import count_rows
from .helpers import type_text, wait_for_operations


def admin_screen(qtbot, store, admin) -> AdminScreen:
    add_authority(store, admin, "F1", "صندوق بازنشستگی کشوری", "fund")
    add_authority(store, admin, "J1", "دادگستری تهران", "judicial")
    screen = AdminScreen(ViewContext(store, admin))
    qtbot.addWidget(screen)
    screen.resize(1100, 760)
    screen.show()
    screen.tabs.setCurrentIndex(1)
    wait_for_operations(qtbot)
    return screen


def _choose(panel, code: str) -> None:
    panel.choose(code)
    assert panel.chosen().code == code


def _answer_question(qtbot, press_yes: bool, seen: list[str]) -> None:
    def answer() -> None:
        box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
        seen.append(box.defaultButton().text())
        if press_yes:
            yes = next(b for b in box.buttons() if b.text() == "غیرفعال شود")
            yes.click()
        else:
            qtbot.keyClick(box, Qt.Key.Key_Return)

    QTimer.singleShot(100, answer)


def _active(store, admin, code: str) -> bool:
    return next(a for a in list_authorities(store, admin) if a.code == code).active


def test_the_chosen_authority_is_edited_in_a_dialog_and_a_refusal_stays_in_it(qtbot, store, admin):
    screen = admin_screen(qtbot, store, admin)
    panel = screen.authorities
    assert not panel.edit_button.isEnabled()  # nothing chosen yet
    _choose(panel, "F1")
    assert panel.edit_button.isEnabled() and panel.deactivate_button.isEnabled()
    assert not panel.reactivate_button.isEnabled()
    dialog = panel.edit_dialog()
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.name.text() == "صندوق بازنشستگی کشوری" and dialog.group.currentData() == "fund"
    before = count_rows(store, "audit_log")
    dialog.name.clear()
    dialog.accept()
    wait_for_operations(qtbot)
    assert dialog.isVisible() and dialog.message.text() == "نام مرجع لازم است."
    assert count_rows(store, "audit_log") == before
    type_text(dialog.name, "صندوق بازنشستگی کشوری (ستاد)")
    dialog.group.setCurrentIndex(dialog.group.findData("judicial"))
    dialog.accept()
    wait_for_operations(qtbot)
    assert not dialog.isVisible() and "ویرایش شد" in panel.message.text()
    row = [r.code for r in panel.rows].index("F1")
    qtbot.waitUntil(lambda: panel.table.item(row, 1).text() == "صندوق بازنشستگی کشوری (ستاد)")
    assert panel.table.item(row, 2).text() == "مراجع قضایی و شبه‌قضایی"


def test_deactivate_asks_with_cancel_as_default_then_reactivate(qtbot, store, admin):
    screen = admin_screen(qtbot, store, admin)
    panel = screen.authorities
    combo = AuthorityCombo(ViewContext(store, admin))  # what the inquiry screen chooses from
    qtbot.addWidget(combo)
    wait_for_operations(qtbot)
    assert combo.findData("F1") >= 0
    _choose(panel, "F1")
    seen: list[str] = []
    _answer_question(qtbot, press_yes=False, seen=seen)
    panel.deactivate()
    wait_for_operations(qtbot)
    assert seen == ["انصراف"] and _active(store, admin, "F1")  # Enter kept it
    _answer_question(qtbot, press_yes=True, seen=seen)
    panel.deactivate()
    wait_for_operations(qtbot)
    assert not _active(store, admin, "F1") and "غیرفعال شد" in panel.message.text()
    row = [r.code for r in panel.rows].index("F1")
    qtbot.waitUntil(lambda: panel.table.item(row, 3).text() == "غیرفعال")
    assert panel.chosen().code == "F1"  # still chosen after the refresh
    assert panel.reactivate_button.isEnabled() and not panel.deactivate_button.isEnabled()
    qtbot.waitUntil(lambda: combo.findData("F1") < 0)  # gone from the choice, from the channel
    panel.reactivate()
    wait_for_operations(qtbot)
    assert _active(store, admin, "F1") and "دوباره فعال شد" in panel.message.text()
    qtbot.waitUntil(lambda: combo.findData("F1") >= 0)


def test_tab_leaves_the_users_and_the_authorities_tables(qtbot, store, admin):
    screen = admin_screen(qtbot, store, admin)
    screen.activateWindow()
    for index, panel in ((0, screen.users), (1, screen.authorities)):
        screen.tabs.setCurrentIndex(index)
        wait_for_operations(qtbot)
        panel.table.setFocus()
        panel.table.setCurrentCell(0, 0)
        assert screen.focusWidget() is panel.table
        qtbot.keyClick(panel.table, Qt.Key.Key_Tab)
        assert screen.focusWidget() is not panel.table  # the next control, not the next cell
        assert panel.table.currentColumn() == 0
