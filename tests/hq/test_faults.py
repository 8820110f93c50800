"""HQ killed (SIGKILL) in the middle of applying a batch, then restarted: the batch applies once."""

from __future__ import annotations

import threading
import time

import httpx
import psycopg

from desktop.sync.wire import PushAck
from tests.support.hq_server import HqServer, add_branch
from tests.support.hq_wire import batch, body, enrol, snapshot

PUSH = "/api/v1/sync/push"


def writing_transactions(dsn: str) -> int:
    """Backends of this database inside a transaction that has written something."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                           " AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()").fetchone()
    return int(row[0]) if row else 0


def wait_for(predicate: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def count(dsn: str, table: str) -> int:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()  # type: ignore[arg-type]
    return int(row[0]) if row else 0


def test_hq_killed_mid_batch_applies_it_once_after_restart(hq_dsn: str) -> None:
    token = add_branch(hq_dsn, "1021")
    doc = body(batch("1021", 1, [enrol(snapshot("1021", n)) for n in range(1, 1001)]))
    server = HqServer(hq_dsn)
    server.start()
    try:
        outcome: list[object] = []

        def send() -> None:
            try:
                with server.client(token) as client:
                    outcome.append(client.post(PUSH, json=doc).status_code)
            except httpx.TransportError as exc:  # the branch sees a dropped connection
                outcome.append(exc)

        sender = threading.Thread(target=send)
        sender.start()
        wait_for(lambda: writing_transactions(hq_dsn) > 0)  # the batch transaction has begun writing
        server.kill()
        sender.join(30)
        assert outcome and isinstance(outcome[0], httpx.TransportError)
        wait_for(lambda: writing_transactions(hq_dsn) == 0)  # PostgreSQL rolled it back
        assert count(hq_dsn, "applied_batch") == 0 and count(hq_dsn, "person") == 0

        server.start()  # restarted on the same database; the branch sends the same batch again
        with server.client(token) as client:
            ack = PushAck.model_validate(client.post(PUSH, json=doc).json())
            again = PushAck.model_validate(client.post(PUSH, json=doc).json())
    finally:
        server.stop()
    assert (ack.status, ack.applied, ack.duplicates) == ("applied", 1000, 0)
    assert again.status == "already_applied"
    assert count(hq_dsn, "person") == 1000 and count(hq_dsn, "received_change") == 1000
