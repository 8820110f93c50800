"""Push side of the outbox (docs/sync.md "Push"): build or rebuild a batch, mark it acknowledged.

A batch key is (branch, install_epoch, batch_seq). Assigning rows to a batch is one short write
transaction; reading them back with their person snapshots is a reader's transaction, so the
counter never waits for a push. Until HQ acknowledges, the same rows go out again under the same
key, and HQ answers `already_applied` if it had them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import and_, func, select, text, update
from sqlalchemy.orm import Session

from desktop.models import (
    AuditEntry,
    InquiryRecord,
    LedgerEntry,
    NumberBlock,
    OutboxEntry,
    Relationship,
    SyncQuarantine,
    utcnow,
)

from . import wire
from .local import read_only, setting, sync_state
from .snapshot import as_hex, dashed, persons_of_rows
from .snapshot_text import snapshot_texts


@dataclass(frozen=True)
class MarkedBatch:
    acknowledged: int  # outbox rows marked sent (applied, duplicates and rejected alike)
    quarantined: int


# Every question about unsent rows names `acked_at IS NULL`: on ix_outbox_acked_at (revision
# 0008) that is the queue alone, never the month of sent rows the outbox keeps.
_UNSENT = OutboxEntry.acked_at.is_(None)


def open_batch(session: Session) -> int | None:
    """The newest batch built and not yet acknowledged, if any (assign_batch rebuilds it)."""
    batches = open_batches(session)
    return batches[-1] if batches else None


def open_batches(session: Session) -> list[int]:
    """The batches built and not yet acknowledged, oldest first: normally the newest one or two
    (wire.MAX_IN_FLIGHT), but found wherever they are — one round at a time holds per store
    (services.sync_lock), and this does not rely on it. The distinct batch numbers of the unsent
    rows: a range of ix_outbox_acked_at, the queue alone (and nothing at all in an idle round)."""
    return [int(seq) for seq in session.scalars(text(_OPEN_BATCHES))]


# INDEXED BY: with statistics (ANALYZE) SQLite preferred the batch_seq index's non-NULL range —
# every batch ever sent — to the queue.
_OPEN_BATCHES = """SELECT DISTINCT batch_seq FROM outbox INDEXED BY ix_outbox_acked_at
WHERE acked_at IS NULL AND batch_seq IS NOT NULL ORDER BY batch_seq"""


def has_unsent(session: Session) -> bool:
    """Anything to push: an open batch or rows in no batch yet — exactly the rows not
    acknowledged (a row is marked only with its whole batch). One probe of ix_outbox_acked_at."""
    return session.scalar(select(OutboxEntry.seq).where(_UNSENT).limit(1)) is not None


def has_unassigned(session: Session) -> bool:
    """Rows in no batch yet: one probe of ix_outbox_batch_seq's NULL range (a row leaves it only
    for a batch, never straight to acknowledged — recovery.HELD_BY_HQ)."""
    return session.scalar(select(OutboxEntry.seq).where(OutboxEntry.batch_seq.is_(None))
                          .limit(1)) is not None


def assign_batch(session: Session, limit: int = wire.MAX_BATCH_CHANGES) -> int | None:
    """In the caller's write transaction: the open batch's seq, or a new one given to the oldest
    unsent rows; None when nothing waits."""
    open_seq = open_batch(session)
    if open_seq is not None:
        return open_seq
    return new_batch(session, limit)


def new_batch(session: Session, limit: int = wire.MAX_BATCH_CHANGES) -> int | None:
    """In the caller's write transaction: a new batch given to the oldest rows in no batch (even
    while another is open: the caller keeps at most wire.MAX_IN_FLIGHT); None when none waits."""
    # Rows in no batch are never acknowledged: an index range of the queue, not a table scan.
    oldest = (select(OutboxEntry.seq).where(_UNSENT, OutboxEntry.batch_seq.is_(None))
              .order_by(OutboxEntry.seq).limit(limit))
    state = sync_state(session)
    batch_seq = state.next_batch_seq
    given = session.execute(update(OutboxEntry).where(OutboxEntry.seq.in_(oldest.scalar_subquery()))
                            .values(batch_seq=batch_seq)
                            .execution_options(synchronize_session=False))
    if not given.rowcount:  # type: ignore[attr-defined]
        return None
    state.next_batch_seq = batch_seq + 1
    return batch_seq


_OUTBOX_COLUMNS = (OutboxEntry.id, OutboxEntry.seq, OutboxEntry.at, OutboxEntry.entity,
                   OutboxEntry.entity_id, OutboxEntry.op, OutboxEntry.payload)


@dataclass(frozen=True)
class OutgoingBatch:
    """A push batch ready to send: its key's seq, how many changes, and the wire.PushBatch JSON."""

    batch_seq: int
    size: int
    body: bytes

    def model(self) -> wire.PushBatch:
        return wire.PushBatch.model_validate_json(self.body)


