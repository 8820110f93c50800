"""Where an unexpected failure goes: its traceback into a log file, never onto a user's screen.

The CLI and the desktop both call `record_unexpected(exc)` and show the user a short bilingual
message naming the file. The folder is the user's log directory (`BRANCH_DESK_LOG_DIR` overrides
it, e.g. for tests and for a support technician collecting logs).
"""

from __future__ import annotations

import datetime as dt
import os
import traceback
from pathlib import Path

import platformdirs


def log_dir() -> Path:
    override = os.environ.get("BRANCH_DESK_LOG_DIR")
    return Path(override) if override else Path(platformdirs.user_log_dir("branch-desk", appauthor=False))


def record_unexpected(exc: BaseException) -> Path | None:
    """Append the traceback to today's log; returns the file, or None if even that failed."""
    path = log_dir() / f"errors-{dt.date.today():%Y-%m-%d}.log"
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as log:
            log.write(f"--- {dt.datetime.now().isoformat(timespec='seconds')} pid {os.getpid()}\n{text}\n")
    except OSError:
        return None
    return path
