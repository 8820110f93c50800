"""A round's housekeeping: cancelling between batches keeps what was acknowledged and loses
nothing (the round is recorded as cancelled and the next one sends the rest); acknowledged rows
older than a month and history beyond the newest 1,000 rounds are pruned."""

from __future__ import annotations

import json
import threading
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import insert

from desktop.models import OutboxEntry, utcnow, uuid7
from desktop.services.sync import sync_now, sync_status
from desktop.sync.client import HqClient
from desktop.sync.faults import BATCH_ENV
from desktop.sync.round import SyncCancelled
from desktop.sync.wire import MAX_BATCH_CHANGES, MAX_IN_FLIGHT, PushAck

from ..support.hq_server import HqServer
from .kit import all_outbox_ids, hq_received, join


def test_cancel_between_batches_keeps_what_was_on_its_way_and_sends_the_rest_later(
        tmp_path: Path, hq_server: HqServer):
    branch = join(tmp_path, hq_server, "1081")
    try:
        # Two batches and a half of changes HQ records and applies as nothing (an operation it
        # does not know): cheap to apply, so the test stays quick at any batch size. Cancelled
        # after the first acknowledgement, the round still takes the second's (it was already
        # on its way: MAX_IN_FLIGHT) and sends no third.
        assert MAX_IN_FLIGHT == 2
        full, half = MAX_BATCH_CHANGES, MAX_BATCH_CHANGES // 2
        rows = [{"id": uuid7(), "at": utcnow(), "entity": "note", "entity_id": str(uuid.uuid4()),
                 "op": "note.add", "payload": json.dumps({"n": i})} for i in range(2 * full + half)]
        with branch.store.engine.begin() as conn:
            conn.execute(insert(OutboxEntry), rows)
        pushed: list[int] = []
        with pytest.raises(SyncCancelled):
            sync_now(branch.store, None, cancel=lambda: bool(pushed),
                     progress=lambda stage, n: pushed.append(n))
        status = sync_status(branch.store, None)
        assert pushed == [full] and status.pending == half
        assert status.rounds[0].outcome == "cancelled" and status.rounds[0].pushed == 2 * full
        assert len(hq_received(hq_server.dsn, "1081")) == 2 * full
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


def test_two_batches_go_in_flight_and_hq_applies_them_in_order(tmp_path: Path, hq_server: HqServer,
                                                              monkeypatch: pytest.MonkeyPatch):
    branch = join(tmp_path, hq_server, "1082")
    try:
        monkeypatch.setenv(BATCH_ENV, "100")  # 1,000 changes: ten batches
        rows = [{"id": uuid7(), "at": utcnow(), "entity": "note", "entity_id": str(uuid.uuid4()),
                 "op": "note.add", "payload": json.dumps({"n": i})} for i in range(1000)]
        with branch.store.engine.begin() as conn:
            conn.execute(insert(OutboxEntry), rows)
        sending = 0
        most = 0
        lock = threading.Lock()
        original = HqClient.push_body

        def counted(self: HqClient, body: bytes) -> PushAck:
            nonlocal sending, most
            with lock:
                sending += 1
                most = max(most, sending)
            try:
                return original(self, body)
            finally:
                with lock:
                    sending -= 1

        monkeypatch.setattr(HqClient, "push_body", counted)
        assert sync_now(branch.store, None).pushed == 1000
        assert most == MAX_IN_FLIGHT
        with psycopg.connect(hq_server.dsn) as conn:  # a transaction id is taken at its first
            order = [r[0] for r in conn.execute(  # write: the key, after the branch's lock
                "SELECT batch_seq FROM applied_batch WHERE branch = '1082'"
                " ORDER BY xmin::text::bigint")]
        assert order == list(range(1, 11))
        assert set(hq_received(hq_server.dsn, "1082")) == all_outbox_ids(branch.store)
    finally:
        branch.close()
