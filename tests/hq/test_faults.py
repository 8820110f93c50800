"""HQ killed (SIGKILL) in the middle of applying a batch, then restarted: the batch applies once."""

from __future__ import annotations

import threading
import time

import httpx
import psycopg

from desktop.sync.wire import ErrorBody, PushAck
from tests.support.hq_server import HqServer, add_branch
from tests.support.hq_wire import batch, body, enrol, snapshot
from tests.support.postgres import PostgresCluster

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
    people = [snapshot("1021", n) for n in range(1, 1001)]
    doc = body(batch("1021", 1, [enrol(p) for p in people]))
    server = HqServer(hq_dsn)
    server.start()
    # Hold the advisory lock the push takes for one of its national codes: the push then stops
    # inside its transaction, after writing the batch key — in the middle of the batch, for sure.
    holder = psycopg.connect(hq_dsn, autocommit=True)
    holder.execute("SELECT pg_advisory_lock(1, hashtext(%s))", (people[500].national_code,))
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
        wait_for(lambda: writing_transactions(hq_dsn) > 0)  # the batch key is written, uncommitted
        server.kill()
        sender.join(30)
        holder.close()
        assert outcome and isinstance(outcome[0], httpx.TransportError)
        wait_for(lambda: writing_transactions(hq_dsn) == 0)  # PostgreSQL rolled it back
        assert count(hq_dsn, "applied_batch") == 0 and count(hq_dsn, "person") == 0

        server.start()  # restarted on the same database; the branch sends the same batch again
        with server.client(token) as client:
            ack = PushAck.model_validate(client.post(PUSH, json=doc).json())
            again = PushAck.model_validate(client.post(PUSH, json=doc).json())
    finally:
        holder.close()
        server.stop()
        server.log.unlink(missing_ok=True)
    assert (ack.status, ack.applied, ack.duplicates) == ("applied", 1000, 0)
    assert again.status == "already_applied"
    assert count(hq_dsn, "person") == 1000 and count(hq_dsn, "received_change") == 1000


def test_database_gone_while_serving_answers_503_error_body(pg_cluster: PostgresCluster,
                                                            hq_template: str) -> None:
    name = pg_cluster.create_database(template=hq_template)
    dsn = pg_cluster.dsn(name)
    token = add_branch(dsn, "1021")
    server = HqServer(dsn)
    server.start()
    try:
        with server.client(token) as client:
            assert client.get("/api/v1/sync/changes").status_code == 200
            pg_cluster.drop_database(name)  # every connection of the pool is cut
            responses = [client.get("/api/v1/sync/changes") for _ in range(3)]
            health = client.get("/healthz")
    finally:
        server.stop()
        server.log.unlink(missing_ok=True)
    for response in responses:
        assert response.status_code == 503, response.text
        error = ErrorBody.model_validate(response.json())
        assert error.code == "database_unavailable" and error.fa
    assert health.status_code == 200  # the process itself stays up and recovers with the database
