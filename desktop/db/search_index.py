"""The person search index (SQLite FTS5, revision 0002). Bulk loaders call `rebuild` after
inserting people (or after a VACUUM, which may renumber person rowids)."""

from __future__ import annotations

from sqlalchemy import Connection


def rebuild(conn: Connection) -> None:
    """Rebuild the whole index from the person table, then merge it into one segment.

    One segment makes a prefix query read one b-tree instead of dozens left by a bulk load.
    """
    conn.exec_driver_sql("INSERT INTO person_search(person_search) VALUES ('rebuild')")
    conn.exec_driver_sql("INSERT INTO person_search(person_search) VALUES ('optimize')")


def integrity_check(conn: Connection) -> bool:
    """True if the index agrees with the person table (FTS5's own check against the content)."""
    try:
        conn.exec_driver_sql("INSERT INTO person_search(person_search, rank) VALUES ('integrity-check', 1)")
    except Exception:  # sqlite reports corruption as an error on this statement
        return False
    return True
