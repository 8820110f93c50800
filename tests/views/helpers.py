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
