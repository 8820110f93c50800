"""Headquarters' first schema: branches, applied batches, the central record, leases, conflicts,
the change log.

Written as PostgreSQL DDL: the exclusion constraints, xid8 and partial unique indexes are the
point of several tables, and SQLAlchemy's generic DDL would hide them.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Every table a branch writes carries `branch`, and every primary and unique key of the tables
# that grow with branches includes it where the key allows (applied_batch, received_change,
# inquiry_record, chain_head): those can be distributed by branch later (docs/scaling.md).
# person.ssn and insurance_number.value are global by nature and stay unique across branches.
# The tables every pushed change writes (received_change, person, relationship,
# insurance_number, inquiry_record) carry `branch` without a foreign key: their rows come only
# from a push, whose branch is the authenticated token's, and a key check per COPYed row cost
# about a tenth of a push (bench/sync_hq.py). Low-volume tables keep theirs.
SCHEMA = r"""
CREATE TABLE branch (
    code text PRIMARY KEY CHECK (code ~ '^[0-9]{4}$'),
    name text NOT NULL DEFAULT '',
    token_hash text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    created_at timestamptz NOT NULL DEFAULT now(),
    active boolean NOT NULL DEFAULT true
);

CREATE TABLE applied_batch (
    branch text NOT NULL REFERENCES branch (code),
    install_epoch text NOT NULL,
    batch_seq bigint NOT NULL,
    ack jsonb,
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (branch, install_epoch, batch_seq)
);

CREATE TABLE received_change (
    branch text NOT NULL,
    id uuid NOT NULL,
    install_epoch text NOT NULL,
    batch_seq bigint NOT NULL,
    seq bigint NOT NULL,
    entity text NOT NULL,
    entity_id text NOT NULL,
    op text NOT NULL,
    payload jsonb NOT NULL,
    at timestamptz NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (branch, id)
);

CREATE TABLE person (
    id uuid PRIMARY KEY,
    national_code text,
    foreign_id text,
    ssn text UNIQUE,
    first_name text NOT NULL,
    last_name text NOT NULL,
    father_name text NOT NULL,
    birth_date date NOT NULL,
    benefit_birth_date date NOT NULL,
    gender text NOT NULL,
    death_date date,
    enrolled_branch text NOT NULL,
    enrolled_at timestamptz NOT NULL,
    snapshot jsonb NOT NULL,
    updated_from_seq bigint NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX person_national_code ON person (national_code);
CREATE INDEX person_foreign_id ON person (foreign_id);

CREATE TABLE relationship (
    id uuid PRIMARY KEY,
    person_id uuid NOT NULL REFERENCES person (id),
    branch text NOT NULL,
    kind text NOT NULL,
    start date NOT NULL,
    "end" date,
    end_reason text,
    workshop_code text,
    insurance_number text NOT NULL,
    main_insured_ssn text,
    medical_link boolean
);
CREATE INDEX relationship_person ON relationship (person_id);
CREATE INDEX relationship_main_insured ON relationship (main_insured_ssn);

CREATE TABLE insurance_number (
    value text PRIMARY KEY,
    kind text NOT NULL,
    person_id uuid NOT NULL REFERENCES person (id),
    branch text NOT NULL
);
CREATE INDEX insurance_number_person ON insurance_number (person_id);

CREATE TABLE authority (
    code text PRIMARY KEY,
    name text NOT NULL,
    "group" text NOT NULL,
    origin_branch text REFERENCES branch (code),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE workshop (
    code text PRIMARY KEY,
    name text NOT NULL,
    address text NOT NULL DEFAULT '',
    origin_branch text REFERENCES branch (code),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE inquiry_record (
    branch text NOT NULL,
    seq bigint NOT NULL,
    tracking_code text NOT NULL UNIQUE,
    hash text NOT NULL,
    prev_hash text NOT NULL,
    state text NOT NULL,
    authority text NOT NULL,
    national_code text NOT NULL,
    at timestamptz NOT NULL,
    answer text NOT NULL,
    PRIMARY KEY (branch, seq)
);

CREATE TABLE certificate (
    tracking_code text PRIMARY KEY,
    branch text NOT NULL REFERENCES branch (code),
    person_id uuid,
    authority text,
    passcode_hash text NOT NULL,
    requested_on date,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE chain_head (
    branch text NOT NULL REFERENCES branch (code),
    chain text NOT NULL CHECK (chain IN ('inquiry_record', 'correction_ledger', 'audit_log')),
    seq bigint NOT NULL,
    hash text NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (branch, chain)
);

-- No two blocks of one kind overlap, whoever holds them: the exclusion constraints are the
-- backstop behind the per-kind advisory lock the lease code takes.
CREATE TABLE number_lease (
    id uuid PRIMARY KEY,
    branch text NOT NULL REFERENCES branch (code),
    install_epoch text,
    request_id uuid UNIQUE,
    kind text NOT NULL CHECK (kind IN ('ssn', 'central_temporary')),
    first bigint NOT NULL,
    last bigint NOT NULL,
    source text NOT NULL CHECK (source IN ('lease', 'starter')),
    granted_at timestamptz NOT NULL DEFAULT now(),
    CHECK (first >= 1 AND first <= last),
    EXCLUDE USING gist (int8range(first, last, '[]') WITH &&) WHERE (kind = 'ssn'),
    EXCLUDE USING gist (int8range(first, last, '[]') WITH &&) WHERE (kind = 'central_temporary')
);
CREATE INDEX number_lease_kind_last ON number_lease (kind, last);
CREATE INDEX number_lease_branch ON number_lease (branch);

-- One open conflict per kind and key (the national code, or the overlapping block).
CREATE TABLE conflict (
    id uuid PRIMARY KEY,
    kind text NOT NULL
        CHECK (kind IN ('national_code_enrolled_twice', 'ssn_taken', 'number_block_overlap')),
    key text NOT NULL,
    national_code text,
    branches text[] NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz
);
CREATE UNIQUE INDEX conflict_open ON conflict (kind, key) WHERE resolved_at IS NULL;
CREATE INDEX conflict_national_code ON conflict (national_code);

-- What branches pull. txid orders rows by the transaction that wrote them, and a pull only hands
-- out rows of transactions below the snapshot's xmin (docs/sync.md "Pull"), so a transaction
-- that commits late is never skipped. audience NULL = every branch.
CREATE TABLE change_log (
    seq bigserial PRIMARY KEY,
    txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    audience text,
    origin_branch text,
    kind text NOT NULL CHECK (kind IN ('authority', 'workshop', 'lease', 'conflict')),
    key text NOT NULL,
    op text NOT NULL CHECK (op IN ('upsert', 'delete')),
    data jsonb NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX change_log_txid_seq ON change_log (txid, seq);
"""

TABLES = ("change_log", "conflict", "number_lease", "chain_head", "certificate", "inquiry_record",
          "workshop", "authority", "insurance_number", "relationship", "person",
          "received_change", "applied_batch", "branch")


def upgrade() -> None:
    op.execute(SCHEMA)


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TABLE {table}")
