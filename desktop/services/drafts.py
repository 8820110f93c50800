"""Drafts (پیش‌نویس): a half-filled enrolment or dependant form that survives closing the window
or a crash. Each draft belongs to one user; nobody else lists, loads or discards it.

A draft is scratch, not a record: autosave writes it every few seconds, so it writes no audit
row and never goes to headquarters (no outbox). The real record is written, with its audit and
outbox rows, by the service the finished form is submitted to.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.errors import InvalidValue, NotFound
from desktop.domain.roles import require
from desktop.models import Draft

from .actor import Actor
from .store import Store

# The permission of the form a draft belongs to: who may not submit it may not keep it either.
DRAFT_KINDS = {"enrolment": "person.enrol", "dependant": "dependant.add"}
MAX_PAYLOAD = 200_000  # characters; a form is a few hundred, a runaway payload is a bug


@dataclass(frozen=True)
class DraftSummary:
    id: uuid.UUID
    kind: str
    title: str
    updated_at: dt.datetime


def _check_kind(actor: Actor, kind: str) -> None:
    if kind not in DRAFT_KINDS:
        raise InvalidValue(f"نوع پیش‌نویس «{kind}» شناخته نیست.", f"unknown draft kind {kind!r}", field="kind")
    require(actor.role, DRAFT_KINDS[kind])


def _own(session: Session, actor: Actor, draft_id: uuid.UUID) -> Draft:
    draft = session.get(Draft, draft_id)
    if draft is None or draft.user_id != actor.id:
        raise NotFound("این پیش‌نویس پیدا نشد (شاید پیش‌تر حذف شده است).", f"no draft {draft_id} of this user")
    return draft


def save_draft(store: Store, actor: Actor, kind: str, payload: dict[str, Any], *, title: str = "",
               draft_id: uuid.UUID | None = None) -> uuid.UUID:
    """Create a draft, or overwrite the user's own draft `draft_id`; returns its id."""
    _check_kind(actor, kind)
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
    if len(text) > MAX_PAYLOAD:
        raise InvalidValue("پیش‌نویس بیش از اندازه بزرگ است.", "draft payload too large")
    with store.sessions() as session, session.begin():
        draft = None
        if draft_id is not None:
            draft = session.get(Draft, draft_id)
            if draft is not None and draft.user_id != actor.id:
                draft = None  # never write into someone else's draft; keep this one as a new draft
        if draft is None:
            draft = Draft(kind=kind, user_id=actor.id, payload=text)
            session.add(draft)
        draft.kind, draft.title, draft.payload = kind, title[:200], text
        draft.updated_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        session.flush()
        return draft.id


def list_drafts(store: Store, actor: Actor, kind: str) -> list[DraftSummary]:
    """The user's drafts of a kind, newest first."""
    _check_kind(actor, kind)
    with store.sessions() as session:
        rows = session.scalars(select(Draft).where(Draft.user_id == actor.id, Draft.kind == kind)
                               .order_by(Draft.updated_at.desc())).all()
        return [DraftSummary(d.id, d.kind, d.title, d.updated_at) for d in rows]


def load_draft(store: Store, actor: Actor, draft_id: uuid.UUID) -> dict[str, Any]:
    with store.sessions() as session:
        draft = _own(session, actor, draft_id)
        _check_kind(actor, draft.kind)
        payload: dict[str, Any] = json.loads(draft.payload)
        return payload


def discard_draft(store: Store, actor: Actor, draft_id: uuid.UUID) -> None:
    with store.sessions() as session, session.begin():
        draft = _own(session, actor, draft_id)
        _check_kind(actor, draft.kind)
        session.delete(draft)
