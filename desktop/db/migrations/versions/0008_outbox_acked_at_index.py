"""sync: the outbox indexed by acknowledgement time.

Revision ID: 0008
Revises: 0007

A branch keeps a month of acknowledged rows (round.KEEP_ACKED): 100,000 and more. Every sync
round and the status bar ask "what is unsent, and how much" (`acked_at IS NULL`), and a round
that pushed deletes what was acknowledged a month ago (`acked_at < cutoff`): each read the whole
outbox (SCAN outbox). On this index the unsent rows are one range (the NULLs) and the expired
ones another, so those questions cost the same at 100 or 1,000,000 sent rows.
"""
from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

ACKED_AT = ("ix_outbox_acked_at", "outbox", ["acked_at"])


def upgrade() -> None:
    op.create_index(*ACKED_AT)


def downgrade() -> None:
    op.drop_index(ACKED_AT[0], table_name=ACKED_AT[1])
