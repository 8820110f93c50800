"""Issue 9 item 1: the cursor is where the clerk's hands are — after sign-in, after Ctrl+F and
Ctrl+1…9 in that screen's first field — and Enter moves through the fields (the Jalali dates
too) and runs the screen's action. Driven with real key presses on a real store."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QListWidget, QTabBar, QWidget

from desktop.views.admin_screen import Screen as AdminScreen
from desktop.views.certificate_screen import Screen as CertificateScreen
from desktop.views.context import ViewContext
from desktop.views.inquiry_parts import select_authority
from desktop.views.inquiry_screen import Screen as InquiryScreen
from desktop.views.main_window import MainWindow, MessagePage
from desktop.views.search_screen import Screen as SearchScreen
from desktop.views.verification_screen import Screen as VerificationScreen

from ..services.inquiry_helpers import setup_cast
from .helpers import type_text, wait_for_operations


def signed_in(qtbot, store, actor) -> MainWindow:
    window = MainWindow(ViewContext(store, actor))
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitExposed(window)
    wait_for_operations(qtbot)
    return window


def press(qtbot, widget: QWidget, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(widget, key, modifier)


def test_after_sign_in_the_cursor_is_in_the_search_box(qtbot, store, clerk):
    window = signed_in(qtbot, store, clerk)
    page = window.current_page()
    assert isinstance(page, SearchScreen)
    assert window.focusWidget() is page.query  # not the side menu


@pytest.mark.parametrize("shortcut", ["Ctrl+1", "Ctrl+2", "Ctrl+5", "Ctrl+6", "Ctrl+7", "Ctrl+9",
                                      "Ctrl+F"])
def test_a_screen_shortcut_puts_the_cursor_in_its_first_field(qtbot, store, admin, shortcut):
    window = signed_in(qtbot, store, admin)
    window.show_screen("inquiry")  # start somewhere else, so Ctrl+F moves too
    key = Qt.Key.Key_F if shortcut == "Ctrl+F" else Qt.Key(Qt.Key.Key_0 + int(shortcut[-1]))
    press(qtbot, window.focusWidget(), key, Qt.KeyboardModifier.ControlModifier)
    wait_for_operations(qtbot)
    entry = next(e for e in window.entries if e.shortcut == shortcut)
    page = window.current_page()
    assert page is window.pages[entry.key]
    focused = window.focusWidget()
    assert not isinstance(focused, QListWidget | QTabBar)
    assert page.isAncestorOf(focused) and focused.isVisibleTo(page)
    if isinstance(page, CertificateScreen):
        assert focused is page.national_code
    elif isinstance(page, VerificationScreen):
        assert focused is page.tracking
    elif isinstance(page, AdminScreen):
        assert focused is page.users.username
    elif isinstance(page, InquiryScreen):
        assert focused is page.authority  # no authority chosen yet: that is the first field
    elif isinstance(page, SearchScreen):
        assert focused is page.query
    else:
        assert isinstance(focused, QLineEdit)  # enrolment's number, the dependant's first field


def test_a_planned_screen_leaves_the_cursor_in_the_menu(qtbot, store, admin, monkeypatch):
    from desktop.views import main_window
    from desktop.views.navigation import SCREENS, ScreenEntry

    # Every listed screen is built today; a planned one (no factory) still keeps the cursor in the menu.
    future = ScreenEntry("future", "بخش آینده", "Ctrl+Shift+0", "person.read", None)
    monkeypatch.setattr(main_window, "SCREENS", (*SCREENS, future))
    window = signed_in(qtbot, store, admin)
    window.show_screen("future")
    assert isinstance(window.current_page(), MessagePage)
    assert window.focusWidget() is window.nav


def test_arrow_keys_in_the_menu_only_look_through_the_screens(qtbot, store, clerk):
    window = signed_in(qtbot, store, clerk)
    window.nav.setFocus()
    press(qtbot, window.nav, Qt.Key.Key_Down)
    assert window.focusWidget() is window.nav and window.nav.currentRow() == 1
    press(qtbot, window.nav, Qt.Key.Key_Return)  # Enter opens it: the cursor goes in
    assert window.current_page().isAncestorOf(window.focusWidget())


def test_enter_walks_the_inquiry_form_through_the_jalali_dates_and_asks(qtbot, store, admin,
                                                                        registered):
    cast = setup_cast(store, admin, registered)
    window = signed_in(qtbot, store, admin)
    press(qtbot, window.focusWidget(), Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    screen = window.current_page()
    assert isinstance(screen, InquiryScreen)
    wait_for_operations(qtbot)
    select_authority(screen.authority, "F1")
    press(qtbot, screen.authority, Qt.Key.Key_Return)
    assert window.focusWidget() is screen.national_code
    type_text(screen.national_code, cast.ended)
    type_text(screen.from_date.edit, "۱۴۰۱/۰۶/۳۱")
    screen.national_code.setFocus()
    press(qtbot, screen.national_code, Qt.Key.Key_Return)  # a period is being typed: on to it
    assert window.focusWidget() is screen.from_date.edit and screen.answer is None
    press(qtbot, screen.from_date.edit, Qt.Key.Key_Return)
    assert window.focusWidget() is screen.to_date.edit and screen.answer is None
    type_text(screen.to_date.edit, "۱۴۰۲/۰۱/۰۱")
    press(qtbot, screen.to_date.edit, Qt.Key.Key_Return)  # the last field asks
    wait_for_operations(qtbot)
    assert screen.answer is not None and screen.answer.state == "in_period"


def test_enter_in_the_national_code_asks_at_once_without_a_period(qtbot, store, admin, registered):
    cast = setup_cast(store, admin, registered)
    screen = InquiryScreen(ViewContext(store, admin))
    qtbot.addWidget(screen)
    screen.show()
    wait_for_operations(qtbot)
    select_authority(screen.authority, "J1")
    type_text(screen.national_code, cast.main)
    press(qtbot, screen.national_code, Qt.Key.Key_Return)
    wait_for_operations(qtbot)
    assert screen.answer is not None and screen.answer.state == "active"


def test_enter_moves_from_the_certificate_national_code_to_the_receiving_body(qtbot, store, admin):
    screen = CertificateScreen(ViewContext(store, admin))
    qtbot.addWidget(screen)
    screen.show()
    wait_for_operations(qtbot)
    type_text(screen.national_code, "0012345678")
    press(qtbot, screen.national_code, Qt.Key.Key_Return)
    assert screen.focusWidget() is screen.authority
    press(qtbot, screen.authority, Qt.Key.Key_Return)  # the last field issues (here: refused)
    wait_for_operations(qtbot)
    assert screen.message.text()  # the screen's action ran and said why not


def test_enter_moves_through_the_verification_fields(qtbot, store, admin):
    screen = VerificationScreen(ViewContext(store, admin))
    qtbot.addWidget(screen)
    screen.show()
    type_text(screen.tracking, "1234567890123")
    press(qtbot, screen.tracking, Qt.Key.Key_Return)
    assert screen.focusWidget() is screen.passcode


def test_admin_tab_leaves_the_users_table_and_enter_walks_the_new_user_form(qtbot, store, admin):
    screen = AdminScreen(ViewContext(store, admin))
    qtbot.addWidget(screen)
    screen.show()
    wait_for_operations(qtbot)
    panel = screen.users
    assert not panel.table.tabKeyNavigation()  # Tab is not trapped cell by cell
    type_text(panel.username, "clerk9")
    press(qtbot, panel.username, Qt.Key.Key_Return)
    assert screen.focusWidget() is panel.full_name
    screen.tabs.setCurrentIndex(1)
    assert screen.focusWidget() is screen.authorities.code
