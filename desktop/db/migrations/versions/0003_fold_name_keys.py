"""person search: fold alef forms, hamza seats and vowel marks in name keys (ارش finds آرش).

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# The same folds as desktop.domain.text.SEARCH_FOLDS, frozen as of this revision.
FOLDS = [("آ", "ا"), ("أ", "ا"), ("إ", "ا"), ("ٱ", "ا"), ("ؤ", "و"), ("ئ", "ی"), ("ء", "")]
FOLDS += [(chr(c), "") for c in range(0x064B, 0x0653)] + [("\u0670", "")]


def _folded(expr: str) -> str:
    for old, new in FOLDS:
        expr = f"replace({expr}, '{old}', '{new}')"
    return expr


def upgrade() -> None:
    # Only keys that change are rewritten; the name-key UPDATE trigger of 0002 re-indexes them.
    folded = _folded("name_key")
    op.execute(f"UPDATE person SET name_key = {folded} WHERE {folded} <> name_key")


def downgrade() -> None:
    # Which alef was typed is not kept in the key: folded keys stay, and stay searchable
    # by their folded spelling.
    pass
