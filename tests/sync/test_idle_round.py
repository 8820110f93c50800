"""An idle round does not grow with the outbox's history (issue 10): with 100,000 sent rows, no
statement of a round, of the status bar's pending count or of `sync status` walks the outbox —
checked by SQLite's own EXPLAIN QUERY PLAN of every statement they run — and revision 0008
(the outbox indexed by acknowledgement time) upgrades an old store with its pending rows in it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert, text

from desktop.db.engine import make_engine
from desktop.db.migrate import current_revision, head_revision
from desktop.models import OutboxEntry, utcnow
from desktop.models.base import uuid7
from desktop.services.status import pending_outbox
from desktop.services.store import Store, open_store
from desktop.services.sync import sync_now, sync_status

from ..db.test_migrations import _store_at
from ..support.hq_server import HqServer
from .kit import enrol_new, join

SENT = 100_000


def _sent_history(store: Store, rows: int) -> None:
    """`rows` outbox rows HQ acknowledged, 1,000 a batch, as a month of pushes leaves them."""
    now = utcnow()
    with store.engine.begin() as conn:
        first = conn.execute(text("SELECT COALESCE(MAX(batch_seq), 0) FROM outbox")).scalar_one()
        conn.execute(insert(OutboxEntry.__table__), [
            {"id": uuid7(), "at": now, "entity": "person", "entity_id": str(i), "op": "person.enrol",
             "payload": "{}", "batch_seq": first + i // 1000 + 1, "acked_at": now}
            for i in range(rows)])
        conn.execute(text("UPDATE sync_state SET next_batch_seq = :n"),
                     {"n": first + rows // 1000 + 2})


@contextmanager
def _plans(store: Store) -> Iterator[list[tuple[str, list[str]]]]:
    """(statement, its query plan) for every statement on the store that reads the outbox."""
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "outbox" in statement and not statement.lstrip().upper().startswith("EXPLAIN"):
            seen.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", record)
    plans: list[tuple[str, list[str]]] = []
    try:
        yield plans
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    with store.engine.connect() as conn:
        for statement, parameters in seen:
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            plans.append((statement, [row[-1] for row in rows]))


def _walks_the_outbox(plan: list[str]) -> bool:
    """A step reading every outbox row (SCAN, with or without an index); SEARCH is a range."""
    return any(step.startswith("SCAN outbox") for step in plan)


def test_an_idle_round_reads_only_the_queue_at_100000_sent_rows(tmp_path: Path, hq_server: HqServer):
    branch = join(tmp_path, hq_server, "1091")
    try:
        enrol_new(branch)
        sync_now(branch.store, None)
        _sent_history(branch.store, SENT)
        enrol_new(branch)  # one waiting change: the queue the round must find
        with _plans(branch.store) as busy:
            report = sync_now(branch.store, None)
        assert report.pushed >= 1 and report.pending == 0
        with _plans(branch.store) as idle:
            report = sync_now(branch.store, None)
            status = sync_status(branch.store, None)
            pending = pending_outbox(branch.store)
        assert (report.pushed, report.pulled, status.pending, pending) == (0, 0, 0, 0)
        assert idle and busy
        walking = [(sql, plan) for sql, plan in busy + idle
                   if _walks_the_outbox(plan) and not sql.lstrip().upper().startswith("INSERT")]
        assert walking == []
        assert any("ix_outbox_acked_at" in " ".join(plan) for _, plan in idle)
    finally:
        branch.close()


def test_revision_0008_upgrades_a_0007_store_keeping_its_queue(tmp_path: Path):
    path = tmp_path / "s.sqlite"
    _store_at(path, "0007", "شیرین", "کاظمی")
    assert current_revision(make_engine(path)) == "0007"
    store = open_store(path)
    try:
        assert current_revision(store.engine) == head_revision()
        with store.engine.connect() as conn:
            index = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'ix_outbox_acked_at'"))
            assert "acked_at" in index.scalar_one()
            queued = conn.execute(text("SELECT COUNT(*) FROM outbox")).scalar_one()
        assert queued >= 1 and pending_outbox(store) == queued  # nothing sent yet: all pending
    finally:
        store.close()
