"""Where the clerk's hands are: the first field of a screen, and Enter through a screen's fields.

A screen opened from the menu, a shortcut (Ctrl+F, Ctrl+1…9) or at sign-in puts the cursor in its
first field, so typing goes into the form and never jumps between menu items or tabs. A screen may
name that field with a `first_field()` method; otherwise the first input in its focus chain that
is shown is taken (inputs only: a tab bar, a table or a button is never "the first field").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from .widgets.jalali_date_edit import JalaliDateEdit

_INPUTS = (QLineEdit, QComboBox, QAbstractSpinBox, QPlainTextEdit, QTextEdit)
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def _takes_typing(widget: QWidget, page: QWidget) -> bool:
    return (isinstance(widget, _INPUTS) and widget.isVisibleTo(page) and widget.isEnabled()
            and bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
            and not (isinstance(widget, QLineEdit) and widget.isReadOnly()))


def first_field(page: QWidget) -> QWidget | None:
    """The screen's own choice if it has one, else the first shown input in its focus chain."""
    chosen = getattr(page, "first_field", None)
    if callable(chosen):
        return chosen()
    widget = page.nextInFocusChain()
    while widget is not None and widget is not page:
        if page.isAncestorOf(widget) and _takes_typing(widget, page):
            return widget
        widget = widget.nextInFocusChain()
    return None


def focus_first_field(page: QWidget) -> bool:
    """Put the cursor in `page`'s first field; False when it has none (a message page)."""
    field = first_field(page)
    if field is None:
        return False
    field.setFocus(Qt.FocusReason.OtherFocusReason)
    return True


def _target(widget: QWidget) -> QWidget:
    return widget.edit if isinstance(widget, JalaliDateEdit) else widget


class EnterMovesOn(QObject):
    """Enter in a field moves to the next field; Enter in the last one runs the screen's action.

    The first `required` fields must be filled for the action; past them, when `rest_empty()`
    says every later (optional) field is still blank, Enter runs the action at once — the clerk
    who needs no period on the inquiry screen presses Enter in the national code and is answered.
    Ctrl+Enter and Enter in an open combo list are left alone.
    """

    def __init__(self, fields: Sequence[QWidget], action: Callable[[], None], parent: QObject,
                 *, required: int | None = None,
                 rest_empty: Callable[[], bool] = lambda: False) -> None:
        super().__init__(parent)
        self.targets = [_target(f) for f in fields]
        self.action = action
        self.required = len(self.targets) if required is None else required
        self.rest_empty = rest_empty
        for target in self.targets:
            target.installEventFilter(self)
        for a, b in zip(self.targets, self.targets[1:], strict=False):
            QWidget.setTabOrder(a, b)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if event.key() not in _ENTER:
            return False
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            return False
        if isinstance(obj, QComboBox) and obj.view().isVisible():
            return False  # Enter picks the highlighted item first
        self.enter_in(obj)
        return True

    def enter_in(self, obj: QObject) -> None:
        index = self.targets.index(obj) if obj in self.targets else -1
        if index + 1 >= self.required and self.rest_empty():
            self.action()
            return
        for target in self.targets[index + 1:]:
            if target.isVisibleTo(target.window()) and target.isEnabled():
                target.setFocus(Qt.FocusReason.TabFocusReason)
                return
        self.action()
