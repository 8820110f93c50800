"""Pull side (docs/sync.md "Pull"): apply a page of HQ's change log and the new cursor in ONE
SQLite transaction. Applied rows are written straight to their tables — never through the
services' audit/outbox unit — so nothing pulled is pushed back (no echo).

Appliers are idempotent (upserts keyed by code or id): a page applied again after a crash between
receiving and committing changes nothing.

Reference data (authorities, workshops) is applied set-wise: a new branch's first pull is tens of
thousands of workshops, and one ORM select + flush per row made it ~25 s of a 27 s first pull.
A run of consecutive changes of one kind becomes one `SELECT … IN` of the codes already held,
one executemany INSERT of the new ones and one executemany UPDATE of the rest (the driver's, on
plain tuples) — on the caller's
connection, so rows and cursor still commit together. Changes are applied in the page's order:
runs keep their order, and within a run a code's first appearance is its insert and every later
one an update after it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from desktop.models import Authority, LeaseRequest, NumberBlock, SyncConflict, Workshop
from desktop.models.base import uuid7_hex

from . import wire
from .local import sync_state

log = logging.getLogger(__name__)

Applier = Callable[[Session, wire.PulledChange], None]
BulkApplier = Callable[[Session, Sequence[wire.PulledChange]], None]


def apply_page(session: Session, after: str, page: wire.PullPage) -> int | None:
    """In the caller's write transaction. None if the cursor moved meanwhile (another round
    applied this page): nothing is applied twice over a newer state."""
    state = sync_state(session)
    if state.pull_cursor != after:
        return None
    for kind, run in _runs(page.changes):
        bulk = BULK_APPLIERS.get(kind)
        if bulk is not None:
            bulk(session, run)
        else:
            for change in run:
                APPLIERS[kind](session, change)
    state.pull_cursor = page.cursor
    return len(page.changes)


def _runs(changes: Sequence[wire.PulledChange]) -> Iterator[tuple[str, list[wire.PulledChange]]]:
    """Consecutive changes of one kind, in the page's order."""
    run: list[wire.PulledChange] = []
    for change in changes:
        if run and run[0].kind != change.kind:
            yield run[0].kind, run
            run = []
        run.append(change)
    if run:
        yield run[0].kind, run


def _text(data: dict[str, Any], *keys: str, default: str = "") -> str:
    for key in keys:
        value = data.get(key)
        if value is not None:
            return str(value)
    return default


def _given(data: dict[str, Any], key: str) -> str | None:
    """A field HQ sent, or None: an update keeps what the store has for a field not sent."""
    value = data.get(key)
    return None if value is None else str(value)


_CODES_PER_QUERY = 900  # well under SQLite's bound-parameter limit


def _held_codes(session: Session, table: Table, codes: set[str]) -> set[str]:
    held: set[str] = set()
    wanted = sorted(codes)
    conn = session.connection()
    for start in range(0, len(wanted), _CODES_PER_QUERY):
        chunk = wanted[start:start + _CODES_PER_QUERY]
        held.update(conn.execute(select(table.c.code).where(table.c.code.in_(chunk))).scalars())
    return held


def _split_new(session: Session, table: Table, changes: Sequence[wire.PulledChange]
               ) -> tuple[list[wire.PulledChange], list[wire.PulledChange]]:
    """(first appearances of codes the store lacks, everything else in order)."""
    held = _held_codes(session, table, {c.key for c in changes})
    new: list[wire.PulledChange] = []
    rest: list[wire.PulledChange] = []
    for change in changes:
        if change.key in held:
            rest.append(change)
        else:
            held.add(change.key)
            new.append(change)
    return new, rest


# The writes are the driver's own executemany with plain tuples: SQLAlchemy's per-row parameter
# processing cost about as much as SQLite's inserts (ids are stored as 32 hex digits, the form
# the models' Uuid columns take in SQLite).
_AUTHORITY = cast(Table, Authority.__table__)
_AUTHORITY_INSERT = 'INSERT INTO authority (id, code, name, "group", active) VALUES (?, ?, ?, ?, ?)'
_AUTHORITY_UPDATE = ('UPDATE authority SET name = coalesce(?, name), "group" = coalesce(?, "group"),'
                     " active = ? WHERE code = ?")
