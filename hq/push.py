"""Applying a branch's push batch (docs/sync.md "Push", step 3), all in ONE transaction.

The batch key goes in first: a key already there answers the stored acknowledgement with status
`already_applied`, and a second copy of a batch still being applied waits on the key's row lock
and then finds it. A change the rules refuse is left out alone, listed in `rejected`, and never
blocks the rest: changes are checked one by one against HQ's state (apply.Planner) and the
accepted ones written together in a savepoint; if the database still refuses that write, each
change is retried in its own savepoint. Set-wise writes are what keep a push of 1,000 changes
within a small multiple of a raw COPY (bench/sync_hq.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DataError, IntegrityError

from desktop.domain.text import persian_digits
from desktop.sync.wire import (
    EARLIER_BATCH_PENDING,
    NumberBlockRef,
    OutgoingChange,
    PushAck,
    PushBatch,
    Rejection,
)

from .apply import Planner, RuleBroken, dump_json, flush, pg_array, uuid_array
from .conflicts import record_conflict
from .errors import HqError, Refused
from .leases import lock_kind
from .models import applied_batch, chain_head, number_lease

BRANCH_PUSH_LOCK = 3  # advisory lock class: (3, hashtext(branch)) — one push at a time per branch


class EarlierBatchPending(Refused):
    code = EARLIER_BATCH_PENDING


@dataclass
class Tally:
    applied: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)


def push(engine: Engine, branch: str, batch: PushBatch) -> PushAck:
    for block in batch.starter_blocks:
        if block.first > block.last:
            span = f"{persian_digits(block.first)}…{persian_digits(block.last)}"
            raise HqError(f"بلوک شماره آغازین {span} وارونه است.",
                          f"starter block {block.kind} {block.first}..{block.last}: first > last",
                          field="starter_blocks")
    with engine.begin() as conn:
        # A branch's batches are applied one at a time, in the order it sent them: with two in
        # flight, the later one waits here until the earlier one's transaction has ended.
        conn.execute(text(f"SELECT pg_advisory_xact_lock({BRANCH_PUSH_LOCK}, hashtext(:b))"),
                     {"b": branch})
        key = {"branch": branch, "install_epoch": batch.install_epoch, "batch_seq": batch.batch_seq}
        fresh = conn.execute(insert(applied_batch).values(**key).on_conflict_do_nothing()
                             .returning(applied_batch.c.batch_seq)).first()
        if fresh is None:
            stored = conn.execute(select(applied_batch.c.ack).filter_by(**key)).scalar_one()
            return PushAck.model_validate({**stored, "status": "already_applied", "applied": 0})
        _require_earlier_batch(conn, branch, batch)
        tally = _apply_changes(conn, branch, batch)
        _record_chain_heads(conn, branch, batch)
        _record_starter_blocks(conn, branch, batch.install_epoch, batch.starter_blocks)
        ack = PushAck(status="applied", batch_seq=batch.batch_seq, applied=tally.applied,
                      duplicates=tally.duplicates, rejected=tally.rejected)
        conn.execute(applied_batch.update().filter_by(**key).values(ack=ack.model_dump(mode="json")))
        return ack


def _require_earlier_batch(conn: Connection, branch: str, batch: PushBatch) -> None:
    """The batch the branch sent before this one must be applied first (raising rolls back the
    key just inserted, so the batch is simply sent again later)."""
    earlier = batch.after_batch_seq
    if earlier is None or earlier >= batch.batch_seq:
        return
    applied = conn.execute(select(applied_batch.c.batch_seq).filter_by(
        branch=branch, install_epoch=batch.install_epoch, batch_seq=earlier)).first()
    if applied is None:
        raise EarlierBatchPending(
            f"بسته {persian_digits(earlier)} هنوز در ستاد ثبت نشده است؛ این بسته پس از آن دوباره فرستاده می‌شود.",
            f"batch {earlier} of this install epoch is not applied yet; send batch"
            f" {batch.batch_seq} again after it")


def _known_ids(conn: Connection, branch: str, ids: list[uuid.UUID]) -> set[uuid.UUID]:
    if not ids:
        return set()
    return set(conn.execute(text("SELECT id FROM received_change WHERE branch = :b"
                                 " AND id = ANY(CAST(:ids AS uuid[]))"),
                            {"b": branch, "ids": uuid_array(ids)}).scalars())


NATIONAL_CODE_LOCKS = 256  # advisory lock class 1: (1, bucket of the national code's hash)


def _lock_national_codes(conn: Connection, batch: PushBatch) -> None:
    """Serialise pushes touching the same national code (a later statement then sees the other
    branch's committed person), in sorted order so two batches never deadlock. Codes share
    NATIONAL_CODE_LOCKS buckets: a lock per code took 5,000 lock-table slots for a batch of
    5,000 (PostgreSQL's default table holds 6,400 for all transactions: two big pushes at once
    failed "out of shared memory"). Two big batches now wait for each other; small ones rarely
    meet."""
    codes = sorted({c.snapshot.national_code for c in batch.changes
                    if c.snapshot is not None and c.snapshot.national_code})
    if codes:
        conn.execute(text(f"SELECT count(pg_advisory_xact_lock(1, b)) FROM"
                          f" (SELECT DISTINCT hashtext(x) & {NATIONAL_CODE_LOCKS - 1} AS b"
                          "  FROM unnest(CAST(:codes AS text[])) x ORDER BY 1) s"),
                     {"codes": pg_array(codes)})


def _apply_changes(conn: Connection, branch: str, batch: PushBatch) -> Tally:
    """All fresh changes checked and written together inside one savepoint; should the database
    still refuse (a unique key another branch's concurrent push took, a value it cannot store),
    that savepoint is rolled
    back and the changes are applied one by one, each in its own savepoint, so only the
    offending change is rejected."""
    _lock_national_codes(conn, batch)
    seen = _known_ids(conn, branch, [c.id for c in batch.changes])
    fresh: list[OutgoingChange] = []
    duplicates = 0
    for change in batch.changes:
        if change.id in seen:
            duplicates += 1
        else:
            seen.add(change.id)
            fresh.append(change)
    savepoint = conn.begin_nested()
    try:
        tally = _apply_together(conn, branch, batch, fresh)
        savepoint.commit()
    except (IntegrityError, DataError):
        savepoint.rollback()
        tally = _apply_one_by_one(conn, branch, batch, fresh)
    tally.duplicates = duplicates
    return tally


def _apply_together(conn: Connection, branch: str, batch: PushBatch,
                    changes: list[OutgoingChange]) -> Tally:
    tally = Tally()
    planner = Planner(conn, branch, changes)
    for change in changes:
        try:
            planner.take(change, _remember(branch, batch, change))
            tally.applied += 1
        except RuleBroken as broken:
            tally.rejected.append(_rejection(change, broken))
    flush(conn, branch, planner.writes)
    return tally


def _apply_one_by_one(conn: Connection, branch: str, batch: PushBatch,
                      changes: list[OutgoingChange]) -> Tally:
    tally = Tally()
    for change in changes:
        savepoint = conn.begin_nested()
        try:
            planner = Planner(conn, branch, [change])
            planner.take(change, _remember(branch, batch, change))
            flush(conn, branch, planner.writes)
            savepoint.commit()
            tally.applied += 1
        except RuleBroken as broken:
            savepoint.rollback()
            tally.rejected.append(_rejection(change, broken))
        except IntegrityError as exc:  # a unique key HQ holds: the backstop behind the checks
            savepoint.rollback()
            constraint = getattr(getattr(exc.orig, "diag", None), "constraint_name", None) or "?"
            tally.rejected.append(Rejection(
                change_id=change.id,
                reason_fa=f"این تغییر با داده‌ای که ستاد دارد ناسازگار است ({constraint}).",
                reason_en=f"the change contradicts what headquarters holds ({constraint})"))
        except DataError as exc:  # a value the rules let through and PostgreSQL cannot store
            savepoint.rollback()
            diag = getattr(exc.orig, "diag", None)
            why = str(getattr(diag, "message_primary", None) or "?")[:200]
            tally.rejected.append(Rejection(
                change_id=change.id,
                reason_fa=f"مقداری در این تغییر در ستاد ذخیره‌شدنی نیست ({why}).",
                reason_en=f"a value of this change cannot be stored at headquarters ({why})"))
    return tally


def _rejection(change: OutgoingChange, broken: RuleBroken) -> Rejection:
    return Rejection(change_id=change.id, reason_fa=broken.fa, reason_en=broken.en)


def _remember(branch: str, batch: PushBatch, change: OutgoingChange) -> tuple[Any, ...]:
    """The received_change row (apply.RECEIVED_COPY's columns)."""
    return (branch, change.id.hex, batch.install_epoch, batch.batch_seq, change.seq, change.entity,
            change.entity_id, change.op, dump_json(change.payload), change.at)


def _record_chain_heads(conn: Connection, branch: str, batch: PushBatch) -> None:
    newest: dict[str, Any] = {}
    for head in batch.chain_heads:  # one statement; a chain named twice keeps its newer head
        if head.chain.value not in newest or head.seq > newest[head.chain.value]["seq"]:
            newest[head.chain.value] = {"branch": branch, "chain": head.chain.value,
                                        "seq": head.seq, "hash": head.hash}
    if not newest:
        return
    stmt = insert(chain_head).values(list(newest.values()))
    # Heads only move forward: a store rewound (restored, or a deleted newest record) must
    # not pull HQ's copy back with it, or verify could no longer name what is missing.
    conn.execute(stmt.on_conflict_do_update(
        index_elements=["branch", "chain"],
        set_={"seq": stmt.excluded.seq, "hash": stmt.excluded.hash, "at": text("now()")},
        where=stmt.excluded.seq > chain_head.c.seq))


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
