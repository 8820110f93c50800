"""person search: an FTS5 index over person.name_key, kept in sync by triggers.

Revision ID: 0002
Revises: 0001

External content (the names live once, in `person`); the index holds only tokens. Persian
combining marks (harakat, category M*) are token characters so «محمّد» stays one word; a
prefix index of 1–3 characters makes the first letters a clerk types cheap.
Identifiers (national code, SSN, foreign id, insurance numbers) need no index of their own:
their UNIQUE constraints already give one.

A VACUUM may renumber the rowids of `person` (it has no INTEGER PRIMARY KEY): run
`desktop.db.search_index.rebuild` after one, as bulk loaders do.
"""
from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

CREATE_INDEX = """
CREATE VIRTUAL TABLE person_search USING fts5(
    name_key,
    content='person', content_rowid='rowid',
    tokenize="unicode61 remove_diacritics 0 categories 'L* N* M* Co'",
    prefix='1 2 3'
)
"""
TRIGGERS = (
    """CREATE TRIGGER person_search_ai AFTER INSERT ON person BEGIN
        INSERT INTO person_search(rowid, name_key) VALUES (new.rowid, new.name_key);
    END""",
    """CREATE TRIGGER person_search_ad AFTER DELETE ON person BEGIN
        INSERT INTO person_search(person_search, rowid, name_key) VALUES ('delete', old.rowid, old.name_key);
    END""",
    """CREATE TRIGGER person_search_au AFTER UPDATE OF name_key ON person BEGIN
        INSERT INTO person_search(person_search, rowid, name_key) VALUES ('delete', old.rowid, old.name_key);
        INSERT INTO person_search(rowid, name_key) VALUES (new.rowid, new.name_key);
    END""",
)


def upgrade() -> None:
    op.execute(CREATE_INDEX)
    for trigger in TRIGGERS:
        op.execute(trigger)
    # A store upgraded from 0001 may already hold people.
    op.execute("INSERT INTO person_search(person_search) VALUES ('rebuild')")


def downgrade() -> None:
    for name in ("person_search_au", "person_search_ad", "person_search_ai"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS person_search")