_AUTHORITY_RETIRE = "UPDATE authority SET active = 0 WHERE code = ?"


def _authorities(session: Session, changes: Sequence[wire.PulledChange]) -> None:
    """A deleted authority is retired (inactive): inquiry records still name it."""
    conn = session.connection()
    retired = [(c.key,) for c in changes if c.op == "delete"]
    if retired and len(retired) < len(changes):  # a mixed run: keep the page's order
        for change in changes:
            _authorities(session, [change])
        return
    if retired:
        conn.exec_driver_sql(_AUTHORITY_RETIRE, retired)
        return
    new, rest = _split_new(session, _AUTHORITY, changes)
    if new:
        conn.exec_driver_sql(_AUTHORITY_INSERT, [
            (uuid7_hex(), c.key, _text(c.data, "name", default=c.key),
             _text(c.data, "group", default="fund"), bool(c.data.get("active", True)))
            for c in new])
    if rest:
        conn.exec_driver_sql(_AUTHORITY_UPDATE, [
            (_given(c.data, "name"), _given(c.data, "group"), bool(c.data.get("active", True)), c.key)
            for c in rest])


_WORKSHOP = cast(Table, Workshop.__table__)
_WORKSHOP_INSERT = ("INSERT INTO workshop (id, code, name, address, employer_id, branch_code)"
                    " VALUES (?, ?, ?, ?, NULL, ?)")
_WORKSHOP_UPDATE = "UPDATE workshop SET name = coalesce(?, name), address = coalesce(?, address) WHERE code = ?"


def _workshops(session: Session, changes: Sequence[wire.PulledChange]) -> None:
    # A deleted workshop is kept: relationships still name it.
    upserts = [c for c in changes if c.op != "delete"]
    new, rest = _split_new(session, _WORKSHOP, upserts)
    conn = session.connection()
    if new:
        conn.exec_driver_sql(_WORKSHOP_INSERT, [
            (uuid7_hex(), c.key, _text(c.data, "name", default=c.key), _text(c.data, "address"),
             _text(c.data, "branch_code", "branch")) for c in new])
    if rest:
        conn.exec_driver_sql(_WORKSHOP_UPDATE, [
            (_given(c.data, "name"), _given(c.data, "address"), c.key) for c in rest])


def _lease(session: Session, change: wire.PulledChange) -> None:
    """Only a lease this store is waiting for (its pending request) is taken: a store restored
    from a backup may pull leases its former self received and used up."""
    try:
        lease = wire.Lease.model_validate(change.data)
    except ValidationError:
        log.warning("pulled lease %s does not match the contract; skipped", change.key)
        return
    if lease.request_id is None or session.get(LeaseRequest, lease.request_id) is None:
        return
    store_lease(session, lease)


def store_lease(session: Session, lease: wire.Lease) -> bool:
    """The block (with its lease id, unique) and the forgotten request, in the caller's
    transaction. False if this lease was already taken."""
    if lease.request_id is not None:
        session.execute(delete(LeaseRequest).where(LeaseRequest.request_id == lease.request_id))
    if session.scalar(select(NumberBlock.id).where(NumberBlock.lease_id == lease.lease_id)) is not None:
        return False
    session.add(NumberBlock(kind=lease.kind, first=lease.first, last=lease.last, next=lease.first,
                            source="hq", lease_id=lease.lease_id,
                            leased_at=lease.granted_at.replace(tzinfo=None)))
    return True


def _conflict(session: Session, change: wire.PulledChange) -> None:
    try:
        conflict = wire.Conflict.model_validate(change.data)
    except ValidationError:
        log.warning("pulled conflict %s does not match the contract; skipped", change.key)
        return
    row = session.get(SyncConflict, conflict.id)
    if row is None:
        row = SyncConflict(id=conflict.id, kind=conflict.kind,
                           created_at=conflict.created_at.replace(tzinfo=None))
        session.add(row)
    row.national_code = conflict.national_code
    row.branches = json.dumps(sorted(conflict.branches))
    row.resolved_at = conflict.resolved_at.replace(tzinfo=None) if conflict.resolved_at else None


APPLIERS: dict[str, Applier] = {"lease": _lease, "conflict": _conflict}
BULK_APPLIERS: dict[str, BulkApplier] = {"authority": _authorities, "workshop": _workshops}
