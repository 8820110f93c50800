"""Conflicts HQ records and puts in front of people (`hq conflicts`); never settled by a clock.

One open conflict per kind and key (a partial unique index): a third branch enrolling the same
national code extends the open conflict's branch list instead of opening another. Every branch
concerned receives the conflict by pull.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Connection, text

from desktop.sync.wire import Conflict

from .changelog import LogRow, announce

_UPSERT = text("""
INSERT INTO conflict (id, kind, key, national_code, branches)
VALUES (:id, :kind, :key, :national_code, :branches)
ON CONFLICT (kind, key) WHERE resolved_at IS NULL DO UPDATE
    SET branches = ARRAY(SELECT DISTINCT b FROM unnest(conflict.branches || EXCLUDED.branches) b
                         ORDER BY b)
RETURNING id, kind, national_code, branches, created_at, resolved_at,
          (xmax = 0) AS created, cardinality(branches) AS n
""")

_BEFORE = text("SELECT branches FROM conflict WHERE kind = :kind AND key = :key"
               " AND resolved_at IS NULL")


def record_conflict(conn: Connection, kind: str, key: str, national_code: str | None,
                    branches: Sequence[str]) -> Conflict:
    """Open or extend the conflict; announce it to each branch concerned when it is new or grew."""
    before = conn.execute(_BEFORE, {"kind": kind, "key": key}).scalar()
    row = conn.execute(_UPSERT, {"id": uuid.uuid4(), "kind": kind, "key": key,
                                 "national_code": national_code,
                                 "branches": sorted(set(branches))}).one()
    found = Conflict(id=row.id, kind=row.kind, national_code=row.national_code,
                     branches=list(row.branches), created_at=row.created_at,
                     resolved_at=row.resolved_at)
    if before is None or sorted(before) != sorted(row.branches):
        data = found.model_dump(mode="json")
        announce(conn, (LogRow("conflict", str(found.id), data, audience=b) for b in found.branches))
    return found


def open_conflicts(conn: Connection) -> list[Conflict]:
    rows = conn.execute(text(
        "SELECT id, kind, national_code, branches, created_at, resolved_at FROM conflict"
        " WHERE resolved_at IS NULL ORDER BY created_at, id")).all()
    return [Conflict(id=r.id, kind=r.kind, national_code=r.national_code, branches=list(r.branches),
                     created_at=r.created_at, resolved_at=r.resolved_at) for r in rows]


def conflict_ids_for(conn: Connection, national_code: str | None) -> list[uuid.UUID]:
    if not national_code:
        return []
    return list(conn.execute(text(
        "SELECT id FROM conflict WHERE national_code = :nc AND resolved_at IS NULL ORDER BY id"),
        {"nc": national_code}).scalars())
