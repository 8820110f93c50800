"""Test hook for the sync fault tests: kill this process at a named boundary of a round.

Only the fault tests set `BRANCH_DESK_SYNC_KILL`; in normal use every checkpoint is one
dictionary lookup. The kill is SIGKILL — no handler, no `finally`, no SQLite rollback hook runs —
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

KILL_ENV = "BRANCH_DESK_SYNC_KILL"
BOUNDARIES = ("after_build", "after_send", "after_hq_commit", "after_ack_before_mark", "mid_pull")


def checkpoint(name: str) -> None:
    if os.environ.get(KILL_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
