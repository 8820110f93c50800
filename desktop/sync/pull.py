"""Pull side (docs/sync.md "Pull"): apply a page of HQ's change log and the new cursor in ONE
SQLite transaction. Applied rows are written straight to their tables — never through the
services' audit/outbox unit — so nothing pulled is pushed back (no echo).

Appliers are idempotent (upserts keyed by code or id): a page applied again after a crash between
receiving and committing changes nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from desktop.models import Authority, LeaseRequest, NumberBlock, SyncConflict, Workshop

from . import wire
from .local import sync_state

log = logging.getLogger(__name__)

Applier = Callable[[Session, wire.PulledChange], None]


def apply_page(session: Session, after: str, page: wire.PullPage) -> int | None:
    """In the caller's write transaction. None if the cursor moved meanwhile (another round
    applied this page): nothing is applied twice over a newer state."""
    state = sync_state(session)
    if state.pull_cursor != after:
        return None
    for change in page.changes:
        APPLIERS[change.kind](session, change)
    state.pull_cursor = page.cursor
    return len(page.changes)


def _text(data: dict[str, Any], *keys: str, default: str = "") -> str:
    for key in keys:
        value = data.get(key)
        if value is not None:
            return str(value)
    return default


def _authority(session: Session, change: wire.PulledChange) -> None:
    row = session.scalar(select(Authority).where(Authority.code == change.key))
    data = change.data
    if change.op == "delete":
        if row is not None:
            row.active = False
        return
    if row is None:
        row = Authority(code=change.key, name=_text(data, "name", default=change.key),
                        group=_text(data, "group", default="fund"))
        session.add(row)
    row.name = _text(data, "name", default=row.name)
    row.group = _text(data, "group", default=row.group)
    row.active = bool(data.get("active", True))


def _workshop(session: Session, change: wire.PulledChange) -> None:
    if change.op == "delete":  # relationships still name it; a workshop is never removed here
        return
    data = change.data
    row = session.scalar(select(Workshop).where(Workshop.code == change.key))
    if row is None:
        row = Workshop(code=change.key, name=_text(data, "name", default=change.key), address="",
                       branch_code=_text(data, "branch_code", "branch"))
        session.add(row)
    row.name = _text(data, "name", default=row.name)
    row.address = _text(data, "address", default=row.address)


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


APPLIERS: dict[str, Applier] = {
    "authority": _authority, "workshop": _workshop, "lease": _lease, "conflict": _conflict,
}
