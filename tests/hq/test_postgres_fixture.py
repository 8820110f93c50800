"""The test cluster is a real PostgreSQL server on a private socket, one database per test."""

from __future__ import annotations

import psycopg

from tests.support.postgres import PostgresCluster


def test_each_test_gets_its_own_empty_database(pg_cluster: PostgresCluster, pg_dsn: str) -> None:
    with psycopg.connect(pg_dsn) as conn:
        version = conn.execute("SHOW server_version_num").fetchone()
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
        tcp = conn.execute("SHOW listen_addresses").fetchone()
    assert version is not None and int(version[0]) >= 130000  # pg_current_xact_id, xid8
    assert tables == (0,)
    assert tcp == ("",)  # no TCP listener: only the private socket
    assert str(pg_cluster.socket_dir) in pg_dsn
