"""Test hook for the sync fault tests: kill this process at a named boundary of a round.

Only the fault tests set `BRANCH_DESK_SYNC_KILL` (and `BRANCH_DESK_SYNC_KILL_AT`: the n-th time
the boundary is reached, so a kill can land while an earlier batch is still in flight, and
`BRANCH_DESK_SYNC_BATCH`: changes per push batch, so a few changes make many batches); in normal
use every checkpoint is one dictionary lookup. The kill is SIGKILL — no handler, no `finally`, no SQLite rollback hook runs —
which is exactly the crash the sync protocol must survive (docs/sync.md).

Boundaries:
- `after_build`: a batch was built and committed (rows carry their batch_seq), nothing sent;
- `after_send`: the request body went out, HQ's answer has not arrived;
- `after_hq_commit`: HQ's answer arrived (HQ committed) and has not been read;
- `after_ack_before_mark`: the acknowledgement was read, the rows are not yet marked;
- `mid_pull`: a page of changes was received and not yet applied.
"""

from __future__ import annotations

import os
import signal
import threading
from collections import Counter

from .wire import MAX_BATCH_CHANGES

KILL_ENV = "BRANCH_DESK_SYNC_KILL"
KILL_AT_ENV = "BRANCH_DESK_SYNC_KILL_AT"
BATCH_ENV = "BRANCH_DESK_SYNC_BATCH"
BOUNDARIES = ("after_build", "after_send", "after_hq_commit", "after_ack_before_mark", "mid_pull")


_reached: Counter[str] = Counter()
_lock = threading.Lock()  # two batches in flight reach "after_send" from two threads


def checkpoint(name: str) -> None:
    if os.environ.get(KILL_ENV) == name:
        with _lock:
            _reached[name] += 1
            if _reached[name] >= _whole_setting(KILL_AT_ENV, 1):
                os.kill(os.getpid(), signal.SIGKILL)


def batch_limit() -> int:
    """Changes per push batch: wire.MAX_BATCH_CHANGES, or fewer for the fault tests."""
    return min(_whole_setting(BATCH_ENV, MAX_BATCH_CHANGES), MAX_BATCH_CHANGES)


def _whole_setting(name: str, default: int) -> int:
    """A positive whole number from the environment; `default` for anything else."""
    raw = os.environ.get(name) or ""
    return int(raw) if raw.isascii() and raw.isdigit() and int(raw) > 0 else default
