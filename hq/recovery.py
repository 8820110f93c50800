"""What a branch restored from a backup takes back (docs/sync.md "Restoring a store"): the ids of
every change HQ holds from it, the central record of the persons it enrolled, and the workshops and
authorities it defined. The change feed never sends a branch its own rows (no echo), so without
these a restored store would lose what HQ acknowledged after its backup was made.

Read-only, one short transaction per page, keyset-paged so a page costs the same at any depth.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, text

from desktop.sync.recovery_wire import (
    RECOVERY_PAGE,
    OwnPersons,
    OwnRecords,
    OwnReference,
    ReceivedIds,
    RecoveredRecord,
    ReferenceItem,
)
from desktop.sync.wire import PersonSnapshot

from .digits import is_whole
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


_RECORDS = text("""
SELECT DISTINCT ON (r.seq) r.seq, r.tracking_code, r.at, r.authority, r.national_code, r.state,
       r.answer, r.prev_hash, r.hash, c.payload
FROM inquiry_record r
LEFT JOIN received_change c
  ON c.branch = r.branch AND c.entity = 'inquiry_record' AND c.entity_id = r.tracking_code
WHERE r.branch = :b AND r.seq > :after
ORDER BY r.seq LIMIT :n
""")


def own_records(engine: Engine, branch: str, after: str, limit: int) -> OwnRecords:
    limit = _limit(limit)
    if after and not is_whole(after):
        raise BadAfter("نشانگر صفحه (after) نادرست است.", f"after must be a seq, not {after[:60]!r}",
                       field="after")
    with engine.connect() as conn:
        rows = conn.execute(_RECORDS, {"b": branch, "after": int(after or 0), "n": limit + 1}).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return OwnRecords(records=[_record(r) for r in rows], next=str(rows[-1].seq) if more else None)


def _record(row: Any) -> RecoveredRecord:
    base = {"seq": row.seq, "tracking_code": row.tracking_code, "at": row.at,
            "authority": row.authority, "national_code": row.national_code, "state": row.state,
            "answer": row.answer, "prev_hash": row.prev_hash, "hash": row.hash}
    payload = row.payload if isinstance(row.payload, dict) else {}
    extra = {k: payload.get(k) for k in ("user", "from_date", "to_date", "requester_person_id")
             if payload.get(k) is not None}
    try:
        return RecoveredRecord.model_validate({**base, **extra})
    except ValidationError:  # the optional fields as the branch sent them do not parse: leave them
        return RecoveredRecord.model_validate(base)
