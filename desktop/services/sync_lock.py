"""One sync round per store at a time, across processes: the application's periodic round, its
"sync now" button and `branch-desk sync` from a scheduler may all start one.

Two rounds at once on one store each cut batches while the other's were open: a batch could be
left behind that neither the newest-batches probe nor the unassigned rows found, and two batches
could name the same predecessor, so HQ might apply them out of order (found in review). An
exclusive flock on a file beside the store is held for the round; the operating system releases
it when the process dies, so a killed round never leaves the store locked. It also serves the
threads of one process (the application's periodic round and its "sync now"): each round opens
the file anew, and Linux's flock excludes two open files as it excludes two processes.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

from desktop.domain.errors import DomainError

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: one round per process only
    fcntl = None  # type: ignore[assignment]

_in_process = threading.Lock()  # where there is no flock


class SyncBusy(DomainError):
    exit_code = 3


def busy() -> SyncBusy:
    return SyncBusy("همگام‌سازی دیگری در جریان است؛ چند لحظه بعد دوباره بکوشید.",
                    "another sync round is running on this store; try again in a moment")


@contextlib.contextmanager
def one_round(store_path: Path) -> Iterator[None]:
    """Hold the store's round lock, or raise SyncBusy at once (a round is never queued behind
    another: the next periodic round comes anyway)."""
    if fcntl is None:  # pragma: no cover - not POSIX
        if not _in_process.acquire(blocking=False):
            raise busy()
        try:
            yield
        finally:
            _in_process.release()
        return
    lock_path = store_path.with_name(store_path.name + ".sync-lock")
    with open(lock_path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise busy() from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
