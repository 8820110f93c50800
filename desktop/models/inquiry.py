"""Outside authorities, the append-only inquiry record, certificates and their verification."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, IdMixin, utcnow


class Authority(IdMixin, Base):
    __tablename__ = "authority"
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    group: Mapped[str] = mapped_column(String(10))  # fund | judicial
    active: Mapped[bool] = mapped_column(default=True)


class InquiryRecord(Base):
    """SPEC §4.6: every answer, hash-chained so a command can prove nothing was altered."""

    __tablename__ = "inquiry_record"
    # Statistics (revision 0006): answers in a period by state, covering.
    __table_args__ = (Index("ix_inquiry_record_at", "at", "state", "requester_person_id"),)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tracking_code: Mapped[str] = mapped_column(String(24), unique=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    authority_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("authority.id"), index=True)
    national_code: Mapped[str] = mapped_column(String(10), index=True)
    person_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("person.id"), index=True)
    from_date: Mapped[dt.date | None] = mapped_column(Date)
    to_date: Mapped[dt.date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(12))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    # Set for certificates: the natural person who asked (SPEC §4.5).
    requester_person_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("person.id"))
    answer: Mapped[str] = mapped_column(Text)  # canonical JSON of the answer as given
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class TrackingSerial(Base):
    """Per-branch serial behind tracking codes (branch code + serial + check digit)."""

    __tablename__ = "tracking_serial"
    branch_code: Mapped[str] = mapped_column(String(4), primary_key=True)
    next_serial: Mapped[int] = mapped_column(Integer, default=1)


class Certificate(IdMixin, Base):
    __tablename__ = "certificate"
    __table_args__ = (Index("ix_certificate_created", "created_at"),)  # statistics (revision 0006)
    tracking_code: Mapped[str] = mapped_column(ForeignKey("inquiry_record.tracking_code"), unique=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), index=True)
    authority_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("authority.id"))
    passcode_hash: Mapped[str] = mapped_column(String(200))
    requested_on: Mapped[dt.date] = mapped_column(Date)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class PersonalBoxItem(IdMixin, Base):
    """The person's personal box (صندوق شخصی): certificates issued to them."""

    __tablename__ = "personal_box_item"
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), index=True)
    certificate_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("certificate.id"))
    title: Mapped[str] = mapped_column(String(200))
    pdf: Mapped[bytes | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class CertificateAttempt(IdMixin, Base):
    __tablename__ = "certificate_attempt"
    tracking_code: Mapped[str] = mapped_column(String(24), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    success: Mapped[bool] = mapped_column()
    outcome: Mapped[str] = mapped_column(String(20))  # shown | wrong_passcode | locked | unknown
    source: Mapped[str] = mapped_column(Text, default="")
