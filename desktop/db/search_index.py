"""The person search index (SQLite FTS5). Bulk loaders call `rebuild` after inserting people.

Filled in by the person-search work (revision 0002 creates the index)."""

from __future__ import annotations

from sqlalchemy import Connection


def rebuild(conn: Connection) -> None:
    """Rebuild the whole index from the person table (after a bulk load)."""
    return None
