"""Headquarters' tables as SQLAlchemy Core (the DDL itself is migrations/versions/0001_initial.py).

Core rather than ORM objects: every write here is a set-shaped INSERT … ON CONFLICT or UPDATE
inside the push transaction, and no object outlives its request.
"""

from __future__ import annotations

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    MetaData,
    Table,
    Text,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSON, JSONB

metadata = MetaData()

branch = Table(
    "branch", metadata,
    Column("code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("token_hash", Text, nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True)),
    Column("active", Boolean, nullable=False),
)

applied_batch = Table(
    "applied_batch", metadata,
    Column("branch", Text, primary_key=True),
    Column("install_epoch", Text, primary_key=True),
    Column("batch_seq", BigInteger, primary_key=True),
    Column("ack", JSONB),
    Column("applied_at", DateTime(timezone=True)),
)

received_change = Table(
    "received_change", metadata,
    Column("branch", Text, primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("install_epoch", Text, nullable=False),
    Column("batch_seq", BigInteger, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("entity", Text, nullable=False),
    Column("entity_id", Text, nullable=False),
    Column("op", Text, nullable=False),
    Column("payload", JSON, nullable=False),  # json, not jsonb: an archive (revision 0005)
    Column("at", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True)),
)

person = Table(
    "person", metadata,
    Column("id", Uuid, primary_key=True),
    Column("national_code", Text),
    Column("foreign_id", Text),
    Column("ssn", Text, unique=True),
    Column("first_name", Text, nullable=False),
    Column("last_name", Text, nullable=False),
    Column("father_name", Text, nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("benefit_birth_date", Date, nullable=False),
    Column("gender", Text, nullable=False),
    Column("death_date", Date),
    Column("enrolled_branch", Text, nullable=False),
    Column("enrolled_at", DateTime(timezone=True), nullable=False),
    Column("snapshot", JSON, nullable=False),  # json, not jsonb: an archive (revision 0005)
    Column("updated_from_seq", BigInteger, nullable=False),
    Column("received_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True)),
)

relationship = Table(
    "relationship", metadata,
    Column("id", Uuid, primary_key=True),
    Column("person_id", Uuid, nullable=False),
    Column("branch", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("start", Date, nullable=False),
    Column("end", Date),
    Column("end_reason", Text),
    Column("workshop_code", Text),
    Column("insurance_number", Text, nullable=False),
    Column("main_insured_ssn", Text),
    Column("medical_link", Boolean),
)

insurance_number = Table(
    "insurance_number", metadata,
    Column("value", Text, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("person_id", Uuid, nullable=False),
    Column("branch", Text, nullable=False),
)

authority = Table(
    "authority", metadata,
    Column("code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("group", Text, nullable=False),
    Column("origin_branch", Text),
    Column("created_at", DateTime(timezone=True)),
)

workshop = Table(
    "workshop", metadata,
    Column("code", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("address", Text, nullable=False),
    Column("origin_branch", Text),
    Column("created_at", DateTime(timezone=True)),
)

inquiry_record = Table(
    "inquiry_record", metadata,
    Column("branch", Text, primary_key=True),
    Column("seq", BigInteger, primary_key=True),
    Column("tracking_code", Text, nullable=False, unique=True),
    Column("hash", Text, nullable=False),
    Column("prev_hash", Text, nullable=False),
    Column("state", Text, nullable=False),
    Column("authority", Text, nullable=False),
    Column("national_code", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("answer", Text, nullable=False),
)

certificate = Table(
    "certificate", metadata,
    Column("tracking_code", Text, primary_key=True),
    Column("branch", Text, nullable=False),
    Column("person_id", Uuid),
    Column("authority", Text),
    Column("passcode_hash", Text, nullable=False),
    Column("requested_on", Date),
    Column("created_at", DateTime(timezone=True)),
)

chain_head = Table(
    "chain_head", metadata,
    Column("branch", Text, primary_key=True),
    Column("chain", Text, primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("hash", Text, nullable=False),
    Column("at", DateTime(timezone=True)),
)

number_lease = Table(
    "number_lease", metadata,
    Column("id", Uuid, primary_key=True),
    Column("branch", Text, nullable=False),
    Column("install_epoch", Text),
    Column("request_id", Uuid, unique=True),
    Column("kind", Text, nullable=False),
    Column("first", BigInteger, nullable=False),
    Column("last", BigInteger, nullable=False),
    Column("source", Text, nullable=False),
    Column("granted_at", DateTime(timezone=True)),
)

conflict = Table(
    "conflict", metadata,
    Column("id", Uuid, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("national_code", Text),
    Column("branches", ARRAY(Text), nullable=False),
    Column("created_at", DateTime(timezone=True)),
    Column("resolved_at", DateTime(timezone=True)),
)

change_log = Table(
    "change_log", metadata,
    Column("seq", BigInteger, primary_key=True),
    Column("audience", Text),
    Column("origin_branch", Text),
    Column("kind", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("op", Text, nullable=False),
    Column("data", JSONB, nullable=False),
    Column("at", DateTime(timezone=True)),
)
