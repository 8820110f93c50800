"""The person snapshot and the received change's payload are kept as `json`, not `jsonb`.

Both are archives: written once per pushed change, read back whole (a counter lookup, a
restored store's recovery) and never searched inside — every query goes through the typed
columns beside them. `jsonb` parses each document into its binary form on the way in, which
was about a third of PostgreSQL's CPU per pushed change (13 of ~42 ms per 1,000 changes,
bench/sync.py and docs/scaling.md); `json` checks that the text is valid JSON and keeps it as
it came. Should a query ever need to look inside, `snapshot::jsonb` or an expression index
gives it back without a rewrite.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE person ALTER COLUMN snapshot TYPE json USING snapshot::json")
    op.execute("ALTER TABLE received_change ALTER COLUMN payload TYPE json USING payload::json")


def downgrade() -> None:
    op.execute("ALTER TABLE person ALTER COLUMN snapshot TYPE jsonb USING snapshot::jsonb")
    op.execute("ALTER TABLE received_change ALTER COLUMN payload TYPE jsonb USING payload::jsonb")
