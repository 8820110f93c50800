"""A glance at a store before it is opened, so the sign-in dialog can show at once.

Importing SQLAlchemy, the models and Alembic takes most of a second; the sign-in dialog only
needs the branch code and name. `desktop.db.store_file` reads them with the standard library,
writing nothing (so a foreign file is never touched), and leaves the real opening (upgrade,
future-store refusal) to `open_store`, which the shell runs in the background while the user types.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from desktop.db.store_file import inspect_store_file
from desktop.domain.errors import DomainError


@dataclass(frozen=True)
class StorePeek:
    path: Path
    branch_code: str
    branch_name: str


def peek_store(path: str | Path) -> StorePeek | None:
    """Branch facts, or None when the file is missing or not a branch store (open_store says why)."""
    try:
        found = inspect_store_file(path)
    except DomainError:
        return None
    if found.state != "branch_store":
        return None
    return StorePeek(found.path, found.branch_code, found.branch_name)
