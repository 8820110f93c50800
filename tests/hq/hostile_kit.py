"""Shared by the hostile-input tests: a dedicated `hq serve` with its own bad-token limit, and the
row count of every headquarters table (to prove a refusal wrote nothing)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from ..support.hq_server import HqServer, clear
from ..support.postgres import PostgresCluster


def table_counts(dsn: str | psycopg.Connection) -> dict[str, int]:
    """Every HQ table's row count (a DSN, or an open autocommit connection to reuse)."""
    if isinstance(dsn, str):
        with psycopg.connect(dsn, autocommit=True) as conn:
            return table_counts(conn)
    tables = [r[0] for r in dsn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        " AND tablename <> 'alembic_version' ORDER BY 1")]
    union = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM {t}" for t in tables)
    return {str(name): int(n) for name, n in dsn.execute(union)}  # type: ignore[arg-type]


@contextmanager
def dedicated_server(cluster: PostgresCluster, template: str, *extra: str) -> Iterator[HqServer]:
    name = cluster.create_database(template=template)
    server = HqServer(cluster.dsn(name), extra=extra)
    server.start()
    try:
        clear(server.dsn)
        yield server
    finally:
        server.stop()
        server.log.unlink(missing_ok=True)
        cluster.drop_database(name)
