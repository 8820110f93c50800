"""correction ledger: who requested and decided a correction, why, the line's fingerprint at
filing, the scanned form, the person; and the ledger's head anchor.

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("correction_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("person_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("requested_by", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("decided_by", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("decided_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("decision_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("base_fingerprint", sa.String(length=64), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("form_identifier", sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f("ix_correction_request_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_correction_request_status"), ["status"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_correction_request_person_id_person"),
                                    "person", ["person_id"], ["id"])
        batch_op.create_foreign_key(batch_op.f("fk_correction_request_requested_by_app_user"),
                                    "app_user", ["requested_by"], ["id"])
        batch_op.create_foreign_key(batch_op.f("fk_correction_request_decided_by_app_user"),
                                    "app_user", ["decided_by"], ["id"])
    # Requests written before the ledger existed: their person from the line, and the old
    # "requested"/"checked" states are the open state now.
    op.execute("UPDATE correction_request SET person_id = (SELECT l.person_id FROM document_line AS l"
               " WHERE l.id = correction_request.document_line_id)")
    op.execute("UPDATE correction_request SET status = 'open' WHERE status IN ('requested', 'checked')")
    op.create_table(
        "ledger_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_head")),
    )
    # Anchor whatever the ledger already holds (nothing wrote it before this revision).
    op.execute("INSERT INTO ledger_head (id, seq, hash, entries) SELECT 1, COALESCE(MAX(seq), 0),"
               " COALESCE((SELECT hash FROM ledger_entry ORDER BY seq DESC LIMIT 1), ''), COUNT(*)"
               " FROM ledger_entry")


def downgrade() -> None:
    op.drop_table("ledger_head")
    op.execute("UPDATE correction_request SET status = 'requested' WHERE status = 'open'")
    with op.batch_alter_table("correction_request", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_correction_request_decided_by_app_user"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_correction_request_requested_by_app_user"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_correction_request_person_id_person"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_correction_request_status"))
        batch_op.drop_index(batch_op.f("ix_correction_request_person_id"))
        batch_op.drop_column("form_identifier")
        batch_op.drop_column("base_fingerprint")
        batch_op.drop_column("decision_reason")
        batch_op.drop_column("decided_at")
        batch_op.drop_column("decided_by")
        batch_op.drop_column("requested_by")
        batch_op.drop_column("person_id")