@dataclass(frozen=True)
class ReadAhead:
    """The next batch's changes, encoded from the oldest rows in no batch while the current batch
    is on its way to HQ (round._push_all). build_batch takes them when the batch it builds is
    exactly those rows; a person edited meanwhile has its own newer outbox row, whose snapshot
    HQ applies after this one."""

    seqs: tuple[int, ...]
    changes: list[dict[str, Any]]


def build_batch(session: Session, branch: str, batch_seq: int,
                ahead: ReadAhead | None = None, after: int | None = None) -> OutgoingBatch:
    """The batch `batch_seq` encoded as it goes on the wire (read in a reader's transaction).

    Plain rows and dicts, encoded once by orjson; each change's payload is already JSON in the
    outbox and goes in as it is (orjson.Fragment). Every value comes typed from this store's own
    columns and HQ validates the whole batch at its boundary, so building wire models here only
    to serialise them again — the ORM and pydantic way — cost several times what HQ needs to
    apply the batch (bench/sync.py). `after`: the earlier batch still in flight, which HQ must
    apply first (wire.PushBatch.after_batch_seq)."""
    read_only(session)
    conn = session.connection()
    seqs = tuple(conn.execute(select(OutboxEntry.seq).where(OutboxEntry.batch_seq == batch_seq)
                              .order_by(OutboxEntry.seq)).scalars())
    if ahead is not None and ahead.seqs == seqs:
        changes = ahead.changes
    else:
        changes = _encode_changes(session, conn.execute(
            _CHANGE_ROWS.where(OutboxEntry.batch_seq == batch_seq).order_by(OutboxEntry.seq)).all())
    starter = conn.execute(select(NumberBlock.kind, NumberBlock.first, NumberBlock.last)
                           .where(NumberBlock.source == "starter")).all()
    document = {
        "wire_version": wire.WIRE_VERSION, "branch": branch,
        "install_epoch": setting(session, "install_epoch"), "batch_seq": batch_seq,
        "changes": changes, "chain_heads": [h.model_dump(mode="json") for h in chain_heads(session)],
        "starter_blocks": [{"kind": kind, "first": first, "last": last} for kind, first, last in starter],
    }
    if after is not None:  # only then: an older HQ refuses a field it does not know
        document["after_batch_seq"] = after
    return OutgoingBatch(batch_seq, len(changes), orjson.dumps(document))


def read_ahead(session: Session, limit: int = wire.MAX_BATCH_CHANGES) -> ReadAhead | None:
    """The changes the next assign_batch will take, encoded (in a reader's transaction)."""
    read_only(session)
    rows = session.connection().execute(
        _CHANGE_ROWS.where(_UNSENT, OutboxEntry.batch_seq.is_(None)).order_by(OutboxEntry.seq).limit(limit)).all()
    if not rows:
        return None
    return ReadAhead(tuple(row.seq for row in rows), _encode_changes(session, rows))


