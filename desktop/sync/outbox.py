"""Push side of the outbox (docs/sync.md "Push"): build or rebuild a batch, mark it acknowledged.

A batch key is (branch, install_epoch, batch_seq). Assigning rows to a batch is one short write
transaction; reading them back with their person snapshots is a reader's transaction, so the
counter never waits for a push. Until HQ acknowledges, the same rows go out again under the same
key, and HQ answers `already_applied` if it had them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from desktop.models import (
    AuditEntry,
    InquiryRecord,
    LedgerEntry,
    NumberBlock,
    OutboxEntry,
    SyncQuarantine,
    utcnow,
)

from . import wire
from .local import read_only, setting, sync_state
from .snapshot import person_snapshots, persons_of_changes


@dataclass(frozen=True)
class MarkedBatch:
    acknowledged: int  # outbox rows marked sent (applied, duplicates and rejected alike)
    quarantined: int


def assign_batch(session: Session, limit: int = wire.MAX_BATCH_CHANGES) -> int | None:
    """In the caller's write transaction: the open batch's seq, or a new one given to the oldest
    unsent rows; None when nothing waits."""
    open_seq = session.scalar(select(func.min(OutboxEntry.batch_seq))
                              .where(OutboxEntry.batch_seq.is_not(None), OutboxEntry.acked_at.is_(None)))
    if open_seq is not None:
        return int(open_seq)
    seqs = list(session.scalars(select(OutboxEntry.seq).where(OutboxEntry.batch_seq.is_(None),
                                                               OutboxEntry.acked_at.is_(None))
                                .order_by(OutboxEntry.seq).limit(limit)))
    if not seqs:
        return None
    state = sync_state(session)
    batch_seq = state.next_batch_seq
    state.next_batch_seq = batch_seq + 1
    session.execute(update(OutboxEntry).where(OutboxEntry.seq.in_(seqs)).values(batch_seq=batch_seq))
    return batch_seq


def read_batch(session: Session, branch: str, batch_seq: int) -> wire.PushBatch:
    """The batch `batch_seq` as it goes on the wire (read in a reader's transaction)."""
    read_only(session)
    rows = session.scalars(select(OutboxEntry).where(OutboxEntry.batch_seq == batch_seq)
                           .order_by(OutboxEntry.seq)).all()
    # Set-wise: one query per table for the whole batch, each person read once.
    persons = persons_of_changes(session, ((row.entity, row.entity_id) for row in rows))
    snapshots = person_snapshots(session, persons.values())
    changes = []
    for row in rows:
        person_id = persons.get((row.entity, row.entity_id))
        changes.append(_change(row, None if person_id is None else snapshots.get(person_id)))
    return wire.PushBatch(
        wire_version=wire.WIRE_VERSION, branch=branch, install_epoch=setting(session, "install_epoch"),
        batch_seq=batch_seq, changes=changes, chain_heads=chain_heads(session),
        starter_blocks=[wire.NumberBlockRef(kind=b.kind, first=b.first, last=b.last)  # type: ignore[arg-type]
                        for b in session.scalars(select(NumberBlock).where(NumberBlock.source == "starter"))],
    )


def _change(row: OutboxEntry, snapshot: wire.PersonSnapshot | None) -> wire.OutgoingChange:
    return wire.OutgoingChange(id=row.id, seq=row.seq, at=row.at, entity=row.entity,
                               entity_id=row.entity_id, op=row.op, payload=json.loads(row.payload),
                               snapshot=snapshot)


def chain_heads(session: Session) -> list[wire.ChainHead]:
    heads = []
    for name, table in ((wire.ChainName.INQUIRY_RECORD, InquiryRecord),
                        (wire.ChainName.CORRECTION_LEDGER, LedgerEntry),
                        (wire.ChainName.AUDIT_LOG, AuditEntry)):
        row = session.execute(select(table.seq, table.hash).order_by(table.seq.desc()).limit(1)).first()
        heads.append(wire.ChainHead(chain=name, seq=int(row[0]) if row else 0, hash=str(row[1]) if row else ""))
    return heads


def mark_acknowledged(session: Session, batch: wire.PushBatch, ack: wire.PushAck) -> MarkedBatch:
    """In the caller's write transaction: every row of the batch is marked sent; the ones HQ
    rejected are copied to the quarantine list with HQ's reason."""
    rejected = {r.change_id: r for r in ack.rejected}
    rows = session.scalars(select(OutboxEntry).where(OutboxEntry.batch_seq == batch.batch_seq,
                                                     OutboxEntry.acked_at.is_(None))).all()
    now = utcnow()
    quarantined = 0
    known = set(session.scalars(select(SyncQuarantine.change_id)
                                .where(SyncQuarantine.change_id.in_(list(rejected)))))
    for row in rows:
        reason = rejected.get(row.id)
        if reason is not None and row.id not in known:
            session.add(SyncQuarantine(change_id=row.id, outbox_seq=row.seq, entity=row.entity,
                                       entity_id=row.entity_id, op=row.op, reason_fa=reason.reason_fa,
                                       reason_en=reason.reason_en, at=now))
            quarantined += 1
        row.acked_at = now
    return MarkedBatch(len(rows), quarantined)


def pending_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(OutboxEntry)
                          .where(OutboxEntry.acked_at.is_(None))) or 0


def quarantined_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(SyncQuarantine)) or 0
