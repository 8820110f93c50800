"""A glance at a store before it is opened, so the sign-in dialog can show at once.

Importing SQLAlchemy, the models and Alembic takes most of a second; the sign-in dialog only
needs the branch code and name. This reads them read-only with the standard library and
leaves the real opening (migration check, future-store refusal) to `open_store`, which the
shell runs in the background while the user types.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class StorePeek:
    path: Path
    branch_code: str
    branch_name: str


def peek_store(path: str | Path) -> StorePeek | None:
    """Branch facts, or None when the file is missing or not a branch store (open_store says why)."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = dict(conn.execute(
                "SELECT key, value FROM store_setting WHERE key IN ('branch_code', 'branch_name')"
            ).fetchall())
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    if not rows.get("branch_code"):
        return None
    return StorePeek(path, rows["branch_code"], rows.get("branch_name", ""))
