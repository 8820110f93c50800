"""statistics: indexes behind the supervisor's dashboard and `stats` (SPEC §7), and the
due-to-end list's birth dates.

Revision ID: 0006
Revises: 0004

Each figure is a grouped COUNT over a time column; these indexes make each one a range scan
over the index alone (covering), never a walk through the rows.
"""
from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_person_enrolled", "person", ["enrolled_branch", "enrolled_at"]),
    ("ix_relationship_registered", "relationship", ["branch_code", "created_at", "type_code", "main_insured_id"]),
    ("ix_inquiry_record_at", "inquiry_record", ["at", "state", "requester_person_id"]),
    ("ix_certificate_created", "certificate", ["created_at"]),
    # Not statistics, but the same kind of read: the due-to-end list finds the children whose
    # 18th or 20th birthday is near by birth date (services/dependant_due.py).
    ("ix_person_birth_date", "person", ["birth_date"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
