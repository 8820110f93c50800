"""The push side of the outbox on a real store, without HQ: batches are cut from the oldest
unsent rows, an open batch is rebuilt under the same key until acknowledged, the pending count
and "anything to send" follow, and a batch goes on the wire as a valid PushBatch whose person
changes carry the person's snapshot."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import func, insert, select

from desktop.models import OutboxEntry, Person, SyncQuarantine, utcnow, uuid7
from desktop.services.actor import Actor
from desktop.services.enrolment import enrol
from desktop.services.store import Store
from desktop.sync.local import read_only
from desktop.sync.outbox import (
    assign_batch,
    build_batch,
    has_unsent,
    mark_acknowledged,
    open_batch,
    pending_count,
    read_ahead,
)
from desktop.sync.wire import PushAck, Rejection

from ..factories import questionnaire


def _authority_rows(n: int) -> list[dict[str, object]]:
    return [{"id": uuid7(), "at": utcnow(), "entity": "authority", "entity_id": str(uuid.uuid4()),
             "op": "authority.add", "payload": json.dumps(
                 {"code": f"C{i:05d}", "name": f"مرجع {i}", "group": "fund", "branch": "1021"},
                 ensure_ascii=False)} for i in range(n)]


def _state(store: Store) -> tuple[int, bool, int | None]:
    with store.sessions() as s:
        return pending_count(read_only(s)), has_unsent(s), open_batch(s)


def test_batches_are_cut_in_order_rebuilt_until_acknowledged_and_counted(store: Store) -> None:
    with store.engine.begin() as conn:
        conn.execute(insert(OutboxEntry), _authority_rows(2500))
    start = _state(store)
    with store.sessions() as s, s.begin():
        first = assign_batch(s, limit=1000)
    with store.sessions() as s, s.begin():
        again = assign_batch(s, limit=1000)  # not acknowledged: the same batch, not a new one
    assert start == (2500, True, None)
    assert first is not None and again == first and _state(store) == (2500, True, first)
    with store.sessions() as s:
        seqs = s.scalars(select(OutboxEntry.seq).where(OutboxEntry.batch_seq == first)).all()
        oldest = s.scalars(select(OutboxEntry.seq).order_by(OutboxEntry.seq).limit(1000)).all()
    assert sorted(seqs) == list(oldest)

    with store.sessions() as s:
        sent = build_batch(s, "1021", first)
    batch = sent.model()
    assert sent.size == len(batch.changes) == 1000 and batch.batch_seq == first
    rejected = batch.changes[7]
    ack = PushAck(status="applied", batch_seq=first, applied=999, duplicates=0, rejected=[
        Rejection(change_id=rejected.id, reason_fa="نادرست", reason_en="wrong")])
    with store.sessions() as s, s.begin():
        marked = mark_acknowledged(s, first, ack)
    assert (marked.acknowledged, marked.quarantined) == (1000, 1)
    assert _state(store) == (1500, True, None)
    with store.sessions() as s:
        quarantined = s.scalars(select(SyncQuarantine.change_id)).all()
    assert quarantined == [rejected.id]

    for _ in range(2):
        with store.sessions() as s, s.begin():
            seq = assign_batch(s, limit=1000)
        assert seq is not None
        with store.sessions() as s, s.begin():
            mark_acknowledged(s, seq, PushAck(status="applied", batch_seq=seq, applied=0,
                                              duplicates=0, rejected=[]))
    with store.sessions() as s, s.begin():
        assert assign_batch(s) is None
        left = s.scalar(select(func.count()).select_from(OutboxEntry)
                        .where(OutboxEntry.acked_at.is_(None)))
    assert _state(store) == (0, False, None) and left == 0


def test_a_person_change_goes_with_the_persons_snapshot(store: Store, admin: Actor,
                                                         registered) -> None:
    person = registered()
    enrol(store, admin, questionnaire(person["national_code"]))
    with store.sessions() as s, s.begin():
        seq = assign_batch(s)
    assert seq is not None
    with store.sessions() as s:
        batch = build_batch(s, "1021", seq).model()
        stored = s.scalars(select(Person).where(Person.national_code == person["national_code"])).one()
    with_snapshot = [c for c in batch.changes if c.snapshot is not None]
    assert with_snapshot, [c.op for c in batch.changes]
    snap = with_snapshot[0].snapshot
    assert snap is not None and snap.id == stored.id and snap.ssn == stored.ssn
    assert snap.national_code == person["national_code"] and snap.roles
    (relationship,) = snap.relationships
    assert relationship.kind == "voluntary" and relationship.insurance_number in snap.numbers.values()


def test_a_batch_read_ahead_is_the_batch_built_from_its_rows(store: Store) -> None:
    with store.engine.begin() as conn:
        conn.execute(insert(OutboxEntry), _authority_rows(30))
    with store.sessions() as s:
        ahead = read_ahead(s, limit=20)
    with store.sessions() as s:
        other = read_ahead(s, limit=10)  # not the rows the batch will take
    with store.sessions() as s, s.begin():
        seq = assign_batch(s, limit=20)
    assert ahead is not None and other is not None and seq is not None
    built = []
    for given in (None, ahead, other):
        with store.sessions() as s:
            built.append(build_batch(s, "1021", seq, given))
    fresh, reused, ignored = built
    assert reused.body == fresh.body == ignored.body and fresh.size == 20
    assert [c.seq for c in fresh.model().changes] == list(ahead.seqs)
