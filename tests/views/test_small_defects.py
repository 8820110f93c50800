"""Issue 9 items 6 and 10, the small ones: the window title names the application once, and
«اصل مدارک هویتی را دیدم» starts unticked."""

from __future__ import annotations

from desktop.views.context import ViewContext
from desktop.views.enrolment.enrol_steps import IdentityStep
from desktop.views.main_window import MainWindow

from .helpers import wait_for_operations


def test_the_window_title_names_the_branch_and_leaves_the_app_name_to_qt(qtbot, store, clerk):
    # At start-up apply_theme sets the display name «میز شعبه», which Qt adds to every title.
    window = MainWindow(ViewContext(store, clerk))
    qtbot.addWidget(window)
    assert window.windowTitle() == "شعبه ۱۰۲۱"
    assert "میز شعبه" not in window.windowTitle()  # Qt adds it once itself
    wait_for_operations(qtbot)


def test_documents_seen_starts_unticked(qtbot, store, clerk):
    step = IdentityStep(ViewContext(store, clerk))
    qtbot.addWidget(step)
    assert not step.seen.isChecked()
    wait_for_operations(qtbot)
