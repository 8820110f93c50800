"""Persian message boxes: a refusal shows its own Persian text; an unexpected failure a short
Persian note with where its details were logged. Never a traceback."""

from __future__ import annotations

from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.services.crash_log import record_unexpected

_open_boxes: set[QMessageBox] = set()


def error_text(exc: BaseException) -> str:
    """The Persian text of a service refusal; an unexpected failure is logged and summarised."""
    fa = getattr(exc, "fa", None)
    if fa:
        return str(fa)
    logged = record_unexpected(exc)
    # A path is a left-to-right run inside Persian text: isolate it or its slashes wander.
    where = f"\nجزئیات در پرونده گزارش ثبت شد:\n\u2066{logged}\u2069" if logged else ""
    return f"خطای پیش‌بینی‌نشده‌ای رخ داد و کار انجام نشد. لطفاً دوباره تلاش کنید یا با پشتیبانی تماس بگیرید.{where}"


def inform(parent: QWidget | None, title: str, text: str, *, warning: bool = False) -> QMessageBox:
    """Shown window-modal without a nested event loop: the caller goes on, the box stays up."""
    box = QMessageBox(QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Information, title, text,
                      QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName("message")
    box.addButton("باشه", QMessageBox.ButtonRole.AcceptRole)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if parent is None:  # nothing owns a parentless box: keep it alive until it is closed
        _open_boxes.add(box)
        box.finished.connect(lambda _r, b=box: _open_boxes.discard(b))
    box.open()
    return box


def show_error(parent: QWidget | None, exc: BaseException, title: str = "خطا") -> QMessageBox:
    return inform(parent, title, error_text(exc), warning=True)


def ask(parent: QWidget | None, title: str, question: str, yes_text: str, no_text: str = "انصراف") -> bool:
    """A Persian yes/no question whose default (Enter, Escape) is the safe answer."""
    box = QMessageBox(QMessageBox.Icon.Question, title, question, QMessageBox.StandardButton.NoButton, parent)
    yes = box.addButton(yes_text, QMessageBox.ButtonRole.DestructiveRole)
    no = box.addButton(no_text, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(no)
    box.setEscapeButton(no)
    box.exec()
    return box.clickedButton() is yes


def install_exception_hook() -> None:
    """An exception escaping a slot or event handler: logged, told in Persian, the app goes on.

    PySide calls sys.excepthook for an exception raised in Python code called from Qt; the
    default prints a traceback to stderr, which a clerk never sees and which explains nothing."""
    import sys

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        show_error(None, exc.with_traceback(tb))

    sys.excepthook = hook
