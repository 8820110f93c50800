"""Insurance documents (سند بیمه‌ای) and the individual account (حساب انفرادی).

The monthly account is the SQL view `account_month` over effective document lines (a line
no applied correction supersedes); yearly and lifetime totals are kept per person and
recomputed from that view whenever a document for the person takes effect.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, IdMixin, utcnow


class InsuranceDocument(IdMixin, Base):
    __tablename__ = "insurance_document"
    __table_args__ = (Index("ix_insurance_document_workshop_period", "workshop_id", "year", "month"),)
    # monthly_list | inspection | audit | voluntary | self_employed | military | short_term | benefit | correction
    kind: Mapped[str] = mapped_column(String(20))
    workshop_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("workshop.id"))
    year: Mapped[int] = mapped_column(Integer)  # Jalali period
    month: Mapped[int] = mapped_column(Integer)
    branch_code: Mapped[str] = mapped_column(String(4))
    corrects_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("insurance_document.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class DocumentLine(IdMixin, Base):
    """One person's components in a document: number, workshop, rate, period, wage, job."""

    __tablename__ = "document_line"
    __table_args__ = (
        Index("ix_document_line_person", "person_id", "document_id"),
        Index("ix_document_line_supersedes", "supersedes_id"),
    )
    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("insurance_document.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"))
    insurance_number: Mapped[str] = mapped_column(String(10))
    days: Mapped[int] = mapped_column(Integer)
    wage: Mapped[int] = mapped_column(Integer)  # rials for the month
    rate: Mapped[int] = mapped_column(Integer)  # premium rate in per-mille (e.g. 300 = 30%)
    job: Mapped[str] = mapped_column(String(80), default="")
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("document_line.id"))


class AccountYear(Base):
    __tablename__ = "account_year"
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    days: Mapped[int] = mapped_column(Integer)
    wage_total: Mapped[int] = mapped_column(Integer)
    average_wage: Mapped[int] = mapped_column(Integer)


class AccountLifetime(Base):
    __tablename__ = "account_lifetime"
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), primary_key=True)
    days: Mapped[int] = mapped_column(Integer)
    wage_total: Mapped[int] = mapped_column(Integer)
    months: Mapped[int] = mapped_column(Integer)
