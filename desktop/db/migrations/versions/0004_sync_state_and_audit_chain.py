"""headquarters sync: sync state, round history, quarantine, lease requests, pulled conflicts,
number_block.lease_id, and the audit log as a hash chain (existing rows are chained here).

Revision ID: 0004
Revises: 0003
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def _audit_hash(prev: str, at: dt.datetime, user_id: uuid.UUID | None, action: str,
                subject_type: str, subject_id: str, detail: str) -> str:
    # Frozen copy of desktop.services.hashchain.audit_link as of this revision.
    content = {"at": at.isoformat(), "user_id": user_id.hex if user_id else None, "action": action,
               "subject_type": subject_type, "subject_id": subject_id, "detail": detail}
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((prev + text).encode("utf-8")).hexdigest()


def upgrade() -> None:
    op.create_table(
        "sync_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("next_batch_seq", sa.Integer(), nullable=False),
        sa.Column("pull_cursor", sa.String(length=64), nullable=False),
        sa.Column("last_success_at", sa.DateTime(), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_state")),
    )
    op.execute("INSERT INTO sync_state (id, next_batch_seq, pull_cursor) VALUES (1, 1, '')")
    op.create_table(
        "sync_round",
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("pushed", sa.Integer(), nullable=False),
        sa.Column("pulled", sa.Integer(), nullable=False),
        sa.Column("quarantined", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_round")),
    )
    with op.batch_alter_table("sync_round", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_round_started_at"), ["started_at"], unique=False)
    op.create_table(
        "sync_quarantine",
        sa.Column("change_id", sa.Uuid(), nullable=False),
        sa.Column("outbox_seq", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=30), nullable=False),
        sa.Column("entity_id", sa.String(length=40), nullable=False),
        sa.Column("op", sa.String(length=40), nullable=False),
        sa.Column("reason_fa", sa.Text(), nullable=False),
        sa.Column("reason_en", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_quarantine")),
        sa.UniqueConstraint("change_id", name=op.f("uq_sync_quarantine_change_id")),
    )
    op.create_table(
        "lease_request",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("asked_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_lease_request")),
    )
    op.create_table(
        "sync_conflict",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("national_code", sa.String(length=10), nullable=True),
        sa.Column("branches", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_conflict")),
    )
    with op.batch_alter_table("sync_conflict", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_conflict_national_code"), ["national_code"], unique=False)
    with op.batch_alter_table("number_block", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lease_id", sa.Uuid(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_number_block_lease_id"), ["lease_id"])
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=False, server_default=""))
    _chain_existing_audit_rows()


def _chain_existing_audit_rows() -> None:
    audit = sa.table("audit_log", sa.column("seq", sa.Integer()), sa.column("at", sa.DateTime()),
                     sa.column("user_id", sa.Uuid()), sa.column("action", sa.String()),
                     sa.column("subject_type", sa.String()), sa.column("subject_id", sa.String()),
                     sa.column("detail", sa.Text()), sa.column("prev_hash", sa.String()),
                     sa.column("hash", sa.String()))
    conn = op.get_bind()
    rows = conn.execute(sa.select(audit.c.seq, audit.c.at, audit.c.user_id, audit.c.action,
                                  audit.c.subject_type, audit.c.subject_id, audit.c.detail)
                        .order_by(audit.c.seq)).all()
    prev = GENESIS
    links = []
    for seq, at, user_id, action, subject_type, subject_id, detail in rows:
        link = _audit_hash(prev, at, user_id, action, subject_type, subject_id, detail)
        links.append({"s": seq, "p": prev, "h": link})
        prev = link
    if links:
        conn.execute(audit.update().where(audit.c.seq == sa.bindparam("s"))
                     .values(prev_hash=sa.bindparam("p"), hash=sa.bindparam("h")), links)


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
    with op.batch_alter_table("number_block", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_number_block_lease_id"), type_="unique")
        batch_op.drop_column("lease_id")
    with op.batch_alter_table("sync_conflict", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_conflict_national_code"))
    op.drop_table("sync_conflict")
    op.drop_table("lease_request")
    op.drop_table("sync_quarantine")
    with op.batch_alter_table("sync_round", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_round_started_at"))
    op.drop_table("sync_round")
    op.drop_table("sync_state")
