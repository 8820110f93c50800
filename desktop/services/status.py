"""What the status bar shows: branch facts and how much waits for headquarters."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from desktop.models import OutboxEntry

from .store import Store


@dataclass(frozen=True)
class BranchFacts:
    code: str
    name: str
    path: str


def branch_facts(store: Store) -> BranchFacts:
    return BranchFacts(store.branch_code, store.branch_name, str(store.path))


def pending_outbox(store: Store) -> int:
    """Changes not yet acknowledged by headquarters (sync removes or acks them)."""
    with store.sessions() as s:
        return s.scalar(select(func.count()).select_from(OutboxEntry).where(OutboxEntry.acked_at.is_(None))) or 0


def sync_configured(store: Store) -> bool:
    """Headquarters sync is set up once the store knows an HQ address (the sync work adds it)."""
    return bool(store.settings.get("hq_url"))
