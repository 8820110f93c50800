"""Alembic environment: batch mode for SQLite, the models' metadata as the target.

`desktop.db.migrate` hands in a connection already inside its one upgrade transaction
(attribute `connection`): revisions run there and nothing here commits. Without one (a
downgrade in tests, the alembic command line) the same one-transaction wrapper is used.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from desktop.db.engine import make_engine
from desktop.db.migrations.env_support import include_object
from desktop.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        include_object=include_object,
        compare_type=True,
    )
    # The connection is already in the caller's transaction, so alembic opens none of its own
    # (with SQLite it would otherwise commit after every revision).
    assert connection.in_transaction()
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    from desktop.db.migrate import schema_transaction

    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = config.attributes.get("engine")
    if engine is None:
        url = config.get_main_option("sqlalchemy.url") or ""
        engine = make_engine(url.removeprefix("sqlite+pysqlite:///").removeprefix("sqlite:///"))
    with schema_transaction(engine) as conn:
        _run(conn)


run_migrations_online()
