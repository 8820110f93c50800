"""Correction requests and the append-only, hash-chained correction ledger (SPEC §5.2)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, IdMixin, utcnow


class CorrectionRequest(IdMixin, Base):
    __tablename__ = "correction_request"
    document_line_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("document_line.id"), index=True)
    requesting_unit: Mapped[str] = mapped_column(String(120))
    components: Mapped[str] = mapped_column(Text)  # JSON: {"wage": 123, "days": 30, ...} (the new values)
    reasons: Mapped[str] = mapped_column(Text)
    # open (filed and checked, waiting for a supervisor) | rejected | applied (approved and in effect)
    status: Mapped[str] = mapped_column(String(12), default="open", index=True)
    correction_line_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("document_line.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # Revision 0005: who asked and who decided (maker ≠ checker), why, and the line as it was
    # when the request was filed (a decision on a line changed since is refused as stale).
    person_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("person.id"), index=True)
    requested_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("app_user.id"))
    decided_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("app_user.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    base_fingerprint: Mapped[str] = mapped_column(String(64), default="")
    form_identifier: Mapped[str | None] = mapped_column(String(32))  # the scanned correction form


class LedgerEntry(Base):
    __tablename__ = "ledger_entry"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("correction_request.id"), index=True)
    step: Mapped[str] = mapped_column(String(12))  # request | check | approve | reject | apply
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class LedgerHead(Base):
    """The ledger's anchor (revision 0005): the newest entry's seq and hash and the number of
    entries, written in the same transaction as every entry. A deleted last entry or an entry
    added behind the services' back no longer matches it."""

    __tablename__ = "ledger_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    entries: Mapped[int] = mapped_column(Integer)
