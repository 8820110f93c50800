"""The operations helper: work runs off the GUI thread, which keeps turning; results, refusals,
unexpected failures and cancellation come back on it; changes reach other screens by signal."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import QThread, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget

from desktop.domain.errors import InvalidValue
from desktop.services.changes import ChangeKind
from desktop.services.users import create_user
from desktop.views.context import ViewContext
from desktop.views.operations import Operation, OperationCancelled, run_op

from .helpers import wait_for_operations


def test_a_long_operation_keeps_the_event_loop_turning(qtbot):
    owner = QWidget()
    qtbot.addWidget(owner)
    ticks: list[float] = []
    timer = QTimer(interval=10, timeout=lambda: ticks.append(time.monotonic()))
    timer.start()
    threads: list[object] = []
    results: list[int] = []

    def slow(_job) -> int:
        threads.append(QThread.currentThread())
        time.sleep(1.0)
        return 42

    run_op(owner, slow, results.append)
    wait_for_operations(qtbot)
    timer.stop()
    assert results == [42]
    assert threads and threads[0] is not QApplication.instance().thread()
    # A frozen GUI would have ticked once or twice after the work; a free one ~100 times.
    assert len(ticks) > 40


def test_progress_and_cancel(qtbot):
    owner = QWidget()
    qtbot.addWidget(owner)
    started = threading.Event()
    outcome: list[str] = []

    def long(job) -> str:
        for i in range(500):
            job.progress(i, 500, "کار طولانی")
            started.set()
            job.raise_if_cancelled()
            time.sleep(0.01)
        return "finished"

    op = (Operation(owner, long, title="کار طولانی").with_progress(cancellable=True)
          .on_success(outcome.append).on_cancelled(lambda: outcome.append("cancelled")).run())
    qtbot.waitUntil(started.is_set)
    qtbot.waitUntil(lambda: op.dialog is not None and op.dialog.isVisible())  # after 300 ms
    assert op.dialog.bar.maximum() == 500 and "از ۵۰۰" in op.dialog.label.text()
    button = op.dialog.findChild(QPushButton)
    assert button.text() == "انصراف"
    button.click()  # the user presses «انصراف»
    wait_for_operations(qtbot)
    assert outcome == ["cancelled"]


def _message_boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]


def test_a_refusal_is_shown_in_persian(qtbot):
    owner = QWidget()
    qtbot.addWidget(owner)

    def refuse(_job):
        raise InvalidValue("کد ملی نادرست است.", "invalid national code")

    run_op(owner, refuse)
    wait_for_operations(qtbot)
    boxes = _message_boxes()
    assert [b.text() for b in boxes] == ["کد ملی نادرست است."]
    for b in boxes:
        b.close()


def test_an_unexpected_failure_is_logged_not_shown(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("BRANCH_DESK_LOG_DIR", str(tmp_path))
    owner = QWidget()
    qtbot.addWidget(owner)

    def crash(_job):
        raise KeyError("internal detail")

    run_op(owner, crash)
    wait_for_operations(qtbot)
    boxes = _message_boxes()
    assert len(boxes) == 1
    text = boxes[0].text()
    assert "خطای پیش‌بینی‌نشده" in text and "Traceback" not in text and "KeyError" not in text
    assert "KeyError: 'internal detail'" in next(tmp_path.glob("errors-*.log")).read_text()
    boxes[0].close()


def test_a_closed_owner_gets_no_callback(qtbot):
    owner = QWidget()
    seen: list[object] = []
    gate = threading.Event()
    run_op(owner, lambda _job: gate.wait(5), seen.append)
    owner.deleteLater()
    qtbot.wait(20)
    gate.set()
    wait_for_operations(qtbot)
    assert seen == []


def test_cancelled_raised_inside_counts_as_cancel(qtbot):
    owner = QWidget()
    qtbot.addWidget(owner)
    outcome: list[str] = []

    def stop(_job):
        raise OperationCancelled

    Operation(owner, stop).on_cancelled(lambda: outcome.append("cancelled")).run()
    wait_for_operations(qtbot)
    assert outcome == ["cancelled"]


def test_a_committed_change_is_announced_on_the_gui_thread(qtbot, store, admin):
    ctx = ViewContext(store, admin)
    seen: list[tuple[object, object]] = []
    ctx.changes.changed.connect(lambda c: seen.append((c, QThread.currentThread())))
    run_op(None, lambda _job: create_user(store, admin, "clerk9", "کاربر", "clerk", "password123"))
    wait_for_operations(qtbot)
    qtbot.waitUntil(lambda: bool(seen))
    changes, thread = seen[0]
    assert changes.touches(ChangeKind.USERS) and thread is QApplication.instance().thread()


def test_a_refused_change_announces_nothing(qtbot, store, admin):
    ctx = ViewContext(store, admin)
    seen: list[object] = []
    ctx.changes.changed.connect(seen.append)
    run_op(None, lambda _job: create_user(store, admin, "x", "کاربر", "clerk", "short"))
    wait_for_operations(qtbot)
    qtbot.wait(50)
    assert seen == []
    for b in _message_boxes():
        b.close()


@pytest.mark.qt_no_exception_capture  # pytest-qt would take the exception before our hook does
def test_an_exception_in_a_slot_is_logged_and_the_app_goes_on(qtbot, tmp_path, monkeypatch):
    import sys

    from PySide6.QtWidgets import QPushButton as Button

    from desktop.views.messages import install_exception_hook

    monkeypatch.setenv("BRANCH_DESK_LOG_DIR", str(tmp_path))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    install_exception_hook()
    button = Button("x")
    qtbot.addWidget(button)
    button.clicked.connect(lambda: {}["missing"])
    button.click()
    boxes = _message_boxes()
    assert len(boxes) == 1 and "خطای پیش‌بینی‌نشده" in boxes[0].text()
    assert "KeyError: 'missing'" in next(tmp_path.glob("errors-*.log")).read_text()
    boxes[0].close()
    button.click()  # the application is still alive: a second click is handled the same way
    assert len(_message_boxes()) == 1
    for b in _message_boxes():
        b.close()


def test_the_worker_lets_go_before_the_gui_thread_does(qtbot):
    """The last reference to an operation (and the widgets its closures hold) dies on the GUI
    thread: the worker releases its own first and says so."""
    import weakref

    owner = QWidget()
    qtbot.addWidget(owner)
    op = run_op(owner, lambda _job: 1)
    ref = weakref.ref(op)
    del op
    wait_for_operations(qtbot)
    qtbot.waitUntil(lambda: ref() is None, timeout=2000)  # freed by reference counting, gc is off


def test_the_collector_runs_only_on_the_gui_thread(qtbot):
    import gc

    from desktop.views.gui_gc import GuiThreadCollector

    collector = GuiThreadCollector()
    try:
        assert not gc.isenabled()
        threads: list[object] = []
        gc.callbacks.append(lambda phase, _info: threads.append(QThread.currentThread()))
        try:
            junk = []
            for _ in range(5000):
                a: list[object] = []
                a.append(a)  # cycles, only a collector frees them
                junk.append(a)
            del junk, a
            collector.check()
        finally:
            gc.callbacks.pop()
        assert threads and all(t is QApplication.instance().thread() for t in threads)
    finally:
        collector.stop()
    assert gc.isenabled()


def test_a_failing_listener_neither_fails_the_commit_nor_silences_the_others(qtbot, store, admin,
                                                                             tmp_path, monkeypatch):
    monkeypatch.setenv("BRANCH_DESK_LOG_DIR", str(tmp_path))
    heard: list[object] = []

    def broken(_changes: object) -> None:
        raise RuntimeError("listener bug")

    store.changes.subscribe(broken)
    store.changes.subscribe(heard.append)
    create_user(store, admin, "clerk8", "کاربر", "clerk", "password123")  # no exception here
    assert heard and "listener bug" in next(tmp_path.glob("errors-*.log")).read_text()


def test_textual_and_bulk_writes_announce_everything_for_everyone(store):
    from sqlalchemy import text, update

    from desktop.models import AppUser

    heard: list = []
    store.changes.subscribe(heard.append)
    with store.sessions() as s, s.begin():
        s.execute(text("UPDATE store_setting SET value = value WHERE key = 'branch_code'"))
    with store.sessions() as s, s.begin():
        s.execute(update(AppUser).values(full_name=AppUser.full_name))
    everything, bulk = heard
    assert everything.kinds == frozenset(ChangeKind) and not everything.person_ids
    assert bulk.touches(ChangeKind.USERS) and not bulk.person_ids