# With each relationship change's person, joined in the same read where the change names the
# relationship by its stored id (lowercase hex digits, dashed or not — as every change does): a
# second query per batch cost more than the join. persons_of_rows finds ids spelt otherwise.
_LINKED = Relationship.__table__.alias("linked")
_CHANGE_ROWS = (select(as_hex(OutboxEntry.id), *_OUTBOX_COLUMNS[1:], as_hex(_LINKED.c.person_id))
                .outerjoin(_LINKED, and_(OutboxEntry.entity == "relationship",
                                         as_hex(_LINKED.c.id) == func.replace(OutboxEntry.entity_id, "-", ""))))


def _encode_changes(session: Session, rows: Sequence[Any]) -> list[dict[str, Any]]:
    # Set-wise: one query per table for the whole batch, each person read once. The rows are
    # unpacked, not read by name: a Row's attribute lookups cost a tenth of building a batch.
    persons = persons_of_rows(session, ((entity, entity_id, linked)
                                        for _, _, _, entity, entity_id, _, _, linked in rows))
    snapshots = snapshot_texts(session, persons.values())
    return [{"id": dashed(change_id), "seq": seq, "at": at, "entity": entity, "entity_id": entity_id,
             "op": op, "payload": orjson.Fragment(payload),
             "snapshot": snapshots.get(persons.get((entity, entity_id), ""))}  # "": no person
            for change_id, seq, at, entity, entity_id, op, payload, _ in rows]


def read_batch(session: Session, branch: str, batch_seq: int) -> wire.PushBatch:
    """The batch `batch_seq` as a validated wire model (what build_batch sends)."""
    return build_batch(session, branch, batch_seq).model()


def chain_heads(session: Session) -> list[wire.ChainHead]:
    heads = []
    for name, table in ((wire.ChainName.INQUIRY_RECORD, InquiryRecord),
                        (wire.ChainName.CORRECTION_LEDGER, LedgerEntry),
                        (wire.ChainName.AUDIT_LOG, AuditEntry)):
        row = session.execute(select(table.seq, table.hash).order_by(table.seq.desc()).limit(1)).first()
        heads.append(wire.ChainHead(chain=name, seq=int(row[0]) if row else 0, hash=str(row[1]) if row else ""))
    return heads


def mark_acknowledged(session: Session, batch_seq: int, ack: wire.PushAck) -> MarkedBatch:
    """In the caller's write transaction: every row of the batch is marked sent (one UPDATE); the
    ones HQ rejected are copied to the quarantine list with HQ's reason."""
    now = utcnow()
    quarantined = _quarantine(session, batch_seq, ack.rejected, now)
    marked = session.execute(update(OutboxEntry)
                             .where(OutboxEntry.batch_seq == batch_seq,
                                    OutboxEntry.acked_at.is_(None))
                             .values(acked_at=now).execution_options(synchronize_session=False))
    return MarkedBatch(int(marked.rowcount), quarantined)  # type: ignore[attr-defined]


def _quarantine(session: Session, batch_seq: int, rejections: list[wire.Rejection],
                now: dt.datetime) -> int:
    rejected = {r.change_id: r for r in rejections}
    if not rejected:
        return 0
    known = set(session.scalars(select(SyncQuarantine.change_id)
                                .where(SyncQuarantine.change_id.in_(list(rejected)))))
    rows = session.execute(select(*_OUTBOX_COLUMNS).where(
        OutboxEntry.batch_seq == batch_seq, OutboxEntry.acked_at.is_(None),
        OutboxEntry.id.in_([i for i in rejected if i not in known]))).all()
    for row in rows:
        reason = rejected[row.id]
        session.add(SyncQuarantine(change_id=row.id, outbox_seq=row.seq, entity=row.entity,
                                   entity_id=row.entity_id, op=row.op, reason_fa=reason.reason_fa,
                                   reason_en=reason.reason_en, at=now))
    return len(rows)


def pending_count(session: Session) -> int:
    """Rows not yet acknowledged: a count of the NULL range of ix_outbox_acked_at (without it,
    counting `acked_at IS NULL` read the whole outbox, a month of sent rows, every round)."""
    return session.scalar(select(func.count()).select_from(OutboxEntry).where(_UNSENT)) or 0


def quarantined_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(SyncQuarantine)) or 0
