"""Long work off the GUI thread, with a progress dialog and a cancel button.

    run_task(parent, "ساختن شعبه نمونه", fn, on_done, on_error)

`fn(progress, cancelled)` runs on a pool thread: it calls `progress(done, total, text)` as it
goes and checks `cancelled()` between steps (stop by returning or raising TaskCancelled).
`on_done(result)` / `on_error(exc)` run back on the GUI thread. Services open their own
sessions, so fn may call any service; it must not touch widgets.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from desktop.domain.text import persian_digits

Progress = Callable[[int, int, str], None]
_running: set[Task] = set()  # keeps handles alive until they finish


class TaskCancelled(Exception):
    """Raised by fn (or returned as the result) when the user pressed cancel."""


class _Bridge(QObject):
    progressed = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(object)


class _Runnable(QRunnable):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self.task = task
        self.setAutoDelete(True)

    def run(self) -> None:
        task = self.task
        try:
            result = task.fn(task.report, task.cancelled)
        except BaseException as exc:  # noqa: BLE001 - handed to on_error on the GUI thread
            task.bridge.failed.emit(exc)
        else:
            task.bridge.finished.emit(result)


class Task:
    """Handle of one running task: `cancel()`, `cancelled()`, `wait(ms)`, `dialog`."""

    def __init__(self, parent: QWidget | None, title: str, fn: Callable[[Progress, Callable[[], bool]], Any],
                 on_done: Callable[[Any], None] | None, on_error: Callable[[BaseException], None] | None,
                 on_cancelled: Callable[[], None] | None) -> None:
        self.fn, self.on_done, self.on_error, self.on_cancelled = fn, on_done, on_error, on_cancelled
        self.parent = parent
        self._cancel = threading.Event()
        self._finished = threading.Event()
        self.bridge = _Bridge()
        self.dialog = QProgressDialog(title, "انصراف", 0, 0, parent)
        self.dialog.setWindowTitle(title)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(300)  # quick work finishes before any dialog flashes
        self.dialog.setMinimumWidth(420)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self.cancel)
        self.bridge.progressed.connect(self._on_progress)
        self.bridge.finished.connect(self._on_finished)
        self.bridge.failed.connect(self._on_failed)

    # called on the worker thread
    def report(self, done: int, total: int, text: str = "") -> None:
        self.bridge.progressed.emit(int(done), int(total), text)

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()
        self.dialog.setLabelText("در حال توقف…")

    def is_finished(self) -> bool:
        return self._finished.is_set()

    # GUI thread
    def _on_progress(self, done: int, total: int, text: str) -> None:
        if self._cancel.is_set():
            return
        self.dialog.setMaximum(max(total, 0))
        self.dialog.setValue(min(done, total) if total > 0 else 0)
        label = text or ""
        if total > 0:
            label = f"{label}\n{persian_digits(done)} از {persian_digits(total)}".strip()
        self.dialog.setLabelText(label)

    def _close(self) -> None:
        self._finished.set()
        self.dialog.canceled.disconnect(self.cancel)
        self.dialog.close()
        self.dialog.deleteLater()
        _running.discard(self)

    def _on_finished(self, result: Any) -> None:
        self._close()
        if self._cancel.is_set() or isinstance(result, TaskCancelled):
            if self.on_cancelled:
                self.on_cancelled()
        elif self.on_done:
            self.on_done(result)

    def _on_failed(self, exc: BaseException) -> None:
        self._close()
        if isinstance(exc, TaskCancelled):
            if self.on_cancelled:
                self.on_cancelled()
        elif self.on_error:
            self.on_error(exc)
        else:
            show_error(self.parent, exc)


def run_task(parent: QWidget | None, title: str, fn: Callable[[Progress, Callable[[], bool]], Any],
             on_done: Callable[[Any], None] | None = None,
             on_error: Callable[[BaseException], None] | None = None,
             on_cancelled: Callable[[], None] | None = None) -> Task:
    task = Task(parent, title, fn, on_done, on_error, on_cancelled)
    _running.add(task)
    QThreadPool.globalInstance().start(_Runnable(task))
    return task


def error_text(exc: BaseException) -> str:
    """The Persian text of a service error, or a plain note for an unexpected failure."""
    fa = getattr(exc, "fa", None)
    return fa or f"خطای پیش‌بینی‌نشده: {exc}"


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    QMessageBox.warning(parent, "خطا", error_text(exc))
