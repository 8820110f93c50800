"""Who has a store open: the application marks its store "in use" for as long as it runs, and a
restore refuses to replace a store that is in use (and the application refuses to open one that
is being restored), because replacing the file under a running application would leave it writing
into a store that is no longer there.

The mark is an advisory `flock` on the store file itself: shared for each running application,
exclusive for a restore. SQLite locks with fcntl byte ranges, which on Linux are independent of
flock, so the mark never blocks SQLite; no side file is made, so a refused restore leaves the
folder exactly as it was; the kernel drops the mark when the process ends, however it ends, so a
crash never leaves a store locked. (flock is POSIX; where it is missing the mark is skipped.)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from desktop.domain.errors import Conflict

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

_HELD: dict[Path, int] = {}  # the application's marks, one per store, for the life of the process


def _lock(store: Path, mode: int) -> int | None:
    if fcntl is None:
        return None
    fd = os.open(store, os.O_RDONLY)
    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise
    return fd


def mark_in_use(store: Path) -> None:
    """Called when the application opens `store`; refused while a restore replaces it."""
    store = store.absolute()
    if store in _HELD or fcntl is None:
        return
    try:
        fd = _lock(store, fcntl.LOCK_SH)
    except BlockingIOError:
        raise Conflict("این پایگاه داده در حال بازگردانی از پشتیبان است؛ پس از پایان آن دوباره باز کنید.",
                       f"the store {store} is being restored from a backup; open it when that has "
                       "finished") from None
    if fd is not None:
        _HELD[store] = fd


@contextmanager
def not_in_use(store: Path) -> Iterator[None]:
    """Holds `store` for a restore; refused while an application has it open."""
    store = store.absolute()
    if fcntl is None or not store.is_file():
        yield
        return
    try:
        fd = _lock(store, fcntl.LOCK_EX)
    except BlockingIOError:
        raise Conflict("این پایگاه داده در برنامه باز است؛ پیش از بازگردانی، برنامهٔ میز شعبه را "
                       "در همهٔ پنجره‌ها ببندید.",
                       f"the store {store} is open in the application; close it before restoring",
                       field="db") from None
    try:
        yield
    finally:
        if fd is not None:
            os.close(fd)
