"""What the status bar shows: branch facts and how much waits for headquarters."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.sync.outbox import pending_count

from .store import Store


@dataclass(frozen=True)
class BranchFacts:
    code: str
    name: str
    path: str


def branch_facts(store: Store) -> BranchFacts:
    return BranchFacts(store.branch_code, store.branch_name, str(store.path))


def pending_outbox(store: Store) -> int:
    """Changes not yet acknowledged by headquarters: an index range of the unsent rows
    (revision 0008), not a walk through the month of sent ones the outbox keeps."""
    with store.sessions() as s:
        return pending_count(s)


def sync_configured(store: Store) -> bool:
    """Headquarters sync is set up once the store knows an HQ address (the sync work adds it)."""
    return bool(store.settings.get("hq_url"))
