"""Applying a branch's push batch (docs/sync.md "Push", step 3), all in ONE transaction.

The batch key goes in first: a key already there answers the stored acknowledgement with status
`already_applied`, and a second copy of a batch still being applied waits on the key's row lock
and then finds it. Each change is applied inside its own savepoint, so a change the rules refuse
is rolled back alone, listed in `rejected`, and never blocks the rest.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError

from desktop.sync.wire import NumberBlockRef, OutgoingChange, PushAck, PushBatch, Rejection

from .apply import RuleBroken, apply_change
from .conflicts import record_conflict
from .leases import lock_kind
from .models import applied_batch, chain_head, number_lease, received_change


@dataclass
class Tally:
    applied: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)


def push(engine: Engine, branch: str, batch: PushBatch) -> PushAck:
    with engine.begin() as conn:
        key = {"branch": branch, "install_epoch": batch.install_epoch, "batch_seq": batch.batch_seq}
        fresh = conn.execute(insert(applied_batch).values(**key).on_conflict_do_nothing()
                             .returning(applied_batch.c.batch_seq)).first()
        if fresh is None:
            stored = conn.execute(select(applied_batch.c.ack).filter_by(**key)).scalar_one()
            return PushAck.model_validate({**stored, "status": "already_applied", "applied": 0})
        tally = _apply_changes(conn, branch, batch)
        _record_chain_heads(conn, branch, batch)
        _record_starter_blocks(conn, branch, batch.install_epoch, batch.starter_blocks)
        ack = PushAck(status="applied", batch_seq=batch.batch_seq, applied=tally.applied,
                      duplicates=tally.duplicates, rejected=tally.rejected)
        conn.execute(applied_batch.update().filter_by(**key).values(ack=ack.model_dump(mode="json")))
        return ack


def _known_ids(conn: Connection, branch: str, ids: list[uuid.UUID]) -> set[uuid.UUID]:
    if not ids:
        return set()
    return set(conn.execute(text("SELECT id FROM received_change WHERE branch = :b AND id = ANY(:ids)"),
                            {"b": branch, "ids": ids}).scalars())


def _lock_national_codes(conn: Connection, batch: PushBatch) -> None:
    """Serialise pushes touching the same national code (a later statement then sees the other
    branch's committed person), in sorted order so two batches never deadlock."""
    codes = sorted({c.snapshot.national_code for c in batch.changes
                    if c.snapshot is not None and c.snapshot.national_code})
    if codes:
        conn.execute(text("SELECT count(pg_advisory_xact_lock(1, h)) FROM"
                          " (SELECT DISTINCT hashtext(x) AS h FROM unnest(CAST(:codes AS text[])) x ORDER BY 1) s"),
                     {"codes": codes})


def _apply_changes(conn: Connection, branch: str, batch: PushBatch) -> Tally:
    tally = Tally()
    _lock_national_codes(conn, batch)
    seen = _known_ids(conn, branch, [c.id for c in batch.changes])
    for change in batch.changes:
        if change.id in seen:
            tally.duplicates += 1
            continue
        seen.add(change.id)
        savepoint = conn.begin_nested()
        try:
            apply_change(conn, branch, change)
            _remember(conn, branch, batch, change)
            savepoint.commit()
            tally.applied += 1
        except RuleBroken as broken:
            savepoint.rollback()
            tally.rejected.append(Rejection(change_id=change.id, reason_fa=broken.fa,
                                            reason_en=broken.en))
        except IntegrityError as exc:  # a unique key HQ holds: the backstop behind the checks
            savepoint.rollback()
            constraint = getattr(getattr(exc.orig, "diag", None), "constraint_name", None) or "?"
            tally.rejected.append(Rejection(
                change_id=change.id,
                reason_fa=f"این تغییر با داده‌ای که ستاد دارد ناسازگار است ({constraint}).",
                reason_en=f"the change contradicts what headquarters holds ({constraint})"))
    return tally


def _remember(conn: Connection, branch: str, batch: PushBatch, change: OutgoingChange) -> None:
    conn.execute(insert(received_change).values(
        branch=branch, id=change.id, install_epoch=batch.install_epoch, batch_seq=batch.batch_seq,
        seq=change.seq, entity=change.entity, entity_id=change.entity_id, op=change.op,
        payload=change.payload, at=change.at))


def _record_chain_heads(conn: Connection, branch: str, batch: PushBatch) -> None:
    for head in batch.chain_heads:
        stmt = insert(chain_head).values(branch=branch, chain=head.chain.value, seq=head.seq,
                                         hash=head.hash)
        conn.execute(stmt.on_conflict_do_update(
            index_elements=["branch", "chain"],
            set_={"seq": stmt.excluded.seq, "hash": stmt.excluded.hash, "at": text("now()")}))


def _record_starter_blocks(conn: Connection, branch: str, epoch: str,
                           blocks: list[NumberBlockRef]) -> None:
    """A starter block is recorded once as this branch's lease; one overlapping another branch's
    block is a conflict (and is not recorded)."""
    for block in blocks:
        held = conn.execute(text(
            "SELECT branch FROM number_lease WHERE kind = :kind"
            " AND int8range(first, last, '[]') && int8range(:first, :last, '[]')"),
            block.model_dump()).scalars().all()
        if held and set(held) == {branch}:
            continue
        lock_kind(conn, block.kind)  # then look again: a lease may have been granted meanwhile
        held = conn.execute(text(
            "SELECT branch FROM number_lease WHERE kind = :kind"
            " AND int8range(first, last, '[]') && int8range(:first, :last, '[]')"),
            block.model_dump()).scalars().all()
        if held and set(held) == {branch}:
            continue
        if held:
            record_conflict(conn, "number_block_overlap",
                            f"{block.kind}:{block.first}-{block.last}", None, [branch, *held])
            continue
        conn.execute(insert(number_lease).values(
            id=uuid.uuid4(), branch=branch, install_epoch=epoch, request_id=None, kind=block.kind,
            first=block.first, last=block.last, source="starter"))
