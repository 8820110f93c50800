"""A round's housekeeping: cancelling between batches keeps what was acknowledged and loses
nothing (the round is recorded as cancelled and the next one sends the rest); acknowledged rows
older than a month and history beyond the newest 1,000 rounds are pruned."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import insert

from desktop.models import OutboxEntry, utcnow, uuid7
from desktop.services.sync import sync_now, sync_status
from desktop.sync.round import SyncCancelled
from desktop.sync.wire import MAX_BATCH_CHANGES

from ..support.hq_server import HqServer
from .kit import all_outbox_ids, hq_received, join


def test_cancel_between_batches_keeps_the_first_and_sends_the_rest_later(tmp_path: Path,
                                                                         hq_server: HqServer):
    branch = join(tmp_path, hq_server, "1081")
    try:
        # A batch and a half of changes HQ records and applies as nothing (an operation it does
        # not know): cheap to apply, so the test stays quick at any batch size.
        full, half = MAX_BATCH_CHANGES, MAX_BATCH_CHANGES // 2
        rows = [{"id": uuid7(), "at": utcnow(), "entity": "note", "entity_id": str(uuid.uuid4()),
                 "op": "note.add", "payload": json.dumps({"n": i})} for i in range(full + half)]
        with branch.store.engine.begin() as conn:
            conn.execute(insert(OutboxEntry), rows)
        pushed: list[int] = []
        with pytest.raises(SyncCancelled):
            sync_now(branch.store, None, cancel=lambda: bool(pushed),
                     progress=lambda stage, n: pushed.append(n))
        status = sync_status(branch.store, None)
        assert pushed == [full] and status.pending == half
        assert status.rounds[0].outcome == "cancelled" and status.rounds[0].pushed == full
        assert len(hq_received(hq_server.dsn, "1081")) == full
        assert sync_now(branch.store, None).pushed == half
        assert set(hq_received(hq_server.dsn, "1081")) == all_outbox_ids(branch.store)
    finally:
        branch.close()


def test_old_acknowledged_rows_and_old_rounds_are_pruned(tmp_path: Path, hq_server: HqServer):
    import datetime as dt

    from sqlalchemy import func, select, update

    from desktop.models import SyncRound
    from desktop.sync.round import KEEP_ROUNDS

    from .kit import enrol_new

    branch = join(tmp_path, hq_server, "1082")
    try:
        enrol_new(branch)
        sync_now(branch.store, None)
        old = utcnow() - dt.timedelta(days=40)
        with branch.store.sessions() as s, s.begin():
            s.execute(update(OutboxEntry).values(acked_at=old))
            s.add_all(SyncRound(started_at=old + dt.timedelta(seconds=i), outcome="ok", pushed=0, pulled=0,
                                quarantined=0) for i in range(KEEP_ROUNDS + 10))
        enrol_new(branch)
        sync_now(branch.store, None)
        with branch.store.sessions() as s:
            left = s.scalars(select(OutboxEntry.acked_at)).all()
            rounds = s.scalar(select(func.count()).select_from(SyncRound))
        assert len(left) == 1 and left[0] is not None and left[0] > old  # only this round's row
        assert rounds == KEEP_ROUNDS
    finally:
        branch.close()
