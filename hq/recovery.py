"""What a branch restored from a backup takes back (docs/sync.md "Restoring a store"): the ids of
every change HQ holds from it, the central record of the persons it enrolled, and the workshops and
authorities it defined. The change feed never sends a branch its own rows (no echo), so without
these a restored store would lose what HQ acknowledged after its backup was made.

Read-only, one short transaction per page, keyset-paged so a page costs the same at any depth.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Engine, text

from desktop.sync.recovery_wire import (
    RECOVERY_PAGE,
    OwnPersons,
    OwnReference,
    ReceivedIds,
    ReferenceItem,
)
from desktop.sync.wire import PersonSnapshot

from .errors import HqError


class BadAfter(HqError):
    code = "bad_after"


def _after_id(after: str) -> uuid.UUID:
    if not after:
        return uuid.UUID(int=0)
    try:
        return uuid.UUID(after)
    except ValueError:
        raise BadAfter("نشانگر صفحه (after) نادرست است.", f"after must be an id HQ handed out, not {after[:60]!r}",
                       field="after") from None


def _limit(limit: int) -> int:
    return max(1, min(limit, RECOVERY_PAGE))


def received_ids(engine: Engine, branch: str, after: str, limit: int) -> ReceivedIds:
    limit = _limit(limit)
    with engine.connect() as conn:
        ids = list(conn.execute(text(
            "SELECT id FROM received_change WHERE branch = :b AND id > :after ORDER BY id LIMIT :n"),
            {"b": branch, "after": _after_id(after), "n": limit + 1}).scalars())
    more = len(ids) > limit
    ids = ids[:limit]
    return ReceivedIds(ids=ids, next=str(ids[-1]) if more else None)


def own_persons(engine: Engine, branch: str, after: str, limit: int) -> OwnPersons:
    limit = _limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT id, snapshot FROM person WHERE enrolled_branch = :b AND id > :after"
            " ORDER BY id LIMIT :n"), {"b": branch, "after": _after_id(after), "n": limit + 1}).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return OwnPersons(persons=[PersonSnapshot.model_validate(r.snapshot) for r in rows],
                      next=str(rows[-1].id) if more else None)


def own_reference(engine: Engine, branch: str, after: str, limit: int) -> OwnReference:
    limit = _limit(limit)
    kind, _, code = after.partition(":")
    with engine.connect() as conn:
        rows = conn.execute(text("""
            SELECT * FROM (
              SELECT 'authority' AS kind, code, name, '' AS address, "group" FROM authority
              WHERE origin_branch = :b
              UNION ALL
              SELECT 'workshop', code, name, address, '' FROM workshop WHERE origin_branch = :b
            ) r WHERE (kind, code) > (:kind, :code) ORDER BY kind, code LIMIT :n"""),
            {"b": branch, "kind": kind, "code": code, "n": limit + 1}).all()
    more = len(rows) > limit
    rows = rows[:limit]
    items = [ReferenceItem(kind=r.kind, code=r.code, name=r.name, address=r.address, group=r.group)
             for r in rows]
    return OwnReference(items=items, next=f"{rows[-1].kind}:{rows[-1].code}" if more else None)
