"""Issue 9 item 4: the letter preview fits its column's width — the whole page seen (the QR and
the left side never cut off) in a 1280×800 window, and no ~300 px strip on the certificate screen."""

from __future__ import annotations

import pytest

from desktop.views.context import ViewContext
from desktop.views.inquiry_parts import select_authority
from desktop.views.main_window import MainWindow

from ..services.inquiry_helpers import setup_cast
from .helpers import type_text, wait_for_operations


@pytest.fixture
def window(qtbot, store, admin):
    shown = MainWindow(ViewContext(store, admin))
    qtbot.addWidget(shown)
    shown.resize(1280, 800)
    shown.show()
    qtbot.waitExposed(shown)
    wait_for_operations(qtbot)
    return shown


def assert_fits(preview) -> None:
    room = preview.page_width()
    assert preview.pages
    for page in preview.pages:
        assert page.width() <= room  # never wider than the column: nothing cropped
        assert page.width() >= room - 2  # and as wide as it allows
    assert not preview.pages_area.horizontalScrollBar().isVisible()


def test_certificate_preview_fits_the_page_width(qtbot, store, admin, registered, window):
    cast = setup_cast(store, admin, registered)
    window.show_screen("certificate")
    screen = window.current_page()
    wait_for_operations(qtbot)
    type_text(screen.national_code, cast.main)
    select_authority(screen.authority, "F1")
    screen.issue_button.click()
    wait_for_operations(qtbot)
    qtbot.waitUntil(lambda: bool(screen.preview.pages))
    assert_fits(screen.preview)
    assert screen.preview.page_width() >= 450  # not squeezed to a strip by the codes' long line


def test_inquiry_preview_fits_and_follows_the_column(qtbot, store, admin, registered, window):
    cast = setup_cast(store, admin, registered)
    window.show_screen("inquiry")
    screen = window.current_page()
    wait_for_operations(qtbot)
    select_authority(screen.authority, "J1")
    type_text(screen.national_code, cast.main)
    screen.ask_button.click()
    wait_for_operations(qtbot)
    qtbot.waitUntil(lambda: bool(screen.preview.pages))
    assert_fits(screen.preview)
    window.resize(1000, 700)  # a smaller window: the page shrinks with it, still whole
    qtbot.waitUntil(lambda: screen.preview.pages[0].width() <= screen.preview.page_width())
    assert_fits(screen.preview)
