"""Relationships and insurance numbers no longer carry a foreign key to person.

A push writes a person and the relationships and numbers of that same snapshot in one flush
(apply.Planner takes them from the snapshot it writes, and HQ never deletes a person), so the
key could only catch a bug in that code — and its check, one trigger and one index probe per
COPYed row, cost about a quarter of the COPY time of a push (bench/sync.py, docs/scaling.md).
It also eases distributing by branch later: neither table then depends on where person lives.
The same reasoning dropped the branch keys of these tables in 0001.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE relationship DROP CONSTRAINT IF EXISTS relationship_person_id_fkey")
    op.execute("ALTER TABLE insurance_number DROP CONSTRAINT IF EXISTS"
               " insurance_number_person_id_fkey")


def downgrade() -> None:
    op.execute("ALTER TABLE relationship ADD CONSTRAINT relationship_person_id_fkey"
               " FOREIGN KEY (person_id) REFERENCES person (id)")
    op.execute("ALTER TABLE insurance_number ADD CONSTRAINT insurance_number_person_id_fkey"
               " FOREIGN KEY (person_id) REFERENCES person (id)")
