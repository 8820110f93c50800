"""Typing Persian in tests: qtbot.keyClicks aborts on non-Latin text, so send input-method commits."""

from __future__ import annotations

from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget


def type_text(widget: QWidget, text: str) -> None:
    """Commit `text` into a focused line edit as an input method would (any script, any digits)."""
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def wait_for_operations(qtbot, timeout: int = 10_000) -> None:  # noqa: ANN001 - pytest-qt's qtbot
    """Wait until every background operation has delivered its result on the GUI thread."""
    from desktop.views import operations

    qtbot.waitUntil(lambda: operations.running() == 0, timeout=timeout)
