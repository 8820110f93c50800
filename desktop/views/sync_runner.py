"""Rounds of headquarters sync from the desktop: the periodic one in the background and the sync
screen's «همگام‌سازی اکنون», both through `Operation` (off the GUI thread) and never two at once.

Offline is normal: a failed periodic round is recorded by the round itself (the status bar and
the sync screen show it) and retried after `Backoff` — no message box, nothing blocks the counter.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from desktop.domain.errors import DomainError
from desktop.services.actor import Actor
from desktop.services.crash_log import record_unexpected
from desktop.services.store import Store
from desktop.services.sync import is_joined, sync_now
from desktop.services.sync_lock import SyncBusy
from desktop.services.sync_settings import interval_minutes
from desktop.sync.round import Backoff, Progress, SyncCancelled, SyncReport

from .operations import Job, Operation, OperationCancelled

FIRST_ROUND_MS = 3_000  # soon after sign-in, once the first screen has painted

def run_round(store: Store, actor: Actor | None, job: Job, progress: Progress | None = None) -> SyncReport:
    """One round on a worker thread; SyncBusy when another is running on the store — in this
    process or any other (services.sync_lock) — OperationCancelled when the job was cancelled
    (the round recorded itself as cancelled; nothing is lost)."""
    try:
        return sync_now(store, actor, cancel=job.cancelled, progress=progress)
    except SyncCancelled as exc:
        raise OperationCancelled from exc


class PeriodicSync(QObject):
    """Owned by the main window: a round every `sync_interval_minutes` (default 5), sooner again
    after a failure as `Backoff` says. `stop` (window closed) cancels a running round between
    batches and starts no other."""

    roundFinished = Signal(object)  # SyncReport, or the exception the round ended with

    def __init__(self, owner: QWidget, store: Store) -> None:
        super().__init__(owner)
        self.owner, self.store = owner, store
        self.backoff = Backoff(interval_minutes(store) * 60)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.run_now)
        self.operation: Operation[SyncReport] | None = None
        self.stopped = False

    def start(self, first_ms: int = FIRST_ROUND_MS) -> None:
        self.stopped = False
        self.timer.start(first_ms)

    def stop(self) -> None:
        self.stopped = True
        self.timer.stop()
        if self.operation is not None:
            self.operation.cancel()

    def running(self) -> bool:
        return self.operation is not None

    def run_now(self) -> None:
        if self.stopped or self.operation is not None:
            return
        if not is_joined(self.store):
            self._schedule()  # joining may come later (`sync --hq` from a terminal)
            return
        store = self.store
        self.operation = Operation(self.owner, lambda job: run_round(store, None, job)).quietly() \
            .on_success(self._succeeded).on_failure(self._failed) \
            .on_cancelled(lambda: self._ended(None)).on_finished(self._schedule)
        self.operation.run()

    def _succeeded(self, report: SyncReport) -> None:
        self.backoff.succeeded()
        self._ended(report)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, SyncBusy):  # the screen's round is running: not a failure
            self._ended(None)
            return
        if not isinstance(exc, DomainError):
            record_unexpected(exc)  # a bug, logged; the clerk is not interrupted
        self.backoff.failed()
        self._ended(exc)

    def _ended(self, outcome: object) -> None:
        self.operation = None
        if outcome is not None:
            self.roundFinished.emit(outcome)

    def _schedule(self) -> None:
        self.operation = None
        # The interval as set in this process now (`set_sync_interval` reloads the settings).
        self.backoff.interval = interval_minutes(self.store) * 60
        if not self.stopped:
            self.timer.start(int(self.backoff.next_delay() * 1000))

    def interval_ms(self) -> int:
        return int(self.backoff.interval * 1000)


