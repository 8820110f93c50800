"""Person search statements: FTS5 for names, the unique indexes for identifiers.

Every statement pages by keyset on person.rowid (`rowid > after ORDER BY rowid LIMIT n`), so
page 5,000 costs what page 1 costs and a page never needs a COUNT over a million rows.
FTS5 yields matches in rowid order, so a name query with LIMIT stops after `limit` hits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

# One result row: the _HIT_COLS values as SQLite returns them (TEXT, INTEGER or NULL).
SearchRow = tuple[Any, ...]

# The status column: active = a relationship in force today (SPEC §1.4), via ix_relationship_person_start.
_HIT_COLS = (
    "p.rowid, p.id, p.first_name, p.last_name, p.national_code, p.foreign_id, p.ssn, p.birth_date, "
    "p.death_date, EXISTS (SELECT 1 FROM relationship r WHERE r.person_id = p.id AND r.start <= :today "
    "AND (r.\"end\" IS NULL OR r.\"end\" >= :today)) AS active"
)
HIT_KEYS = ("cursor", "id", "first_name", "last_name", "national_code", "foreign_id", "ssn",
            "birth_date", "death_date", "active")

BY_NAME = (
    f"SELECT {_HIT_COLS} FROM person_search s JOIN person p ON p.rowid = s.rowid "
    "WHERE person_search MATCH :match AND s.rowid > :after AND p.ssn IS NOT NULL "
    "ORDER BY s.rowid LIMIT :limit"
)
# Each arm is a range scan on a UNIQUE index; an exact value is the one-key range.
BY_NUMBER = (
    f"SELECT {_HIT_COLS} FROM person p WHERE p.rowid IN ("
    " SELECT rowid FROM person WHERE national_code >= :lo AND national_code < :hi"
    " UNION ALL SELECT rowid FROM person WHERE national_code = :padded"
    " UNION ALL SELECT rowid FROM person WHERE ssn >= :lo AND ssn < :hi"
    " UNION ALL SELECT rowid FROM person WHERE foreign_id >= :lo AND foreign_id < :hi"
    " UNION ALL SELECT q.rowid FROM insurance_number n JOIN person q ON q.id = n.person_id"
    "  WHERE n.value >= :lo AND n.value < :hi"
    ") AND p.rowid > :after AND p.ssn IS NOT NULL ORDER BY p.rowid LIMIT :limit"
)


def fts_match(terms: list[str]) -> str:
    """Every term as a quoted prefix: all must match (implicit AND), FTS syntax neutralised."""
    return " ".join('"' + t.replace('"', "") + '"*' for t in terms)


def _upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with `prefix`."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def by_name(conn: Connection, terms: list[str], *, after: int, limit: int, today: str) -> list[SearchRow]:
    params = {"match": fts_match(terms), "after": after, "limit": limit, "today": today}
    return list(conn.exec_driver_sql(BY_NAME, params).fetchall())


def by_number(conn: Connection, prefix: str, *, padded: str | None, after: int, limit: int,
              today: str) -> list[SearchRow]:
    params = {"lo": prefix, "hi": _upper_bound(prefix), "padded": padded or "", "after": after,
              "limit": limit, "today": today}
    return list(conn.exec_driver_sql(BY_NUMBER, params).fetchall())
