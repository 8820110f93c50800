"""Cancelling a round between batches keeps what was acknowledged and loses nothing: the round
is recorded as cancelled and the next one sends the rest."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import insert

from desktop.models import OutboxEntry, utcnow, uuid7
from desktop.services.sync import sync_now, sync_status
from desktop.sync.round import SyncCancelled

from ..support.hq_server import HqServer
from .kit import all_outbox_ids, hq_received, join


def test_cancel_between_batches_keeps_the_first_and_sends_the_rest_later(tmp_path: Path,
                                                                         hq_server: HqServer):
    branch = join(tmp_path, hq_server, "1081")
    try:
        rows = [{"id": uuid7(), "at": utcnow(), "entity": "authority", "entity_id": str(uuid.uuid4()),
                 "op": "authority.add", "payload": json.dumps(
                     {"code": f"C{i:05d}", "name": f"مرجع {i}", "group": "fund", "branch": "1081"})}
                for i in range(1500)]
        with branch.store.engine.begin() as conn:
            conn.execute(insert(OutboxEntry), rows)
        pushed: list[int] = []
        with pytest.raises(SyncCancelled):
            sync_now(branch.store, None, cancel=lambda: bool(pushed),
                     progress=lambda stage, n: pushed.append(n))
        status = sync_status(branch.store, None)
        assert pushed == [1000] and status.pending == 500
        assert status.rounds[0].outcome == "cancelled" and status.rounds[0].pushed == 1000
        assert len(hq_received(hq_server.dsn, "1081")) == 1000
        assert sync_now(branch.store, None).pushed == 500
        assert set(hq_received(hq_server.dsn, "1081")) == all_outbox_ids(branch.store)
    finally:
        branch.close()
