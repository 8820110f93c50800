"""statistics: indexes behind the supervisor's dashboard and `stats` (SPEC §7), and the
due-to-end list's birth dates.

Revision ID: 0006
Revises: 0004

The dashboard reads `statistics_day`, daily counts kept by triggers (desktop/db/statistics_index.py),
so a year is at most a few thousand small rows whatever the store's size. The covering indexes
make the same figures' plain COUNTs (the recount that checks the table, and the benchmark's
floor) index range scans rather than walks through the rows.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# The daily counts' table and triggers are defined once, in desktop/db/statistics_index.py; a
# later change to them belongs in a new revision, which re-creates them.
from desktop.db import statistics_index

revision = "0006"
down_revision = "0005"
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
    ("ix_relationship_type_start", "relationship", ["type_code", "start"]),
)
# The daily medical-link handover starts from the few links without the medical link.
WITHOUT_MEDICAL = ("ix_relationship_without_medical", "relationship", ["person_id"])


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    op.create_index(*WITHOUT_MEDICAL, sqlite_where=sa.text("medical_link = 0"))
    op.execute(statistics_index.CREATE_TABLE)
    for trigger in statistics_index.triggers():
        op.execute(trigger)
    statistics_index.rebuild(op.get_bind())  # a store upgraded from 0004 already holds rows


def downgrade() -> None:
    for name in statistics_index.trigger_names():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS statistics_day")
    op.drop_index(WITHOUT_MEDICAL[0], table_name=WITHOUT_MEDICAL[1])
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
