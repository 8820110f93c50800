"""One use case = one transaction: role check, the work, its audit row and its outbox row, all or nothing."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from desktop.domain.roles import require
from desktop.models import AuditEntry, OutboxEntry

from .actor import Actor
from .audit_chain import add_audit
from .store import Store


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def outbox_payload(payload: dict[str, Any], branch: str) -> str:
    """An outbox row's payload as HQ reads it: the change's fields plus the branch, keys sorted."""
    return to_json({**payload, "branch": branch})


@dataclass
class Unit:
    session: Session
    actor: Actor
    store: Store

    def audit(self, action: str, subject_type: str, subject_id: object, **detail: Any) -> None:
        add_audit(self.session, AuditEntry(
            user_id=self.actor.id, action=action, subject_type=subject_type,
            subject_id=str(subject_id), detail=to_json(detail),
        ))

    def outbox(self, entity: str, entity_id: object, op: str, payload: dict[str, Any]) -> None:
        self.session.add(OutboxEntry(
            entity=entity, entity_id=str(entity_id), op=op,
            payload=outbox_payload(payload, self.store.branch_code),
        ))

    def record(self, action: str, entity: str, entity_id: object, payload: dict[str, Any]) -> None:
        """The usual pair: an audit row and an outbox row for the same change."""
        self.audit(action, entity, entity_id, **payload)
        self.outbox(entity, entity_id, action, payload)


@contextmanager
def mutation(store: Store, actor: Actor, permission: str) -> Iterator[Unit]:
    """Commit only if the body returns; any exception rolls everything back (nothing half-written)."""
    require(actor.role, permission)
    with store.sessions() as session, session.begin():
        yield Unit(session, actor, store)


@contextmanager
def reading(store: Store, actor: Actor, permission: str = "person.read") -> Iterator[Session]:
    require(actor.role, permission)
    with store.sessions() as session:
        yield session
