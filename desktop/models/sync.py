"""The branch's side of headquarters sync: its state, round history, quarantine, pending lease
requests and the conflicts headquarters told it about (docs/sync.md)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import DateTime, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, IdMixin, utcnow


class SyncState(Base):
    """One row (id 1): what the next push and pull start from, and how the last round went."""

    __tablename__ = "sync_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    next_batch_seq: Mapped[int] = mapped_column(Integer, default=1)
    pull_cursor: Mapped[str] = mapped_column(String(64), default="")
    last_success_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


class SyncRound(IdMixin, Base):
    __tablename__ = "sync_round"
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    outcome: Mapped[str] = mapped_column(String(12))  # ok | offline | refused | cancelled
    pushed: Mapped[int] = mapped_column(Integer, default=0)
    pulled: Mapped[int] = mapped_column(Integer, default=0)
    quarantined: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class SyncQuarantine(IdMixin, Base):
    """A change headquarters refused, with its reason; it no longer blocks the outbox."""

    __tablename__ = "sync_quarantine"
    change_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    outbox_seq: Mapped[int] = mapped_column(Integer)
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(40))
    op: Mapped[str] = mapped_column(String(40))
    reason_fa: Mapped[str] = mapped_column(Text)
    reason_en: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class LeaseRequest(Base):
    """A number lease asked for and not yet received; asking again reuses its id (idempotent)."""

    __tablename__ = "lease_request"
    request_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    asked_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class SyncConflict(Base):
    """A conflict headquarters recorded that concerns this branch (e.g. one national code
    enrolled here and elsewhere); shown on the sync screen and in the person's file."""

    __tablename__ = "sync_conflict"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    national_code: Mapped[str | None] = mapped_column(String(10), index=True)
    branches: Mapped[str] = mapped_column(Text)  # JSON list of branch codes
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
