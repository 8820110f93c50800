"""Reference data kept as rows (SPEC §1.4: relationship types are data, not code branches)."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class RelationshipType(Base):
    __tablename__ = "relationship_type"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    category: Mapped[str] = mapped_column(String(16))  # main | dependant | employer
    title_fa: Mapped[str] = mapped_column(String(80))


class PaperKind(Base):
    __tablename__ = "paper_kind"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    title_fa: Mapped[str] = mapped_column(String(80))


class StoreSetting(Base):
    """Key/value facts of this store: branch code and name, install epoch, number prefixes."""

    __tablename__ = "store_setting"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(400))
