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


def test_the_day_count_box_shows_its_arrows():
    """Issue 9 item 8: the themed spin box (dependants' «روز آینده») draws up and down arrows:
    once a QSpinBox is styled, Fusion's own arrows are gone (seen under Xvfb), so the theme
    names arrow images that exist and load. (Offscreen rendering draws arrows either way, so
    this checks the theme's rule, and the PNG was looked at.)"""
    from PySide6.QtGui import QImage

    from desktop.views import theme

    for rule, path in (("QSpinBox::up-arrow", theme.ARROW_UP), ("QSpinBox::down-arrow", theme.ARROW_DOWN)):
        assert f'{rule} {{ image: url("{path}")' in theme.STYLESHEET
        assert not QImage(path).isNull()


def test_an_inline_error_does_not_move_the_fields_below(qtbot):
    """Issue 9 item 10: the room for a field's one-line error is kept, shown or not."""
    from desktop.views.enrolment.fields import ValidatedField
    from desktop.views.widgets.jalali_date_edit import JalaliDateEdit

    field = ValidatedField(required=True)
    date = JalaliDateEdit()
    for widget in (field, date):
        qtbot.addWidget(widget)
        widget.show()
    def heights() -> tuple[int, int]:
        return (field.sizeHint().height(), date.sizeHint().height())

    quiet = heights()
    field.message.setText("این فیلد لازم است.")
    field.message.show()
    date.edit.setText("1403/13/01")  # an impossible month: the date's own error shows
    assert date.message.isVisible()
    date.message.setText("تاریخ نادرست است.")  # one line, as most are (a long one may take two)
    assert heights() == quiet


def test_enter_does_not_leave_an_empty_required_or_invalid_workshop_code(qtbot, store, clerk):
    """Issue 9 item 6: a mandatory employee's workshop code must be given before Enter moves on;
    the reason shows under the field and goes once the field is fixed."""
    from PySide6.QtCore import Qt

    from desktop.views.enrolment.enrol_steps import RelationshipStep
    from desktop.views.enrolment.fields import set_choice

    from .helpers import type_text

    step = RelationshipStep(ViewContext(store, clerk))
    qtbot.addWidget(step)
    step.show()
    wait_for_operations(qtbot)  # the relationship kinds load in the background
    set_choice(step.kind, "mandatory")
    edit = step.workshop.edit
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert step.focusWidget() is edit
    assert step.workshop.message.text() == "«کد کارگاه» لازم است."
    type_text(edit, "12")  # not a workshop code
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert step.focusWidget() is edit and step.workshop.error()
    edit.clear()
    type_text(edit, "")
    assert step.workshop.error() == ""  # an emptied field drops the old reason until Enter
    wait_for_operations(qtbot)
