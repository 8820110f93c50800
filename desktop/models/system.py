"""Users, audit log, outbox for headquarters, number blocks and ranges, drafts."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, IdMixin, utcnow, uuid7


class AppUser(IdMixin, Base):
    __tablename__ = "app_user"
    username: Mapped[str] = mapped_column(String(40), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(200))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_subject", "subject_type", "subject_id"),)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("app_user.id"))
    action: Mapped[str] = mapped_column(String(40))
    subject_type: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="{}")
    # A hash chain like the inquiry record's (desktop/services/hashchain.py), anchored at HQ.
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")


class OutboxEntry(Base):
    """A change headquarters must receive; removed only after HQ acknowledges its batch."""

    __tablename__ = "outbox"
    # Revision 0008: the unsent rows (acked_at NULL) and the month-old ones are each one range,
    # whatever the outbox's history.
    __table_args__ = (Index("ix_outbox_acked_at", "acked_at"),)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid7)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(40))
    op: Mapped[str] = mapped_column(String(20))
    payload: Mapped[str] = mapped_column(Text)
    batch_seq: Mapped[int | None] = mapped_column(Integer, index=True)
    acked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class NumberBlock(IdMixin, Base):
    """SSNs and central temporary numbers leased by headquarters (or the starter block of init)."""

    __tablename__ = "number_block"
    kind: Mapped[str] = mapped_column(String(20))  # ssn | central_temporary
    first: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer)
    next: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(12))  # starter | hq | abandoned
    lease_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, unique=True)  # HQ's lease, once
    leased_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class NumberRange(IdMixin, Base):
    """The branch's own ranges: permanent (00…) and branch-temporary (XX…) numbers."""

    __tablename__ = "number_range"
    kind: Mapped[str] = mapped_column(String(20), unique=True)  # permanent | branch_temporary
    prefix: Mapped[str] = mapped_column(String(4))
    first: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer)
    next: Mapped[int] = mapped_column(Integer)


class Draft(IdMixin, Base):
    """A half-filled form that survives closing the window or a crash."""

    __tablename__ = "draft"
    kind: Mapped[str] = mapped_column(String(20))  # enrolment | dependant
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    payload: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
