"""Alembic environment of headquarters: PostgreSQL only, run inside the caller's one transaction.

`hq.db.migrate` hands in a connection already in its transaction (attribute `connection`), so
the whole upgrade — every revision and the version row — commits or rolls back as one
(PostgreSQL's DDL is transactional).
"""

from __future__ import annotations

from alembic import context

from hq.models import metadata

config = context.config
connection = config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, compare_type=True,
                  transaction_per_migration=False)
with context.begin_transaction():
    context.run_migrations()
