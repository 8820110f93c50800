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
    components: Mapped[str] = mapped_column(Text)  # JSON: {"wage": 123, "days": 30, ...}
    reasons: Mapped[str] = mapped_column(Text)
    # requested | checked | approved | rejected | applied
    status: Mapped[str] = mapped_column(String(12), default="requested")
    correction_line_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("document_line.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


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
