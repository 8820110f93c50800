"""The one way a screen runs work that touches the store, prints, renders or (later) talks to
headquarters: off the GUI thread, with the result, the error or the cancellation delivered back
on it (after Anki's `QueryOp`/`CollectionOp`).

    Operation(self, lambda job: search_people(store, actor, text)) \\
        .on_success(self.show_page) \\
        .run()

    Operation(self, build, title="ساختن شعبه نمونه").with_progress(cancellable=True) \\
        .on_success(done).on_cancelled(gone).run()

`fn(job)` runs on a pool thread and must not touch widgets. Long work calls
`job.progress(done, total, text)` and checks `job.cancelled()` between steps (raising
`OperationCancelled` stops it). A busy cursor shows while an operation has run for a moment;
`with_progress` shows a dialog with a cancel button instead. A refusal (`DomainError`) is shown
as its Persian message; anything unexpected as a short Persian message, its traceback going to the
log file — never to the clerk. A callback whose owner widget was closed meanwhile is dropped.
Mutations need not announce anything here: the store's change feed does (views/changes.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QCursor, QGuiApplication
from PySide6.QtWidgets import QProgressDialog, QWidget

from desktop.domain.text import persian_digits

from .messages import show_error

T = TypeVar("T")
BUSY_AFTER_MS = 200  # quick work finishes before the cursor flickers
DIALOG_AFTER_MS = 300

_running: set[Operation[Any]] = set()  # keeps operations alive until their callbacks ran
_busy_count = 0


class OperationCancelled(Exception):
    """Raised inside `fn` (or returned) when the user pressed cancel."""


class Job:
    """What `fn` sees on the worker thread: progress reports and the cancel flag."""

    def __init__(self, bridge: _Bridge) -> None:
        self._bridge = bridge
        self._cancel = threading.Event()

    def progress(self, done: int, total: int, text: str = "") -> None:
        self._bridge.progressed.emit(int(done), int(total), text)

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def raise_if_cancelled(self) -> None:
        if self._cancel.is_set():
            raise OperationCancelled

    def cancel(self) -> None:
        self._cancel.set()


class _Bridge(QObject):
    """Lives on the GUI thread; signals emitted from the worker arrive queued."""

    progressed = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(object)
    released = Signal()  # the worker holds nothing of the operation any more


class _Boxed:
    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value


class _Runnable(QRunnable):
    def __init__(self, op: Operation[Any]) -> None:
        super().__init__()
        self.op: Operation[Any] | None = op
        self.setAutoDelete(True)

    def run(self) -> None:
        op, self.op = self.op, None
        assert op is not None  # a runnable runs once
        bridge = op.bridge
        try:
            result = op.fn(op.job)
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread, shown there
            bridge.failed.emit(exc)
        else:
            # Boxed: a bare True/False/None through a queued Signal(object) is released once too
            # often by some PySide6 builds (the interpreter aborts with "deallocating None").
            bridge.finished.emit(_Boxed(result))
            del result
        # The operation (and the widgets its closures hold) must be let go on the GUI thread: a
        # widget whose last reference died here would be destroyed off the GUI thread. So the
        # worker drops its references first, and only then lets the GUI thread drop the last one.
        del op
        bridge.released.emit()


class Operation(Generic[T]):
    """One piece of work: configure with the `on_*`/`with_progress` methods, then `run()`."""

    def __init__(self, parent: QWidget | None, fn: Callable[[Job], T], *, title: str = "") -> None:
        self.parent, self.fn, self.title = parent, fn, title
        self.bridge = _Bridge()
        self.job = Job(self.bridge)
        self._success: Callable[[T], None] | None = None
        self._failure: Callable[[BaseException], None] | None = None
        self._cancelled: Callable[[], None] | None = None
        self._finally: Callable[[], None] | None = None
        self._progress = False
        self._cancellable = False
        self.dialog: QProgressDialog | None = None
        self._busy_timer: QTimer | None = None
        self._busy = False
        self._done = threading.Event()

    # --- configuration -----------------------------------------------------------------
    def on_success(self, fn: Callable[[T], None]) -> Operation[T]:
        self._success = fn
        return self

    def on_failure(self, fn: Callable[[BaseException], None]) -> Operation[T]:
        """Replaces the default message box (e.g. to show the error beside a form)."""
        self._failure = fn
        return self

    def on_cancelled(self, fn: Callable[[], None]) -> Operation[T]:
        self._cancelled = fn
        return self

    def on_finished(self, fn: Callable[[], None]) -> Operation[T]:
        """Runs last whatever happened (re-enable a button, …)."""
        self._finally = fn
        return self

    def with_progress(self, *, cancellable: bool = False) -> Operation[T]:
        self._progress, self._cancellable = True, cancellable
        return self

    # --- running -----------------------------------------------------------------------
    def run(self) -> Operation[T]:
        self.bridge.progressed.connect(self._on_progress)
        self.bridge.finished.connect(self._on_finished)
        self.bridge.failed.connect(self._on_failed)
        self.bridge.released.connect(self._on_released)
        if self._progress:
            self._make_dialog()
        else:
            self._busy_timer = QTimer()
            self._busy_timer.setSingleShot(True)
            self._busy_timer.timeout.connect(self._start_busy)
            self._busy_timer.start(BUSY_AFTER_MS)
        _running.add(self)
        QThreadPool.globalInstance().start(_Runnable(self))
        return self

    def cancel(self) -> None:
        self.job.cancel()
        if self.dialog is not None:
            self.dialog.setLabelText("در حال توقف…")

    def is_finished(self) -> bool:
        return self._done.is_set()

    # --- GUI thread ----------------------------------------------------------------------
    def _make_dialog(self) -> None:
        dialog = QProgressDialog(self.title or "در حال انجام…", "انصراف" if self._cancellable else "", 0, 0,
                                 self._live_parent())
        dialog.setWindowTitle(self.title or "میز شعبه")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(DIALOG_AFTER_MS)
        dialog.setMinimumWidth(420)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        if self._cancellable:
            dialog.canceled.connect(lambda: self.cancel())
        else:
            dialog.setCancelButton(None)
        self.dialog = dialog

    def _on_progress(self, done: int, total: int, text: str) -> None:
        if self.dialog is None or self.job.cancelled():
            return
        self.dialog.setMaximum(max(total, 0))
        self.dialog.setValue(min(done, total) if total > 0 else 0)
        label = text or self.title
        if total > 0:
            label = f"{label}\n{persian_digits(done)} از {persian_digits(total)}".strip()
        self.dialog.setLabelText(label)

    def _start_busy(self) -> None:
        global _busy_count
        if self._done.is_set():
            return
        self._busy = True
        _busy_count += 1
        if _busy_count == 1:
            QGuiApplication.setOverrideCursor(QCursor(Qt.CursorShape.BusyCursor))

    def _end(self) -> None:
        global _busy_count
        self._done.set()
        if self._busy_timer is not None:
            self._busy_timer.stop()
        if self._busy:
            self._busy = False
            _busy_count -= 1
            if _busy_count == 0:
                QGuiApplication.restoreOverrideCursor()
        if self.dialog is not None:
            self.dialog.blockSignals(True)  # closing a progress dialog emits `canceled`
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None

    def _on_released(self) -> None:
        for signal in (self.bridge.progressed, self.bridge.finished, self.bridge.failed,
                       self.bridge.released):
            signal.disconnect()
        _running.discard(self)

    def _live_parent(self) -> QWidget | None:
        return self.parent if self.parent is not None and shiboken6.isValid(self.parent) else None

    def _owner_gone(self) -> bool:
        return self.parent is not None and not shiboken6.isValid(self.parent)

    def _on_finished(self, boxed: _Boxed) -> None:
        result = cast(T, boxed.value)
        self._end()
        if self._owner_gone():
            return
        try:
            if self.job.cancelled() or isinstance(result, OperationCancelled):
                if self._cancelled:
                    self._cancelled()
            elif self._success:
                self._success(result)
        finally:
            if self._finally:
                self._finally()

    def _on_failed(self, exc: BaseException) -> None:
        self._end()
        if self._owner_gone():
            return
        try:
            if isinstance(exc, OperationCancelled):
                if self._cancelled:
                    self._cancelled()
            elif self._failure:
                self._failure(exc)
            else:
                show_error(self._live_parent(), exc)
        finally:
            if self._finally:
                self._finally()


def run_op(parent: QWidget | None, fn: Callable[[Job], T], on_success: Callable[[T], None] | None = None,
           ) -> Operation[T]:
    """The common case: run `fn`, hand its result to `on_success`, errors as a message box."""
    op = Operation(parent, fn)
    if on_success is not None:
        op.on_success(on_success)
    return op.run()


def running() -> int:
    """How many operations have not delivered yet (tests wait for 0)."""
    return len(_running)
