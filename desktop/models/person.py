"""People (مخاطب), their identity, roles, personal information and its history."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, IdMixin, utcnow


class Person(IdMixin, Base):
    __tablename__ = "person"
    __table_args__ = (
        CheckConstraint(
            "(national_code IS NULL) <> (foreign_id IS NULL)", name="one_identity_number"
        ),
        Index("ix_person_name_key", "name_key"),
        # Statistics (revision 0006): enrolments of a branch in a period, from the index alone.
        Index("ix_person_enrolled", "enrolled_branch", "enrolled_at"),
        # Due to end by rule (revision 0006): children whose 18th / 20th birthday is near.
        Index("ix_person_birth_date", "birth_date"),
    )
    national_code: Mapped[str | None] = mapped_column(String(10), unique=True)
    foreign_id: Mapped[str | None] = mapped_column(String(12), unique=True)
    ssn: Mapped[str | None] = mapped_column(String(10), unique=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    father_name: Mapped[str] = mapped_column(String(80), default="")
    birth_date: Mapped[dt.date] = mapped_column(Date)
    # Benefits keep the birth date in force before a registry change after 1379/08/08 (SPEC §5.1).
    benefit_birth_date: Mapped[dt.date] = mapped_column(Date)
    gender: Mapped[str] = mapped_column(String(6))
    birth_certificate_number: Mapped[str | None] = mapped_column(String(16))
    place_of_issue: Mapped[str | None] = mapped_column(String(80))
    death_date: Mapped[dt.date | None] = mapped_column(Date)
    identity_complete: Mapped[bool] = mapped_column(default=True)
    registry_checked_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    enrolled_branch: Mapped[str] = mapped_column(String(4))
    enrolled_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    name_key: Mapped[str] = mapped_column(String(200), default="")  # "last first", normalised


class PersonRole(IdMixin, Base):
    __tablename__ = "person_role"
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # main_insured | dependant | employer
    since: Mapped[dt.date] = mapped_column(Date)


class IdentityChange(IdMixin, Base):
    """An identity correction made by re-querying the registry (SPEC §5.1)."""

    __tablename__ = "identity_change"
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class PersonalInfo(Base):
    """The current personal information (appendix 4); history lives in PersonalInfoChange."""

    __tablename__ = "personal_info"
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), primary_key=True)
    address: Mapped[str | None] = mapped_column(Text)
    postal_code: Mapped[str | None] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(11))
    mobile: Mapped[str | None] = mapped_column(String(11))
    iban: Mapped[str | None] = mapped_column(String(26))
    education: Mapped[str | None] = mapped_column(String(16))
    military_status: Mapped[str | None] = mapped_column(String(16))
    marital_status: Mapped[str | None] = mapped_column(String(16))
    dependants_count: Mapped[int | None] = mapped_column(Integer)
    # Health: shown only to roles with person.health.
    special_disease: Mapped[str | None] = mapped_column(Text)
    blood_group: Mapped[str | None] = mapped_column(String(3))
    medical_history: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class PersonalInfoChange(IdMixin, Base):
    __tablename__ = "personal_info_change"
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Acquaintance(IdMixin, Base):
    __tablename__ = "acquaintance"
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    national_code: Mapped[str | None] = mapped_column(String(10))
    address: Mapped[str | None] = mapped_column(Text)
    mobile: Mapped[str | None] = mapped_column(String(11))


class InsuranceNumber(IdMixin, Base):
    """Permanent, branch-temporary and central-temporary numbers (the SSN lives on Person)."""

    __tablename__ = "insurance_number"
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(10), unique=True)
    branch_code: Mapped[str] = mapped_column(String(4))
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    retired_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class Employer(IdMixin, Base):
    __tablename__ = "employer"
    kind: Mapped[str] = mapped_column(String(20))  # employer_natural | employer_legal
    person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("person.id"), index=True)
    legal_name: Mapped[str | None] = mapped_column(String(200))
    registration_number: Mapped[str | None] = mapped_column(String(20), unique=True)


class Workshop(IdMixin, Base):
    __tablename__ = "workshop"
    code: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="")
    employer_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("employer.id"), index=True)
    branch_code: Mapped[str] = mapped_column(String(4))
