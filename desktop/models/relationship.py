"""Insurance relationships (ارتباط بیمه‌ای): dated links of one reference type."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, IdMixin, utcnow


class Relationship(IdMixin, Base):
    __tablename__ = "relationship"
    __table_args__ = (
        Index("ix_relationship_person_start", "person_id", "start"),
        Index("ix_relationship_main_insured", "main_insured_id"),
        Index("ix_relationship_end", "end"),
        # Statistics (revision 0006): dependants registered in a period by relation, covering.
        Index("ix_relationship_registered", "branch_code", "created_at", "type_code", "main_insured_id"),
        # Due to end (revision 0006): trial adoptions and soldiers' families by relation, and the
        # few links that lack the medical link (the daily handover starts from them).
        Index("ix_relationship_type_start", "type_code", "start"),
        Index("ix_relationship_without_medical", "person_id", sqlite_where=text("medical_link = 0")),
    )
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"))
    type_code: Mapped[str] = mapped_column(ForeignKey("relationship_type.code"))
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(40))
    insurance_number: Mapped[str] = mapped_column(String(10))
    branch_code: Mapped[str] = mapped_column(String(4))
    workshop_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("workshop.id"))
    # Dependants: the main insured they are covered through.
    main_insured_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("person.id"))
    orientation: Mapped[str | None] = mapped_column(String(16))
    # Two insured parents: only one link carries medical services at a time (SPEC §3).
    medical_link: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class RelationshipPaper(Base):
    """Which archived papers a dependant link rests on."""

    __tablename__ = "relationship_paper"
    relationship_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("relationship.id"), primary_key=True)
    archive_item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("archive_item.id"), primary_key=True)
