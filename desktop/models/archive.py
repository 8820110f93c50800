"""The document archive (آرشیو الکترونیک): items are never replaced, a new version is a new item."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import DateTime, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, IdMixin, utcnow


class ArchiveBlob(Base):
    """A stored content by its SHA-256, so the same scan stored twice costs one copy. The bytes
    are a file beside the store (`<store>.archive/ab/cd/<sha256>`, docs/archive.md); this row is
    the store's index of them."""

    __tablename__ = "archive_blob"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)


class ArchiveItem(IdMixin, Base):
    __tablename__ = "archive_item"
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), index=True)
    identifier: Mapped[str] = mapped_column(String(32), unique=True)  # شناسه‌گذاری
    chapter: Mapped[str] = mapped_column(String(40))
    section: Mapped[str] = mapped_column(String(40))
    paper_kind: Mapped[str] = mapped_column(ForeignKey("paper_kind.code"))
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(80))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(ForeignKey("archive_blob.sha256"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    previous_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("archive_item.id"))
    scanned_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    scanned_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
