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

import itertools
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QObject,
    QRunnable,
    Qt,
    QThread,
    QThreadPool,
    QTimer,
    Signal,
)
from PySide6.QtGui import QCursor, QGuiApplication
from PySide6.QtWidgets import QWidget

from desktop.domain.text import persian_digits

from .messages import show_error
from .progress import ProgressDialog

T = TypeVar("T")
BUSY_AFTER_MS = 200  # quick work finishes before the cursor flickers

# Operations by id, kept alive until their worker let go of them (`released`).
_running: dict[int, Operation[Any]] = {}
_ids = itertools.count(1)
_busy_count = 0


class OperationCancelled(Exception):
    """Raised inside `fn` (or returned) when the user pressed cancel."""


class Job:
    """What `fn` sees on the worker thread: progress reports and the cancel flag."""

    def __init__(self, op_id: int) -> None:
        self._op_id = op_id
        self._cancel = threading.Event()

    def progress(self, done: int, total: int, text: str = "") -> None:
        _bridge().progressed.emit(self._op_id, int(done), int(total), text)

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def raise_if_cancelled(self) -> None:
        if self._cancel.is_set():
            raise OperationCancelled

    def cancel(self) -> None:
        self._cancel.set()


class _Bridge(QObject):
    """One for the application, made on the GUI thread and never deleted: a worker must never hold
    the last reference to a QObject (it would be destroyed off the GUI thread), so no per-operation
    QObject reaches a worker. Signals emitted from a worker arrive queued, by operation id."""

    progressed = Signal(int, int, int, str)
    finished = Signal(int, object)
    failed = Signal(int, object)
    released = Signal(int)  # the worker holds nothing of that operation any more

    def __init__(self) -> None:
        super().__init__(QCoreApplication.instance())  # owned by Qt: no Python reference decides
        self.progressed.connect(lambda op_id, *args: _call(op_id, "_on_progress", *args))
        self.finished.connect(lambda op_id, boxed: _call(op_id, "_on_finished", boxed))
        self.failed.connect(lambda op_id, exc: _call(op_id, "_on_failed", exc))
        self.released.connect(lambda op_id: _running.pop(op_id, None))


_the_bridge: _Bridge | None = None


def _bridge() -> _Bridge:
    global _the_bridge
    if _the_bridge is None:  # first made by Operation.__init__, on the GUI thread
        _the_bridge = _Bridge()
    return _the_bridge


def _call(op_id: int, method: str, *args: Any) -> None:
    op = _running.get(op_id)
    if op is not None:
        getattr(op, method)(*args)


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
        bridge, op_id = _bridge(), op.id
        try:
            result = op.fn(op.job)
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread, shown there
            bridge.failed.emit(op_id, exc)
        else:
            # Boxed: a bare True/False/None through a queued Signal(object) is released once too
            # often by some PySide6 builds (the interpreter aborts with "deallocating None").
            bridge.finished.emit(op_id, _Boxed(result))
            del result
        # The operation (and the widgets its closures hold) must be let go on the GUI thread: a
        # widget whose last reference died here would be destroyed off the GUI thread. So the
        # worker drops its references first, and only then lets the GUI thread drop the last one.
        del op
        bridge.released.emit(op_id)


class Operation(Generic[T]):
    """One piece of work: configure with the `on_*`/`with_progress` methods, then `run()`."""

    def __init__(self, parent: QWidget | None, fn: Callable[[Job], T], *, title: str = "") -> None:
        app = QCoreApplication.instance()
        assert app is not None and QThread.currentThread() is app.thread(), \
            "operations are started on the GUI thread"
        self.parent, self.fn, self.title = parent, fn, title
        self.id = next(_ids)
        _bridge()
        self.job = Job(self.id)
        self._success: Callable[[T], None] | None = None
        self._failure: Callable[[BaseException], None] | None = None
        self._cancelled: Callable[[], None] | None = None
        self._finally: Callable[[], None] | None = None
        self._progress = False
        self._cancellable = False
        self._quiet = False
        self.dialog: ProgressDialog | None = None
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

    def quietly(self) -> Operation[T]:
        """Background work nobody waits for (the periodic sync, the status bar): no busy cursor."""
        self._quiet = True
        return self

    # --- running -----------------------------------------------------------------------
    def run(self) -> Operation[T]:
        if self._progress:
            self._make_dialog()
        elif not self._quiet:
            self._busy_timer = QTimer()
            self._busy_timer.setSingleShot(True)
            self._busy_timer.timeout.connect(self._start_busy)
            self._busy_timer.start(BUSY_AFTER_MS)
        _running[self.id] = self
        QThreadPool.globalInstance().start(_Runnable(self))
        return self

    def cancel(self) -> None:
        self.job.cancel()

    def is_finished(self) -> bool:
        return self._done.is_set()

    # --- GUI thread ----------------------------------------------------------------------
    def _make_dialog(self) -> None:
        self.dialog = ProgressDialog(self.title, cancellable=self._cancellable, parent=self._live_parent())
        self.dialog.canceled.connect(self.cancel)

    def _on_progress(self, done: int, total: int, text: str) -> None:
        if self.dialog is None or self.job.cancelled():
            return
        label = text or self.title
        if total > 0:
            label = f"{label}\n{persian_digits(done)} از {persian_digits(total)}".strip()
        self.dialog.report(done, total, label)

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
            self.dialog.finish()
            self.dialog = None

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


class Newest(Generic[T]):
    """Of several loads of the same thing, show only the newest asked: operations run on a pool
    of threads and can finish out of order, and an older answer must not overwrite a newer one."""

    def __init__(self, show: Callable[[T], None]) -> None:
        self._show = show
        self._asked = 0

    def ask(self) -> Callable[[T], None]:
        """A success callback for the load about to start; it shows only if no later one began."""
        self._asked += 1
        generation = self._asked

        def shown(value: T) -> None:
            if generation == self._asked:
                self._show(value)

        return shown


class RefreshWhenShown(QObject):
    """Keeps a screen current from the change channel without working for hidden screens: a
    committed change it watches refreshes it now when it is on screen, else marks it stale and
    it refreshes the next time it is shown (and on its first showing). `refresh` is looked up at
    call time (pass `lambda: self.refresh()`), so a screen's refresh can be wrapped later."""

    def __init__(self, screen: QWidget, changed: Any, kinds: tuple[Any, ...],
                 refresh: Callable[[], None]) -> None:
        super().__init__(screen)
        self._screen, self._kinds, self._refresh = screen, kinds, refresh
        self.stale = True
        screen.installEventFilter(self)
        changed.connect(self._on_changes)

    def refresh(self) -> None:
        self.stale = False
        self._refresh()

    def _on_changes(self, changes: Any) -> None:
        if not changes.touches(*self._kinds):
            return
        if self._screen.isVisible():
            self.refresh()
        else:
            self.stale = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if watched is self._screen and event.type() == QEvent.Type.Show and self.stale:
            self.refresh()
        return False
